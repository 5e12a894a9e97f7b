"""Site-wide request and response rules that belong to no app (settings.MIDDLEWARE)."""

import time

from django.conf import settings
from django.contrib.sessions import middleware as sessions_middleware
from django.contrib.sessions.exceptions import SessionInterrupted
from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError


class NulByteInRequest(SuspiciousOperation):
    """A NUL byte in the path, a parameter, a form field or a cookie: answered with 400."""


def _has_nul(querydict):
    return any("\x00" in key + "".join(values) for key, values in querydict.lists())


class RefuseNulBytesMiddleware:
    """400 for any request whose path, query, form or cookies hold a NUL byte.

    No page has a use for one, and PostgreSQL refuses them in text (DataError, a 500),
    wherever the value reaches a query: a filter, a username in the path, a session
    key. One check here covers every view, the admin's filters and its autocomplete.
    Django turns the SuspiciousOperation into the 400 page and a django.security log line.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or _has_nul(request.GET)
            or any("\x00" in key + value for key, value in request.COOKIES.items())
            or (request.method == "POST" and _has_nul(request.POST))
        ):
            raise NulByteInRequest("NUL byte in the request")
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Permissions-Policy from settings.PERMISSIONS_POLICY ({feature: [origins]}; an empty
    list refuses the feature to every origin, this one included)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.setdefault("Permissions-Policy", self.header)
        return response


class RetryAfterMiddleware:
    """Every 429 says when to come back: the view's own Retry-After, else
    settings.RETRY_AFTER_SECONDS (django-axes' lockout page and allauth's 429 set none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 429:
            response.setdefault("Retry-After", str(settings.RETRY_AFTER_SECONDS))
        return response


class PrivateByDefaultMiddleware:
    """A response that did not say how it may be cached is private: `private, no-store`
    for a reader with a session or a response that sets a cookie (a page with a CSRF
    token, a signed-in reader's page), `private, no-cache` otherwise (the browser may keep
    it and revalidate; ConditionalGetMiddleware answers 304 on its ETag). So a CDN or a
    proxy never keeps a page but those the page cache marks public (movies/pagecache.py).
    Static files are WhiteNoise's and never get here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            personal = settings.SESSION_COOKIE_NAME in request.COOKIES or response.cookies
            response["Cache-Control"] = "private, no-store" if personal else "private, no-cache"
        return response


def _database_unavailable(exc: BaseException):
    """The OperationalError or InterfaceError behind `exc` (its causes and contexts), if any."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


#: When the session's idle expiry was last pushed forward (a Unix time).
IDLE_PUSHED_KEY = "_idle_pushed"


def push_idle_expiry(request) -> None:
    """Mark a signed-in reader's session for saving (a new expiry) when its last push is
    SESSION_REFRESH_SECONDS old. A visitor without a session costs nothing here."""
    session = request.session
    user = getattr(request, "user", None)
    if session.is_empty() or user is None or not user.is_authenticated:
        return
    now = int(time.time())
    if now - session.get(IDLE_PUSHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
        session[IDLE_PUSHED_KEY] = now


class SessionMiddleware(sessions_middleware.SessionMiddleware):
    """Django's, with two changes.

    The idle limit: a session's expiry (SESSION_COOKIE_AGE from its last save) is pushed
    forward when its last push is SESSION_REFRESH_SECONDS old, by saving it. Django's
    SESSION_SAVE_EVERY_REQUEST did it on every request: a write to the sessions table for
    every page a signed-in reader opened (BEGIN, UPDATE, COMMIT: three round trips). The
    session then ends between AGE - REFRESH and AGE seconds after the last visit.

    A session that cannot be saved because the database went away mid-request is the
    database's error (config.views.server_error answers 503 with Retry-After, and the
    reader's browser retries), not the 400 "session interrupted" that Django keeps for a
    session deleted by a logout in a concurrent request: a database restart between a
    view and that save turned a reader's page or review into a 400 (the load run's
    outage)."""

    def process_response(self, request, response):
        if hasattr(request, "session") and settings.SESSION_REFRESH_SECONDS is not None:
            push_idle_expiry(request)
        try:
            return super().process_response(request, response)
        except SessionInterrupted as exc:
            cause = _database_unavailable(exc)
            if cause is None:
                raise
            raise cause from exc
