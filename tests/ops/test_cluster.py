"""`make cluster` (scripts/cluster.py) in its short mode: two gunicorn instances behind
nginx sharing PostgreSQL, Redis and moto's S3, every check passing, everything stopped.

Needs nginx, Redis on 127.0.0.1:6379 and DATABASE_URL on PostgreSQL (the cluster makes
and drops its own scratch database there); skipped otherwise. About a minute."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.load import databases
from tests.servers import needs_redis

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@needs_redis
@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
@pytest.mark.skipif(
    not databases.is_postgres(os.environ.get("DATABASE_URL")), reason="needs PostgreSQL"
)
def test_two_app_servers_behind_nginx_pass_every_check():
    run = subprocess.run(
        [sys.executable, "scripts/cluster.py", "--short"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    passed = [line for line in run.stdout.splitlines() if line.startswith("PASS")]
    assert len(passed) == 10, run.stdout
    assert "Every check passed" in run.stdout
