"""The shared page cache: anonymous readers' HTML (and sitemaps, feeds, robots.txt) kept in
the shared cache (settings.CACHES["default"]: the database by default, Redis in
production), so every gunicorn worker and every app server serves what one of them rendered.

Invalidation is by generation, never by finding keys: a page's key folds in the
*catalogue* generation (every page), the *scores* generation (pages that show films' scores
and answers: lists, home, genre and person pages, verdict pages with their shelves, feeds)
and, for a film's verdict and reviews pages, the *film's* generation (by slug). A write
bumps a counter (one cache.incr, O(1)) after its transaction commits
(`transaction.on_commit`), and from then on every server computes the new key; the old
entries are never read again and expire. No server keeps state of its own.

- catalogue_changed(): a film's save, publish, unpublish or restore, the shelves
  rebuilt: any change a list, a card or a shelf may show.
- shared_changed(): the same, for rows every film's page may name: a person's save, a
  genre or a provider, the verdict ladder, an import. It moves the *shared* generation
  too, which the parts of films' pages cached on their own fold in (movies.fragments),
  beside the film's `updated_at`: a film's save leaves the other films' parts alone.
- scoring_changed(): scores recomputed in bulk (the hourly refresh_scores): the same as
  catalogue_changed, and the *scoring* generation, which only the parts showing a film's
  score or answer fold in.
- films_changed(slugs, cards=...): a review written, edited, deleted, moderated, reported
  or voted helpful changes that film's verdict and reviews pages; when its counted
  ratings moved (`cards=True`), its card (score, reader count, answer, place in the rating
  sort) changed too, so the scores generation moves as well (not the sitemaps, robots.txt,
  the fixed pages or other films' reviews pages, which show none of that).

A film scheduled to go public later becomes public without a write: the time of the
next scheduled film is kept in the cache, and the first request after it bumps the
catalogue (publish_movies sets it; this module looks up the one after).

What is cached, and what never is (page_cache below): only GET and HEAD, only readers
without a session or a pending message (no session cookie, no messages cookie), only a
200 whose rendering set no cookie, touched no CSRF token, queued no message and
modified no session. Everyone else (signed-in readers, staff previews) gets the page
rendered for them, marked `Cache-Control: private, no-store`. docs/performance.md
explains the design, docs/configuration.md the settings, docs/security.md the gzip choice.
"""

import contextlib
import functools
import gzip
import hashlib
import logging
import time

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

logger = logging.getLogger(__name__)

CATALOGUE_KEY = "pagecache:gen:catalogue"
#: What films' own pages show of rows other than the film's: people's names, genres,
#: providers, the verdict ladder, an import's credits (movies.fragments keys the parts of
#: films' pages by it and the film's updated_at, so one film's save leaves the others').
SHARED_KEY = "pagecache:gen:shared"
#: Films' scores recomputed in bulk (scores_refresh: the site mean moved): the parts that
#: show a film's own score or answer fold it in.
SCORING_KEY = "pagecache:gen:scoring"
SCORES_KEY = "pagecache:gen:scores"
FILM_KEY = "pagecache:gen:film:{}"
NEXT_LIVE_KEY = "pagecache:next-live"
PAGE_KEY = "pagecache:page:{}"
#: The response header saying what the cache did: hit, miss, stale or bypass.
STATUS_HEADER = "X-Page-Cache"
#: The request header that skips the cache when settings.PAGE_CACHE_ALLOW_BYPASS is on
#: (the benchmark's uncached runs): `X-Page-Cache: bypass` renders the page (its parts
#: cached on their own may come from the cache, movies.fragments), `cold` renders it all.
BYPASS_META = "HTTP_X_PAGE_CACHE"
BYPASS_VALUES = ("bypass", "cold")
#: Below this many bytes gzip saves nothing worth a header.
GZIP_MIN_BYTES = 200
#: "None scheduled": kept so the look-up for the next scheduled film runs once, not per hit.
NO_SCHEDULE = 0.0


# --- Invalidation --------------------------------------------------------------------


def _bump(key):
    """Move a generation on, O(1). A generation that is missing (never set, evicted)
    starts from the clock, so it never returns to a value an old page was stored under."""
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, time.time_ns(), None)


