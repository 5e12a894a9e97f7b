"""Writes to a reader's lists and services (keyword-only, atomic, validated)."""

from django.db import transaction

from lists.models import ListEntry, ReaderServices
from movies.models import Movie


@transaction.atomic
def list_entry_add(*, user, movie: Movie, kind: str) -> tuple[ListEntry, bool]:
    """Put `movie` on `user`'s `kind` list; a second add changes nothing (the constraint
    keeps one row however the requests race). Returns (entry, created)."""
    entry = ListEntry(user=user, movie=movie, kind=kind)
    entry.full_clean(exclude=["user", "movie"], validate_constraints=False)
    return ListEntry.objects.get_or_create(user=user, movie=movie, kind=kind)


@transaction.atomic
def list_entry_remove(*, user, movie: Movie, kind: str) -> bool:
    """Take `movie` off `user`'s `kind` list; True when it was there."""
    deleted, _ = ListEntry.objects.filter(user=user, movie=movie, kind=kind).delete()
    return bool(deleted)


@transaction.atomic
def reader_services_save(*, user, country: str, providers) -> ReaderServices:
    services, _ = ReaderServices.objects.get_or_create(user=user)
    services.country = country
    services.full_clean(exclude=["user"])
    services.save()
    services.providers.set(providers)
    return services
