"""config/gunicorn.conf.py: what gunicorn does with the project's settings."""

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.http import wsgi

ROOT = Path(__file__).resolve().parents[2]


class RecordingSocket:
    def __init__(self):
        self.writes = []

    def sendall(self, data):
        self.writes.append(bytes(data))


def served(status, headers, body_parts, *, method="GET", version=(1, 1)):
    """The socket writes of one response through the configured gunicorn Response."""
    runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    request = SimpleNamespace(method=method, version=version, should_close=lambda: True)
    sock = RecordingSocket()
    response = wsgi.Response(request, sock, Config())
    response.start_response(status, headers)
    for part in body_parts:
        response.write(part)
    response.close()
    return sock.writes


def test_a_page_leaves_in_one_write_so_a_proxy_never_holds_headers_alone():
    """An app server killed between writing the headers and the body left nginx with
    headers it had passed on, unable to retry (make cluster's failover check)."""
    body = b"<html>" + b"x" * 20_000 + b"</html>"
    writes = served("200 OK", [("Content-Length", str(len(body)))], [body])
    assert len(writes) == 1
    head, _, sent = writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK") and sent == body


@pytest.mark.parametrize(
    "status,headers,parts,method",
    [
        ("304 Not Modified", [], [], "GET"),  # no body at all
        ("200 OK", [("Content-Length", "2")], [b"ok"], "HEAD"),  # body dropped
        ("200 OK", [], [b"one", b"two"], "GET"),  # chunked, several parts
    ],
)
def test_responses_without_a_single_body_still_send_their_headers(status, headers, parts, method):
    raw = b"".join(served(status, headers, parts, method=method))
    assert raw.startswith(f"HTTP/1.1 {status}".encode())
    if method == "GET" and parts:
        assert raw.endswith(b"3\r\none\r\n3\r\ntwo\r\n0\r\n\r\n")


def test_workers_are_recycled_rarely_and_the_environment_can_say_how_rarely(monkeypatch):
    """Each new worker costs most of a second of CPU: at 2,000 requests a worker that was a
    third of a cached page's cost."""
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    default = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    assert default["max_requests"] >= 20_000
    assert 0 < default["max_requests_jitter"] < default["max_requests"]
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "0")
    assert runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))["max_requests"] == 0
