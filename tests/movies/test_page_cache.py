"""The shared page cache (movies/pagecache.py): anonymous pages served from the cache,
invalidated at once by every write that changes them, never shared with a signed-in reader."""

import datetime
import gzip
import io
import socket

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from movies import pagecache, services
from movies.models import Credit, Movie
from reviews import services as review_services
from tests.factories import MovieFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    """The suite runs with the page cache off (tests/conftest.py); these tests are its."""
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_ALLOW_BYPASS = False


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a write as if its transaction committed: its on_commit invalidation runs."""

    def run(write, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(*args, **kwargs)

    return run


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


# --- Invalidation: each write changes the page at once --------------------------------


def test_film_save_changes_its_page_and_the_lists(client, one_second, commit):
    urls = [one_second.get_absolute_url(), reverse("movies:list"), "/"]
    for url in urls:
        client.get(url)
    one_second.logline = "A newsreel, a desert and a father."
    commit(services.movie_save, movie=one_second)
    for url in urls:
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss", url
    assert b"A newsreel, a desert and a father." in client.get(urls[0]).content


def test_restore_changes_the_page(client, one_second, commit):
    from reversion.models import Version

    commit(services.movie_save, movie=one_second)
    first = Version.objects.get_for_object(one_second).latest("pk")
    one_second.logline = "Changed by mistake."
    commit(services.movie_save, movie=one_second)
    assert b"Changed by mistake." in client.get(one_second.get_absolute_url()).content
    commit(services.movie_restore, version=first)
    assert b"Changed by mistake." not in client.get(one_second.get_absolute_url()).content


def test_review_moving_the_score_changes_the_film_and_the_lists(client, one_second, commit):
    list_url = reverse("movies:list")
    before_page = client.get(one_second.get_absolute_url()).content
    before_list = client.get(list_url).content
    assert b"1 reader" not in before_list
    commit(ReviewFactory, movie=one_second, rating=2, headline="Not for me at all")
    page = client.get(one_second.get_absolute_url())
    assert page["X-Page-Cache"] == "miss"
    assert b"Not for me at all" in page.content and page.content != before_page
    assert b"1 reader" in client.get(list_url).content


def test_a_rating_leaves_pages_that_show_no_scores_cached(client, one_second, commit):
    """Sitemaps (the costliest pages), robots.txt and other films' reviews pages show no
    score: readers' ratings elsewhere do not make them render again."""
    other = MovieFactory(title="Another Film")
    keep = [
        reverse("sitemap-section", args=["films"]),
        reverse("robots-txt"),
        reverse("reviews:list", args=[other.slug]),
    ]
    for url in [*keep, "/"]:
        client.get(url)
    commit(ReviewFactory, movie=one_second, rating=4)
    for url in keep:
        assert client.get(url)["X-Page-Cache"] == "hit", url
    assert client.get("/")["X-Page-Cache"] == "miss"


def test_review_text_alone_changes_the_film_pages_not_the_lists(client, one_second, commit):
    reader = UserFactory()
    commit(ReviewFactory, movie=one_second, user=reader, rating=8, headline="First words")
    client.get(one_second.get_absolute_url())
    client.get(reverse("movies:list"))
    commit(
        review_services.review_submit,
        movie=one_second,
        user=reader,
        rating=8,
        headline="Second words",
        body="x" * 200,
        check_rate_limit=False,
    )
    assert b"Second words" in client.get(one_second.get_absolute_url()).content
    assert b"Second words" in client.get(reverse("reviews:list", args=[one_second.slug])).content
    assert client.get(reverse("movies:list"))["X-Page-Cache"] == "hit"  # nothing there moved


def test_moderation_publishes_onto_the_cached_page(client, one_second, commit):
    newcomer = UserFactory(date_joined=timezone.now() - datetime.timedelta(hours=1))
    review = commit(ReviewFactory, movie=one_second, user=newcomer, headline="Waiting words")
    assert review.status == "pending"
    assert b"Waiting words" not in client.get(one_second.get_absolute_url()).content
    commit(review_services.reviews_moderate, reviews=[review], status="published", moderator=None)
    assert b"Waiting words" in client.get(one_second.get_absolute_url()).content
    commit(review_services.reviews_moderate, reviews=[review], status="rejected", moderator=None)
    assert b"Waiting words" not in client.get(one_second.get_absolute_url()).content


