"""What moves the page cache on (movies/pagecache.py): each write that changes what a
cached page shows changes it at once, after commit, and only the pages that show it."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from movies import pagecache, services
from movies.models import Credit, Movie
from reviews import services as review_services
from tests.factories import MovieFactory, ReviewFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


def director(movie):
    return Credit.objects.get(movie=movie, role=Credit.Role.DIRECTOR).person


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


def schedule_premiere(commit):
    """ "Scheduled Premiere", published to go public in five minutes."""
    later = MovieFactory(
        title="Scheduled Premiere",
        status=Movie.Status.DRAFT,
        published_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    commit(services.publish_movies, movies=Movie.objects.filter(pk=later.pk))


def test_a_scheduled_film_appears_when_its_time_comes(client, one_second, commit, monkeypatch):
    schedule_premiere(commit)
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
    page = client.get(one_second.get_absolute_url())
    assert page["X-Page-Cache"] == "miss"
    # The hero and the box-office table (a part cached on its own) both name it.
    assert page.content.decode().count("Runaway success") >= 2


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
    schedule_premiere(commit)
    cache.delete(pagecache.NEXT_LIVE_KEY)
    list_url = reverse("movies:list")
    assert b"Scheduled Premiere" not in client.get(list_url).content
    soon = timezone.now() + datetime.timedelta(minutes=10)
    monkeypatch.setattr(timezone, "now", lambda: soon)
    assert b"Scheduled Premiere" in client.get(list_url).content


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


def test_rebuilding_the_shelves_changes_the_verdict_pages(client, one_second, commit):
    client.get(one_second.get_absolute_url())
    commit(call_command, "rebuild_similar_films", stdout=io.StringIO())
    assert client.get(one_second.get_absolute_url())["X-Page-Cache"] == "miss"
