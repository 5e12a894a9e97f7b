"""The verdict rules, without a database."""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from movies import verdicts
from movies.models import VerdictBand
from movies.verdicts import Band

LADDER = [
    Band(name, name.lower().replace(" ", "-"), float(minimum), tone)
    for name, minimum, _, tone in verdicts.DEFAULT_LADDER
]


@dataclass
class FakeGenre:
    name: str


@dataclass
class FakeMovie:
    budget: int | None = 1_000_000
    worldwide_gross: int | None = None
    currency: str = "USD"
    rating_count: int = 0
    rating_sum: int = 0
    external_rating: Decimal | None = None
    external_rating_votes: int | None = None
    external_rating_source: str = ""
    critics_average: Decimal | None = None
    critics_fresh: int | None = None
    critics_rotten: int | None = None
    metacritic: int | None = None
    answer_override: str = ""
    override_reason: str = ""
    leading_genres: list = field(default_factory=list)
    score: float | None = None


def stored_score(movie, *, site_mean=None):
    """Movie.score as the services store it: film_score with k = m = 10."""
    return verdicts.film_score(
        rating_sum=movie.rating_sum,
        rating_count=movie.rating_count,
        outside=verdicts.outside_consensus(verdicts.outside_evidence(movie)),
        outside_weight=10,
        site_mean=site_mean,
        site_weight=10,
    )


def assess(movie, **kwargs):
    options = {"break_even": 2.5, "yes_min": 7.0, "maybe_min": 5.5, "min_ratings": 5}
    options.update(kwargs)
    movie.score = stored_score(movie)
    return verdicts.assess(movie, LADDER, **options)


@pytest.mark.parametrize(
    "multiple,band",
    [
        (0.0, "Disaster"),
        (0.49, "Disaster"),
        (0.5, "Flop"),
        (0.99, "Flop"),
        (1.0, "Below average"),
        (1.49, "Below average"),
        (1.5, "Average"),
        (2.49, "Average"),
        (2.5, "Hit"),
        (3.99, "Hit"),
        (4.0, "Super hit"),
        (5.99, "Super hit"),
        (6.0, "Blockbuster"),
        (250.0, "Blockbuster"),
    ],
)
def test_band_at_every_edge(multiple, band):
    assert verdicts.band_for(multiple, LADDER).name == band


def test_band_for_ignores_ladder_order():
    assert verdicts.band_for(2.5, list(reversed(LADDER))).name == "Hit"


def test_no_band_without_a_multiple():
    assert verdicts.band_for(None, LADDER) is None


@pytest.mark.parametrize(
    "gross,budget,expected",
    [(10_800_000, 1_300_000, 8.3077), (5, 0, None), (5, None, None), (None, 5, None)],
)
def test_box_office_multiple(gross, budget, expected):
    assert verdicts.box_office_multiple(gross, budget) == pytest.approx(expected, abs=1e-4)


def test_a_worldwide_gross_of_0_means_no_gross_known_and_no_trade_verdict():
    """0 is what datasets write when no theatrical gross is known, not a total loss."""
    assert verdicts.box_office_multiple(0, 5_000_000) is None
    result = assess(FakeMovie(budget=5_000_000, worldwide_gross=0))
    assert result.band is None
    assert result.trade_text == "No trade verdict: the worldwide gross is not known."
    assert "0.0x" not in result.trade_text


EDGE_CASES = [
    # (gross, budget): the band from the exact ratio, and the figure shown beside it.
    (49_999, 100_000, "Disaster", "0.49x"),
    (50_000, 100_000, "Flop", "0.5x"),
    (99_999, 100_000, "Flop", "0.99x"),
    (100_000, 100_000, "Below average", "1.0x"),
    (149_999, 100_000, "Below average", "1.49x"),
    (150_000, 100_000, "Average", "1.5x"),
    (249_995, 100_000, "Average", "2.49x"),
    (248_000, 100_000, "Average", "2.48x"),
    (250_000, 100_000, "Hit", "2.5x"),
    (399_999, 100_000, "Hit", "3.99x"),
    (400_000, 100_000, "Super hit", "4.0x"),
    (599_995, 100_000, "Super hit", "5.99x"),
    (600_000, 100_000, "Blockbuster", "6.0x"),
    (37_499_996, 10_000_000, "Hit", "3.7x"),
    (37_500_000, 10_000_000, "Hit", "3.8x"),
    (10_800_000, 1_300_000, "Blockbuster", "8.3x"),
]


@pytest.mark.parametrize("gross,budget,band,shown", EDGE_CASES)
def test_band_and_figure_at_the_edges_agree(gross, budget, band, shown):
    """The band comes from the exact ratio; the figure is rounded once and never shows an
    edge the film does not reach (2.49995 is "Average", shown 2.49x, not 2.5x)."""
    result = assess(FakeMovie(budget=budget, worldwide_gross=gross))

    assert result.band.name == band
    assert result.trade_text.startswith(f"Grossed {shown} its ")


