import pytest
from django.core.exceptions import ValidationError

from movies.models import Movie, VerdictBand
from tests.factories import MovieFactory, RatingFactory

pytestmark = pytest.mark.django_db


def test_saving_a_stale_film_keeps_ratings_written_meanwhile():
    """An editor's form holds the film while readers rate it; its save must not undo them."""
    movie = MovieFactory(title="Held Open")
    stale = Movie.objects.get(pk=movie.pk)  # the editor opens the change form
    RatingFactory(movie=movie, rating=9)
    RatingFactory(movie=movie, rating=7)
    stale.logline = "A new logline."
    stale.save()  # the editor saves
    fresh = Movie.objects.get(pk=movie.pk)
    assert fresh.logline == "A new logline."
    assert (fresh.rating_count, fresh.rating_sum, fresh.rating_9, fresh.rating_7) == (2, 16, 1, 1)
    assert fresh.audience_rating == pytest.approx(8.0)


def test_saving_a_film_derives_its_box_office_multiple():
    movie = MovieFactory(budget=2_000_000, worldwide_gross=5_000_000)
    assert Movie.objects.get(pk=movie.pk).box_office_multiple == pytest.approx(2.5)
    movie.worldwide_gross = 1_000_000
    movie.save(update_fields=["worldwide_gross"])
    assert Movie.objects.get(pk=movie.pk).box_office_multiple == pytest.approx(0.5)


def test_slug_is_title_and_year_and_stays_unique():
    first = MovieFactory(title="Crash", year=2004)
    second = MovieFactory(title="Crash", year=2004)
    assert (first.slug, second.slug) == ("crash-2004", "crash-2004-2")


def test_moving_the_bottom_band_to_the_top_is_refused_as_a_gap():
    """Disaster to order 20 from 50x would leave films under Flop's 0.5x without a verdict."""
    disaster = VerdictBand.objects.get(slug="disaster")
    disaster.order, disaster.min_multiple = 20, 50
    with pytest.raises(ValidationError) as error:
        disaster.full_clean()
    assert "The lowest band would be “Flop” from 0.5x" in str(error.value)


def test_a_sound_ladder_edit_is_accepted():
    hit = VerdictBand.objects.get(slug="hit")
    hit.min_multiple = 3
    hit.full_clean()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("currency", "$$$", "three-letter ISO 4217 currency code"),
        ("currency", "usd", "three-letter ISO 4217 currency code"),
        ("runtime_minutes", 99_999, "less than or equal to 6000"),
        ("runtime_minutes", 0, "greater than or equal to 1"),
    ],
)
def test_implausible_figures_are_refused_with_a_clear_message(field, value, message):
    movie = MovieFactory.build(title="Checked", **{field: value})
    with pytest.raises(ValidationError) as error:
        movie.full_clean()
    assert message in str(error.value.message_dict[field])


def test_biggest_hits_hold_only_hits_and_above_by_multiple():
    """Average and Below average films are no "biggest hits", nor a film the editors
    overruled into a lesser band; a film just under Hit's 2.5x edge is not one either."""
    budget = 100_000
    MovieFactory(title="Average", budget=budget, worldwide_gross=200_000)
    MovieFactory(title="Nearly", budget=budget, worldwide_gross=249_995)
    MovieFactory(title="Hit", budget=budget, worldwide_gross=250_000)
    MovieFactory(title="Blockbuster", budget=budget, worldwide_gross=900_000)
    MovieFactory(title="No gross", budget=budget, worldwide_gross=0)
    MovieFactory(
        title="Overruled",
        budget=budget,
        worldwide_gross=500_000,
        verdict_override=VerdictBand.objects.get(slug="flop"),
        override_reason="Marketing doubled the real cost.",
    )

    hits = Movie.objects.biggest_hits()

    assert [m.title for m in hits] == ["Blockbuster", "Hit"]
