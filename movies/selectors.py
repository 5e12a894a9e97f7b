"""Named reads of the catalogue that pages share: what every answer is measured against.

The trade-verdict ladder and the site mean are films' data, kept in the shared cache so
every worker and app server gives the same answer for the same film.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone
from reversion.models import Version

from movies.models import (
    Genre,
    Movie,
    VerdictBand,
    cached,
)

SITE_MEAN_CACHE_KEY = "movies:site-mean:v1"
SITE_MEAN_SECONDS = 600
FILTER_OPTIONS_CACHE_KEY = "movies:filter-options:v1"
FILTER_OPTIONS_SECONDS = 600
#: Where each sitemap page starts (movies.sitemaps.KeyRangePaginator), per section.
SITEMAP_PAGES_CACHE_KEY = "movies:sitemap-pages:v2:{}"
SITEMAP_PAGES_SECONDS = 600


def _compute_site_mean() -> float | None:
    """C, the prior of films without outside evidence: the mean of every counted rating
    of a published film."""
    totals = Movie.objects.published().aggregate(count=Sum("rating_count"), total=Sum("rating_sum"))
    return totals["total"] / totals["count"] if totals["count"] else None


def site_mean(*, fresh: bool = False) -> float | None:
    """The site mean from the shared cache (kept ten minutes: it moves slowly, and every
    worker must use the same value), or recomputed and stored when `fresh`. Kept as a
    1-tuple so that "no ratings yet" (None) is cached too."""
    if fresh:
        cache.delete(SITE_MEAN_CACHE_KEY)
    (mean,) = cached(SITE_MEAN_CACHE_KEY, SITE_MEAN_SECONDS, lambda: (_compute_site_mean(),))
    return mean


@dataclass(frozen=True)
class VerdictInputs:
    """What every answer on a page is measured against besides the film's own figures:
    the trade-verdict ladder. One per request, so every card, feed item and verdict page
    gives the same answer for the same film (the score is stored on the film)."""

    ladder: list

    def assess(self, movie: Movie):
        return movie.verdict(self.ladder)

    def assess_all(self, movies):
        """Each film's verdict as its verdict page gives it, on `movie.assessment`."""
        for movie in movies:
            movie.assessment = self.assess(movie)
        return movies


def verdict_inputs() -> VerdictInputs:
    """The ladder from the shared cache: one read (no SQL on Redis, one query on the
    database cache)."""
    return VerdictInputs(ladder=VerdictBand.objects.ladder())


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
    """After a film's save or publication: the filters it may add to, and the sitemap
    pages it may join."""
    cache.delete_many(
        [FILTER_OPTIONS_CACHE_KEY]
        + [SITEMAP_PAGES_CACHE_KEY.format(section) for section in ("films", "people", "genres")]
    )


#: Offers older than this are due a check (the work queue, the film list's filter).
OFFER_CHECK_DAYS = 90


def stale_offers_cutoff():
    return timezone.localdate() - datetime.timedelta(days=OFFER_CHECK_DAYS)


def scheduled_this_week_q(prefix=""):
    """Drafts of changes (MovieDraft, through `prefix`) scheduled from now to a week ahead."""
    now = timezone.now()
    return Q(
        **{
            f"{prefix}publish_at__gte": now,
            f"{prefix}publish_at__lt": now + datetime.timedelta(days=7),
        }
    )


@dataclass
class CatalogueQueue:
    missing_budget: int
    missing_gross: int
    missing_poster: int
    missing_synopsis: int
    drafts: int
    scheduled: int
    drafts_of_live: int  # films with a pending draft of a change (MovieDraft)
    changes_this_week: int  # drafts scheduled from now to seven days ahead
    stale_offers: int  # films with an offer not checked for OFFER_CHECK_DAYS
    changes_by_others: list  # reversion Versions of films, newest first


def work_queue(*, user, changes: int = 8) -> CatalogueQueue:
    """What the catalogue needs from editors, for the admin's front page: three queries
    whatever the catalogue's size."""
    counts = Movie.objects.aggregate(
        missing_budget=Count("pk", filter=Q(budget__isnull=True)),
        missing_gross=Count("pk", filter=Q(worldwide_gross__isnull=True)),
        missing_poster=Count("pk", filter=Q(poster="")),
        missing_synopsis=Count("pk", filter=Q(synopsis="")),
        drafts=Count("pk", filter=Q(status=Movie.Status.DRAFT)),
        scheduled=Count(
            "pk", filter=Q(status=Movie.Status.PUBLISHED, published_at__gt=timezone.now())
        ),
        # The one-to-one join adds no rows: still one query for every count.
        drafts_of_live=Count("draft"),
        changes_this_week=Count("draft", filter=scheduled_this_week_q("draft__")),
    )
    stale = (
        Movie.objects.filter(availabilities__last_checked__lt=stale_offers_cutoff())
        .values("pk")
        .distinct()
        .count()
    )
    others = (
        Version.objects.filter(content_type=ContentType.objects.get_for_model(Movie))
        .exclude(revision__user=user)
        .select_related("revision__user")
        .order_by("-revision__date_created", "-pk")[:changes]
    )
    return CatalogueQueue(**counts, stale_offers=stale, changes_by_others=list(others))