def _after_commit(invalidate):
    """Run `invalidate` once the transaction commits. `robust`: a cache that does not
    answer costs a log line and pages stale for at most PAGE_CACHE_SECONDS, never an
    error for a write that succeeded."""
    transaction.on_commit(invalidate, robust=True)


def catalogue_changed() -> None:
    """Every page changes: bumped after the current transaction commits (at once outside
    one). A film's own save: the parts of other films' pages stay (movies.fragments)."""
    _after_commit(lambda: _bump(CATALOGUE_KEY))


def shared_changed() -> None:
    """Every page changes, and with it what every film's page shows of shared rows (a
    person's name, a genre, a provider, the ladder, an import): after commit."""

    def bump():
        _bump(SHARED_KEY)
        _bump(CATALOGUE_KEY)

    _after_commit(bump)


def scoring_changed() -> None:
    """Films' scores were recomputed in bulk: every page changes, and on films' pages the
    parts showing the film's score or answer (after commit)."""

    def bump():
        _bump(SCORING_KEY)
        _bump(SCORES_KEY)
        _bump(CATALOGUE_KEY)

    _after_commit(bump)


def films_changed(slugs, *, cards: bool = False) -> None:
    """The verdict and reviews pages of the films with these slugs change (after commit);
    with `cards`, so do the pages showing their scores."""
    slugs = sorted(set(slugs))

    def bump():
        for slug in slugs:
            _bump(FILM_KEY.format(slug))
        if cards and slugs:
            _bump(SCORES_KEY)

    _after_commit(bump)


def film_ids_changed(movie_ids, *, cards: bool = False) -> None:
    """films_changed() for films known by id (one query for their slugs, after commit)."""
    from movies.models import Movie

    movie_ids = sorted(set(movie_ids))
    if not movie_ids:
        return

    def bump():
        slugs = list(Movie.objects.filter(pk__in=movie_ids).values_list("slug", flat=True))
        films_changed(slugs, cards=cards)

    _after_commit(bump)


def scheduled(when) -> None:
    """A film becomes public at `when` with no write then: the first request after it
    moves the catalogue generation on."""
    if when is None or when <= timezone.now():
        return

    def remember():
        current = cache.get(NEXT_LIVE_KEY)
        if not current or when.timestamp() < current:
            cache.set(NEXT_LIVE_KEY, when.timestamp(), None)

    _after_commit(remember)


