"""More like this: which public films resemble a film, and the same director's other films.

The affinity of a candidate to a film (higher is closer), computed in SQL per film:
    3 per shared director + 1 per shared genre + 1 per shared lead cast member (billed in
    the top five) + 1 within 5 years (0.5 within 15) + its score / 10.
Only films sharing a genre, a director or a lead are candidates. The best
`NEIGHBOURS_KEPT` are stored as SimilarFilm rows; a page shows the best `SHELF_SIZE` of
those still public, best-scored first.
"""

from django.db import models
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce

from movies.models import Credit, Movie, SimilarFilm, published_q

SHELF_SIZE = 8
# Kept beyond the shelf so that films drafted since the last rebuild leave spares.
NEIGHBOURS_KEPT = 16
LEAD_BILLING = 5

DIRECTOR_WEIGHT = 3.0
GENRE_WEIGHT = 1.0
CAST_WEIGHT = 1.0


def neighbours(movie: Movie, *, limit: int = NEIGHBOURS_KEPT) -> list[tuple[int, float]]:
    """[(film id, affinity), ...] of the public films most like `movie`, closest first."""
    genre_ids = list(movie.genres.values_list("pk", flat=True))
    people = Credit.objects.filter(movie=movie).filter(
        Q(role=Credit.Role.DIRECTOR) | Q(role=Credit.Role.CAST, billing_order__lte=LEAD_BILLING)
    )
    people = list(people.values_list("person_id", "role"))
    director_ids = [pk for pk, role in people if role == Credit.Role.DIRECTOR]
    lead_ids = [pk for pk, role in people if role == Credit.Role.CAST]
    if not (genre_ids or director_ids or lead_ids):
        return []
    related = Q(genres__in=genre_ids) | Q(credits__person__in=director_ids + lead_ids)
    # A term whose id list is empty is left out: an IN () would empty the whole sum.
    affinity = Case(
        When(Q(year__gte=movie.year - 5, year__lte=movie.year + 5), then=Value(1.0)),
        When(Q(year__gte=movie.year - 15, year__lte=movie.year + 15), then=Value(0.5)),
        default=Value(0.0),
    ) + Coalesce(F("score"), Value(0.0)) / Value(10.0)
    if director_ids:
        affinity += Value(DIRECTOR_WEIGHT) * Count(
            "credits__person",
            filter=Q(credits__role=Credit.Role.DIRECTOR, credits__person__in=director_ids),
            distinct=True,
        )
    if genre_ids:
        affinity += Value(GENRE_WEIGHT) * Count(
            "genres", filter=Q(genres__in=genre_ids), distinct=True
        )
    if lead_ids:
        affinity += Value(CAST_WEIGHT) * Count(
            "credits__person",
            filter=Q(
                credits__role=Credit.Role.CAST,
                credits__billing_order__lte=LEAD_BILLING,
                credits__person__in=lead_ids,
            ),
            distinct=True,
        )
    rows = (
        Movie.objects.published()
        .filter(related)
        .exclude(pk=movie.pk)
        .values("pk")
        .annotate(affinity=models.ExpressionWrapper(affinity, output_field=models.FloatField()))
        .order_by("-affinity", F("score").desc(nulls_last=True), "pk")
        .values_list("pk", "affinity")[:limit]
    )
    return list(rows)


def shelf(movie: Movie, *, size: int = SHELF_SIZE) -> list[Movie]:
    """The verdict page's "More like this": the stored neighbours still public, the closest
    `size` of them, best-scored first. One query; the caller prefetches genres for cards."""
    closest = (
        Movie.objects.filter(
            pk__in=SimilarFilm.objects.filter(movie=movie)
            .filter(published_q("similar__"))
            .order_by("-affinity")
            .values("similar_id")[:size]
        )
        .for_cards()
        .prefetch_related(None)
        .by_rating()
    )
    return list(closest)


def more_from_directors(movie: Movie, directors, *, size: int = SHELF_SIZE) -> list[Movie]:
    """The public films of `movie`'s directors (their Person rows), best-scored first."""
    if not directors:
        return []
    return list(
        Movie.objects.published()
        .filter(
            pk__in=Credit.objects.filter(
                role=Credit.Role.DIRECTOR, person__in=[p.pk for p in directors]
            ).values("movie_id")
        )
        .exclude(pk=movie.pk)
        .for_cards()
        .prefetch_related(None)
        .by_rating()[:size]
    )
