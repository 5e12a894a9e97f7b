"""Settings come from the environment; bad values stop start-up with one clear line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Each test starts a fresh interpreter (settings are read once per process).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "s" * 20 + "-production-secret-for-tests-only-" + "k" * 20,
    "DJANGO_ALLOWED_HOSTS": "worthwatching.example",
    "DJANGO_BEHIND_PROXY": "true",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://worthwatching.example",
}


def run(code, **env):
    """Import the settings in a fresh interpreter with exactly these variables."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "EMAIL_", "MEDIA_", "AWS_"))
    }
    return subprocess.run(
        [sys.executable, "-c", f"import config.settings as s; {code}"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_sqlite_file_is_the_default_tuned_for_several_workers():
    out = run(
        "d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'], "
        "d['OPTIONS']['transaction_mode'], 'journal_mode=WAL' in d['OPTIONS']['init_command'])"
    )
    assert out.returncode == 0, out.stderr
    engine, name, mode, wal = out.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "db.sqlite3")
    assert (mode, wal) == ("IMMEDIATE", "True")


def test_database_url_switches_the_engine():
    out = run(
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'])",
        DATABASE_URL="postgres://u:p@db.example:5432/ww",
    )
    assert out.stdout.split() == ["django.db.backends.postgresql", "ww"]


def test_cache_is_shared_by_default_and_redis_when_asked():
    default = run("print(s.CACHES['default']['BACKEND'])")
    assert default.stdout.strip() == "django.core.cache.backends.db.DatabaseCache"
    redis = run("print(s.CACHES['default']['BACKEND'])", CACHE_URL="redis://127.0.0.1:6379/1")
    # Django's Redis backend, one client per pool (config/cache.py).
    assert redis.stdout.strip() == "config.cache.RedisCache"


@pytest.mark.parametrize(
    "variable,value",
    [
        ("DATABASE_URL", "nonsense://"),
        ("DATABASE_URL", "::::"),
        ("DJANGO_DEBUG", "perhaps"),
        ("CACHE_URL", "bogus://x"),
        ("DATABASE_URL", "mysql://root@localhost/ww"),
        ("BREAK_EVEN_MULTIPLE", "abc"),
    ],
)
def test_malformed_value_stops_with_one_line_naming_the_variable(variable, value):
    out = run("print('started')", **{variable: value})
    assert out.returncode != 0
    assert "started" not in out.stdout
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith(f"Configuration error: {variable}:")


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_demands_its_variables(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    out = run("print('started')", **env)
    assert out.returncode != 0
    assert out.stderr.strip().startswith(f"Configuration error: {missing}:")


def test_production_refuses_the_development_secret_key():
    out = run(
        "print('started')", **{**PRODUCTION, "DJANGO_SECRET_KEY": "django-insecure-" + "x" * 60}
    )
    assert "Configuration error: DJANGO_SECRET_KEY" in out.stderr


def test_production_switches_security_on():
    out = run(
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_PROXY_SSL_HEADER[0], s.DEBUG)",
        **PRODUCTION,
    )
    assert out.stdout.split() == ["True", "True", "31536000", "HTTP_X_FORWARDED_PROTO", "False"]


def test_check_deploy_is_clean_under_production_variables(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(PRODUCTION, DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}")
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_a_number_setting_says_what_it_expected():
    out = run("print('started')", BREAK_EVEN_MULTIPLE="two and a half")
    assert out.stderr.strip() == (
        "Configuration error: BREAK_EVEN_MULTIPLE: expected a number, got 'two and a half'"
    )


def test_postgres_connections_fail_fast():
    out = run(
        "print(s.DATABASES['default']['OPTIONS']['connect_timeout'])",
        DATABASE_URL="postgres://u@db.example/ww",
    )
    assert out.stdout.strip() == "5"


def test_uploads_go_to_the_local_folder_by_default():
    out = run(
        "print(s.STORAGES['default']['BACKEND'], s.MEDIA_DELETE_REPLACED_AFTER, s.SERVE_MEDIA)"
    )
    assert out.stdout.split() == ["django.core.files.storage.FileSystemStorage", "0", "True"]


def test_uploads_go_to_an_s3_compatible_bucket_when_asked():
    out = run(
        "d = s.STORAGES['default']; o = d['OPTIONS']; "
        "print(d['BACKEND'], o['bucket_name'], o['endpoint_url'], o['file_overwrite'], "
        "o['querystring_auth'], s.MEDIA_DELETE_REPLACED_AFTER, s.SERVE_MEDIA, "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'][-1])",
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="ww-media",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "ww-media",
        "http://127.0.0.1:9000",
        "False",  # a taken name is never overwritten
        "False",  # plain, cacheable URLs
        "86400",  # replaced files outlive the pages that link them
        "False",
        "http://127.0.0.1:9000",  # pages may load images from there
    ]


@pytest.mark.parametrize(
    "env,message",
    [
        ({"MEDIA_STORAGE": "s3"}, "AWS_STORAGE_BUCKET_NAME: is required with MEDIA_STORAGE=s3"),
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE: must be local or s3, not 'ftp'"),
        ({"DJANGO_MEDIA_URL": "https://cdn.example"}, "DJANGO_MEDIA_URL: must end with a slash"),
    ],
)
def test_a_media_store_mistake_is_one_line(env, message):
    out = run("print('started')", **env)
    assert out.returncode != 0
    assert out.stderr.strip().startswith(f"Configuration error: {message}")


def test_database_pool_when_asked_with_persistent_connections_off():
    code = "d = s.DATABASES['default']; print(d['CONN_MAX_AGE'], d['OPTIONS'].get('pool'))"
    url = "postgres://u@db.example/ww"
    plain = run(code, DATABASE_URL=url)
    assert plain.stdout.split() == ["60", "None"]
    pooled = run(code, DATABASE_URL=url, DATABASE_POOL="true", DATABASE_POOL_MAX_SIZE="8")
    assert pooled.returncode == 0, pooled.stderr
    assert pooled.stdout.strip() == "0 {'min_size': 1, 'max_size': 8, 'timeout': 10.0}"
    bad = run(code, DATABASE_URL=url, DATABASE_POOL="true", DATABASE_POOL_MAX_SIZE="0")
    assert "Configuration error: DATABASE_POOL_MAX_SIZE" in bad.stderr
