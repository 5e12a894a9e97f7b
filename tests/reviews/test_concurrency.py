"""Eight processes post reviews of the same five films at once, on whichever database
the suite runs on (a SQLite file, or a scratch PostgreSQL database beside the test one).

Each process is a web worker: its requests go through Django's full stack (middleware,
view, form, service). Afterwards no request may have failed (no "database is locked",
no deadlock, no 500) and every film's stored aggregate must equal the one recomputed
from its reviews (no lost update).
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WORKERS, USERS_PER_WORKER, MOVIES = 8, 5, 5  # 25 reviews per worker, all on the same films


def _python(args, database_url, timeout=120):
    env = {**os.environ, "DATABASE_URL": database_url, "CACHE_URL": "locmemcache://c"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def scratch_database(tmp_path):
    """A migrated database of the suite's kind that separate processes can share."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'concurrency.sqlite3'}"
        return
    if connection.vendor != "postgresql":
        pytest.skip(f"no concurrency harness for {connection.vendor}")
    import psycopg

    db = settings.DATABASES["default"]
    name = f"ww_concurrency_{uuid.uuid4().hex[:8]}"
    dsn = {
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "dbname": "postgres",
    }
    with psycopg.connect(**dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    try:
        yield f"postgres://{auth}@{db['HOST']}:{dsn['port']}/{name}"
    finally:
        with psycopg.connect(**dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow  # eight processes, each with its own Django
def test_concurrent_reviews_keep_every_aggregate_exact(scratch_database):
    migrate = _python(["manage.py", "migrate", "--noinput", "-v", "0"], scratch_database)
    assert migrate.returncode == 0, migrate.stderr
    seed = _python(
        [
            "-m",
            "tests.reviews.concurrency_worker",
            "seed",
            str(MOVIES),
            str(WORKERS),
            str(USERS_PER_WORKER),
        ],
        scratch_database,
    )
    assert seed.returncode == 0, seed.stderr

    start_at = time.time() + 4  # time for every process to import Django first
    env = {**os.environ, "DATABASE_URL": scratch_database, "CACHE_URL": "locmemcache://c"}
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reviews.concurrency_worker",
                "run",
                str(w),
                str(start_at),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WORKERS)
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    failures = [f for r in results for f in r["failures"]]
    assert failures == []
    assert sum(r["requests"] for r in results) == WORKERS * USERS_PER_WORKER * (MOVIES + 3)

    check = _python(["manage.py", "recompute_ratings", "--check"], scratch_database)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Every stored aggregate matches" in check.stdout

    # The data really was contended: 40 readers, 5 films, 200 reviews less 40 deletions.
    count = _python(["-m", "tests.reviews.concurrency_worker", "count"], scratch_database)
    totals = json.loads(count.stdout.strip().splitlines()[-1])
    assert totals["reviews"] == WORKERS * USERS_PER_WORKER * (MOVIES - 1)
    assert totals["published"] == totals["counted"] == totals["reviews"]
