"""Named reads of the catalogue that pages share: what every answer is measured against.

The trade-verdict ladder and the site mean are films' data, kept in the shared cache so
every worker and app server gives the same answer for the same film.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum

from movies import verdicts
from movies.models import (
    LADDER_CACHE_KEY,
    LADDER_CACHE_SECONDS,
    Genre,
    Movie,
    VerdictBand,
    cached,
)

SITE_MEAN_CACHE_KEY = "movies:site-mean:v1"
SITE_MEAN_SECONDS = 600
FILTER_OPTIONS_CACHE_KEY = "movies:filter-options:v1"
FILTER_OPTIONS_SECONDS = 600


def _compute_site_mean() -> float | None:
    """C in the weighted rating: the mean of every published rating on the site."""
    totals = Movie.objects.published().aggregate(count=Sum("rating_count"), total=Sum("rating_sum"))
    return totals["total"] / totals["count"] if totals["count"] else None


def weighted_audience_rating(movie: Movie, prior: float | None) -> float | None:
    """IMDb's weighted rating for `movie`, pulled towards `prior`, the site mean (read
    once per request by verdict_inputs()), when votes are few."""
    mean = movie.raw_audience_mean
    if mean is None:
        return None
    return verdicts.weighted_rating(
        mean,
        movie.rating_count,
        prior_count=settings.WEIGHTED_RATING_MIN_VOTES,
        prior_mean=mean if prior is None else prior,
    )


@dataclass(frozen=True)
class VerdictInputs:
    """What every answer on a page is measured against: the trade-verdict ladder and the
    site mean of the weighted rating. One per request, so every card, feed item and
    verdict page gives the same answer for the same film."""

    ladder: list
    site_mean: float | None

    def weighted_rating(self, movie: Movie) -> float | None:
        return weighted_audience_rating(movie, self.site_mean)

    def assess(self, movie: Movie):
        """The film's verdict with the reader-facing (weighted) audience rating."""
        return movie.verdict(self.ladder, audience_rating=self.weighted_rating(movie))

    def assess_all(self, movies):
        """Each film's verdict as its verdict page gives it, on `movie.assessment`."""
        for movie in movies:
            movie.assessment = self.assess(movie)
        return movies


def verdict_inputs() -> VerdictInputs:
    """The ladder and the site mean in ONE read of the shared cache (cache.get_many).

    With the default database cache every cache read is an SQL query, so reading them
    separately would cost a query each; with Redis it is one round trip either way.
    A missing value is computed and stored under its own key and lifetime, so
    movies.models.forget_ladder() still drops the ladder alone. The site mean is kept for
    ten minutes (every worker sees the same value; it moves slowly), stored as a 1-tuple
    so that "no ratings yet" (None) is cached too.
    """
    found = cache.get_many([LADDER_CACHE_KEY, SITE_MEAN_CACHE_KEY])
    ladder = cached(
        LADDER_CACHE_KEY, LADDER_CACHE_SECONDS, VerdictBand.objects.uncached_ladder, found=found
    )
    (mean,) = cached(
        SITE_MEAN_CACHE_KEY, SITE_MEAN_SECONDS, lambda: (_compute_site_mean(),), found=found
    )
    return VerdictInputs(ladder=ladder, site_mean=mean)


def list_filter_options() -> dict:
    """What the catalogue's filters offer: the genres that have a public film and the
    decades public films were made in (newest first). From the shared cache (one read);
    computed at most every ten minutes, or after forget_filter_options()."""

    def compute():
        public = Movie.objects.published()
        return {
            "genres": list(Genre.objects.filter(movies__in=public).distinct()),
            "decades": list(public.decades()),
        }

    return cached(FILTER_OPTIONS_CACHE_KEY, FILTER_OPTIONS_SECONDS, compute)


def forget_filter_options() -> None:
    cache.delete(FILTER_OPTIONS_CACHE_KEY)