def _next_scheduled() -> float:
    from movies.models import Movie

    upcoming = (
        Movie.objects.filter(status=Movie.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    return upcoming.timestamp() if upcoming else NO_SCHEDULE


def _generations(film_slug, *, scores, shared=False, read=None):
    """The generations a page's key folds in, in one cache round trip (the catalogue's,
    the scores' if `scores`, the film's if `film_slug`), in that order. With `shared`,
    the shared rows' and the scoring's are read in the same trip for the parts of a
    film's page (movies.fragments), and every value read is put in the dict `read` by
    its key."""
    names = [CATALOGUE_KEY]
    if scores:
        names.append(SCORES_KEY)
    if film_slug:
        names.append(FILM_KEY.format(film_slug))
    page_names = list(names)
    if shared:
        names += [SHARED_KEY, SCORING_KEY]
    keys = [*names, NEXT_LIVE_KEY]
    found = cache.get_many(keys)
    next_live = found.get(NEXT_LIVE_KEY)
    if next_live is None:
        # Never known, or evicted: look it up once (one query), not on every request.
        next_live = _next_scheduled()
        cache.set(NEXT_LIVE_KEY, next_live, None)
    if next_live and next_live <= timezone.now().timestamp():
        # A scheduled film is public now: every list may show it. Several servers may
        # get here at once; each bump is harmless.
        _bump(CATALOGUE_KEY)
        cache.set(NEXT_LIVE_KEY, _next_scheduled(), None)
        found = cache.get_many(keys)
    for name in names:
        if found.get(name) is None:
            # Never set, or evicted: start from the clock (another server may win the add).
            cache.add(name, time.time_ns(), None)
            found[name] = cache.get(name)
    if read is not None:
        read.update((name, found[name]) for name in names)
    return [found[name] for name in page_names]


def generations(request, film_slug):
    """(the catalogue's, the scores', the film's, the shared rows' and the scoring's
    generations): what the parts of a film's page cached on their own fold into their
    keys (movies.fragments). Those the page cache read for this request when it missed,
    else read now."""
    names = (CATALOGUE_KEY, SCORES_KEY, FILM_KEY.format(film_slug), SHARED_KEY, SCORING_KEY)
    read = getattr(request, "_page_cache_generations", {})
    if not all(name in read for name in names):
        read = {}
        _generations(film_slug, scores=True, shared=True, read=read)
    return tuple(read[name] for name in names)


# --- Serving --------------------------------------------------------------------------

#: One render per page at a time: the others serve the page's previous version meanwhile
#: (LATEST_KEY, marked stale), or with none kept wait for the render (polling the cache
#: every RENDER_POLL_SECONDS for at most RENDER_WAIT_SECONDS, then render themselves).
#: The lock expires by itself if its worker dies.
LOCK_KEY = "pagecache:rendering:{}"
#: The last version of a page stored, under a key without generations: what readers get
#: while the new version renders after a write.
LATEST_KEY = "pagecache:latest:{}"
#: The status header of a page served while its new version renders.
STALE = "stale"
RENDER_LOCK_SECONDS = 10
RENDER_WAIT_SECONDS = 2.0
RENDER_POLL_SECONDS = 0.05


def _wait_for(key, lock):
    """The page another worker is rendering, once stored; None when it finished without
    storing one (a 404, a page that set a cookie) or took too long."""
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(RENDER_POLL_SECONDS)
        found = cache.get_many([key, lock])
        if key in found or lock not in found:
            return found.get(key)
    return None


def _anonymous_without_state(request):
    """No session and no pending message: nothing on the page can be this reader's."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def bypass_asked(request):
    """ "bypass" or "cold" when the request asks to skip the cache (BYPASS_META) and
    settings.PAGE_CACHE_ALLOW_BYPASS allows it, else None."""
    asked = request.META.get(BYPASS_META, "")
    return asked if settings.PAGE_CACHE_ALLOW_BYPASS and asked in BYPASS_VALUES else None


def _key(url, generations, country):
    """The page's key. The absolute URL, not just the path: canonical links, sitemaps,
    feeds and robots.txt name the host and scheme they were asked on."""
    raw = "|".join([*(str(g) for g in generations), country, url])
    return PAGE_KEY.format(hashlib.sha256(raw.encode()).hexdigest())


def _latest_key(url, country):
    """The key of the page's last stored version, whatever the generations."""
    return LATEST_KEY.format(hashlib.sha256(f"{country}|{url}".encode()).hexdigest())


def _storable(request, response):
    """The page rendered is the same for any anonymous reader: nothing of this visitor's
    (cookie, CSRF token, message, session) went into it or out with it."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page holds a CSRF token: one visitor's, never shared
    messages = getattr(request, "_messages", None)
    if messages is not None and getattr(messages, "added_new", False):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    control = response.get("Cache-Control", "")
    return "private" not in control and "no-store" not in control and "no-cache" not in control


def _entry(response):
    """What is kept: the body (and its gzip form), the view's headers, the validators."""
    content = response.content
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() not in {"vary", "content-length", "set-cookie"}
    }
    compressed = None
    if settings.PAGE_CACHE_GZIP and len(content) >= GZIP_MIN_BYTES:
        # mtime=0: the same page gives the same bytes on every server (and the same ETag).
        compressed = gzip.compress(content, compresslevel=6, mtime=0)
        if len(compressed) >= len(content):
            compressed = None
    return {
        "content": content,
        "gzip": compressed,
        "headers": headers,
        "etag": hashlib.md5(content, usedforsecurity=False).hexdigest(),
        "modified": time.time(),
    }


def _accepts_gzip(request):
    return any(
        part.split(";")[0].strip().lower() == "gzip"
        and part.replace(" ", "").lower() not in {"gzip;q=0", "gzip;q=0.0"}
        for part in request.headers.get("Accept-Encoding", "").split(",")
    )


def _response(request, entry, status):
    use_gzip = entry["gzip"] is not None and _accepts_gzip(request)
    response = HttpResponse(entry["gzip"] if use_gzip else entry["content"])
    for name, value in entry["headers"].items():
        response[name] = value
    # One ETag per representation: the gzip bytes are not the plain ones.
    response["ETag"] = f'"{entry["etag"]}{"-gz" if use_gzip else ""}"'
    response.setdefault("Last-Modified", http_date(entry["modified"]))  # a feed sets its own
    if use_gzip:
        response["Content-Encoding"] = "gzip"
    if entry["gzip"] is not None:
        patch_vary_headers(response, ["Accept-Encoding"])
    # A shared cache (a CDN) may keep it too, for anonymous readers only: the page
    # differs once a reader has a session.
    patch_vary_headers(response, ["Cookie"])
    if "public" not in response.get("Cache-Control", ""):
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PAGE_CACHE_MAX_AGE,
            s_maxage=settings.PAGE_CACHE_CDN_MAX_AGE,
        )
    if status == STALE:
        # The page as it was a render ago: nobody downstream keeps it (a browser or a
        # CDN asks again, and its ETag still gets a 304 until the new version is in).
        patch_cache_control(response, no_cache=True, max_age=0, s_maxage=0)
    response[STATUS_HEADER] = status
    return response


