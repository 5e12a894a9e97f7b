"""Where to watch: providers and their offers of a film, per country."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django_countries.fields import CountryField

from movies.currencies import currency_for_country
from movies.models.base import CURRENCY_CODE


class Provider(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    logo = models.ImageField(upload_to="providers/", blank=True)
    homepage = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.homepage or reverse("movies:list")


class Availability(models.Model):
    class Kind(models.TextChoices):
        STREAM = "stream", "Subscription"
        FREE = "free", "Free"
        RENT = "rent", "Rent"
        BUY = "buy", "Buy"

    movie = models.ForeignKey(
        "movies.Movie", on_delete=models.CASCADE, related_name="availabilities"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="availabilities")
    country = CountryField(help_text="Where this offer holds: one row per country.")
    kind = models.CharField(max_length=8, choices=Kind)
    link = models.URLField(max_length=500, blank=True)
    price = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    price_currency = models.CharField(
        "currency",
        max_length=3,
        blank=True,
        validators=[CURRENCY_CODE],
        help_text="Left blank, the country's own currency (GBP in the UK, EUR in France).",
    )
    last_checked = models.DateField(default=timezone.localdate)

    class Meta:
        verbose_name_plural = "availabilities"
        ordering = ["country", "kind", "provider"]
        constraints = [
            models.UniqueConstraint(
                fields=["movie", "provider", "country", "kind"],
                name="availability_unique_offer",
                violation_error_message="This offer is already listed.",
            ),
        ]

    def __str__(self):
        return f"{self.movie} on {self.provider} ({self.country}, {self.get_kind_display()})"

    def save(self, *args, **kwargs):
        if not self.price_currency:
            self.price_currency = currency_for_country(self.country)
        super().save(*args, **kwargs)
