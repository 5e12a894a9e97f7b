"""Reads that pages share: the verdict page's reviews block, the weighted rating."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db.models import BooleanField, Case, Count, Q, Sum, Value, When, Window
from django.urls import reverse

from movies import verdicts
from movies.models import Movie
from reviews.models import Review

# How many reviews the verdict page shows before "Read all N reviews".
VERDICT_PAGE_REVIEWS = 3
SITE_MEAN_CACHE_KEY = "reviews:site-mean:v1"
SITE_MEAN_SECONDS = 600


def site_mean() -> float | None:
    """C in the weighted rating: the mean of every published rating on the site.

    Kept in the shared cache for ten minutes (every worker sees the same value);
    it moves slowly, so a few minutes' lag does not matter.
    """
    cached = cache.get(SITE_MEAN_CACHE_KEY)
    if cached is None:
        totals = Movie.objects.published().aggregate(
            count=Sum("rating_count"), total=Sum("rating_sum")
        )
        mean = totals["total"] / totals["count"] if totals["count"] else None
        cached = (mean,)
        cache.set(SITE_MEAN_CACHE_KEY, cached, SITE_MEAN_SECONDS)
    return cached[0]


def weighted_audience_rating(movie: Movie) -> float | None:
    """IMDb's weighted rating for `movie`, pulled towards the site mean when votes are few."""
    mean = movie.raw_audience_mean
    if mean is None:
        return None
    prior = site_mean()
    return verdicts.weighted_rating(
        mean,
        movie.rating_count,
        prior_count=settings.WEIGHTED_RATING_MIN_VOTES,
        prior_mean=mean if prior is None else prior,
    )


def verdict_page_reviews(*, movie: Movie, user) -> dict:
    """The context of templates/includes/reviews_section.html and the rating summary.

    One query, however many reviews the film has: the most helpful published written
    reviews, the reader's own review (sorted first, whatever its status), the reader's
    helpful/report flags and the total of published written reviews (a window count).
    """
    readable = Q(status=Review.Status.PUBLISHED) & ~Q(body="")
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
        "weighted_rating": weighted_audience_rating(movie),
        "site_mean": site_mean() if movie.rating_count else None,
        "weighted_rating_min_votes": settings.WEIGHTED_RATING_MIN_VOTES,
    }
