"""One editor's upload must not cost a worker more than about 300 MB (issue 11).

Each measurement runs in a fresh process: its peak resident memory
(getrusage's ru_maxrss) after processing, minus the peak before, is what the upload
cost. Before draft decoding and early shrinking a 39.9-megapixel JPEG cost about 600 MB.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT_MB = 300


def _child(*args):
    result = subprocess.run(
        [sys.executable, "-m", "tests.movies.upload_memory", *args],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    "fmt, size, stored",
    [
        ("JPEG", "5160x7732", [2002, 3000]),  # 39.9 megapixels, a 2:3 poster
        ("PNG", "5160x7732", [2002, 3000]),  # with transparency: 4 bytes a pixel
        ("PNG", "5990x5990", [2995, 2995]),  # 35.9: under twice the stored size
        ("JPEG", "5990x5990", [2995, 2995]),  # too little for the decoder to scale
    ],
)
def test_a_40_megapixel_upload_costs_a_worker_under_300_mb(tmp_path, fmt, size, stored):
    path = tmp_path / f"huge.{fmt.lower()}"
    _child("make", fmt, size, str(path))
    assert path.stat().st_size < 10 * 1024 * 1024  # within the upload limit

    measured = json.loads(_child("measure", str(path)))

    assert measured["extra_mb"] < LIMIT_MB, measured
    assert measured["stored"] == stored  # within the stored maximum, 3000 pixels
    assert len(measured["renditions"]) == 2