def _private(response, status):
    patch_cache_control(response, private=True, no_store=True)
    response[STATUS_HEADER] = status
    return response


def page_cache(view=None, *, film_slug_kwarg=None, shows_scores=True):
    """Serve `view` from the shared page cache to anonymous readers (applied in urls.py).

    `film_slug_kwarg`: the URL argument naming the film whose reviews the page shows (the
    verdict and reviews pages), so that film's reviews move its pages on.
    `shows_scores=False`: the page shows no film's score, answer or readers' count (beyond
    its own film's), so readers' ratings elsewhere leave it be.

    What is kept of the view's response is its status, body and headers: a view that
    marks its response with an attribute for a middleware (e.g. django-csp's
    `csp_exempt`) cannot be cached this way.
    """
    if view is None:
        return functools.partial(
            page_cache, film_slug_kwarg=film_slug_kwarg, shows_scores=shows_scores
        )

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PAGE_CACHE or request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if not _anonymous_without_state(request) or bypass_asked(request):
            return _private(view(request, *args, **kwargs), "bypass")
        from movies.views import reader_country

        url = request.build_absolute_uri()  # an unknown Host: Django's 400, as without us
        try:
            film_slug = kwargs.get(film_slug_kwarg) if film_slug_kwarg else None
            # A film's pages read the shared rows' and the scoring's generations too, for
            # their parts (movies.fragments; not in the page's key: their moves move the
            # catalogue).
            read = request._page_cache_generations = {}
            generations = _generations(
                film_slug, scores=shows_scores, shared=bool(film_slug), read=read
            )
            key = _key(url, generations, reader_country(request))
            entry = cache.get(key)
            lock = LOCK_KEY.format(key)
            locked = entry is None and cache.add(lock, 1, RENDER_LOCK_SECONDS)
        except Exception:
            # The cache does not answer: the page is rendered, as without the cache.
            logger.warning("page cache unavailable", exc_info=True)
            return _private(view(request, *args, **kwargs), "bypass")
        if entry is not None:
            return _response(request, entry, "hit")
        latest = _latest_key(url, reader_country(request))
        if not locked:
            # Another worker is rendering this page (a popular page just invalidated):
            # serve the version before it, a render old, rather than hold this worker
            # (and everyone queued behind it, a writer included) waiting; with none
            # kept, wait for the render rather than render it again beside it.
            with contextlib.suppress(Exception):
                stale = cache.get(latest)
                if stale is not None:
                    return _response(request, stale, STALE)
            entry = _wait_for(key, lock)
            if entry is not None:
                return _response(request, entry, "hit")
        stored = False
        try:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if not _storable(request, response):
                return _private(response, "bypass")
            entry = _entry(response)
            try:
                cache.set_many({key: entry, latest: entry}, settings.PAGE_CACHE_SECONDS)
                stored = True
            except Exception:
                logger.warning("page cache unavailable", exc_info=True)
        finally:
            if not stored:
                # The page is no longer what its last version showed (a 404 now, an
                # error, a page not to be shared): that version is never served again.
                with contextlib.suppress(Exception):
                    cache.delete(latest)
            if locked:
                with contextlib.suppress(Exception):  # else it expires by itself
                    cache.delete(lock)
        return _response(request, entry, "miss")

    return wrapper
