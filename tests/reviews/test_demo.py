import pytest

from reviews import recompute
from reviews.demo import READERS, load_demo_reviews
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
    with django_assert_max_num_queries(len(READERS) + 3):
        assert load_demo_reviews() == 0
