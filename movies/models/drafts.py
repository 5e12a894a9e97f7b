"""Drafts of changes to films: a change saved for later, previewed, published or scheduled
(movies.drafts builds and applies them; movies.services publishes them)."""

from django.conf import settings
from django.db import models

from movies.models.films import Movie


class MovieDraft(models.Model):
    """A change to a film kept aside: the public keeps the live film until it is published.

    One per film. `data` is the film as the draft would make it, with its genres and
    inline rows, in Django's serialization (movies.drafts); `form_data` is the editor's
    form as submitted, so the change form reopens filled from the draft.
    """

    movie = models.OneToOneField(Movie, on_delete=models.CASCADE, related_name="draft")
    data = models.JSONField(help_text="The film, its genres and inline rows as the draft has them.")
    form_data = models.JSONField(help_text="The change form as the editor last saved it.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    base_version = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="The film's latest version when the draft was started: if the film has "
        "another since, publishing asks the editor to confirm.",
    )
    publish_at = models.DateTimeField(
        "publish at",
        null=True,
        blank=True,
        db_index=True,
        help_text="When manage.py publish_scheduled publishes the draft; empty: not scheduled.",
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    problem = models.TextField(
        blank=True,
        help_text="Why the scheduled publication was refused; the schedule waits for an editor.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "draft of a film"

    def __str__(self):
        return f"Draft of {self.movie}"

    def get_absolute_url(self):
        """The draft's preview, at the film's public address (staff only)."""
        return f"{self.movie.get_absolute_url()}?preview=draft"
