"""Two app servers behind nginx, sharing one database, one Redis and one bucket: `make cluster`.

    python scripts/cluster.py [--short]

Starts, all on 127.0.0.1 and free ports: moto's S3 server (the shared media store), a
scratch PostgreSQL database on DATABASE_URL's server (ww_servers_cluster_*; migrated and
seeded), two gunicorn instances A and B (pooled connections, CACHE_URL's Redis, default
redis://127.0.0.1:6379/3, which is flushed first) and nginx in front of both with the
failover of docs/nginx.conf.template. Then checks, printing PASS or FAIL for each:

1. nginx spreads requests over both instances, compresses HTML and serves the static
   files itself;
2. a reader signs in through A and posts a review through B with the form (and CSRF
   token) A served: one session and one CSRF secret for both;
3. that review is on the film's page as A serves it, at once;
4. an editor uploads a poster through A's admin; B's page links it and nginx serves it;
5. instance A is killed (SIGKILL, workers and all) while readers load pages through
   nginx: no reader request fails.

Exits 1 if any check fails. Every wait and loop is bounded; everything it started is
stopped and the scratch database dropped, whatever happens.
"""

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cluster_checks import (  # noqa: E402
    EDITOR,
    EDITOR_PASSWORD,
    check_failover,
    check_poster_across,
    check_proxy_work,
    check_review_across,
    check_spread,
)

from tests.load import databases  # noqa: E402
from tests.load.run import free_port, wait_for_healthz  # noqa: E402

BUCKET = "ww-cluster-media"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_CACHE = "redis://127.0.0.1:6379/3"


class Checks:
    def __init__(self):
        self.failed = []

    def record(self, name, ok, detail=""):
        print(f"{'PASS' if ok else 'FAIL'}  {name}" + (f": {detail}" if detail else ""), flush=True)
        if not ok:
            self.failed.append(name)
        return ok


# --- the processes ------------------------------------------------------------


NGINX_CONF = """\
{user}worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    log_format upstreams '$request_method $uri $status upstream=$upstream_addr';
    access_log {dir}/nginx-access.log upstreams;
    include /etc/nginx/mime.types;
{body}
}}
"""


def nginx_conf(directory, port, app_ports, moto_port):
    """The production template (docs/nginx.conf.template) with this run's addresses, less
    TLS; one file, so `make cluster` always tries what production ships."""
    template = (ROOT / "docs" / "nginx.conf.template").read_text()
    body = template.split("# --- cut: http block ---", 1)[1]
    body = body.split("# --- cut: end ---", 1)[0]
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in app_ports
    )
    replacements = {
        "{{APP_SERVERS}}": servers.strip(),
        "{{LISTEN}}": f"127.0.0.1:{port}",
        "{{SERVER_NAME}}": "127.0.0.1",
        "{{STATIC_ROOT}}": str(ROOT / "staticfiles"),
        "{{MEDIA_UPSTREAM}}": f"http://127.0.0.1:{moto_port}/{BUCKET}/",
        "{{TLS}}": "",
    }
    for key, value in replacements.items():
        body = body.replace(key, value)
    user = "user root;\n" if os.geteuid() == 0 else ""
    return NGINX_CONF.format(user=user, dir=directory, body=body)


def public_read_policy(bucket):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


