"""The verdict rules: pure functions, no database, no settings lookups.

Three questions, each answered from data and explained in one sentence on the page:

1. Trade verdict (Hit, Flop, ...): the box-office multiple, worldwide gross / production
   budget, placed on a ladder of bands (the VerdictBand table). A band runs from its
   minimum multiple up to the next band's, compared on the exact ratio (no rounding
   first). No budget, or no gross (0 means none is known): no trade verdict.
2. The score: one number per film from all the evidence, S = (v·R + k·E) / (v + k),
   where R and v are our readers' mean and count, E the outside consensus (the mean of
   the labelled outside ratings on a 10-point scale) and k its weight. A film with no
   outside evidence leans on the site mean C with weight m instead (IMDb's weighted
   rating). Stored on the film (Movie.score), so every page reads the same number.
3. "Is it worth watching?": Yes at or above `yes_min`, Maybe at or above `maybe_min`,
   otherwise No; with no outside evidence and fewer readers than `min_ratings` we say it
   is too early. Editors may overrule answer and trade verdict; the page says so and why.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from movies.text import and_join

YES, MAYBE, NO, UNKNOWN = "yes", "maybe", "no", "unknown"


@dataclass(frozen=True)
class Band:
    name: str
    slug: str
    min_multiple: float
    tone: str = "mixed"
    pk: int | None = None


@dataclass(frozen=True)
class Evidence:
    """One labelled outside rating, on a 10-point scale."""

    label: str  # what the page calls it: "IMDb users", "critics", "Metacritic"
    value: float
    count: int | None = None  # how many ratings or reviews it sums up, where known
    counted: str = "ratings"  # what `count` counts: "ratings", "reviews"


@dataclass(frozen=True)
class Rating:
    """The score the answer stands on, and what it is made of."""

    value: float  # the film's score S
    count: int  # our readers' ratings that count
    readers_mean: float | None  # R, their plain mean
    outside: tuple[Evidence, ...] = ()

    @property
    def basis(self) -> str:
        """What the score stands on, in words: "8 of our readers (3.3) and IMDb users (2.8)"."""
        parts = []
        if self.count:
            readers = "1 of our readers" if self.count == 1 else f"{self.count:,} of our readers"
            parts.append(f"{readers} ({self.readers_mean:.1f})")
        parts += [f"{e.label} ({e.value:.1f})" for e in self.outside]
        return and_join(parts) or "no ratings yet"

    @property
    def basis_short(self) -> str:
        """The same for a card: "8 readers + IMDb users"."""
        parts = [f"{self.count:,} reader{'s' if self.count != 1 else ''}"] if self.count else []
        parts += [e.label for e in self.outside]
        return " + ".join(parts)


@dataclass(frozen=True)
class Assessment:
    answer: str  # YES / MAYBE / NO / UNKNOWN
    answer_text: str
    answer_by_editors: bool
    rating: Rating | None
    rating_text: str
    band: Band | None
    band_by_editors: bool
    multiple: float | None
    trade_text: str
    override_reason: str

    @property
    def answer_label(self):
        return {YES: "Yes", MAYBE: "Maybe", NO: "No", UNKNOWN: "Too early to say"}[self.answer]


def exact_multiple(worldwide_gross, budget):
    """Worldwide gross / production budget as an exact Fraction, for banding and display.

    None when either is missing or 0: a budget of 0 divides nothing, and a worldwide gross
    of 0 means no theatrical gross is known (festival and streaming releases), not a loss.
    """
    if not worldwide_gross or not budget or budget < 0 or worldwide_gross < 0:
        return None
    return Fraction(int(worldwide_gross), int(budget))


def box_office_multiple(worldwide_gross, budget):
    """The multiple as stored (Movie.box_office_multiple, indexed for sorting and band
    filters): the largest float not above the exact ratio, so a film just below a band's
    edge is never filed in the band above. None as for `exact_multiple`."""
    ratio = exact_multiple(worldwide_gross, budget)
    if ratio is None:
        return None
    value = float(ratio)
    if Fraction(value) > ratio:
        value = math.nextafter(value, 0.0)
    return value


def _exact(number):
    """A multiple or a band's minimum as a Fraction; floats by their shortest decimal
    (a band minimum of 2.5 or 1.1 is the decimal the editors typed)."""
    if isinstance(number, Fraction | int | Decimal):
        return Fraction(number)
    return Fraction(Decimal(repr(float(number))))


def band_for(multiple, ladder):
    """The band of `ladder` (any order) whose range holds `multiple` (best an exact Fraction
    from `exact_multiple`); None without a multiple."""
    if multiple is None:
        return None
    multiple = Fraction(multiple) if isinstance(multiple, float) else _exact(multiple)
    chosen = None
    for band in sorted(ladder, key=lambda b: b.min_multiple):
        if multiple >= _exact(band.min_multiple):
            chosen = band
    return chosen


def band_range(band, ladder):
    """(low, high) multiples of `band`; high is None for the top band."""
    ordered = sorted(ladder, key=lambda b: b.min_multiple)
    for i, candidate in enumerate(ordered):
        if candidate.slug == band.slug:
            high = ordered[i + 1].min_multiple if i + 1 < len(ordered) else None
            return candidate.min_multiple, high
    raise ValueError(f"{band.slug!r} is not on the ladder")


def ladder_problems(bands):
    """Gaps and overlaps in a proposed ladder of (name, min_multiple, order) triples.

    Returns a list of messages; empty when the ladder is sound: it starts at 0, the
    minimums strictly increase with the order, and no two bands share a name.
    """
    problems = []
    ordered = sorted(bands, key=lambda b: b[2])
    if not ordered:
        return ["The ladder needs at least one band."]
    if ordered[0][1] != 0:
        problems.append(
            f"The lowest band, {ordered[0][0]}, starts at {ordered[0][1]}x: it must start at 0x "
            "or lower multiples fall in a gap with no verdict."
        )
    for below, above in zip(ordered, ordered[1:], strict=False):
        if above[2] == below[2]:
            problems.append(f"{below[0]} and {above[0]} share order {above[2]}.")
        elif above[1] <= below[1]:
            problems.append(
                f"{above[0]} (from {above[1]}x) overlaps {below[0]} (from {below[1]}x): "
                "each band must start above the one below it."
            )
    names = [b[0].casefold() for b in bands]
    if len(set(names)) != len(names):
        problems.append("Two bands share a name.")
    return problems


def outside_consensus(evidence) -> float | None:
    """E: the mean of the outside ratings (each on a 10-point scale), None without any."""
    values = [e.value for e in evidence]
    return sum(values) / len(values) if values else None


def film_score(*, rating_sum, rating_count, outside, outside_weight, site_mean, site_weight):
    """S = (v·R + k·E) / (v + k) with v·R = `rating_sum`, E = `outside`, k = `outside_weight`.

    Without outside evidence the prior is the site mean C with weight m (`site_weight`);
    without that either (no ratings on the site), the readers' plain mean. None when
    there is nothing to go on. Movie.score_expression() is the same rule in SQL.
    """
    if outside is not None:
        return (rating_sum + outside_weight * outside) / (rating_count + outside_weight)
    if not rating_count:
        return None
    if site_mean is None:
        return rating_sum / rating_count
    return (rating_sum + site_weight * site_mean) / (rating_count + site_weight)


#: The film's columns outside_evidence() reads.
OUTSIDE_FIELDS = (
    "external_rating",
    "external_rating_source",
    "external_rating_votes",
    "critics_average",
    "critics_fresh",
    "critics_rotten",
    "metacritic",
)


def outside_evidence(movie):
    """The film's labelled outside ratings, each on a 10-point scale: an outside audience
    rating an editor recorded (e.g. IMDb users), the critics' average, Metacritic / 10."""
    if movie.external_rating is not None:
        yield Evidence(
            label=movie.external_rating_source or "an outside rating",
            value=float(movie.external_rating),
            count=movie.external_rating_votes,
            counted="votes",
        )
    if movie.critics_average is not None:
        reviews = (movie.critics_fresh or 0) + (movie.critics_rotten or 0)
        yield Evidence(
            label="critics",
            value=float(movie.critics_average),
            count=reviews or None,
            counted="reviews",
        )
    if movie.metacritic is not None:
        yield Evidence(label="Metacritic", value=movie.metacritic / 10)


