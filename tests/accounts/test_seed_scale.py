"""manage.py seed_scale: synthetic data at scale that the pages and the aggregate checks
accept as real (small sizes here; docs/performance.md has the 100,000-film run)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F

from accounts.models import User
from movies.models import Credit, Movie, Person
from reviews.models import HelpfulVote, Review

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_scale", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_seeds_films_readers_reviews_and_votes_with_consistent_aggregates():
    out = seed("--films", "40", "--reviews", "600")
    assert "Seeded 40 films" in out
    assert Movie.objects.published().count() == 40
    assert User.objects.count() == 120  # one reader per five reviews
    assert Review.objects.count() == 600
    assert Credit.objects.count() >= 40 * 2 and Person.objects.count() == 20
    # The aggregates and scores are what recompute_ratings would write.
    check = StringIO()
    call_command("recompute_ratings", "--check", stdout=check)
    assert "Every stored aggregate matches" in check.getvalue()
    assert Movie.objects.filter(rating_count__gt=0, score__isnull=True).count() == 0
    # Helpful counts are real votes, never the author's own.
    for review in Review.objects.filter(helpful_count__gt=0).annotate(n=Count("helpful_votes")):
        assert review.n == review.helpful_count
    assert not HelpfulVote.objects.filter(user=F("review__user")).exists()


def test_a_few_films_are_very_popular_and_most_have_few_reviews():
    seed("--films", "200", "--reviews", "2000")
    counts = sorted(Movie.objects.values_list("rating_count", flat=True), reverse=True)
    assert counts[4] >= 100  # five films with a tenth of the reviews each at this size
    assert counts[len(counts) // 2] <= 10  # the median film: a handful
    assert Movie.objects.filter(is_featured=True).exists()
    assert Review.objects.exclude(body="").exists() and Review.objects.filter(body="").exists()


def test_the_same_seed_gives_the_same_data():
    seed("--films", "20", "--reviews", "100", "--seed", "7")
    first = list(Movie.objects.order_by("pk").values_list("title", "rating_sum"))
    seed("--films", "20", "--reviews", "100", "--seed", "7", "--reset")
    again = list(Movie.objects.order_by("pk").values_list("title", "rating_sum"))
    assert first == again


def test_refuses_to_seed_twice_and_reset_replaces_only_seeded_data(one_second):
    movie = one_second
    seed("--films", "10", "--reviews", "50")
    with pytest.raises(CommandError, match="pass --reset"):
        seed("--films", "10", "--reviews", "50")
    seed("--films", "12", "--reviews", "20", "--reset")
    assert Movie.objects.count() == 13  # the twelve seeded and the real film
    assert Movie.objects.filter(pk=movie.pk).exists()
    assert Review.objects.count() == 20
    assert User.objects.filter(username__startswith="seed-").count() == 4


def test_rejects_sizes_that_make_no_sense():
    with pytest.raises(CommandError, match="--films must be at least 1"):
        seed("--films", "0", "--reviews", "10")
