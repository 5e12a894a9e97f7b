"""`make backup` / `make restore` (scripts/backup.py) on the suite's kind of database:
a round trip gives back every film, person, review, helpful vote, account, aggregate and
uploaded file exactly, and restore never overwrites data without --force.

Everything runs in separate processes against scratch databases (tests/load/databases.py),
as an operator would run the script."""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.db import connection

from tests.load import databases

ROOT = Path(__file__).resolve().parents[2]


class Site:
    """One database and one MEDIA_ROOT, driven through subprocesses."""

    def __init__(self, url, media_root):
        self.url, self.media_root = url, media_root

    def run(self, *args, check=True):
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DJANGO_MEDIA_ROOT": str(self.media_root),
            "CACHE_URL": "locmemcache://backup",
        }
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
        )
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def snapshot(self):
        return json.loads(self.run("-m", "tests.load.seed", "snapshot").stdout)


@pytest.fixture
def sites(tmp_path):
    base = os.environ.get("DATABASE_URL", "") if connection.vendor == "postgresql" else ""
    source_url = databases.scratch_url(base, "backup_source", tmp_path)
    # The target does not exist yet: restore creates an empty PostgreSQL database.
    target_url = databases.scratch_url(base, "backup_target", tmp_path, create=False)
    try:
        yield Site(source_url, tmp_path / "media"), Site(target_url, tmp_path / "restored-media")
    finally:
        databases.drop(source_url)
        databases.drop(target_url)


def test_a_round_trip_restores_everything_exactly_and_never_overwrites_without_force(
    sites, tmp_path
):
    source, target = sites
    source.run("manage.py", "migrate", "--noinput", "-v", "0")
    source.run(
        *("-m", "tests.load.seed", "seed", "--films", "4", "--accounts", "6"),
        *("--reviews", "3", "--votes", "--poster"),
    )
    before = source.snapshot()
    assert before["reviews.HelpfulVote"] and len(before["reviews.Review"]) == 18
    assert len(before["media"]) == 3  # the poster and its two renditions
    archive = tmp_path / "site.tar"

    made = source.run("scripts/backup.py", "backup", str(archive))
    assert f"media files to {archive}" in made.stdout
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and sum(n.startswith("media/") for n in names) == 3

    restored = target.run("scripts/backup.py", "restore", str(archive))
    assert "Restored the" in restored.stdout
    assert target.snapshot() == before

    # A second restore would overwrite what is there: refused, nothing changed.
    target.run("-m", "tests.load.seed", "seed", "--films", "1", "--accounts", "0")
    changed = target.snapshot()
    refused = target.run("scripts/backup.py", "restore", str(archive), check=False)
    assert refused.returncode == 1
    assert "refusing to restore" in refused.stderr and "--force" in refused.stderr
    assert target.snapshot() == changed

    target.run("scripts/backup.py", "restore", str(archive), "--force")
    assert target.snapshot() == before


def test_restore_says_what_is_wrong_with_a_file_that_is_no_backup(tmp_path):
    bogus = tmp_path / "notes.tar"
    with tarfile.open(bogus, "w") as tar:
        tar.add(__file__, "notes.py")
    site = Site(f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path / "media")
    result = site.run("scripts/backup.py", "restore", str(bogus), check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "restore: this is not a Worth Watching backup (no manifest.json)"
    )
    missing = site.run("scripts/backup.py", "restore", str(tmp_path / "nope.tar"), check=False)
    assert "nope.tar does not exist" in missing.stderr