@pytest.mark.parametrize("gross,budget,band,shown", EDGE_CASES)
def test_the_stored_multiple_files_a_film_in_its_exact_band(gross, budget, band, shown):
    """The stored float (list filters, sorting) never lands above the exact ratio's band."""
    stored = verdicts.box_office_multiple(gross, budget)
    assert verdicts.band_for(stored, LADDER).name == band
    assert verdicts.format_multiple(stored) == shown


def test_a_figure_is_checked_against_the_editors_ladder():
    ladder = [*LADDER, Band("Modest hit", "modest-hit", 2.2, "good")]
    assert verdicts.format_multiple(verdicts.exact_multiple(219, 100), ladder) == "2.19x"
    assert verdicts.format_multiple(verdicts.exact_multiple(219, 100)) == "2.2x"


def test_flop_when_gross_below_budget():
    result = assess(FakeMovie(budget=100_000_000, worldwide_gross=60_000_000))
    assert result.band.name == "Flop"
    assert result.trade_text == "Grossed 0.6x its $100M budget; break-even is about 2.5x."


def test_one_second_figures_explained_in_one_sentence():
    result = assess(FakeMovie(budget=1_300_000, worldwide_gross=10_800_000))
    assert result.trade_text == "Grossed 8.3x its $1.3M budget; break-even is about 2.5x."
    assert result.band.name == "Blockbuster"


@pytest.mark.parametrize(
    "budget,gross,reason",
    [
        (0, 5_000_000, "the production budget is not known"),
        (None, 5_000_000, "the production budget is not known"),
        (1_000_000, None, "the worldwide gross is not known"),
        (None, None, "neither the budget nor the worldwide gross is known"),
    ],
)
def test_no_trade_verdict_says_why(budget, gross, reason):
    result = assess(FakeMovie(budget=budget, worldwide_gross=gross))
    assert result.band is None
    assert reason in result.trade_text


def test_break_even_setting_is_stated():
    result = assess(FakeMovie(budget=1_000_000, worldwide_gross=2_000_000), break_even=3)
    assert result.trade_text.endswith("break-even is about 3x.")


@pytest.mark.parametrize(
    "rating,answer", [(7.0, "yes"), (6.99, "maybe"), (5.5, "maybe"), (5.49, "no"), (1.0, "no")]
)
def test_answer_thresholds_on_external_rating(rating, answer):
    movie = FakeMovie(
        external_rating=Decimal(str(rating)),
        external_rating_source="IMDb",
        leading_genres=[FakeGenre("Drama")],
    )
    assert assess(movie).answer == answer


def test_yes_is_phrased_with_the_main_genre():
    movie = FakeMovie(
        external_rating=Decimal("7.3"),
        external_rating_source="IMDb",
        external_rating_votes=1200,
        leading_genres=[FakeGenre("Drama")],
    )
    result = assess(movie)
    assert result.answer_text == "Yes, if you enjoy drama."
    assert result.rating_text == "IMDb (7.3)."
    assert result.rating.outside[0].count == 1200
    assert result.rating.count == 0


def test_score_weighs_our_readers_against_the_outside_consensus():
    """S = (v·R + k·E) / (v + k): five readers averaging 4 against IMDb's 9 with k = 10."""
    movie = FakeMovie(
        rating_count=5, rating_sum=20, external_rating=Decimal("9"), external_rating_source="IMDb"
    )
    result = assess(movie)
    assert result.rating.value == pytest.approx((20 + 10 * 9) / (5 + 10))
    assert result.rating.basis == "5 of our readers (4.0) and IMDb (9.0)"
    assert result.answer == "yes"


def test_a_disliked_film_with_few_readers_reads_no_not_maybe():
    """Cats: 8 readers averaging 3.25 and an outside 2.8 give about 3.0, a No (the site
    mean, about 7, no longer pulls it up to Maybe)."""
    movie = FakeMovie(
        rating_count=8,
        rating_sum=26,
        external_rating=Decimal("2.8"),
        external_rating_source="IMDb",
        leading_genres=[FakeGenre("Musical")],
    )
    result = assess(movie)
    assert result.rating.value == pytest.approx((26 + 28) / 18)
    assert result.answer == "no"


def test_too_little_data_says_so_rather_than_guessing():
    result = assess(FakeMovie(rating_count=2, rating_sum=20))
    assert result.answer == "unknown"
    assert result.answer_label == "Too early to say"
    assert "only 2 so far" in result.answer_text


