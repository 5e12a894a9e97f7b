"""The lock a running import holds (movies.importing.lock)."""

from django.db import models


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
