import json

import pytest

from tests.config.test_settings import PRODUCTION, run

#: The settings the production variables decide that matter to a response's headers.
PRODUCTION_SETTINGS = [
    "ALLOWED_HOSTS",
    "CONTENT_SECURITY_POLICY",
    "CONTENT_SECURITY_POLICY_REPORT_ONLY",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_AGE",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_REFRESH_SECONDS",
    "USE_X_FORWARDED_HOST",
]
HOST = "worthwatching.example"


@pytest.fixture(scope="session")
def production_values():
    """The values config/settings.py gives under `make check-deploy`'s variables, read in
    a fresh interpreter (settings are read once, at import)."""
    names = json.dumps(PRODUCTION_SETTINGS)
    code = f"import json; print(json.dumps({{n: getattr(s, n) for n in {names}}}))"
    out = run(code, **PRODUCTION)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture
def production(settings, production_values):
    """These settings as production has them, and `get(client, path)` sending a request
    the way the TLS proxy forwards it."""
    for name, value in production_values.items():
        setattr(settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" else value)

    def get(client, path):
        return client.get(path, secure=True, HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")

    return get