def test_editors_override_answer_with_reason():
    movie = FakeMovie(
        external_rating=Decimal("9"),
        external_rating_source="IMDb",
        answer_override="no",
        override_reason="Overrated.",
    )
    result = assess(movie)
    assert (result.answer, result.answer_by_editors, result.override_reason) == (
        "no",
        True,
        "Overrated.",
    )


def test_editors_override_trade_verdict():
    movie = FakeMovie(budget=1_000_000, worldwide_gross=100_000, override_reason="Streaming hit.")
    hit = next(b for b in LADDER if b.name == "Hit")
    result = assess(movie, band_override=hit)
    assert result.band == hit and result.band_by_editors
    assert result.override_reason == "Streaming hit."


def score(rating_sum, rating_count, outside=None, site_mean=None):
    return verdicts.film_score(
        rating_sum=rating_sum,
        rating_count=rating_count,
        outside=outside,
        outside_weight=10,
        site_mean=site_mean,
        site_weight=9,
    )


def test_without_outside_evidence_few_votes_lean_on_the_site_mean():
    assert score(10, 1, site_mean=6) == pytest.approx(6.4)
    assert score(0, 0, site_mean=6) is None
    assert 7.99 < score(80_000, 10_000, site_mean=6) < 8


def test_without_readers_the_score_is_the_outside_consensus():
    assert score(0, 0, outside=9.7) == pytest.approx(9.7)


def test_many_readers_outweigh_the_outside_consensus():
    assert score(3 * 1000, 1000, outside=9.0) == pytest.approx((3000 + 90) / 1010)


def test_without_any_site_mean_the_readers_plain_mean_is_the_score():
    assert score(12, 3) == 4.0


def test_outside_consensus_is_the_mean_of_the_labelled_sources():
    evidence = [verdicts.Evidence("IMDb", 8.0), verdicts.Evidence("critics", 9.0)]
    assert verdicts.outside_consensus(evidence) == 8.5
    assert verdicts.outside_consensus([]) is None


@pytest.mark.parametrize(
    "amount,text",
    [
        (1_300_000, "$1.3M"),
        (10_800_000, "$10.8M"),
        (950_000, "$950K"),
        (2_000_000_000, "$2B"),
        (250_000_000, "$250M"),
        (1_200_000_000, "$1.2B"),
        (999_960_000, "$1B"),
        (999_400_000, "$999M"),
        (10**12, "$1T"),
        (1_500_000_000_000, "$1.5T"),
        (500, "$500"),
        (0, "$0"),
    ],
)
def test_format_money(amount, text):
    assert verdicts.format_money(amount) == text


def test_format_money_other_currencies():
    assert verdicts.format_money(1_500_000, "EUR") == "€1.5M"
    assert verdicts.format_money(1_500_000, "SEK") == "SEK 1.5M"


class TestLadderProblems:
    def test_default_ladder_is_sound(self):
        triples = [(n, m, o) for n, m, o, _ in verdicts.DEFAULT_LADDER]
        assert verdicts.ladder_problems(triples) == []

    def test_gap_at_the_bottom(self):
        problems = verdicts.ladder_problems([("Flop", 0.5, 1), ("Hit", 2.5, 2)])
        assert "must start at 0x" in problems[0]

    def test_overlap(self):
        problems = verdicts.ladder_problems([("Flop", 0, 1), ("Hit", 2.5, 2), ("Avg", 2.0, 3)])
        assert any("overlaps" in p for p in problems)


@pytest.mark.django_db
def test_migrated_ladder_is_the_documented_default():
    """The migration seeds its own copy of the ladder; the two must not drift apart."""
    migrated = [
        (band.name, band.min_multiple, band.order, band.tone)
        for band in VerdictBand.objects.order_by("order")
    ]
    assert migrated == verdicts.DEFAULT_LADDER


def test_outside_evidence_labels_critics_reviews_and_metacritic():
    movie = FakeMovie(critics_average=Decimal("9.4"), critics_fresh=134, critics_rotten=1)
    movie.metacritic = 100
    critics, metacritic = verdicts.outside_evidence(movie)
    assert (critics.label, critics.value, critics.count, critics.counted) == (
        "critics",
        9.4,
        135,
        "reviews",
    )
    assert (metacritic.label, metacritic.value) == ("Metacritic", 10.0)
    assert assess(movie).rating.basis == "critics (9.4) and Metacritic (10.0)"


def test_the_answer_names_the_leading_genres_in_the_order_given():
    """Casablanca read "Yes, if you enjoy Crime" (the first genre by name)."""
    movie = FakeMovie(
        external_rating=Decimal("8.5"),
        external_rating_source="IMDb",
        leading_genres=[FakeGenre("War"), FakeGenre("Romance"), FakeGenre("Drama")],
    )
    assert assess(movie).answer_text == "Yes, if you enjoy war films, romance and drama."
    assert verdicts.genre_phrase(["Thriller/Suspense"]) == "thriller/suspense"
