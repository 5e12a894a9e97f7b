"""Every public page's SQL, explained: on a seeded PostgreSQL database (`manage.py
seed_scale --films 100000 --reviews 1000000`), renders each page through Django's test
client, captures its queries and prints EXPLAIN (ANALYZE, BUFFERS) of each with its time,
then a summary table: page, queries, total and slowest SQL in milliseconds.

    .venv/bin/python benchmarks/explain_pages.py \\
        --database-url postgres://postgres@127.0.0.1:5432/ww_sql_scale [--quiet]

--quiet prints only the summary. Times are EXPLAIN ANALYZE's execution times (planning
excluded), the second run of each page (warm caches), on a machine maybe shared: compare
pages within one run, not runs on different days.
"""

import argparse
import os
import sys

from _setup import django_on, machine, pages_as_served


def pages():
    """(name, URL) of each public page to explain, chosen from the data: the most reviewed
    film, its reviews first and deep, the person with the most credits, a big genre."""
    from django.db.models import Count
    from django.urls import reverse

    from movies.models import Credit, Genre, Movie
    from reviews.models import Review

    film = Movie.objects.published().order_by("-rating_count", "pk").first()
    genre = Genre.objects.annotate(films=Count("movies")).order_by("-films", "pk").first()
    person_id = (
        Credit.objects.values("person_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "person_id")
        .values_list("person_id", flat=True)
        .first()
    )
    found = [
        ("home", reverse("movies:home")),
        *[
            (f"list ?sort={sort}", reverse("movies:list") + f"?sort={sort}")
            for sort in ("rating", "newest", "multiple", "title")
        ],
        ("list page 200", reverse("movies:list") + "?page=200"),
    ]
    if genre:
        found.append(("genre (biggest)", genre.get_absolute_url()))
    if film:
        reviews_url = reverse("reviews:list", args=[film.slug])
        readable = Review.objects.readable().filter(movie=film).sorted_by("helpful")
        deep = readable.values_list("pk", flat=True)[max(0, readable.count() - 21) :][:1]
        found += [
            ("verdict (most reviewed)", film.get_absolute_url()),
            ("reviews first", reviews_url),
        ]
        if deep:
            found.append(("reviews deep", f"{reviews_url}?after={deep[0]}"))
    if person_id:
        from movies.models import Person

        person = Person.objects.get(pk=person_id)
        found.append(("person first", person.get_absolute_url()))
        found.append(("person last page", f"{person.get_absolute_url()}?page=999"))
    found += [
        ("search the", reverse("movies:search") + "?q=the"),
        ("search godfather", reverse("movies:search") + "?q=godfather"),
        ("search godfater (typo)", reverse("movies:search") + "?q=godfater"),
        ("search few matches", reverse("movies:search") + "?q=little+storm+returns"),
        ("search a name", reverse("movies:search") + "?q=emil+novak"),
        ("sitemap index", reverse("sitemap-index")),
        ("sitemap films 1", reverse("sitemap-section", args=["films"])),
        ("sitemap films 20", reverse("sitemap-section", args=["films"]) + "?p=20"),
        ("sitemap people 1", reverse("sitemap-section", args=["people"])),
        ("sitemap genres", reverse("sitemap-section", args=["genres"])),
        ("feed", reverse("feeds:verdicts")),
    ]
    return found


def explain(sql, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    plan = plan[0] if isinstance(plan, list) else plan
    return plan["Execution Time"], text


def measure(client, url):
    """The page's queries (from the second request: warm) with EXPLAIN ANALYZE of each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    results = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            results.append((0.0, sql, "(not a SELECT: not explained)"))
            continue
        # The captured SQL has its parameters inlined by the backend (psycopg's mogrify).
        ms, plan = explain(sql, None)
        results.append((ms, sql, plan))
    return response.status_code, results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--quiet", action="store_true", help="Only the summary table.")
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgres"):
        sys.exit("Give a seeded PostgreSQL database: --database-url postgres://...")
    django_on(args.database_url)
    from django.test import Client
    from django.test.utils import override_settings

    summary = []
    client = Client()
    # The SQL each page runs when it renders: the shared page cache (movies.pagecache)
    # would answer the second request with no query at all.
    with pages_as_served(), override_settings(PAGE_CACHE=False):
        for name, url in pages():
            status, results = measure(client, url)
            total = sum(ms for ms, _, _ in results)
            slowest = max((ms for ms, _, _ in results), default=0.0)
            summary.append((name, url, status, len(results), total, slowest))
            if not args.quiet:
                print(f"\n=== {name}: {url} ({status}), {len(results)} queries ===")
                for ms, sql, plan in results:
                    print(f"\n-- {ms:.2f} ms\n{sql}\n{plan}")
    print(f"\n{machine()}\n")
    print(f"| {'page':<24} | {'status':>6} | {'queries':>7} | {'SQL ms':>8} | {'max SQL ms':>10} |")
    print(f"|{'-' * 26}|{'-' * 8}|{'-' * 9}|{'-' * 10}|{'-' * 12}|")
    for name, _url, status, count, total, slowest in summary:
        print(f"| {name:<24} | {status:>6} | {count:>7} | {total:>8.2f} | {slowest:>10.2f} |")


if __name__ == "__main__":
    main()
