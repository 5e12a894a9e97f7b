"""manage.py import_movies FILE | --from bokeh-sampledata [--publish] [--dry-run]"""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from movies import importing

SOURCES = {"bokeh-sampledata": importing.read_bokeh_sampledata}


class Command(BaseCommand):
    help = (
        "Import films from a CSV or JSON Lines file in the documented format "
        "(docs/importing.md), or from a known open dataset with --from. Re-running updates "
        "films instead of duplicating them (matched on external id, else title and year)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            nargs="?",
            help="A .csv or .jsonl file; with --from, the dataset's file if not the installed one.",
        )
        parser.add_argument(
            "--from",
            dest="source",
            choices=sorted(SOURCES),
            help="Import a known dataset instead of a file in our format.",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish new films at once (default: new films are drafts). "
            "Existing films keep their status.",
        )
        parser.add_argument(
            "--new-only",
            action="store_true",
            help="Only add films that are not in the catalogue yet; leave existing ones "
            "untouched (e.g. films editors have curated).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change and write nothing."
        )
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Films per transaction (default 1000)."
        )

    def handle(
        self,
        *args,
        file=None,
        source=None,
        publish=False,
        dry_run=False,
        new_only=False,
        batch_size=1000,
        verbosity=1,
        **options,
    ):
        if not file and not source:
            raise CommandError("Give a file to import, or --from bokeh-sampledata.")
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        started = time.perf_counter()
        try:
            rows = SOURCES[source](file) if source else importing.read_path(file)
            records, errors = importing.parse_rows(rows)
        except importing.ImportFileError as exc:
            raise CommandError(str(exc)) from None

        show = verbosity > 0 and sys.stderr.isatty()
        with tqdm(
            total=len(records),
            unit=" films",
            disable=not show,
            file=sys.stderr,
            desc="Importing" if not dry_run else "Checking",
        ) as bar:
            try:
                result = importing.import_records(
                    records,
                    publish=publish,
                    dry_run=dry_run,
                    new_only=new_only,
                    batch_size=batch_size,
                    progress=bar.update,
                    source=source or Path(file).name,
                )
            except importing.ImportBusy as exc:
                raise CommandError(str(exc)) from None

        failures = [(e.where, "; ".join(e.reasons)) for e in errors] + result.failed
        for where, reason in failures:
            self.stderr.write(f"{where}: {reason}")
        if verbosity > 0:
            for where, doubt in result.warnings:
                self.stdout.write(f"{where}: warning: {doubt}")
        elapsed = time.perf_counter() - started
        prefix = "Dry run, nothing written: " if dry_run else ""
        result.failed = failures
        if verbosity > 0:
            self.stdout.write(f"{prefix}{result.summary()} ({elapsed:.1f} s).")
        if failures:
            raise CommandError(
                f"{len(failures):,} row{'s' if len(failures) != 1 else ''} failed; "
                "the others were " + ("checked." if dry_run else "imported.")
            )