def worth_answer(rating, *, yes_min, maybe_min):
    if rating is None:
        return UNKNOWN
    if rating.value >= yes_min:
        return YES
    if rating.value >= maybe_min:
        return MAYBE
    return NO


MONEY_UNITS = ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K"))


def format_money(amount, currency="USD"):
    """$1.3M, $10.8M, $250M, $950K, $1.2B, $1T; other currencies by symbol or code.

    One decimal below 100 of a unit, whole units above; a value that would round to
    1000 of a unit is written in the next ($999.96M reads $1B, not $1000M).
    """
    if amount is None:
        return ""
    symbols = {"USD": "$", "EUR": "€", "GBP": "£", "CNY": "CN¥", "JPY": "¥", "INR": "₹"}
    prefix = symbols.get(currency, f"{currency} ")
    amount = Decimal(amount)
    for size, suffix in MONEY_UNITS:
        value = amount / size
        if abs(value) >= Decimal("0.9995"):
            text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}".removesuffix(".0")
            return f"{prefix}{text}{suffix}"
    return f"{prefix}{amount:,.0f}"


def format_multiple(multiple, ladder=None):
    """The multiple rounded once to one decimal ("3.7x" for 3.7499996), unless that would
    show a band edge the film does not reach: then two decimals, rounded down ("2.48x",
    "0.99x" for 0.99999), so the figure never contradicts the band beside it.

    `ladder`: the bands whose edges count; the default ladder's when not given.
    """
    ratio = _exact(multiple)
    shown = math.floor(ratio * 10 + Fraction(1, 2))  # tenths, half up
    edges = [_exact(b.min_multiple) for b in ladder] if ladder is not None else DEFAULT_EDGES
    if any(ratio < edge <= Fraction(shown, 10) for edge in edges):
        hundredths = math.floor(ratio * 100)
        return f"{hundredths // 100}.{hundredths % 100:02d}x"
    return f"{shown // 10}.{shown % 10}x"


