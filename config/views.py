import sys
import uuid

from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

#: Seconds a 503 asks clients to wait: a database restart or fail-over takes a few.
UNAVAILABLE_RETRY_AFTER = 30


def _unavailable(what, exc):
    response = HttpResponse(
        f"{what} unavailable: {type(exc).__name__}\n", status=503, content_type="text/plain"
    )
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
    return response


@never_cache
@require_safe
def healthz(request):
    """Readiness for load balancers: 200 after a real database round trip and a write and
    read of the shared cache (every page needs both), else 503 naming what failed."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return _unavailable("database", exc)
    # A key of its own: probes running at once (several workers, a load balancer per
    # server) would otherwise read each other's token and report a healthy cache down.
    token = uuid.uuid4().hex
    key = f"healthz:probe:{token}"
    try:
        cache.set(key, token, 30)
        if cache.get(key) != token:
            raise LookupError("cache did not keep a value")
        cache.delete(key)
    except Exception as exc:  # any backend's error (DatabaseError, redis.ConnectionError, ...)
        return _unavailable("cache", exc)
    return HttpResponse("ok\n", content_type="text/plain")


def bench_bare(request):
    """The benchmark's ceiling (DJANGO_BENCH_BARE_VIEW): every middleware, no work."""
    return HttpResponse("ok\n", content_type="text/plain")


@requires_csrf_token
def server_error(request):
    """handler500: a database that cannot be reached (down, restarting, refusing
    connections, or SQLite busy past its timeout) is a 503 with Retry-After, in the site's
    look; any other uncaught error is the 500 page.

    Django calls this inside its exception handler for errors raised anywhere in the
    middleware or the view, so sys.exc_info() is the error. The page is rendered without
    context processors: nothing in it touches the database or the session.
    """
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        page = loader.get_template("503.html").render({"retry_after": UNAVAILABLE_RETRY_AFTER})
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
        response["Cache-Control"] = "no-store"
        return response
    return defaults.server_error(request)