class Cluster:
    def __init__(self, directory, database_url, cache_url):
        self.dir = Path(directory)
        self.database_url, self.cache_url = database_url, cache_url
        self.nginx_port, self.moto_port = free_port(), free_port()
        self.ports = {"A": free_port(), "B": free_port()}
        self.apps, self.nginx, self.moto = {}, None, None
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "DATABASE_POOL": "true",
            "DATABASE_POOL_MAX_SIZE": "2",
            "CACHE_URL": cache_url,
            "MEDIA_STORAGE": "s3",
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_ACCESS_KEY_ID": "cluster",
            "AWS_SECRET_ACCESS_KEY": "cluster",
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{self.moto_port}",
            # Pages link uploads through the proxy, as in production.
            "AWS_S3_CUSTOM_DOMAIN": f"127.0.0.1:{self.nginx_port}/media",
            "AWS_S3_URL_PROTOCOL": "http:",
            "REVIEWS_PER_HOUR": "1000",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_ACCESS_LOG": "false",
        }

    def manage(self, *args, env=None):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode:
            sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
        return result.stdout

    def start_moto(self):
        import boto3
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request

        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self.moto.start()
        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.moto_port}",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster",
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket=BUCKET)
        # Anyone may read an object, as production's bucket policy says
        # (docs/production.md); only the app's keys may write or list.
        s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(public_read_policy(BUCKET)))

    def start_app(self, name):
        log = (self.dir / f"gunicorn-{name}.log").open("w")
        self.apps[name] = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env={**self.env, "BIND": f"127.0.0.1:{self.ports[name]}"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed whole, workers too
        )

    def start_nginx(self):
        conf = self.dir / "nginx.conf"
        conf.write_text(nginx_conf(self.dir, self.nginx_port, self.ports.values(), self.moto_port))
        self.nginx = subprocess.Popen(
            ["nginx", "-p", str(self.dir), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(self.dir / "nginx-stderr.log").open("w"),
            start_new_session=True,
        )

    def wait_healthy(self, port, process, what):
        wait_for_healthz(process, port, what=f"{what} (logs in {self.dir})")

    def kill_app(self, name):
        process = self.apps[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def stop(self):
        for process in [*self.apps.values(), self.nginx]:
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(5)
        if self.moto is not None:
            self.moto.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="a shorter failover run (6 s)")
    args = parser.parse_args(argv)
    if subprocess.run(["which", "nginx"], capture_output=True).returncode:
        sys.exit("nginx is not installed: `make cluster` installs Debian's nginx-light")
    base = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    if not databases.is_postgres(base):
        sys.exit("The cluster needs PostgreSQL: set DATABASE_URL=postgres://...")
    cache_url = os.environ.get("CLUSTER_CACHE_URL", DEFAULT_CACHE)
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="ww-cluster-") as directory:
        os.chmod(directory, 0o755)
        url = databases.scratch_url(base, "servers_cluster", directory)
        cluster = Cluster(directory, url, cache_url)
        try:
            began = time.monotonic()
            import redis

            redis.Redis.from_url(cache_url).flushdb()
            cluster.manage("migrate", "--noinput", "-v", "0")
            cluster.manage("collectstatic", "--noinput", "-v", "0")
            made = json.loads(
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "tests.load.seed",
                        "seed",
                        "--films",
                        "3",
                        "--accounts",
                        "2",
                    ],
                    cwd=ROOT,
                    env=cluster.env,
                    capture_output=True,
                    text=True,
                    check=True,
                    timeout=300,
                ).stdout
            )
            cluster.manage(
                "createsuperuser",
                "--noinput",
                "--username",
                EDITOR,
                "--email",
                "editor@example.com",
                env={"DJANGO_SUPERUSER_PASSWORD": EDITOR_PASSWORD},
            )
            slug = made["films"][0]
            movie_id = cluster.manage(
                "shell",
                "--no-imports",
                "-c",
                f"from movies.models import Movie; print(Movie.objects.get(slug='{slug}').pk)",
            ).split()[-1]
            cluster.start_moto()
            for name in cluster.ports:
                cluster.start_app(name)
            cluster.start_nginx()
            for name, port in cluster.ports.items():
                cluster.wait_healthy(port, cluster.apps[name], f"gunicorn {name}")
            cluster.wait_healthy(cluster.nginx_port, cluster.nginx, "nginx")
            print(
                f"Started in {time.monotonic() - began:.0f} s: nginx :{cluster.nginx_port} -> "
                f"A :{cluster.ports['A']}, B :{cluster.ports['B']}; moto S3 :{cluster.moto_port}; "
                f"database {url.rsplit('/', 1)[-1]}; cache {cache_url}",
                flush=True,
            )
            check_spread(cluster, checks)
            check_proxy_work(cluster, checks)
            check_review_across(cluster, checks, made["accounts"][0], slug)
            check_poster_across(cluster, checks, slug, movie_id)
            check_failover(cluster, checks, made["films"], 6 if args.short else 15)
        finally:
            cluster.stop()
            databases.drop(url)
    print(f"\n{len(checks.failed)} check(s) failed" if checks.failed else "\nEvery check passed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
