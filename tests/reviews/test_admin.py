"""The editors' moderation queue keeps film aggregates exact."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from reviews.models import Review, ReviewReport
from tests.factories import RatingFactory, ReviewFactory, UserFactory
from tests.reviews.conftest import aggregate

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/reviews/review/"


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def action(client, name, reviews):
    return client.post(
        CHANGELIST,
        {"action": name, "_selected_action": [r.pk for r in reviews]},
        follow=True,
    )


def test_queue_filters_by_status_and_reports(editor_client, movie, newcomer, settings):
    settings.REVIEWS_REPORT_THRESHOLD = 5
    ReviewFactory(movie=movie, user=newcomer, headline="Pending words")
    reported = ReviewFactory(movie=movie, headline="Reported words")
    ReviewReport.objects.create(review=reported, user=UserFactory(), reason="spam")
    Review.objects.filter(pk=reported.pk).update(report_count=1)
    pending = editor_client.get(CHANGELIST, {"status__exact": "pending"}).content.decode()
    assert "Pending words" in pending and "Reported words" not in pending
    with_reports = editor_client.get(CHANGELIST, {"reports": "open"}).content.decode()
    assert "Reported words" in with_reports and "Pending words" not in with_reports
    assert movie.get_absolute_url() in with_reports  # a link to the film


def test_bulk_approve_counts_the_ratings_once(editor_client, movie, newcomer):
    first = ReviewFactory(movie=movie, user=newcomer, rating=4)
    second = ReviewFactory(
        movie=movie, user=UserFactory(date_joined=newcomer.date_joined), rating=6
    )
    RatingFactory(movie=movie, rating=10)
    response = action(editor_client, "approve", [first, second])
    assert "2 reviews published" in response.content.decode()
    action(editor_client, "approve", [first, second])  # again: nothing moves
    assert aggregate(movie) == {
        "count": 3,
        "sum": 20,
        "histogram": {4: 1, 6: 1, 10: 1},
        "mean": 20 / 3,
    }
    first.refresh_from_db()
    assert first.moderated_by.username == "editor"


def test_bulk_reject_removes_the_ratings(editor_client, movie):
    reviews = [ReviewFactory(movie=movie, rating=9) for _ in range(2)]
    RatingFactory(movie=movie, rating=3)
    action(editor_client, "reject", reviews)
    assert aggregate(movie) == {"count": 1, "sum": 3, "histogram": {3: 1}, "mean": 3.0}
    assert set(Review.objects.values_list("status", flat=True)) == {"rejected", "published"}


def test_status_change_in_the_form_goes_through_the_service(editor_client, movie, newcomer):
    review = ReviewFactory(movie=movie, user=newcomer, rating=7)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    page = editor_client.get(url).content.decode()
    assert 'name="status"' in page
    assert 'name="rating"' not in page and 'name="body"' not in page  # readers' words stay
    editor_client.post(
        url, {"status": "published", "reports-TOTAL_FORMS": "0", "reports-INITIAL_FORMS": "0"}
    )
    review.refresh_from_db()
    assert review.status == "published"
    assert aggregate(movie)["count"] == 1


def test_deleting_in_the_admin_keeps_aggregates_exact(editor_client, movie):
    keep = ReviewFactory(movie=movie, rating=2)
    doomed = [ReviewFactory(movie=movie, rating=9) for _ in range(2)]
    editor_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [r.pk for r in doomed], "post": "yes"},
    )
    assert list(Review.objects.all()) == [keep]
    assert aggregate(movie) == {"count": 1, "sum": 2, "histogram": {2: 1}, "mean": 2.0}
    single = ReviewFactory(movie=movie, rating=5)
    editor_client.post(reverse("admin:reviews_review_delete", args=[single.pk]), {"post": "yes"})
    assert aggregate(movie)["count"] == 1


def test_editors_cannot_add_reviews_or_touch_accounts(editor_client):
    assert editor_client.get("/admin/reviews/review/add/").status_code == 403
    assert editor_client.get("/admin/accounts/user/").status_code == 403
    assert editor_client.get("/admin/auth/group/").status_code == 403


@pytest.mark.parametrize("n", [2, 40])
def test_queue_query_budget_holds_as_reviews_grow(
    editor_client, movie, n, django_assert_max_num_queries
):
    """Guards against N+1: each row's film and author come with the page query."""
    for _ in range(n):
        ReviewFactory(user=UserFactory())
    with django_assert_max_num_queries(12):
        assert editor_client.get(CHANGELIST).status_code == 200


def test_moderation_from_the_list_is_in_the_admin_history(editor_client, movie, editor):
    """Like publishing a film: who rejected which review, and when, stays on record."""
    rejected, untouched = ReviewFactory(movie=movie), ReviewFactory(movie=movie)
    action(editor_client, "reject", [rejected])
    [entry] = LogEntry.objects.filter(object_id=str(rejected.pk))
    assert entry.user == editor
    assert entry.get_change_message() == "Rejected from the review list."
    assert not LogEntry.objects.filter(object_id=str(untouched.pk)).exists()
