"""The shared page cache (movies/pagecache.py): anonymous pages served from the cache with
HTTP caching headers, never shared with a signed-in reader; one render at a time; the
shared backends. What invalidates a page: test_page_cache_invalidation.py."""

import gzip

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from movies import pagecache, services
from movies.models import Credit, Movie
from tests.factories import MovieFactory, ReviewFactory, UserFactory
from tests.servers import redis_answers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


def director(movie):
    return Credit.objects.get(movie=movie, role=Credit.Role.DIRECTOR).person


def pages(movie):
    """Every anonymous page the cache holds, for a catalogue with `movie` in it."""
    return [
        "/",
        reverse("movies:list"),
        reverse("movies:list") + "?sort=title&decade=2020s",
        movie.get_absolute_url(),
        reverse("reviews:list", args=[movie.slug]),
        reverse("movies:genre", args=["drama"]),
        director(movie).get_absolute_url(),
        reverse("movies:how-we-decide"),
        reverse("pages:about"),
        reverse("sitemap-index"),
        reverse("sitemap-section", args=["films"]),
        reverse("feeds:verdicts"),
        reverse("robots-txt"),
    ]


def test_second_anonymous_visit_is_served_from_the_cache_without_a_query(
    client, one_second, django_assert_num_queries
):
    ReviewFactory(movie=one_second, headline="A quiet marvel")
    for url in pages(one_second):
        first = client.get(url)
        assert first.status_code == 200, url
        assert first["X-Page-Cache"] == "miss", url
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second["X-Page-Cache"] == "hit", url
        assert second.content == first.content, url


def test_anonymous_pages_carry_no_csrf_token_and_set_no_cookie(client, one_second):
    """A token in a shared page would be one visitor's token given to all of them."""
    for url in pages(one_second):
        response = client.get(url)
        assert b"csrfmiddlewaretoken" not in response.content, url
        assert not response.cookies, url


def test_cacheable_page_headers(client, one_second, settings):
    settings.PAGE_CACHE_MAX_AGE, settings.PAGE_CACHE_CDN_MAX_AGE = 30, 120
    response = client.get(one_second.get_absolute_url())
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert control == {"public", "max-age=30", "s-maxage=120"}
    vary = {part.strip().lower() for part in response["Vary"].split(",")}
    assert {"cookie", "accept-encoding", "accept-language"} <= vary
    assert response["ETag"].startswith('"') and response["Last-Modified"]


def test_robots_txt_keeps_its_own_day_of_caching(client):
    response = client.get(reverse("robots-txt"))
    assert "max-age=86400" in response["Cache-Control"]
    assert client.get(reverse("robots-txt"))["X-Page-Cache"] == "hit"


def test_gzip_for_clients_that_accept_it(client, one_second):
    plain = client.get(one_second.get_absolute_url())
    zipped = client.get(one_second.get_absolute_url(), headers={"accept-encoding": "gzip, br"})
    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 3
    assert zipped["ETag"] != plain["ETag"]  # two representations, two validators


def test_no_gzip_when_the_proxy_compresses(client, one_second, settings):
    settings.PAGE_CACHE_GZIP = False
    response = client.get(one_second.get_absolute_url(), headers={"accept-encoding": "gzip"})
    assert "Content-Encoding" not in response
    assert b"One Second" in response.content


def test_each_host_gets_its_own_absolute_links(client, settings):
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    assert b"http://one.example/" in client.get("/robots.txt", HTTP_HOST="one.example").content
    two = client.get("/robots.txt", HTTP_HOST="two.example")
    assert b"http://two.example/" in two.content and b"one.example" not in two.content


def test_each_country_gets_its_own_where_to_watch(client, one_second):
    url = one_second.get_absolute_url()
    us = client.get(url, headers={"accept-language": "en-US"})
    gb = client.get(url, headers={"accept-language": "en-GB"})
    assert gb["X-Page-Cache"] == "miss" and gb.content != us.content
    assert client.get(url, headers={"accept-language": "en-GB"}).content == gb.content


def test_conditional_gets_answer_304(client, one_second):
    url = one_second.get_absolute_url()
    first = client.get(url)
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and not again.content
    since = client.get(url, headers={"if-modified-since": first["Last-Modified"]})
    assert since.status_code == 304
    stale = client.get(url, headers={"if-none-match": '"something-else"'})
    assert stale.status_code == 200


# --- Who never gets a shared page ------------------------------------------------------


def test_signed_in_reader_sees_their_own_review_and_a_csrf_token(client, one_second):
    reader = UserFactory(username="ada")
    ReviewFactory(movie=one_second, user=reader, rating=9, headline="My own take")
    url = one_second.get_absolute_url()
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    client.force_login(reader)
    for _ in range(2):
        response = client.get(url)
        assert response["X-Page-Cache"] == "bypass"
        assert "You rated it <strong>9/10</strong>" in response.content.decode()
        assert b'name="csrfmiddlewaretoken"' in response.content
        control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= control and "public" not in control
    client.logout()
    anonymous = client.get(url)
    assert b"You rated it" not in anonymous.content
    assert b"csrfmiddlewaretoken" not in anonymous.content


