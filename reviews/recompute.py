"""Recomputing films' rating aggregates from their reviews: the check behind
`manage.py recompute_ratings` (the aggregate's rule is in reviews/services.py)."""

import math
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone

from movies import pagecache
from movies.models import Movie
from movies.selectors import site_mean
from reviews.models import Review

AGGREGATE_FIELDS = ["rating_count", "rating_sum", *Movie.RATING_FIELDS]


MEAN_TOLERANCE = 1e-9  # audience_rating is a float: compare it with a tolerance


def _same(name: str, stored, computed) -> bool:
    if name != "audience_rating" or stored is None or computed is None:
        return stored == computed
    return math.isclose(stored, computed, rel_tol=MEAN_TOLERANCE, abs_tol=MEAN_TOLERANCE)


@dataclass(frozen=True)
class AggregateDifference:
    movie: Movie
    stored: dict
    computed: dict

    @property
    def fields(self) -> list[str]:
        return [
            name for name in self.stored if not _same(name, self.stored[name], self.computed[name])
        ]

    def describe(self) -> str:
        changes = [f"{name} {self.stored[name]} -> {self.computed[name]}" for name in self.fields]
        return f"{self.movie} [{self.movie.pk}]: " + ", ".join(changes)


def _computed_aggregates(movie_ids=None) -> dict[int, dict]:
    reviews = Review.objects.counted()
    if movie_ids is not None:
        reviews = reviews.filter(movie_id__in=movie_ids)
    rows = reviews.values("movie_id").annotate(
        rating_count=Count("pk"),
        rating_sum=Sum("rating"),
        **{f"rating_{n}": Count("pk", filter=Q(rating=n)) for n in range(1, 11)},
    )
    return {row.pop("movie_id"): row for row in rows}


def _zero() -> dict:
    return dict.fromkeys(AGGREGATE_FIELDS, 0)


def _with_mean(values: dict) -> dict:
    count = values["rating_count"]
    return {**values, "audience_rating": values["rating_sum"] / count if count else None}


def ratings_differences() -> list[AggregateDifference]:
    """Films whose stored aggregate (counters, histogram and the mean `audience_rating`)
    differs from the one their reviews give (a read). The database finds the candidates
    in one pass (a GROUP BY over the reviews joined to the films, with a tolerance no
    looser than _same's); only they are compared here, field by field."""
    fresh, differs = _aggregate_sql()
    table = connection.ops.quote_name(Movie._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {table}.id FROM {table} JOIN ({fresh}) f ON f.id = {table}.id "
            f"WHERE {differs} ORDER BY {table}.id"
        )
        candidates = [row[0] for row in cursor.fetchall()]
    fields = [*AGGREGATE_FIELDS, "audience_rating"]
    differences = []
    for start in range(0, len(candidates), BATCH):
        ids = candidates[start : start + BATCH]
        computed = _computed_aggregates(ids)
        for movie in Movie.objects.filter(pk__in=ids).only("pk", "title", "year", *fields):
            stored = {name: getattr(movie, name) for name in fields}
            found = _with_mean(computed.get(movie.pk, _zero()))
            difference = AggregateDifference(movie, stored, found)
            if difference.fields:
                differences.append(difference)
    return sorted(differences, key=lambda d: d.movie.pk)


#: Films compared per query (SQLite allows 32,766 parameters a query).
BATCH = 10_000


