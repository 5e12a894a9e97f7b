"""The editors' work queue on the admin's front page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from movies import services
from movies.models import Movie
from reviews.models import Review, ReviewReport
from tests.factories import AvailabilityFactory, MovieFactory, ReviewFactory, UserFactory

INDEX = reverse("admin:index")
LIST = reverse("admin:movies_movie_changelist")


def queue_row(text, label):
    """The count shown beside `label` in the queue."""
    after = text.split(f">{label}</a></th><td>", 1)[1]
    return int(after.split("</td>", 1)[0])


def test_the_queue_counts_what_needs_doing_and_links_to_it(editor_client, editor, one_second):
    MovieFactory(title="No Budget", budget=None, synopsis="", status=Movie.Status.DRAFT)
    later = timezone.now() + datetime.timedelta(days=3)
    MovieFactory(title="Soon", status=Movie.Status.PUBLISHED, published_at=later)
    AvailabilityFactory(
        movie=one_second, last_checked=timezone.localdate() - datetime.timedelta(days=91)
    )
    ReviewFactory(movie=one_second, status=Review.Status.PENDING)
    reported = ReviewFactory(movie=one_second)
    ReviewReport.objects.create(review=reported, user=UserFactory(), reason="spam")

    text = editor_client.get(INDEX).content.decode()
    assert queue_row(text, "Reviews awaiting moderation") == 1
    assert queue_row(text, "Open reports") == 1
    assert queue_row(text, "Films missing a budget") == Movie.objects.filter(budget=None).count()
    assert queue_row(text, "Films with offers not checked for 90 days") == 1
    assert queue_row(text, "Drafts") == Movie.objects.filter(status="draft").count()
    assert queue_row(text, "Scheduled films") == 1
    assert f'href="{LIST}?missing=budget"' in text

    stale = editor_client.get(f"{LIST}?offers=stale")
    assert [m.title for m in stale.context["cl"].result_list] == ["One Second"]
    soon = editor_client.get(f"{LIST}?publication=scheduled")
    assert [m.title for m in soon.context["cl"].result_list] == ["Soon"]


def test_films_missing_a_figure_are_listed_most_rated_first(editor_client):
    MovieFactory(title="Obscure", budget=None, rating_count=1, rating_sum=7)
    MovieFactory(title="Popular", budget=None, rating_count=500, rating_sum=3500)
    MovieFactory(title="Has one", budget=5_000_000, rating_count=900, rating_sum=6300)
    response = editor_client.get(f"{LIST}?missing=budget")
    assert [m.title for m in response.context["cl"].result_list] == ["Popular", "Obscure"]


def test_last_changes_are_by_others_not_me(editor_client, editor, one_second):
    colleague = UserFactory(username="colleague", is_staff=True)
    services.movie_save(movie=one_second, editor=colleague, comment="Changed Synopsis.")
    hero = MovieFactory(title="Hero")
    services.movie_save(movie=hero, editor=editor, comment="My own change.")
    text = editor_client.get(INDEX).content.decode()
    assert "Changed Synopsis." in text and "colleague" in text
    assert "My own change." not in text


def test_readers_do_not_see_the_queue(client, one_second):
    client.force_login(UserFactory(is_staff=True))  # staff without catalogue rights
    assert "Work queue" not in client.get(INDEX).content.decode()


@pytest.mark.parametrize("films", [2, 40])
def test_front_page_query_budget(editor_client, editor, films, django_assert_max_num_queries):
    """Guards against N+1: the queue costs the same at 2 or 40 films and changes."""
    colleague = UserFactory(username="colleague", is_staff=True)
    for n in range(films):
        movie = MovieFactory(title=f"Film {n}", budget=None)
        AvailabilityFactory(movie=movie, last_checked=datetime.date(2020, 1, 1))
        services.movie_save(movie=movie, editor=colleague)
    with django_assert_max_num_queries(12):
        response = editor_client.get(INDEX)
    assert queue_row(response.content.decode(), "Films missing a budget") == films