#: How the answer names a genre's films: "if you enjoy war films, romance and drama".
GENRE_PHRASES = {
    "action": "action films",
    "adventure": "adventure films",
    "biography": "biopics",
    "comedy": "comedies",
    "crime": "crime films",
    "documentary": "documentaries",
    "family": "family films",
    "film-noir": "film noir",
    "horror": "horror films",
    "music": "music films",
    "musical": "musicals",
    "mystery": "mysteries",
    "sci-fi": "science fiction",
    "sport": "sports films",
    "thriller": "thrillers",
    "war": "war films",
    "western": "westerns",
}


def genre_phrase(names):
    """["War", "Romance", "Drama"] -> "war films, romance and drama"."""
    return and_join(GENRE_PHRASES.get(name.casefold(), name.casefold()) for name in names)


def _answer_text(answer, genres, min_ratings, audience_count):
    fans = genre_phrase(genres) or "this kind of film"
    if answer == YES:
        return f"Yes, if you enjoy {fans}."
    if answer == MAYBE:
        return f"Maybe: worth a look if you enjoy {fans}, with reservations."
    if answer == NO:
        return f"Probably not, even if you enjoy {fans}."
    have = f"only {audience_count} so far" if audience_count else "none yet"
    return (
        f"We answer once {min_ratings} readers have rated it ({have}), "
        "and there is no outside rating to go on."
    )


def assess(
    movie,
    ladder,
    *,
    break_even,
    yes_min,
    maybe_min,
    min_ratings,
    band_override=None,
):
    """Everything the verdict page says, from a film's figures.

    `movie` needs: score, rating_count, rating_sum, budget, worldwide_gross, currency,
    the outside ratings (see outside_evidence), answer_override, override_reason and
    leading_genres. `band_override` is the editors' Band, if any.
    """
    # --- the score the answer stands on (stored on the film: Movie.score)
    count = movie.rating_count or 0
    outside = tuple(outside_evidence(movie))
    rating = None
    if movie.score is not None:
        rating = Rating(
            value=movie.score,
            count=count,
            readers_mean=movie.rating_sum / count if count else None,
            outside=outside,
        )
    too_early = rating is None or (not outside and count < min_ratings)
    rating_text = "Not enough ratings yet." if too_early else f"{rating.basis}."

    genres = [genre.name for genre in movie.leading_genres]
    if movie.answer_override:
        answer, by_editors = movie.answer_override, True
    else:
        answer = (
            UNKNOWN if too_early else worth_answer(rating, yes_min=yes_min, maybe_min=maybe_min)
        )
        by_editors = False
    answer_text = _answer_text(answer, genres, min_ratings, count)

    # --- the trade verdict
    ratio = exact_multiple(movie.worldwide_gross, movie.budget)
    multiple = box_office_multiple(movie.worldwide_gross, movie.budget)
    band = band_override or band_for(ratio, ladder)
    if ratio is not None:
        budget = format_money(movie.budget, movie.currency)
        trade_text = (
            f"Grossed {format_multiple(ratio, ladder)} its {budget} budget; "
            f"break-even is about {break_even:g}x."
        )
    elif not movie.budget and not movie.worldwide_gross:
        trade_text = "No trade verdict: neither the budget nor the worldwide gross is known."
    elif not movie.budget:
        trade_text = "No trade verdict: the production budget is not known."
    else:
        trade_text = "No trade verdict: the worldwide gross is not known."

    return Assessment(
        answer=answer,
        answer_text=answer_text,
        answer_by_editors=by_editors,
        rating=rating,
        rating_text=rating_text,
        band=band,
        band_by_editors=band_override is not None,
        multiple=multiple,
        trade_text=trade_text,
        override_reason=movie.override_reason if (by_editors or band_override) else "",
    )


DEFAULT_LADDER = [
    # (name, min multiple, order, tone): the documented default, seeded by a migration.
    ("Disaster", Decimal("0"), 1, "bad"),
    ("Flop", Decimal("0.5"), 2, "bad"),
    ("Below average", Decimal("1"), 3, "bad"),
    ("Average", Decimal("1.5"), 4, "mixed"),
    ("Hit", Decimal("2.5"), 5, "good"),
    ("Super hit", Decimal("4"), 6, "good"),
    ("Blockbuster", Decimal("6"), 7, "good"),
]  #: Band edges for a multiple shown without its ladder (a card's filter): the default's.
DEFAULT_EDGES = [Fraction(minimum) for _, minimum, _, _ in DEFAULT_LADDER]
