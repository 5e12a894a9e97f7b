from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from movies.models import Movie
from tests.factories import MovieFactory, RatingFactory, ReviewFactory
from tests.reviews.conftest import aggregate

pytestmark = pytest.mark.django_db


def run(*args):
    """The command's output, and its CommandError if it failed."""
    out = StringIO()
    try:
        call_command("recompute_ratings", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_check_passes_when_every_aggregate_matches(movie, newcomer):
    RatingFactory(movie=movie, rating=7)
    ReviewFactory(movie=movie, user=newcomer)  # pending text, counted rating
    MovieFactory()
    out, error = run("--check")
    assert error is None
    assert "Every stored aggregate matches" in out


def test_check_lists_each_stale_film_changes_nothing_and_exits_1(movie):
    RatingFactory(movie=movie, rating=7)
    MovieFactory(title="Fine")
    ghost = MovieFactory(title="Ghost votes")
    Movie.objects.filter(pk=movie.pk).update(rating_7=0, rating_8=1, rating_sum=8)
    Movie.objects.filter(pk=ghost.pk).update(rating_count=1, rating_sum=5, rating_5=1)
    out, error = run("--check")
    assert error.returncode == 1
    assert "2 films with a stale aggregate" in str(error)
    assert "One Second (2020)" in out and "rating_sum 8 -> 7" in out
    assert "Ghost votes" in out and "Fine" not in out
    assert aggregate(movie)["sum"] == 8  # --check wrote nothing


def test_recompute_fixes_every_stale_film(movie):
    RatingFactory(movie=movie, rating=7)
    RatingFactory(movie=movie, rating=9)
    Movie.objects.filter(pk=movie.pk).update(
        rating_count=5, rating_sum=5, rating_1=5, audience_rating=1.0
    )
    out, error = run()
    assert error is None and "1 film corrected" in out
    assert aggregate(movie) == {"count": 2, "sum": 16, "histogram": {7: 1, 9: 1}, "mean": 8.0}
    assert run("--check")[1] is None


def test_check_finds_a_wrong_mean_alone_and_recompute_repairs_it(movie):
    """audience_rating is part of the aggregate: a stale mean with right counters is found."""
    RatingFactory(movie=movie, rating=7)
    RatingFactory(movie=movie, rating=8)
    Movie.objects.filter(pk=movie.pk).update(audience_rating=9.9)
    out, error = run("--check")
    assert error.returncode == 1
    assert "audience_rating 9.9 -> 7.5" in out
    out, error = run()
    assert error is None and "1 film corrected" in out
    assert aggregate(movie)["mean"] == 7.5


def test_check_flags_a_mean_on_a_film_without_ratings(movie):
    Movie.objects.filter(pk=movie.pk).update(audience_rating=6.0)
    out, error = run("--check")
    assert error.returncode == 1 and "audience_rating 6.0 -> None" in out
    run()
    assert aggregate(movie)["mean"] is None


def test_check_tolerates_float_rounding_of_the_mean(movie):
    for rating in (7, 7, 8):
        RatingFactory(movie=movie, rating=rating)
    Movie.objects.filter(pk=movie.pk).update(audience_rating=22 / 3 + 1e-12)
    assert run("--check")[1] is None
