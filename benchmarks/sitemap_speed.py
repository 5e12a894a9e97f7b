"""Sitemap speed: the index and each section's pages with the real catalogue on SQLite.

Imports bokeh-sampledata (17,472 published films, about 59,000 people) into a fresh SQLite
database, then times /sitemap.xml and the first and last page of every section through
Django's test client (whole responses: queries and XML). Baseline, measured in the same run:
the people section's earlier shape, a correlated EXISTS and a lastmod subquery per person,
on the first `--baseline-people` people (the whole table takes minutes a page), against the
join-and-group queryset on the same people. Prints medians, the ratio and the machine.

    .venv/bin/python benchmarks/sitemap_speed.py [--repeat 5] [--baseline-people 2000]
"""

import argparse
import math
import tempfile
from pathlib import Path

from _setup import django_on, machine, median, pages_as_served, timings


def old_people(people):
    """The people section before: EXISTS and a subquery per person (what it avoids)."""
    from django.db.models import Exists, OuterRef

    from movies.models import Credit, Movie

    def public_credits(**outer):
        return Credit.objects.filter(movie__in=Movie.objects.published(), **outer)

    return (
        people.filter(Exists(public_credits(person=OuterRef("pk"))))
        .annotate(
            last_film_update=public_credits(person=OuterRef("pk"))
            .order_by("-movie__updated_at")
            .values("movie__updated_at")[:1]
        )
        .only("slug")
        .order_by("pk")
    )


def timed(run, repeat):
    """The median seconds of `repeat` calls of `run`."""
    return median(timings(run, repeat))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-people", type=int, default=2000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        django_on(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        from django.test import Client

        from movies import importing, sitemaps
        from movies.models import Movie, Person

        print(machine())
        records, _ = importing.parse_rows(importing.read_bokeh_sampledata())
        importing.import_records(records, publish=True)
        people = sitemaps.PersonSitemap().items().count()
        print(
            f"{Movie.objects.published().count():,} published films, {people:,} of "
            f"{Person.objects.count():,} people with a public film."
        )

        client = Client()
        sections = {
            "films": Movie.objects.published().count(),
            "people": people,
            "genres": sitemaps.GenreSitemap().items().count(),
        }
        urls = ["/sitemap.xml"]
        for section, count in sections.items():
            pages = max(1, math.ceil(count / sitemaps.SITEMAP_PAGE_SIZE))
            urls += [f"/sitemap-{section}.xml"] + (
                [f"/sitemap-{section}.xml?p={pages}"] * (pages > 1)
            )

        def fetch(url):
            assert client.get(url).status_code == 200, url

        print(f"\n{'page':<28}{'median ms':>11}")
        worst = 0.0
        with pages_as_served():
            for url in urls:
                took = timed(lambda url=url: fetch(url), args.repeat) * 1000
                worst = max(worst, took)
                print(f"{url:<28}{took:>11.1f}")

        first = Person.objects.order_by("pk").values_list("pk", flat=True)[args.baseline_people - 1]
        some = Person.objects.filter(pk__lte=first)

        def evaluate(queryset):
            # .all(): a fresh queryset each time, not the first run's cached rows.
            return lambda: (queryset.all().count(), list(queryset.all()))

        joined = sitemaps.PersonSitemap().items().filter(pk__lte=first)
        new = timed(evaluate(joined), args.repeat)
        old = timed(evaluate(old_people(some)), min(args.repeat, 2))
        print(
            f"\nPeople section on the first {args.baseline_people:,} people (count and rows): "
            f"join and group {new * 1000:.1f} ms, baseline EXISTS + subquery per person "
            f"{old * 1000:.1f} ms. Ratio (baseline / join): {old / new:.0f}x."
        )
        print(
            f"Slowest sitemap page: {worst:.0f} ms; target under 1,000 ms: "
            f"{'met' if worst < 1000 else 'MISSED'}."
        )


if __name__ == "__main__":
    main()
