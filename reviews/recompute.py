"""Recomputing films' rating aggregates from their reviews: the check behind
`manage.py recompute_ratings` (the aggregate's rule is in reviews/services.py)."""

import math
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, Sum

from movies import pagecache
from movies.models import Movie
from movies.selectors import site_mean
from reviews.models import Review

AGGREGATE_FIELDS = ["rating_count", "rating_sum", *Movie.RATING_FIELDS]


MEAN_TOLERANCE = 1e-9  # audience_rating is a float: compare it with a tolerance


def _same(name: str, stored, computed) -> bool:
    if name != "audience_rating" or stored is None or computed is None:
        return stored == computed
    return math.isclose(stored, computed, rel_tol=MEAN_TOLERANCE, abs_tol=MEAN_TOLERANCE)


@dataclass(frozen=True)
class AggregateDifference:
    movie: Movie
    stored: dict
    computed: dict

    @property
    def fields(self) -> list[str]:
        return [
            name for name in self.stored if not _same(name, self.stored[name], self.computed[name])
        ]

    def describe(self) -> str:
        changes = [f"{name} {self.stored[name]} -> {self.computed[name]}" for name in self.fields]
        return f"{self.movie} [{self.movie.pk}]: " + ", ".join(changes)


def _computed_aggregates(movie_ids=None) -> dict[int, dict]:
    reviews = Review.objects.counted()
    if movie_ids is not None:
        reviews = reviews.filter(movie_id__in=movie_ids)
    rows = reviews.values("movie_id").annotate(
        rating_count=Count("pk"),
        rating_sum=Sum("rating"),
        **{f"rating_{n}": Count("pk", filter=Q(rating=n)) for n in range(1, 11)},
    )
    return {row.pop("movie_id"): row for row in rows}


def _zero() -> dict:
    return dict.fromkeys(AGGREGATE_FIELDS, 0)


def _with_mean(values: dict) -> dict:
    count = values["rating_count"]
    return {**values, "audience_rating": values["rating_sum"] / count if count else None}


def ratings_differences() -> list[AggregateDifference]:
    """Films whose stored aggregate (counters, histogram and the mean `audience_rating`)
    differs from the one their reviews give (a read)."""
    computed = _computed_aggregates()
    fields = [*AGGREGATE_FIELDS, "audience_rating"]
    differences = []
    for movie in Movie.objects.only("pk", "title", "year", *fields).order_by("pk"):
        stored = {name: getattr(movie, name) for name in fields}
        difference = AggregateDifference(movie, stored, _with_mean(computed.get(movie.pk, _zero())))
        if difference.fields:
            differences.append(difference)
    return differences


def ratings_recompute() -> list[AggregateDifference]:
    """Rewrite every differing film's aggregate from its reviews; returns what was fixed.

    Each film is fixed in its own transaction with the film row locked, so a review
    written meanwhile either is counted here or adds its F() delta after: none is lost.
    """
    fixed = []
    for difference in ratings_differences():
        with transaction.atomic():
            movie = Movie.objects.select_for_update().filter(pk=difference.movie.pk).first()
            if movie is None:
                continue
            values = _with_mean(_computed_aggregates([movie.pk]).get(movie.pk, _zero()))
            Movie.objects.filter(pk=movie.pk).update(**values)
            Movie.objects.filter(pk=movie.pk).refresh_scores(site_mean=site_mean())
            fixed.append(difference)
    pagecache.film_ids_changed([d.movie.pk for d in fixed], cards=True)
    return fixed
