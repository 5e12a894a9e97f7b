"""Invariants the database itself holds, whatever code writes."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from reviews.models import HelpfulVote, Review, ReviewReport
from reviews.templatetags.reviews_tags import duration_words
from tests.factories import ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_one_review_per_reader_per_film(movie, reader):
    Review.objects.create(movie=movie, user=reader, rating=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(movie=movie, user=reader, rating=6)


@pytest.mark.parametrize("rating", [0, 11])
def test_rating_must_be_1_to_10(movie, reader, rating):
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(movie=movie, user=reader, rating=rating)


def test_body_is_at_most_10000_characters(movie, reader):
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(movie=movie, user=reader, rating=5, body="x" * 10_001)
    Review.objects.create(movie=movie, user=reader, rating=5, body="x" * 10_000)


def test_one_helpful_vote_and_one_report_per_reader(movie, reader):
    review = ReviewFactory(movie=movie)
    HelpfulVote.objects.create(review=review, user=reader)
    with pytest.raises(IntegrityError), transaction.atomic():
        HelpfulVote.objects.create(review=review, user=reader)
    ReviewReport.objects.create(review=review, user=reader)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewReport.objects.create(review=review, user=reader)


def test_a_review_written_outside_the_services_waits_uncounted(movie, reader):
    """The default status is pending, so a stray ORM write cannot skew the aggregate."""
    review = Review.objects.create(movie=movie, user=reader, rating=5, body="x" * 200)
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING
    assert review.rating_counted is False
    movie.refresh_from_db()
    assert movie.rating_count == 0


def test_accounts_with_reviews_are_deactivated_not_deleted(movie):
    author = UserFactory()
    ReviewFactory(movie=movie, user=author)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        author.delete()


@pytest.mark.parametrize(
    ("minutes", "words"),
    [(0.2, "1 minute"), (1, "1 minute"), (60, "1 hour"), (135, "2 hours 15 minutes")],
)
def test_lockout_durations_read_as_words(minutes, words):
    assert duration_words(datetime.timedelta(minutes=minutes)) == words
