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
    """The big tables `sql` reads whole, by the plan's shape: with sequential scans
    priced out, a Seq Scan left in the plan means no index can answer."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            (plan,) = cursor.fetchone()
        finally:
            cursor.execute("RESET enable_seqscan")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return {rel for node, rel in scans(plan[0]["Plan"]) if node == "Seq Scan" and rel in BIG_TABLES}


def pages_reading_whole_tables(client, pages):
    found = []
    for name, url in pages:
        for sql in page_queries(client, url):
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                tables = whole_table_reads(sql)
                if tables:
                    found.append(f"{name} ({url}) reads all of {sorted(tables)}:\n{sql}")
    return found


def examined(plan):
    """(relation, rows a scan node looked at in one loop) of each scan node: one run of
    it, so a few dozen genres each walking a few films is not a whole read."""
    relation = plan.get("Relation Name")
    if relation:
        per_loop = (
            plan.get("Actual Rows", 0)
            + plan.get("Rows Removed by Filter", 0)
            + plan.get("Rows Removed by Index Recheck", 0)
        )
        yield relation, per_loop
    for child in plan.get("Plans", []):
        yield from examined(child)


#: Plans PostgreSQL prefers for a few hundred rows and not for 100,000 when an index can
#: serve: a scan of the whole table, and joins that hash or merge a whole side.
SMALL_DATA_PLANS = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin")


def nearly_whole_reads(sql, sizes):
    """The big tables of which one scan of `sql`, run, looked at 90% of the rows or
    more: what a whole-index walk with a filter, or an index condition every row meets
    (status = 'published'), does, which the plan's shape alone does not show."""
    with connection.cursor() as cursor:
        for setting in SMALL_DATA_PLANS:
            cursor.execute(f"SET {setting} = off")
        try:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            (plan,) = cursor.fetchone()
        finally:
            for setting in SMALL_DATA_PLANS:
                cursor.execute(f"RESET {setting}")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return {
        rel
        for rel, rows in examined(plan[0]["Plan"])
        if rel in sizes and sizes[rel] >= 100 and rows >= 0.9 * sizes[rel]
    }


@pytest.fixture
def small_caps(monkeypatch):
    """Every cap of a page well below the seeded data (a list page of 24 films, a search
    of 200, a sitemap page of 5,000), so a page that reads all the rows of a table is
    seen on a test's few hundred films as it would be on 100,000."""
    from movies import search
    from movies.pagination import CappedPaginator
    from movies.sitemaps import GenreSitemap, MovieSitemap, PersonSitemap
    from movies.views import MovieListView, PersonDetailView, SearchResultsPaginator

    monkeypatch.setattr(CappedPaginator, "CAP", 30)
    monkeypatch.setattr(SearchResultsPaginator, "CAP", 3)
    monkeypatch.setattr(search.PostgresSearch, "CANDIDATES", 3)
    monkeypatch.setattr(MovieListView, "paginate_by", 10)
    monkeypatch.setattr(PersonDetailView, "FILMOGRAPHY_PAGE", 10)
    for sitemap in (MovieSitemap, PersonSitemap, GenreSitemap):
        monkeypatch.setattr(sitemap, "limit", 20)


def pages_reading_nearly_all_rows(client, pages):
    with connection.cursor() as cursor:
        sizes = {}
        for table in BIG_TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            sizes[table] = cursor.fetchone()[0]
    found = []
    for name, url in pages:
        for sql in page_queries(client, url):
            if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                tables = nearly_whole_reads(sql, sizes)
                if tables:
                    found.append(f"{name} ({url}) looks at all of {sorted(tables)}:\n{sql}")
    return found


def test_no_public_page_reads_a_whole_big_table(client):
    """With sequential scans priced out, a Seq Scan left in a plan means no index can
    answer the query: at 100,000 films it reads every row, on every request."""
    seed(60, 900)
    found = pages_reading_whole_tables(client, public_pages())
    assert not found, "\n\n".join(found)


def test_no_public_page_looks_at_nearly_every_row_of_a_big_table(client, small_caps):
    """Run, with every page's caps below the data: no scan of a page looks at 90% of a
    big table's rows (an index walked whole, or a condition every row meets, passes the
    plan's shape above but reads as much as a Seq Scan)."""
    seed(300, 3_000)
    found = pages_reading_nearly_all_rows(client, public_pages())
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


def test_the_run_check_sees_a_whole_index_walk_that_the_plan_check_passes():
    """A sort no index serves walks a whole index (no Seq Scan to see) and looks at
    every row; a LIMIT on an index in the sort's order stops after a few."""
    seed(120, 600)
    sizes = {"movies_movie": Movie.objects.count()}
    whole = "SELECT id FROM movies_movie WHERE status = 'published' ORDER BY logline LIMIT 5"
    assert not whole_table_reads(whole)
    assert nearly_whole_reads(whole, sizes) == {"movies_movie"}
    assert not nearly_whole_reads("SELECT id FROM movies_movie ORDER BY id LIMIT 5", sizes)


@pytest.mark.parametrize(
    ("index", "page"),
    [
        ("movie_score_rank", "list rating"),
        ("movie_multiple_rank", "list multiple"),
        ("movie_feed_order", "feed"),
    ],
)
def test_the_check_fails_when_a_page_index_is_dropped(client, small_caps, index, page):
    """Each page index matters to the check: without it (dropped inside the test's
    transaction, so it comes back after), the page looks at every film."""
    seed(300, 3_000)
    url = dict(public_pages())[page]
    assert not pages_reading_nearly_all_rows(client, [(page, url)])

    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {index}")

    assert pages_reading_nearly_all_rows(client, [(page, url)])


def test_the_genre_sitemap_asks_genre_by_genre(client):
    """ "Genres with a public film" as `WHERE EXISTS` became a semi-join, which PostgreSQL
    ran at 100,000 films as a hash join of every film with every genre link (110 ms a
    request): each genre's check must stay a subplan, one index walk per genre."""
    seed(60, 300)
    url = reverse("sitemap-section", args=["genres"])
    (sql,) = page_queries(client, url)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def joins(node):
        if "Join Type" in node:
            yield node["Join Type"]
        for child in node.get("Plans", []):
            yield from joins(child)

    assert "Semi" not in set(joins(plan[0]["Plan"]))
