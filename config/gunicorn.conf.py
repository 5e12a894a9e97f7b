"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Everything has an environment variable, as in the rest of the project:
PORT, BIND, WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_TIMEOUT, FORWARDED_ALLOW_IPS,
GUNICORN_ACCESS_LOG (false: no line per request, e.g. behind a proxy that logs them, or
while benchmarking: writing the log costs a worker about a tenth of a trivial request).
"""

import multiprocessing
import os

bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so a slow leak can never take a server down.
max_requests = 2000
max_requests_jitter = 200
accesslog = (
    None
    if os.environ.get("GUNICORN_ACCESS_LOG", "true").strip().lower() in {"0", "false", "no", "off"}
    else "-"
)
errorlog = "-"
# The proxy addresses whose X-Forwarded-* headers gunicorn believes.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "config.wsgi:application"
