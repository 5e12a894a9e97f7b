"""What the catalogue's models share: slugs, the shared-cache helper, publication."""

from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify


class Publication(models.TextChoices):
    """Movie.Status: a film is public once published and its publish time has come."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


CURRENCY_CODE = RegexValidator(
    r"^[A-Z]{3}\Z", "Use a three-letter ISO 4217 currency code in capitals, e.g. USD or EUR."
)


def unique_slug(model, text, *, exclude_pk=None, max_length=80):
    """`slugify(text)`, suffixed -2, -3, ... when another row already has it."""
    base = slug_base(text, max_length)
    taken = model._default_manager.filter(slug__startswith=base)
    if exclude_pk:
        taken = taken.exclude(pk=exclude_pk)
    return next_free_slug(base, set(taken.values_list("slug", flat=True)), max_length)


def slug_base(text, max_length):
    """`slugify(text)` cut to `max_length`, "untitled" when nothing is left."""
    return (slugify(text) or "untitled")[:max_length].strip("-")


def next_free_slug(base, taken, max_length):
    """The first of `base`, `base-2`, `base-3`, ... not in `taken`, cut to `max_length`."""
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base[: max_length - len(str(n)) - 1]}-{n}"
    return slug


def cached(key, seconds, compute, *, found=None):
    """The shared cache's value for `key`; when missing, `compute()`'s, stored for `seconds`.

    `found`: the dict of an earlier cache.get_many() that asked for `key`, so several
    values cost one cache round trip (movies.selectors.verdict_inputs()). A None value
    reads as missing: wrap a value that may be None (the site mean is kept as a 1-tuple).
    """
    value = cache.get(key) if found is None else found.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def published_q(prefix=""):
    """The condition of `MovieQuerySet.published()`, through a relation when `prefix` is
    given: `Person.objects.filter(published_q("credits__movie__"))` joins to the films
    instead of running a subquery per person (the sitemaps rely on it)."""
    return Q(
        **{
            f"{prefix}status": Publication.PUBLISHED,
            f"{prefix}published_at__lte": timezone.now(),
        }
    )
