"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Everything has an environment variable, as in the rest of the project:
PORT, BIND, WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS,
FORWARDED_ALLOW_IPS, GUNICORN_ACCESS_LOG (false: no line per request, e.g. behind a proxy
that logs them, and while benchmarking, where writing the log is part of what a trivial
request costs).
"""

import multiprocessing
import os

bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so a slow leak can never take a server down. Not often: a
# new worker imports Django and warms its URLs and templates again (most of a second of
# CPU, while its share of requests waits). At 2,000 requests a worker, that cost 0.25 to
# 0.45 ms of CPU a request under wrk (the bare view 0.95 ms against 0.72, a cached page
# 1.65 to 1.88 against 1.33 to 1.41; docs/performance.md). 0 never recycles.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
accesslog = (
    None
    if os.environ.get("GUNICORN_ACCESS_LOG", "true").strip().lower() in {"0", "false", "no", "off"}
    else "-"
)
errorlog = "-"
# The proxy addresses whose X-Forwarded-* headers gunicorn believes.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "config.wsgi:application"


def _headers_with_the_body():
    """Send a response's headers in the same write as its first body bytes.

    gunicorn writes the headers, then the body, in two calls; a worker that dies between
    them (an app server killed, a machine lost) leaves the proxy holding headers it has
    already passed on, so it cannot retry the request on another server and the reader
    gets a cut-off page. In one write, the proxy has either nothing (and retries a GET on
    the next server, docs/nginx.conf.template) or the whole page. Under load the gap was
    milliseconds: waking the proxy with the headers let the scheduler run it first
    (`make cluster` lost about one reader request in three runs to it).
    """
    from gunicorn.http import wsgi

    base = wsgi.Response
    if getattr(base, "holds_headers", False):
        return

    class Response(base):
        holds_headers = True
        _held = b""

        def send_headers(self):
            if self.headers_sent:
                return
            lines = self.default_headers()
            lines.extend(f"{name}: {value}\r\n" for name, value in self.headers)
            self._held = "".join([*lines, "\r\n"]).encode("latin-1")
            self.headers_sent = True

        def _flush_held(self):
            if self._held:
                held, self._held = self._held, b""
                self.sock.sendall(held)

        def _emit_body(self, data):
            if not self._held:
                return super()._emit_body(data)
            if self.chunked:
                data = b"%X\r\n%s\r\n" % (len(data), data)
            held, self._held = self._held, b""
            self.sock.sendall(held + data)

        def sendfile(self, respiter):
            self.send_headers()
            self._flush_held()
            return super().sendfile(respiter)

        def close(self):
            self.send_headers()
            self._flush_held()
            super().close()

    wsgi.Response = Response


_headers_with_the_body()
