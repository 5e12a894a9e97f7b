"""`make run`'s server (scripts/run_site.sh): gunicorn and the background-task worker start
together, a task enqueued by the site is run by that worker, and Ctrl+C stops both.

Runs the script as an operator does, against a scratch SQLite database."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

ENQUEUE = """
from movies.tasks import refresh_scores
print(refresh_scores.enqueue().id)
"""
STATUS = """
from movies.tasks import refresh_scores
print(refresh_scores.get_result("{}").status)
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


def answers(url):
    try:
        return urllib.request.urlopen(url, timeout=2).status == 200
    except OSError:
        return False


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_run_starts_the_worker_beside_gunicorn_and_ctrl_c_stops_both(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "CACHE_URL": "locmemcache://run-site",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "BIN": str(Path(sys.executable).parent),
    }

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""

    manage("migrate", "--verbosity", "0")
    log = (tmp_path / "site.log").open("w")
    site = subprocess.Popen(
        ["bash", "scripts/run_site.sh"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal gives `make run`
    )
    try:
        assert wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz")), (
            tmp_path / "site.log"
        ).read_text()
        task_id = manage("shell", "--no-imports", "-c", ENQUEUE)
        assert wait_for(
            lambda: manage("shell", "--no-imports", "-c", STATUS.format(task_id)) == "SUCCESSFUL"
        ), (tmp_path / "site.log").read_text()

        os.killpg(site.pid, signal.SIGINT)  # Ctrl+C reaches the whole group
        site.wait(timeout=40)
        assert wait_for(lambda: not group_alive(site.pid), 20), "a process outlived Ctrl+C"
    finally:
        if group_alive(site.pid):
            os.killpg(site.pid, signal.SIGKILL)
        log.close()
