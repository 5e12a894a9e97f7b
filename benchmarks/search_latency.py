"""Search latency on PostgreSQL with the real catalogue (17,472 published films).

Times the whole /search/ page (every query, the template) for typical searches: exact
titles, people, typos, a common word. Baseline, measured in the same run on the same
database: the LIKE fallback used on SQLite (SimpleSearch), which scans instead of using
the search vector and trigram indexes. Prints medians, p95, the ratio and the machine.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ww_search_bench \\
        .venv/bin/python benchmarks/search_latency.py [--repeat 20]
"""

import argparse
import os
import sys

from _setup import django_on, machine, median, pages_as_served, percentile, timings

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ww_search_bench"
QUERIES = [
    "Casablanca",
    "The Godfather",
    "alien",
    "dark knight",  # titles
    "tom hanks",
    "meryl streep",
    "kurosawa",  # people
    "godfater",
    "casablanka",
    "shawshank redemtion",  # typos
    "the",
    "love",
    "amelie",  # common words, accents
]


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        sys.exit(f"Search benchmark skipped: PostgreSQL is not reachable at {admin} ({exc}).")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("BENCH_DATABASE_URL must point at PostgreSQL.")
    ensure_database(url)
    django_on(url)

    from django.test import Client

    from movies import importing, search
    from movies.models import Movie

    print(machine())
    if Movie.objects.published().count() < 17_000:
        print("Importing bokeh-sampledata (once per benchmark database)...")
        records, _ = importing.parse_rows(importing.read_bokeh_sampledata())
        importing.import_records(records, publish=True)
    print(f"{Movie.objects.published().count():,} published films.")

    client = Client()

    def fetch(q):
        assert client.get("/search/", {"q": q}).status_code == 200, q

    def per_query(make_backend):
        original = search.backend
        search.backend = lambda using=None: make_backend()
        try:
            return {
                q: (
                    [s * 1000 for s in timings(lambda q=q: fetch(q), args.repeat)],
                    make_backend().films(search.Query.parse(q)).count(),
                )
                for q in QUERIES
            }
        finally:
            search.backend = original

    with pages_as_served():
        indexed = per_query(search.PostgresSearch)
        baseline = per_query(search.SimpleSearch)

    print(f"\n{'query':<22}{'films':>7}{'median ms':>11}{'p95 ms':>9}{'LIKE median':>13}")
    for q in QUERIES:
        samples, count = indexed[q]
        print(
            f"{q:<22}{count:>7,}{median(samples):>11.1f}{percentile(samples, 0.95):>9.1f}"
            f"{median(baseline[q][0]):>13.1f}"
        )
    every = [s for samples, _ in indexed.values() for s in samples]
    every_baseline = [s for samples, _ in baseline.values() for s in samples]
    print(
        f"\nFull-text + trigram: median {median(every):.1f} ms, p95 "
        f"{percentile(every, 0.95):.1f} ms, worst {max(every):.1f} ms over {len(every)} pages."
    )
    print(
        f"Baseline LIKE scan: median {median(every_baseline):.1f} ms, p95 "
        f"{percentile(every_baseline, 0.95):.1f} ms."
    )
    print(
        f"Ratio (baseline / indexed, medians): {median(every_baseline) / median(every):.1f}x; "
        f"target p95 under 100 ms: {'met' if percentile(every, 0.95) < 100 else 'MISSED'}."
    )


if __name__ == "__main__":
    main()
