"""Every public page's queries, explained on PostgreSQL: none may read a whole big table
(a Seq Scan of the films, reviews, credits or helpful votes when no index can serve),
and a page's query count is the same at two sizes of data. The figures at 100,000 films
come from benchmarks/explain_pages.py (docs/performance.md)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from movies.models import Credit, Genre, Movie, Person
from reviews.models import Review

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="query plans are PostgreSQL's: run with DATABASE_URL=postgres://...",
    ),
]

BIG_TABLES = {"movies_movie", "reviews_review", "movies_credit", "reviews_helpfulvote"}


def seed(films, reviews, *extra):
    call_command(
        "seed_scale", "--films", str(films), "--reviews", str(reviews), *extra,
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip


def public_pages():
    """(name, URL) of each public page, chosen from the data like the benchmark does."""
    film = Movie.objects.published().order_by("-rating_count", "pk").first()
    genre = Genre.objects.annotate(n=Count("movies")).order_by("-n", "pk").first()
    person_id = (
        Credit.objects.values("person_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "person_id")
        .values_list("person_id", flat=True)
        .first()
    )
    reviews = Review.objects.readable().filter(movie=film).sorted_by("helpful")
    cursor = reviews.values_list("pk", flat=True)[1]
    reviews_url = reverse("reviews:list", args=[film.slug])
    person = Person.objects.get(pk=person_id)
    return [
        ("home", reverse("movies:home")),
        *[(f"list {s}", f"{reverse('movies:list')}?sort={s}") for s in list_sorts()],
        ("genre", genre.get_absolute_url()),
        ("verdict", film.get_absolute_url()),
        ("reviews", reviews_url),
        ("reviews after", f"{reviews_url}?after={cursor}"),
        ("person", person.get_absolute_url()),
        ("search short", f"{reverse('movies:search')}?q=the"),
        ("search word", f"{reverse('movies:search')}?q=godfather"),
        ("search typo", f"{reverse('movies:search')}?q=godfater"),
        ("sitemap index", reverse("sitemap-index")),
        *[(f"sitemap {s}", reverse("sitemap-section", args=[s])) for s in ("films", "genres")],
        ("feed", reverse("feeds:verdicts")),
    ]


def list_sorts():
    from movies.views import MovieListView

    return list(MovieListView.SORTS)


def page_queries(client, url):
    client.get(url)  # warm the shared cache: the ladder, the site mean, filter options
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return [q["sql"] for q in captured.captured_queries]


def scans(plan):
    """(node type, relation) of every node of a JSON plan."""
    yield plan.get("Node Type"), plan.get("Relation Name")
    for child in plan.get("Plans", []):
        yield from scans(child)


def whole_table_reads(sql):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            (plan,) = cursor.fetchone()
        finally:
            cursor.execute("RESET enable_seqscan")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return {rel for node, rel in scans(plan[0]["Plan"]) if node == "Seq Scan" and rel in BIG_TABLES}


def test_no_public_page_reads_a_whole_big_table(client):
    """With sequential scans priced out, a Seq Scan left in a plan means no index can
    answer the query: at 100,000 films it reads every row, on every request."""
    seed(60, 900)
    found = []
    for name, url in public_pages():
        for sql in page_queries(client, url):
            if sql.lstrip().upper().startswith("SELECT"):
                tables = whole_table_reads(sql)
                if tables:
                    found.append(f"{name} ({url}) reads all of {sorted(tables)}:\n{sql}")
    assert not found, "\n\n".join(found)


def test_each_page_runs_the_same_queries_at_two_sizes(client):
    """Guards against N+1 at scale: the same number of queries for 40 films and 400
    reviews as for 120 films and 2,400 reviews (the pages chosen the same way)."""
    seed(40, 400)
    small = {name: len(page_queries(client, url)) for name, url in public_pages()}
    seed(120, 2_400, "--reset", "--seed", "2")
    large = {name: len(page_queries(client, url)) for name, url in public_pages()}
    assert large == small


def test_the_plan_check_sees_a_whole_table_read():
    """The check above can fail: a filter no index serves is a Seq Scan."""
    assert whole_table_reads("SELECT id FROM movies_movie WHERE logline = 'x'") == {"movies_movie"}
    assert not whole_table_reads("SELECT id FROM movies_movie WHERE id = 1")