def test_deleting_a_review_takes_it_off_the_page(client, one_second, commit):
    review = commit(ReviewFactory, movie=one_second, headline="Soon gone")
    assert b"Soon gone" in client.get(one_second.get_absolute_url()).content
    commit(review_services.review_delete, review=review, user=review.user)
    assert b"Soon gone" not in client.get(one_second.get_absolute_url()).content


def test_helpful_vote_changes_the_count_on_the_page(client, one_second, commit):
    review = commit(ReviewFactory, movie=one_second)
    url = reverse("reviews:list", args=[one_second.slug])
    assert b"No helpful votes yet" in client.get(url).content
    commit(review_services.review_toggle_helpful, review=review, user=UserFactory())
    assert b"1 reader found this helpful" in client.get(url).content


def test_person_save_changes_their_page_and_their_films(client, one_second, commit):
    person = director(one_second)
    urls = [person.get_absolute_url(), one_second.get_absolute_url()]
    for url in urls:
        client.get(url)
    person.name = "Zhang Yimou (renamed)"
    commit(services.person_save, person=person)
    for url in urls:
        assert b"Zhang Yimou (renamed)" in client.get(url).content, url


def test_unpublish_and_publish_change_every_page_at_once(client, one_second, commit):
    url, list_url = one_second.get_absolute_url(), reverse("movies:list")
    assert client.get(url).status_code == 200
    assert b"One Second" in client.get(list_url).content
    commit(services.unpublish_movies, movies=Movie.objects.filter(pk=one_second.pk))
    assert client.get(url).status_code == 404
    assert b"One Second" not in client.get(list_url).content
    assert client.get(url).status_code == 404  # a 404 is never cached: publishing shows it
    commit(services.publish_movies, movies=Movie.objects.filter(pk=one_second.pk))
    assert client.get(url).status_code == 200
    assert b"One Second" in client.get(list_url).content


