"""The indexes that bound search's ranking (movies.search.PostgresSearch): each branch of
the candidate set walks one of them in popularity order and stops at its LIMIT.

- `movie_search_popular`: films by external votes (most first), carrying the search vector
  and the public columns, so a common word's most popular matches are found in the index
  alone (an index-only scan), never reading the 24,000 film rows that hold "the".
- `movie_title_exact`, `movie_original_title_exact`: an exact title (any case), most
  popular first, so "the exact title first" never depends on the popularity walk.

PostgreSQL only, like the search vector they serve (migration 0003).
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX movie_search_popular ON movies_movie "
    "(external_rating_votes DESC NULLS LAST, id) INCLUDE (status, published_at, search_vector)",
    "CREATE INDEX movie_title_exact ON movies_movie "
    "(UPPER(title::text), external_rating_votes DESC NULLS LAST, id)",
    "CREATE INDEX movie_original_title_exact ON movies_movie "
    "(UPPER(original_title::text), external_rating_votes DESC NULLS LAST, id)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS movie_original_title_exact",
    "DROP INDEX IF EXISTS movie_title_exact",
    "DROP INDEX IF EXISTS movie_search_popular",
]


def _run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("movies", "0020_movie_drafts"),
    ]

    operations = [
        migrations.RunPython(_run_on_postgresql(FORWARD), _run_on_postgresql(BACKWARD)),
    ]
