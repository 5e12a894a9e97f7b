"""The lock a running import holds (movies.importing.lock), and the admin's imports."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone


class ImportLock(models.Model):
    """Held by the import that is writing, so a second one stops instead of interleaving
    (movies.importing.lock; PostgreSQL uses an advisory lock instead)."""

    name = models.CharField(max_length=40, primary_key=True)
    holder = models.CharField(max_length=200, help_text="Which process holds it, and where.")
    started_at = models.DateTimeField()

    class Meta:
        verbose_name = "import lock"

    def __str__(self):
        return f"{self.name}: {self.holder} since {self.started_at:%Y-%m-%d %H:%M}"


class ImportJob(models.Model):
    """A file uploaded on the admin's import screen: its dry run, then the import itself,
    at once or as a background task (movies.importing.jobs, docs/importing.md).

    The file is kept in the row, so whichever app server or worker runs the import reads it.
    """

    class State(models.TextChoices):
        CHECKING = "checking", "Checking the file (dry run)"
        CHECKED = "checked", "Checked, waiting for confirmation"
        QUEUED = "queued", "Waiting for the background worker"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Stopped by an error"
        CANCELLED = "cancelled", "Cancelled"

    file_name = models.CharField(max_length=255)
    data = models.BinaryField(help_text="The uploaded file, as it came.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    publish = models.BooleanField(
        default=False, help_text="New films go live at once; existing films keep their status."
    )
    new_only = models.BooleanField(
        default=False, help_text="Only add films the catalogue does not have yet."
    )
    state = models.CharField(max_length=20, choices=State, default=State.CHECKED)
    total = models.PositiveIntegerField(default=0, help_text="Valid rows to import.")
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField("created", default=0)
    updated_count = models.PositiveIntegerField("updated", default=0)
    unchanged_count = models.PositiveIntegerField("unchanged", default=0)
    failed_count = models.PositiveIntegerField("failed", default=0)
    summary = models.JSONField(
        default=dict, blank=True, help_text="The dry run's and the import's summaries."
    )
    errors = models.JSONField(
        default=list, blank=True, help_text="Failed rows: [where, reason], the first ones."
    )
    message = models.TextField(blank=True, help_text="Why the import stopped or waits.")
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "film import"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_done__lte=models.F("total")),
                name="importjob_progress_within_total",
            )
        ]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("admin:movies_importjob_change", args=[self.pk])

    @property
    def in_progress(self):
        return self.state in {self.State.CHECKING, self.State.QUEUED, self.State.RUNNING}

    @property
    def percent_done(self):
        return round(100 * self.rows_done / self.total) if self.total else 100
