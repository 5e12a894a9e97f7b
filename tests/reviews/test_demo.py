import io

import pytest
from django.core.management import CommandError, call_command

from movies.models import Movie
from reviews import recompute
from reviews.demo import load_demo_reviews, read_reviews
from reviews.models import Review
from tests.factories import MovieFactory

pytestmark = pytest.mark.django_db


def test_demo_reviews_give_films_audience_ratings_and_run_twice_harmlessly(settings):
    settings.MIN_RATINGS_FOR_VERDICT = 5
    one_second = MovieFactory(title="One Second", year=2020, external_rating="7.3")
    MovieFactory(title="Cats", year=2019, external_rating="2.8")
    plain = MovieFactory(title="Unrated")
    assert load_demo_reviews() > 0
    assert recompute.ratings_differences() == []
    one_second.refresh_from_db()
    assert one_second.rating_count >= 5
    assert 6.5 <= one_second.audience_rating <= 8.5
    written = Review.objects.readable().filter(movie=one_second)
    assert written.count() == 3
    assert written.filter(contains_spoilers=True).count() == 1
    plain.refresh_from_db()
    assert plain.rating_count >= 6

    before = list(Review.objects.values_list("pk", "updated_at"))
    assert load_demo_reviews() == 0
    assert list(Review.objects.values_list("pk", "updated_at")) == before


def test_a_second_demo_run_reads_the_existing_reviews_once(django_assert_max_num_queries):
    """Guards against a query per film and reader: checking what is already there costs
    the same for 12 films as for one (the readers, their reviews, the films)."""
    for n in range(12):
        MovieFactory(title=f"Film {n}")
    MovieFactory(title="Parasite", year=2019)
    load_demo_reviews()
    with django_assert_max_num_queries(len(read_reviews()["readers"]) + 3):
        assert load_demo_reviews() == 0


def run(command):
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


@pytest.mark.slow
def test_the_command_rates_the_demo_films_but_leaves_one_too_early_to_say():
    run("load_demo")
    assert "Demo reader reviews: 0 " not in run("load_demo_reviews")
    one_second = Movie.objects.get(slug="one-second-2020")
    assert one_second.rating_count >= 6
    assert Review.objects.readable().filter(movie=one_second).count() == 3
    assert Movie.objects.get(slug="shadow-2018").rating_count == 0  # "too early to say"
    assert not Movie.objects.exclude(slug="shadow-2018").filter(rating_count=0).exists()
    assert recompute.ratings_differences() == []
    assert run("load_demo_reviews") == "Demo reader reviews: 0 written or updated.\n"


def test_the_command_asks_for_the_demo_films_first():
    with pytest.raises(CommandError, match=r"run `manage.py load_demo` first"):
        call_command("load_demo_reviews")


def test_the_command_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="DJANGO_ENV=production"):
        call_command("load_demo_reviews")
