import uuid

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _unavailable(what, exc):
    return HttpResponse(
        f"{what} unavailable: {type(exc).__name__}\n", status=503, content_type="text/plain"
    )


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
    key, token = "healthz:probe", uuid.uuid4().hex
    try:
        cache.set(key, token, 30)
        if cache.get(key) != token:
            raise LookupError("cache did not keep a value")
    except Exception as exc:  # any backend's error (DatabaseError, redis.ConnectionError, ...)
        return _unavailable("cache", exc)
    return HttpResponse("ok\n", content_type="text/plain")
