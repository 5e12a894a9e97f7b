"""Delete uploads that no row names any more, once they are old enough.

    manage.py prune_media [--older-than SECONDS] [--dry-run]

With `MEDIA_DELETE_REPLACED_AFTER` above 0 (the default for a shared bucket), replacing
or clearing a poster leaves the old files in place: pages in the shared cache, a CDN or a
reader's open tab still link them. Run this from cron (daily) to delete them once they
are older than that; it only looks in the folders uploads are written to, and never
deletes a file a film, person or provider names.
"""

import datetime

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from movies import images

#: Younger files are never deleted: one may be an upload whose row is not committed yet.
MIN_AGE = 60


def upload_fields():
    """(model, field name) of every upload field and rendition (movies.images.UPLOADS)."""
    for (label, field_name), spec in images.UPLOADS.items():
        model = apps.get_model(label)
        for name in (field_name, *spec.renditions):
            yield model, name


def referenced_names():
    names = set()
    for model, field in upload_fields():
        names.update(model._default_manager.exclude(**{field: ""}).values_list(field, flat=True))
    return names


def upload_folders():
    return sorted(
        {model._meta.get_field(field).upload_to.rstrip("/") for model, field in upload_fields()}
    )


class Command(BaseCommand):
    help = "Delete uploaded files no row names, older than --older-than seconds."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="Seconds; default MEDIA_DELETE_REPLACED_AFTER (or a day when that is 0).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List, delete nothing.")

    def handle(self, *, older_than, dry_run, **options):
        if older_than is None:
            older_than = settings.MEDIA_DELETE_REPLACED_AFTER or 86400
        if older_than < MIN_AGE:
            raise CommandError(f"--older-than must be at least {MIN_AGE} seconds")
        cutoff = timezone.now() - datetime.timedelta(seconds=older_than)
        # Names first, files second: a file written after this read is younger than the
        # cutoff, so it is never taken for an orphan.
        keep = referenced_names()
        deleted = kept_young = 0
        for folder in upload_folders():
            try:
                _, files = default_storage.listdir(folder)
            except FileNotFoundError:
                continue
            for file in files:
                name = f"{folder}/{file}"
                if name in keep:
                    continue
                if default_storage.get_modified_time(name) > cutoff:
                    kept_young += 1
                    continue
                if not dry_run:
                    default_storage.delete(name)
                deleted += 1
                self.stdout.write(f"{'would delete' if dry_run else 'deleted'} {name}")
        self.stdout.write(
            f"{deleted} unreferenced file(s) {'to delete' if dry_run else 'deleted'}, "
            f"{kept_young} younger than {older_than} s kept."
        )
