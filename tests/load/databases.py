"""Scratch databases for processes that run beside the test suite: the load run and the
backup round trip. Of the same kind as `base_url` (the suite's DATABASE_URL): a new
PostgreSQL database on the same server, or a new SQLite file in `directory`."""

import uuid
from urllib.parse import urlsplit, urlunsplit


def is_postgres(url):
    return (url or "").split("://", 1)[0] in {"postgres", "postgresql", "pgsql", "psql"}


def _admin_dsn(url):
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password or None,
        "dbname": "postgres",
    }


def scratch_url(base_url, label, directory, *, create=True):
    """The URL of a new, empty database named after `label` (created unless `create` is
    false: the backup test lets restore create its target)."""
    if not is_postgres(base_url):
        return f"sqlite:///{directory}/{label}.sqlite3"
    import psycopg

    name = f"ww_{label}_{uuid.uuid4().hex[:8]}"
    if create:
        with psycopg.connect(**_admin_dsn(base_url), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(base_url)._replace(path=f"/{name}"))


def drop(url):
    """Drop a scratch PostgreSQL database (SQLite files go with their directory)."""
    if not is_postgres(url):
        return
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    assert name.startswith("ww_"), name  # only what scratch_url made
    with psycopg.connect(**_admin_dsn(url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