def test_signed_in_pages_are_never_stored_for_anonymous_readers(client, one_second):
    reader = UserFactory(username="grace")
    ReviewFactory(movie=one_second, user=reader, rating=3, headline="Grace's words")
    client.force_login(reader)
    client.get(one_second.get_absolute_url())
    client.logout()
    response = client.get(one_second.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert b"You rated it" not in response.content


def test_staff_preview_of_a_draft_is_never_cached(client, commit):
    draft = MovieFactory(title="Secret Draft", status=Movie.Status.DRAFT)
    editor = UserFactory(username="editor", is_staff=True)
    client.force_login(editor)
    preview = client.get(draft.get_absolute_url())
    assert preview.status_code == 200 and preview["X-Page-Cache"] == "bypass"
    assert "no-store" in preview["Cache-Control"]
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_pending_message_bypasses_the_cache(client, one_second):
    url = one_second.get_absolute_url()
    client.get(url)
    client.cookies["messages"] = "pending"
    response = client.get(url)
    assert response["X-Page-Cache"] == "bypass"
    assert "no-store" in response["Cache-Control"]


def test_a_visitor_with_a_session_bypasses_the_cache(client, one_second, settings):
    url = one_second.get_absolute_url()
    client.get(url)
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    assert client.get(url)["X-Page-Cache"] == "bypass"


def test_a_page_that_used_a_csrf_token_is_not_stored(rf):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    def view(request):
        get_token(request)
        return HttpResponse("<form>token</form>")

    cached_view = pagecache.page_cache(view)
    request = rf.get("/form/")
    assert cached_view(request)["X-Page-Cache"] == "bypass"
    assert cached_view(rf.get("/form/"))["X-Page-Cache"] == "bypass"


def test_a_response_setting_a_cookie_is_not_stored(rf):
    from django.http import HttpResponse

    def view(request):
        response = HttpResponse("hello")
        response.set_cookie("chosen", "1")
        return response

    cached_view = pagecache.page_cache(view)
    assert cached_view(rf.get("/c/"))["X-Page-Cache"] == "bypass"
    assert cached_view(rf.get("/c/"))["X-Page-Cache"] == "bypass"


def test_pages_outside_the_cache_are_private(client, one_second):
    response = client.get(reverse("movies:search") + "?q=second")
    assert response["Cache-Control"] == "private, no-cache"
    assert "X-Page-Cache" not in response
    login = client.get(reverse("account_login"))
    assert "no-store" in login["Cache-Control"] or "private" in login["Cache-Control"]


# --- Switches -----------------------------------------------------------------------------


def test_switched_off_every_request_renders(client, one_second, settings):
    settings.PAGE_CACHE = False
    client.get(one_second.get_absolute_url())
    response = client.get(one_second.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert "public" not in response["Cache-Control"]


def test_bypass_header_only_when_the_setting_allows_it(client, one_second, settings):
    url = one_second.get_absolute_url()
    client.get(url)
    bypass = {"x-page-cache": "bypass"}
    assert client.get(url, headers=bypass)["X-Page-Cache"] == "hit"
    settings.PAGE_CACHE_ALLOW_BYPASS = True
    assert client.get(url, headers=bypass)["X-Page-Cache"] == "bypass"
    assert client.get(url)["X-Page-Cache"] == "hit"


# --- The shared backends ----------------------------------------------------------------


BACKENDS = [
    pytest.param(
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"},
        id="database",
    ),
    pytest.param(
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/2",
        },
        id="redis",
        marks=pytest.mark.skipif(
            not redis_answers(), reason="no Redis server answers on 127.0.0.1:6379"
        ),
    ),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_shared_backends_serve_and_invalidate(client, one_second, settings, commit, backend):
    """What production runs: the database cache (the default) and Redis (CACHE_URL)."""
    settings.CACHES = {"default": backend}
    call_command("createcachetable", verbosity=0)
    cache.clear()
    try:
        url = one_second.get_absolute_url()
        assert client.get(url)["X-Page-Cache"] == "miss"
        with CaptureQueriesContext(connection) as queries:
            hit = client.get(url, headers={"accept-encoding": "gzip"})
        assert hit["X-Page-Cache"] == "hit" and hit["Content-Encoding"] == "gzip"
        # Only the cache's own reads (the database cache): the generations, then the page.
        assert len(queries) <= 2
        assert all("django_cache" in query["sql"] for query in queries)
        commit(ReviewFactory, movie=one_second, headline="Through the shared cache")
        assert b"Through the shared cache" in client.get(url).content
    finally:
        cache.clear()


def test_feeds_keep_their_own_last_modified(client, one_second):
    first = client.get(reverse("feeds:verdicts"))
    second = client.get(reverse("feeds:verdicts"))
    assert second["X-Page-Cache"] == "hit"
    assert second["Last-Modified"] == first["Last-Modified"]


def test_an_unknown_host_is_still_refused(client, one_second):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    assert client.get(one_second.get_absolute_url(), HTTP_HOST="evil.example").status_code == 400


# --- One render at a time ------------------------------------------------------------------


def _page_key(movie, *, scores=True):
    url = f"http://testserver{movie.get_absolute_url()}"
    generations = pagecache._generations(movie.slug, scores=scores)
    return pagecache._key(url, generations, "US")


def _forget_earlier_versions(movie):
    """No version of the page kept from before (a page never stored, or expired)."""
    cache.delete(pagecache._latest_key(f"http://testserver{movie.get_absolute_url()}", "US"))


def _being_rendered_elsewhere(client, movie):
    """The film's page rendered once, then as if gone and another worker rendering it
    again (its lock taken), with no earlier version kept: (the page's key, its entry)."""
    client.get(movie.get_absolute_url())
    key = _page_key(movie)
    rendered = cache.get(key)
    cache.delete(key)
    _forget_earlier_versions(movie)
    cache.add(pagecache.LOCK_KEY.format(key), 1, 10)
    return key, rendered


def test_while_another_worker_renders_a_page_its_result_is_served(
    client, one_second, monkeypatch, django_assert_num_queries
):
    url = one_second.get_absolute_url()
    key, rendered = _being_rendered_elsewhere(client, one_second)

    def other_worker_finishes(seconds):
        cache.set(key, rendered)

    monkeypatch.setattr(pagecache.time, "sleep", other_worker_finishes)
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response["X-Page-Cache"] == "hit" and b"One Second" in response.content


def test_a_render_that_stored_nothing_lets_the_waiting_render_their_own(
    client, one_second, monkeypatch
):
    url = one_second.get_absolute_url()
    key, _ = _being_rendered_elsewhere(client, one_second)

    def other_worker_gives_up(seconds):
        cache.delete(pagecache.LOCK_KEY.format(key))

    monkeypatch.setattr(pagecache.time, "sleep", other_worker_gives_up)
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss" and b"One Second" in response.content


def test_a_render_lock_left_by_a_dead_worker_costs_a_short_wait(client, one_second, monkeypatch):
    url = one_second.get_absolute_url()
    key, _ = _being_rendered_elsewhere(client, one_second)
    monkeypatch.setattr(pagecache, "RENDER_WAIT_SECONDS", 0.2)
    monkeypatch.setattr(pagecache, "RENDER_POLL_SECONDS", 0.01)
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss" and b"One Second" in response.content
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_while_a_written_page_renders_again_readers_get_its_previous_version_at_once(
    client, one_second, commit, monkeypatch, django_assert_num_queries
):
    """A review moves the film's pages on; while one worker renders the new page, the
    others serve the page as it was, without waiting (with sync workers, waiting held a
    writer queued behind the readers: a review's POST p99 was 314 ms under wrk)."""
    url = one_second.get_absolute_url()
    assert b"Before the write" not in client.get(url).content
    commit(ReviewFactory, movie=one_second, headline="After the write", rating=9)
    cache.add(pagecache.LOCK_KEY.format(_page_key(one_second)), 1, 10)  # another renders

    def no_waiting(seconds):
        raise AssertionError("a reader waited for the render")

    monkeypatch.setattr(pagecache.time, "sleep", no_waiting)
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response["X-Page-Cache"] == "stale" and b"One Second" in response.content
    assert b"After the write" not in response.content
    # Nobody downstream keeps it: browsers and CDNs ask again.
    assert "no-cache" in response["Cache-Control"] and "s-maxage=0" in response["Cache-Control"]
    cache.delete(pagecache.LOCK_KEY.format(_page_key(one_second)))
    monkeypatch.undo()
    fresh = client.get(url)
    assert fresh["X-Page-Cache"] == "miss" and b"After the write" in fresh.content
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_page_that_is_gone_is_never_served_as_its_previous_version(
    client, one_second, commit, monkeypatch
):
    url = one_second.get_absolute_url()
    assert client.get(url).status_code == 200
    commit(services.unpublish_movies, movies=Movie.objects.filter(pk=one_second.pk))
    assert client.get(url).status_code == 404
    key = _page_key(one_second)
    cache.add(pagecache.LOCK_KEY.format(key), 1, 10)  # another worker renders the 404

    def other_worker_finishes(seconds):
        cache.delete(pagecache.LOCK_KEY.format(key))

    monkeypatch.setattr(pagecache.time, "sleep", other_worker_finishes)
    assert client.get(url).status_code == 404
