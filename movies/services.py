"""Catalogue writes that touch several rows (HackSoft style: keyword-only, atomic, validated)."""

from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone

from movies.models import Movie


@dataclass
class PublishResult:
    published: list = field(default_factory=list)  # now public
    scheduled: list = field(default_factory=list)  # published, public from a future time
    unchanged: list = field(default_factory=list)  # already published


def _locked(movies):
    """The films of `movies` (a queryset), locked for this transaction, in title order."""
    pks = list(movies.values_list("pk", flat=True))
    return Movie.objects.select_for_update().filter(pk__in=pks).order_by("title", "pk")


@transaction.atomic
def publish_movies(*, movies: models.QuerySet) -> PublishResult:
    """Publish `movies`: status Published, and the publish time now unless one is set.

    A film whose publish time is in the future stays scheduled until then.
    """
    now, result = timezone.now(), PublishResult()
    for movie in _locked(movies):
        if movie.status == Movie.Status.PUBLISHED:
            result.unchanged.append(movie)
            continue
        movie.status = Movie.Status.PUBLISHED
        if movie.published_at is None:
            movie.published_at = now
        movie.full_clean()
        movie.save(update_fields=["status", "published_at", "updated_at"])
        (result.scheduled if movie.published_at > now else result.published).append(movie)
    return result


@transaction.atomic
def unpublish_movies(*, movies: models.QuerySet) -> list[Movie]:
    """Make published `movies` drafts again (hidden from readers); returns those changed.

    The publish time is kept, so publishing again restores the original date.
    """
    changed = []
    for movie in _locked(movies):
        if movie.status == Movie.Status.DRAFT:
            continue
        movie.status = Movie.Status.DRAFT
        movie.full_clean()
        movie.save(update_fields=["status", "updated_at"])
        changed.append(movie)
    return changed
