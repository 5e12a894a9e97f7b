"""Search for films and people: one interface, a backend per database.

- PostgreSQL: full-text search on a stored, GIN-indexed tsvector (title, original title and
  the film's people; migration 0003) ranked with ts_rank, plus pg_trgm word similarity on
  titles and names, so "godfater" still finds The Godfather.
- Other databases (SQLite in development): every word must appear in the title, the original
  title or the people's names (LIKE); no typo tolerance.

Both put an exact title first and only ever return published films
(`Movie.objects.published()`), and people who appear in at least one of them.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils.http import urlencode
from django.views.generic import ListView

from movies.models import Credit, Movie, Person
from movies.views import ForgivingPaginationMixin, LadderMixin

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
PEOPLE_LIMIT = 12

# Accented Latin letters and their plain forms. Migration 0003 folds titles in SQL with the
# same table (translate()), so Python and PostgreSQL agree on "Amélie" == "amelie".
FOLD_FROM = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥ"
    "ĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžſƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚ"
    "ǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ"
)
FOLD_TO = (
    "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHh"
    "IiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzsOoUuAaIiOoUuUuUu"
    "UuUuAaAaGgKkOoOojGgNnAaAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYy"
)
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)


def fold(text):
    """Lower-case with common accents removed: "Amélie" -> "amelie"."""
    return text.translate(_FOLD).lower()


def people_document(names):
    """Movie.search_document: the film's people, folded, one per line, each once."""
    return "\n".join(dict.fromkeys(fold(name) for name in names if name))


def refresh_search_documents(movie_ids):
    """Rebuilds search_document from the credits of these films (e.g. after an admin edit)."""
    names = {}
    credits = Credit.objects.filter(movie_id__in=movie_ids).order_by(
        "movie_id", "role", F("billing_order").asc(nulls_last=True), "person__name"
    )
    for movie_id, name in credits.values_list("movie_id", "person__name"):
        names.setdefault(movie_id, []).append(name)
    movies = [Movie(pk=pk, search_document=people_document(names.get(pk, []))) for pk in movie_ids]
    Movie.objects.bulk_update(movies, ["search_document"], batch_size=500)


@dataclass(frozen=True)
class Query:
    """A reader's search, cleaned: `text` as typed (capped), `words` the searchable words."""

    raw: str
    text: str
    words: tuple
    truncated: bool

    @classmethod
    def parse(cls, raw):
        raw = raw or ""
        text = "".join(" " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in raw)
        text = " ".join(text.split())
        truncated = len(text) > MAX_QUERY_LENGTH
        text = text[:MAX_QUERY_LENGTH].strip()
        words = tuple(dict.fromkeys(re.findall(r"[^\W_]+", fold(text))))[:MAX_WORDS]
        return cls(raw=raw, text=text, words=words, truncated=truncated)

    @property
    def is_searchable(self):
        return bool(self.words)


class SimpleSearch:
    """Any database: each word must appear in a title or a person's name."""

    def films(self, query):
        qs = Movie.objects.published()
        for word in query.words:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(original_title__icontains=word)
                | Q(search_document__icontains=word)
            )
        return qs.annotate(
            exact=self._exact(query),
            starts=Case(
                When(title__istartswith=query.text, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        ).order_by(
            "-exact", "-starts", F("external_rating_votes").desc(nulls_last=True), "title", "year"
        )

    def people(self, query):
        qs = Person.objects.all()
        for word in query.words:
            qs = qs.filter(name__icontains=word)
        return _with_public_films(qs).order_by("name")[:PEOPLE_LIMIT]

    @staticmethod
    def _exact(query):
        return Case(
            When(Q(title__iexact=query.text) | Q(original_title__iexact=query.text), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )


class PostgresSearch(SimpleSearch):
    """Ranked full-text search on the stored search_vector, plus trigram word similarity."""

    # One index per branch: PostgreSQL's planner costs a GIN scan per OR-ed condition too
    # high and falls back to a sequential scan (50 ms at 17,000 films); a UNION of ids keeps
    # each branch on its index (a few ms).
    MATCHES = (
        "SELECT id FROM movies_movie WHERE search_vector @@ to_tsquery('simple'::regconfig, %s) "
        "UNION SELECT id FROM movies_movie WHERE title %%> %s "
        "UNION SELECT id FROM movies_movie WHERE original_title %%> %s"
    )

    # Typo tolerance needs a few letters: "the" is similar to a third of all titles.
    MIN_TRIGRAM_LENGTH = 4

    def _matches(self, raw, text):
        if len(re.sub(r"[\W_]", "", text)) < self.MIN_TRIGRAM_LENGTH:
            full_text_only = self.MATCHES.split(" UNION ")[0]
            return RawSQL(full_text_only, [raw])
        return RawSQL(self.MATCHES, [raw, text, text])

    def films(self, query):
        raw = " & ".join(f"{word}:*" for word in query.words)
        tsquery = SearchQuery(raw, search_type="raw", config="simple")
        vector = RawSQL('"movies_movie"."search_vector"', [], output_field=SearchVectorField())
        text = fold(query.text)
        return (
            Movie.objects.published()
            .filter(pk__in=self._matches(raw, text))
            .annotate(
                exact=self._exact(query),
                score=SearchRank(vector, tsquery) + TrigramWordSimilarity(text, "title"),
            )
            .order_by(
                "-exact",
                "-score",
                F("external_rating_votes").desc(nulls_last=True),
                "title",
                "year",
            )
        )

    def people(self, query):
        text = fold(query.text)
        qs = Person.objects.filter(name__trigram_word_similar=text)
        return (
            _with_public_films(qs)
            .annotate(similarity=TrigramWordSimilarity(text, "name"))
            .order_by("-similarity", "name")[:PEOPLE_LIMIT]
        )


def _with_public_films(people):
    public = Credit.objects.filter(person=OuterRef("pk"), movie__in=Movie.objects.published())
    return people.filter(Exists(public))


def backend(using=None):
    """The search backend for the database in use."""
    return PostgresSearch() if (using or connection).vendor == "postgresql" else SimpleSearch()


class SearchView(LadderMixin, ForgivingPaginationMixin, ListView):
    """/search/?q=: films (paginated) with people beside them. Never an error for odd input."""

    template_name = "movies/search.html"
    context_object_name = "movies"
    paginate_by = 20

    def get_queryset(self):
        self.query = Query.parse(self.request.GET.get("q", ""))
        if not self.query.is_searchable:
            return Movie.objects.none()
        return backend().films(self.query).for_cards()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.assess(context["movies"])
        people = list(backend().people(self.query)) if self.query.is_searchable else []
        context.update(
            query=self.query,
            search_query=self.query.text,
            people=people,
            querystring=urlencode({"q": self.query.text}) if self.query.text else "",
            max_query_length=MAX_QUERY_LENGTH,
        )
        return context
