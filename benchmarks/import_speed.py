"""Import speed: the real bokeh-sampledata file (17,472 films) into a fresh SQLite database.

Baseline, measured in the same run: the obvious per-row ORM import (save() per film,
get_or_create per genre and person, one create per credit) on the first films, extrapolated
to the whole file. Prints both, the ratio, the re-run time and the machine.

    .venv/bin/python benchmarks/import_speed.py [--baseline-films 300]
"""

import argparse
import tempfile
import time
from pathlib import Path

from _setup import django_on, machine


def naive_import(records):
    """One query (or several) per row and field: what the importer avoids."""
    from movies.models import Credit, Genre, Movie, Person

    for record in records:
        fields = {k: v for k, v in record.fields.items() if k != "external_id"}
        movie = Movie(external_id=record.external_id, **fields)
        movie.save()
        movie.genres.set([Genre.objects.get_or_create(name=name)[0] for name in record.genres])
        for role, names in (
            (Credit.Role.DIRECTOR, record.directors),
            (Credit.Role.CAST, record.cast),
        ):
            for name in names:
                person = Person.objects.filter(name=name).first() or Person.objects.create(
                    name=name
                )
                Credit.objects.get_or_create(movie=movie, person=person, role=role)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-films", type=int, default=300)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        django_on(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        from movies import importing
        from movies.models import Genre, Movie, Person

        print(machine())
        started = time.perf_counter()
        records, errors = importing.parse_rows(importing.read_bokeh_sampledata())
        parsed = time.perf_counter() - started
        print(
            f"Read and validated {len(records):,} films in {parsed:.1f} s ({len(errors)} bad rows)."
        )

        sample = records[: args.baseline_films]
        started = time.perf_counter()
        naive_import(sample)
        naive = time.perf_counter() - started
        naive_total = naive / len(sample) * len(records)
        print(
            f"Baseline, per-row ORM: {len(sample)} films in {naive:.1f} s, "
            f"about {naive_total:.0f} s for all {len(records):,}."
        )
        Movie.objects.all().delete()
        Person.objects.all().delete()
        Genre.objects.all().delete()

        started = time.perf_counter()
        result = importing.import_records(records, publish=True)
        written = time.perf_counter() - started
        total = parsed + written
        print(
            f"Bulk import: {result.summary()} in {total:.1f} s "
            f"(read and validate {parsed:.1f} s, write {written:.1f} s)."
        )

        started = time.perf_counter()
        records, _ = importing.parse_rows(importing.read_bokeh_sampledata())
        again = importing.import_records(records, publish=True)
        rerun = time.perf_counter() - started
        print(f"Second run: {again.summary()} in {rerun:.1f} s.")
        print(
            f"Ratio: the bulk import is {naive_total / total:.1f}x faster than the baseline; "
            f"target is under 60 s: {'met' if total < 60 else 'MISSED'}."
        )


if __name__ == "__main__":
    main()
