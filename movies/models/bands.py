"""The trade-verdict ladder: VerdictBand rows, kept in the shared cache."""

from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify

from movies import pagecache, verdicts
from movies.models.base import cached

LADDER_CACHE_KEY = "movies:verdict-ladder:v1"
LADDER_CACHE_SECONDS = 3600


class VerdictBandQuerySet(models.QuerySet):
    def ladder(self):
        """The bands as the verdict rules see them, lowest first.

        Kept in the shared cache (every worker and app server sees the same ladder) and
        dropped whenever an editor saves or deletes a band. Pages that also need the site
        mean read both in one cache round trip: movies.selectors.verdict_inputs().
        """
        return cached(LADDER_CACHE_KEY, LADDER_CACHE_SECONDS, self.uncached_ladder)

    def uncached_ladder(self):
        """The ladder from the database (one query), for whoever fills the cache."""
        return [
            verdicts.Band(
                name=b.name,
                slug=b.slug,
                min_multiple=float(b.min_multiple),
                tone=b.tone,
                pk=b.pk,
            )
            for b in self.order_by("min_multiple")
        ]


def forget_ladder():
    """The ladder changed: every answer on every page may change with it."""
    cache.delete(LADDER_CACHE_KEY)
    pagecache.shared_changed()


class VerdictBand(models.Model):
    """One rung of the trade-verdict ladder: a film whose worldwide gross / budget is at
    least `min_multiple` (and below the next band's) gets this band's name."""

    class Tone(models.TextChoices):
        BAD = "bad", "Bad"
        MIXED = "mixed", "Mixed"
        GOOD = "good", "Good"

    name = models.CharField(max_length=40, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    min_multiple = models.DecimalField(
        "minimum multiple",
        max_digits=6,
        decimal_places=2,
        unique=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Lowest worldwide gross / budget multiple in this band, e.g. 2.50. "
        "The band ends where the next one starts; the lowest band must start at 0.",
    )
    order = models.PositiveSmallIntegerField(unique=True, help_text="1 for the lowest band.")
    tone = models.CharField(
        max_length=8,
        choices=Tone,
        default=Tone.MIXED,
        help_text="Colour of the badge (its text always names the band).",
    )

    objects = VerdictBandQuerySet.as_manager()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(condition=Q(min_multiple__gte=0), name="band_min_not_negative"),
        ]

    def __str__(self):
        return f"{self.name} (from {self.min_multiple}x)"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)
        forget_ladder()

    def get_absolute_url(self):
        return f"{reverse('movies:list')}?band={self.slug}"

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_ladder()
        return result

    def clean(self):
        """Refuses a ladder with a gap or an overlap, judged on the whole proposed ladder."""
        if self.min_multiple is None or self.order is None:
            return
        others = VerdictBand.objects.exclude(pk=self.pk)
        out_of_step = others.filter(
            Q(order__lt=self.order, min_multiple__gte=self.min_multiple)
            | Q(order__gt=self.order, min_multiple__lte=self.min_multiple)
        ).first()
        if out_of_step:
            raise ValidationError(
                {
                    "min_multiple": f"Overlaps “{out_of_step.name}” "
                    f"(from {out_of_step.min_multiple}x, order {out_of_step.order}): "
                    "each band must start above the one below it."
                }
            )
        proposed = [(b.name, b.min_multiple, b.order) for b in others]
        proposed.append((self.name, self.min_multiple, self.order))
        lowest = min(proposed, key=lambda band: band[2])
        if lowest[1] != 0:
            raise ValidationError(
                {
                    "min_multiple": f"The lowest band would be “{lowest[0]}” "
                    f"from {float(lowest[1]):g}x: the ladder must start at 0x, or films below it "
                    "fall in a gap with no verdict."
                }
            )
