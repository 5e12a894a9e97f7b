"""Reads that pages share: the verdict page's reviews block, the weighted rating."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import BooleanField, Case, Count, Q, Sum, Value, When, Window
from django.urls import reverse

from movies import verdicts
from movies.models import LADDER_CACHE_KEY, LADDER_CACHE_SECONDS, Movie, VerdictBand, cached
from reviews.models import Review, readable_q

# How many reviews the verdict page shows before "Read all N reviews".
VERDICT_PAGE_REVIEWS = 3
SITE_MEAN_CACHE_KEY = "reviews:site-mean:v1"
SITE_MEAN_SECONDS = 600


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


def verdict_page_reviews(*, movie: Movie, user, inputs: VerdictInputs) -> dict:
    """The context of templates/includes/reviews_section.html and the rating summary.

    One query, however many reviews the film has: the most helpful published written
    reviews, the reader's own review (sorted first, whatever its status), the reader's
    helpful/report flags and the total of published written reviews (a window count).
    `inputs` is the request's verdict_inputs(), read from the cache once.
    """
    readable = readable_q()
    reviews = Review.objects.filter(movie=movie).select_related("user")
    if user.is_authenticated:
        reviews = reviews.filter(readable | Q(user=user)).annotate(
            is_own=Case(
                When(user=user, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
    else:
        reviews = reviews.filter(readable).annotate(
            is_own=Value(False, output_field=BooleanField())
        )
    rows = list(
        reviews.with_reader_flags(user)
        .annotate(written_total=Window(Count("pk", filter=readable)))
        .order_by("-is_own", "-helpful_count", "-created_at", "-pk")[: VERDICT_PAGE_REVIEWS + 1]
    )
    own = rows[0] if rows and rows[0].is_own else None
    others = [r for r in rows if not r.is_own][:VERDICT_PAGE_REVIEWS]
    return {
        "reviews_preview": others,
        "own_review": own,
        "review_total": rows[0].written_total if rows else 0,
        "reviews_url": reverse("reviews:list", args=[movie.slug]),
        "review_form_url": reverse("reviews:edit", args=[movie.slug]),
        "weighted_rating": inputs.weighted_rating(movie),
    }