def _aggregate_sql() -> tuple[str, str]:
    """(the films' fresh aggregates as a SELECT: one GROUP BY over the counted reviews,
    left-joined to every film; the condition that a film's stored aggregate differs)."""
    qn = connection.ops.quote_name
    histogram = ", ".join(
        f"SUM(CASE WHEN rating = {n} THEN 1 ELSE 0 END) AS rating_{n}" for n in range(1, 11)
    )
    grouped = (
        f"SELECT movie_id, COUNT(*) AS rating_count, SUM(rating) AS rating_sum, {histogram} "
        f"FROM {qn(Review._meta.db_table)} WHERE rating_counted GROUP BY movie_id"
    )
    fresh = (
        "SELECT m.id AS id, "
        + ", ".join(f"COALESCE(a.{name}, 0) AS {name}" for name in AGGREGATE_FIELDS)
        + ", a.rating_sum * 1.0 / a.rating_count AS audience_rating "
        f"FROM {qn(Movie._meta.db_table)} m LEFT JOIN ({grouped}) a ON a.movie_id = m.id"
    )
    table = qn(Movie._meta.db_table)
    differs = " OR ".join(
        [f"{table}.{name} <> f.{name}" for name in AGGREGATE_FIELDS]
        + [
            f"({table}.audience_rating IS NULL) <> (f.audience_rating IS NULL)",
            f"ABS({table}.audience_rating - f.audience_rating) > {MEAN_TOLERANCE}",
        ]
    )
    return fresh, f"({differs})"


def _score_sql(mean) -> tuple[str, list]:
    """Movie.score_expression() as SQL over the fresh aggregate `f` (the UPDATE's FROM)."""
    expression = Movie.score_expression(
        site_mean=mean,
        rating_sum=RawSQL("f.rating_sum", [], output_field=IntegerField()),
        rating_count=RawSQL("f.rating_count", [], output_field=IntegerField()),
    )
    query = Movie.objects.all().query
    compiler = query.get_compiler(connection=connection)
    return compiler.compile(expression.resolve_expression(query))


def aggregates_recompute() -> list[int]:
    """Rewrite every differing film's aggregate (counters, histogram, mean) and score from
    its counted reviews in one UPDATE ... FROM (SELECT ... GROUP BY); returns the ids of
    the films changed. One pass per film over a million reviews took minutes.

    The score uses the site mean of the fresh aggregates (which this very update may
    move), and the cached site mean is renewed after.

    On PostgreSQL the differing films are locked first (SELECT ... FOR UPDATE), and the
    aggregate is read after: a review written meanwhile either committed before the lock
    (and is counted here) or waits for it and adds its F() delta after, so none is lost.
    """
    fresh, differs = _aggregate_sql()
    table = connection.ops.quote_name(Movie._meta.db_table)
    assignments = ", ".join(f"{name} = f.{name}" for name in [*AGGREGATE_FIELDS, "audience_rating"])
    with transaction.atomic(), connection.cursor() as cursor:
        ids = None
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT {table}.id FROM {table} JOIN ({fresh}) f ON f.id = {table}.id "
                f"WHERE {differs} FOR UPDATE OF {table}"
            )
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return []
        cursor.execute(
            f"SELECT SUM(f.rating_sum), SUM(f.rating_count) FROM ({fresh}) f "
            f"JOIN {table} ON {table}.id = f.id WHERE {table}.status = %s "
            f"AND {table}.published_at <= %s",
            [
                Movie.Status.PUBLISHED,
                Movie._meta.get_field("published_at").get_db_prep_value(timezone.now(), connection),
            ],
        )
        total, count = cursor.fetchone()
        score, score_params = _score_sql(total / count if count else None)
        update = (
            f"UPDATE {table} SET {assignments}, score = {score} FROM ({fresh}) f "
            f"WHERE {table}.id = f.id AND {differs}"
        )
        if ids is None:
            cursor.execute(update + f" RETURNING {table}.id", score_params)
        else:
            cursor.execute(
                update + f" AND {table}.id = ANY(%s) RETURNING {table}.id", [*score_params, ids]
            )
        ids = sorted(row[0] for row in cursor.fetchall())
    site_mean(fresh=True)
    if ids:
        pagecache.film_ids_changed(ids, cards=True)
    return ids


def ratings_recompute() -> list[AggregateDifference]:
    """Rewrite every differing film's aggregate from its reviews (aggregates_recompute);
    returns what was fixed, as ratings_differences() found it."""
    differences = ratings_differences()
    if not differences:
        return []
    fixed = set(aggregates_recompute())
    return [d for d in differences if d.movie.pk in fixed]
