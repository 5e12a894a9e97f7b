"""A reader's own lists (watchlist, seen) and the streaming services they have.

Private to the reader: no page shows another reader's entries.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django_countries.fields import CountryField

from movies.models import Movie, Provider


class ListEntry(models.Model):
    class Kind(models.TextChoices):
        WATCHLIST = "watchlist", "Watchlist"
        SEEN = "seen", "Seen"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_entries"
    )
    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "list entry"
        verbose_name_plural = "list entries"
        ordering = ["-added_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "movie"],
                name="list_entry_once_per_list",
                violation_error_message="This film is already on this list.",
            ),
        ]
        indexes = [models.Index(fields=["user", "kind", "-added_at"], name="list_entry_recent")]

    def __str__(self):
        return f"{self.movie} on {self.user}'s {self.get_kind_display().lower()}"

    def get_absolute_url(self):
        return self.movie.get_absolute_url()


class ReaderServices(models.Model):
    """The streaming services a reader has, and the country they watch in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="streaming_services"
    )
    country = CountryField(blank=True, help_text="Where the reader watches; offers differ.")
    providers = models.ManyToManyField(Provider, blank=True, related_name="+")

    class Meta:
        verbose_name = "reader's services"
        verbose_name_plural = "readers' services"

    def __str__(self):
        return f"{self.user}'s services"

    def get_absolute_url(self):
        return reverse("lists:services")
