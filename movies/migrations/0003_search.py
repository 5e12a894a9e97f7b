"""Search: the people's names on each film, and on PostgreSQL a ranked full-text index.

`search_document` is a plain text column on every database (the SQLite fallback searches
it with LIKE). On PostgreSQL only, this migration also adds

- pg_trgm, with trigram indexes on titles and people's names, so a misspelt word still
  finds the film or person (word similarity, the `%>` operator);
- `search_vector`, a stored generated tsvector: title (weight A), original title (B) and
  the people (C), accents folded with the same table as movies.search.FOLD_FROM/FOLD_TO,
  under a GIN index. It is not a model field (SQLite has no tsvector); movies.search
  reads it with RawSQL.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

FOLD_FROM = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ"
FOLD_TO = "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzsOoUuAaIiOoUuUuUuUuUuAaAaGgKkOoOojGgNnAaAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYy"


def _fold(column):
    return f"translate(coalesce({column}, ''), '{FOLD_FROM}', '{FOLD_TO}')"


FORWARD = [
    "ALTER TABLE movies_movie ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector('simple'::regconfig, {_fold('title')}), 'A') || "
    f"setweight(to_tsvector('simple'::regconfig, {_fold('original_title')}), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(search_document, '')), 'C')"
    ") STORED",
    "CREATE INDEX movies_movie_search_vector ON movies_movie USING gin (search_vector)",
    "CREATE INDEX movies_movie_title_trgm ON movies_movie USING gin (title gin_trgm_ops)",
    "CREATE INDEX movies_movie_original_title_trgm ON movies_movie "
    "USING gin (original_title gin_trgm_ops)",
    "CREATE INDEX movies_person_name_trgm ON movies_person USING gin (name gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS movies_person_name_trgm",
    "DROP INDEX IF EXISTS movies_movie_original_title_trgm",
    "DROP INDEX IF EXISTS movies_movie_title_trgm",
    "DROP INDEX IF EXISTS movies_movie_search_vector",
    "ALTER TABLE movies_movie DROP COLUMN IF EXISTS search_vector",
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
        ("movies", "0002_default_ladder_and_editors"),
    ]

    operations = [
        migrations.AddField(
            model_name="movie",
            name="search_document",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="The film's people, lower-cased and unaccented, for search "
                "(movies.search).",
            ),
        ),
        # CreateExtension does nothing on other databases.
        TrigramExtension(),
        migrations.RunPython(_run_on_postgresql(FORWARD), _run_on_postgresql(BACKWARD)),
    ]