def test_a_scheduled_film_appears_when_its_time_comes(client, one_second, commit, monkeypatch):
    later = MovieFactory(
        title="Scheduled Premiere",
        status=Movie.Status.DRAFT,
        published_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    commit(services.publish_movies, movies=Movie.objects.filter(pk=later.pk))
    list_url = reverse("movies:list")
    assert b"Scheduled Premiere" not in client.get(list_url).content
    assert client.get(list_url)["X-Page-Cache"] == "hit"
    soon = timezone.now() + datetime.timedelta(minutes=10)
    monkeypatch.setattr(timezone, "now", lambda: soon)
    assert b"Scheduled Premiere" in client.get(list_url).content


def test_import_changes_the_lists(client, one_second, commit, tmp_path):
    list_url = reverse("movies:list") + "?sort=title"
    assert b"Freshly Imported" not in client.get(list_url).content
    path = tmp_path / "films.csv"
    path.write_text("title,year\nFreshly Imported,2003\n", encoding="utf-8")
    commit(call_command, "import_movies", str(path), "--publish", stdout=io.StringIO())
    assert b"Freshly Imported" in client.get(list_url).content


def test_verdict_ladder_change_changes_the_pages(client, one_second, commit):
    from movies.models import VerdictBand

    client.get(one_second.get_absolute_url())
    band = VerdictBand.objects.order_by("-min_multiple").first()
    band.name = "Runaway success"
    commit(band.save)
    assert client.get(one_second.get_absolute_url())["X-Page-Cache"] == "miss"


def test_invalidation_waits_for_the_commit(client, one_second, django_capture_on_commit_callbacks):
    """Until the transaction commits, other readers must keep the page they can see."""
    client.get(one_second.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.movie_save(movie=one_second)
    assert client.get(one_second.get_absolute_url())["X-Page-Cache"] == "hit"
    for callback in callbacks:
        callback()
    assert client.get(one_second.get_absolute_url())["X-Page-Cache"] == "miss"


def test_a_lost_generation_never_brings_old_pages_back(client, one_second, commit):
    """The cache evicted the counter: it starts again from the clock, not from 1."""
    client.get(one_second.get_absolute_url())
    cache.delete(pagecache.CATALOGUE_KEY)
    assert client.get(one_second.get_absolute_url())["X-Page-Cache"] == "miss"


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


def _redis_answers():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


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
            not _redis_answers(), reason="no Redis server answers on 127.0.0.1:6379"
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


def test_a_film_rescheduled_in_its_form_appears_when_its_time_comes(
    client, one_second, commit, monkeypatch
):
    list_url = reverse("movies:list")
    one_second.published_at = timezone.now() + datetime.timedelta(minutes=5)
    commit(services.movie_save, movie=one_second)
    assert b"One Second" not in client.get(list_url).content
    soon = timezone.now() + datetime.timedelta(minutes=10)
    monkeypatch.setattr(timezone, "now", lambda: soon)
    assert b"One Second" in client.get(list_url).content


def test_a_forgotten_schedule_is_looked_up_again(client, one_second, commit, monkeypatch):
    """The cache lost the time of the next scheduled film (a flush, an eviction)."""
    later = MovieFactory(
        title="Scheduled Premiere",
        status=Movie.Status.DRAFT,
        published_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    commit(services.publish_movies, movies=Movie.objects.filter(pk=later.pk))
    cache.delete(pagecache.NEXT_LIVE_KEY)
    list_url = reverse("movies:list")
    assert b"Scheduled Premiere" not in client.get(list_url).content
    soon = timezone.now() + datetime.timedelta(minutes=10)
    monkeypatch.setattr(timezone, "now", lambda: soon)
    assert b"Scheduled Premiere" in client.get(list_url).content


def test_feeds_keep_their_own_last_modified(client, one_second):
    first = client.get(reverse("feeds:verdicts"))
    second = client.get(reverse("feeds:verdicts"))
    assert second["X-Page-Cache"] == "hit"
    assert second["Last-Modified"] == first["Last-Modified"]


def test_an_unknown_host_is_still_refused(client, one_second):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    assert client.get(one_second.get_absolute_url(), HTTP_HOST="evil.example").status_code == 400


def test_invalidation_survives_a_cache_that_does_not_answer(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """A write that committed is never turned into an error by the page cache."""

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    with monkeypatch.context() as patched:
        patched.setattr(pagecache, "_bump", broken)
        with django_capture_on_commit_callbacks(execute=True):
            pagecache.catalogue_changed()
    assert "cache down" in caplog.text


# --- One render at a time ------------------------------------------------------------------


def _page_key(movie, *, scores=True):
    url = f"http://testserver{movie.get_absolute_url()}"
    generations = pagecache._generations(movie.slug, scores=scores)
    return pagecache._key(url, generations, "US")


def test_while_another_worker_renders_a_page_its_result_is_served(
    client, one_second, monkeypatch, django_assert_num_queries
):
    url = one_second.get_absolute_url()
    client.get(url)
    key = _page_key(one_second)
    rendered = cache.get(key)
    cache.delete(key)
    cache.add(pagecache.LOCK_KEY.format(key), 1, 10)  # another worker is rendering it

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
    client.get(url)
    key = _page_key(one_second)
    cache.delete(key)
    cache.add(pagecache.LOCK_KEY.format(key), 1, 10)

    def other_worker_gives_up(seconds):
        cache.delete(pagecache.LOCK_KEY.format(key))

    monkeypatch.setattr(pagecache.time, "sleep", other_worker_gives_up)
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss" and b"One Second" in response.content


def test_a_render_lock_left_by_a_dead_worker_costs_a_short_wait(client, one_second, monkeypatch):
    url = one_second.get_absolute_url()
    client.get(url)
    key = _page_key(one_second)
    cache.delete(key)
    cache.add(pagecache.LOCK_KEY.format(key), 1, 10)
    monkeypatch.setattr(pagecache, "RENDER_WAIT_SECONDS", 0.2)
    monkeypatch.setattr(pagecache, "RENDER_POLL_SECONDS", 0.01)
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss" and b"One Second" in response.content
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_rebuilding_the_shelves_changes_the_verdict_pages(client, one_second, commit):
    client.get(one_second.get_absolute_url())
    commit(call_command, "rebuild_similar_films", stdout=io.StringIO())
    assert client.get(one_second.get_absolute_url())["X-Page-Cache"] == "miss"
