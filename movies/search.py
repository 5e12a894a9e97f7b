"""Search for films and people: one interface, a backend per database.

- PostgreSQL: full-text search on a stored, GIN-indexed tsvector (title, original title and
  the film's people; migration 0003) ranked with ts_rank, plus pg_trgm word similarity on
  titles and names, so "godfater" still finds The Godfather.
- Other databases (SQLite in development): every word must appear in the title, the original
  title or the people's names (LIKE); no typo tolerance.

Both read a query the same way (`Query.parse`): a year in the catalogue's range typed beside
other words ("parasite 2019") is not a word to match but puts that year's films first, and
"the", "a", "an" and "of" are ignored beside other words ("the parasite" finds Parasite).
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
from django.db.models import BooleanField, Case, F, FloatField, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from movies.limits import FIRST_YEAR, LAST_YEAR  # a 4-digit word in range is a year
from movies.models import Credit, Movie, Person

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8
PEOPLE_LIMIT = 12
#: The most films a search shows (20 pages): on PostgreSQL also the matches ranked per
#: kind of match (PostgresSearch.CANDIDATES), so ranking costs the same for any word.
RESULTS_LIMIT = 200
#: Words readers type that titles often lack ("the parasite"); ignored beside other words.
STOP_WORDS = frozenset({"the", "a", "an", "of"})

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


#: The order of a film's people in its search document: directors, cast, then the rest.
ROLE_ORDER = {
    role: rank
    for rank, role in enumerate(
        [
            Credit.Role.DIRECTOR,
            Credit.Role.CAST,
            *[r for r in Credit.Role if r not in (Credit.Role.DIRECTOR, Credit.Role.CAST)],
        ]
    )
}


def search_document(credits):
    """Movie.search_document from a film's credits, given as (role, billing_order, name):
    the names folded, one per line, each once, in one fixed order (role, then billing with
    unbilled last, then name).

    The importer and movies.services (after any other write) both build it here,
    so the same credits always give the same text and an unchanged re-import changes nothing.
    """
    ordered = sorted(
        credits,
        key=lambda c: (ROLE_ORDER[c[0]], c[1] is None, c[1] or 0, fold(c[2])),
    )
    return "\n".join(dict.fromkeys(fold(name) for _, _, name in ordered if name))


def _is_year(word):
    if not (len(word) == 4 and word.isascii() and word.isdigit()):
        return False
    return FIRST_YEAR <= int(word) <= LAST_YEAR


@dataclass(frozen=True)
class Query:
    """A reader's search, cleaned: `text` as typed (capped), `words` the words to match,
    `years` the years typed beside them (a ranking boost, not a filter: "blade runner 2049"
    still finds the 2017 film)."""

    text: str
    words: tuple
    truncated: bool
    years: tuple = ()

    @classmethod
    def parse(cls, raw):
        raw = raw or ""
        text = "".join(" " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in raw)
        text = " ".join(text.split())
        truncated = len(text) > MAX_QUERY_LENGTH
        text = text[:MAX_QUERY_LENGTH].strip()
        words = tuple(dict.fromkeys(re.findall(r"[^\W_]+", fold(text))))[:MAX_WORDS]
        if any(w not in STOP_WORDS for w in words):
            words = tuple(w for w in words if w not in STOP_WORDS)
        # A year alone ("1917", "2046") is a title to match, not a year.
        years = tuple(int(w) for w in words if _is_year(w))
        if years and len(years) < len(words):
            words = tuple(w for w in words if not _is_year(w))
        else:
            years = ()
        return cls(text=text, words=words, truncated=truncated, years=years)

    @property
    def is_searchable(self):
        return bool(self.words)

    @property
    def words_text(self):
        """The words to match as one string, for similarity (without years and "the")."""
        return " ".join(self.words)


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
            in_year=self._in_year(query),
            starts=Case(
                When(title__istartswith=query.text, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        ).order_by(
            "-exact",
            "-in_year",
            "-starts",
            F("external_rating_votes").desc(nulls_last=True),
            "title",
            "year",
        )

    def people(self, query):
        qs = Person.objects.all()
        for word in query.words:
            qs = qs.filter(name__icontains=word)
        return qs.public().order_by("name")[:PEOPLE_LIMIT]

    @staticmethod
    def _exact(query):
        return Case(
            When(Q(title__iexact=query.text) | Q(original_title__iexact=query.text), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )

    @staticmethod
    def _in_year(query):
        """1 for films of a year typed in the query ("parasite 2019"), else 0."""
        if not query.years:
            return Value(0, output_field=IntegerField())
        return Case(
            When(year__in=query.years, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )


class PostgresSearch(SimpleSearch):
    """Ranked full-text search on the stored search_vector; trigram word similarity when
    the words match no film as typed ("godfater").

    Only a bounded set of candidates is ranked, so a word in 24,000 titles costs what a
    word in 20 does: the CANDIDATES most popular full-text matches (a walk of the
    `movie_search_popular` index, which carries the search vector: no film row is read
    until one matches), every film whose title or original title is exactly the query
    (their own indexes, most popular first, CANDIDATES at most), and, only when nothing
    matches as typed, the first CANDIDATES trigram matches of the title and the original
    title. When no branch reaches its limit the candidates are every match; when one
    does, the reader sees the best CANDIDATES of them ("200+ films").
    """

    CANDIDATES = RESULTS_LIMIT

    # Typo tolerance needs a few letters: "the" is similar to a third of all titles.
    MIN_TRIGRAM_LENGTH = 4

    def _candidates(self, query, raw, text):
        """SQL and parameters of the candidate films' ids: a UNION of bounded branches,
        each on its own index (an OR of conditions drops PostgreSQL to a scan of every
        film), each limited to published films so drafts do not crowd out public ones.

        `some_matches` (any CANDIDATES matches, from the GIN index) decides the rest: when
        it is not full it is every match, and the walk in popularity order never runs
        (for a word in no film, a walk that stops at CANDIDATES matches would read the
        whole index: PostgreSQL guesses 500 matches for a word it has no statistics
        for); when it is empty, and only then, the typo branches run."""
        public = "status = %s AND published_at <= %s"
        public_params = [Movie.Status.PUBLISHED, timezone.now()]
        n = int(self.CANDIDATES)
        matches = "search_vector @@ to_tsquery('simple'::regconfig, %s)"
        by_popularity = f"ORDER BY external_rating_votes DESC NULLS LAST, id LIMIT {n}"
        found = "(SELECT count(*) FROM some_matches)"
        branches = [
            (f"{matches} AND {found} >= {n}", [raw], by_popularity),
            ("UPPER(title::text) = UPPER(%s)", [query.text], by_popularity),
            ("UPPER(original_title::text) = UPPER(%s)", [query.text], by_popularity),
        ]
        if query.years:
            # "parasite 2019": that year's matches, whatever their popularity.
            branches.append(
                (f"{matches} AND year = ANY(%s)", [raw, list(query.years)], by_popularity)
            )
        if self._typo_tolerant(text):
            # Typos only when the words match nothing as typed: a GIN trigram scan of a
            # common word ("godfather", in 3,900 titles) builds its whole bitmap (10 ms),
            # and its matches would rank below the full-text ones anyway.
            branches += [
                (f"title %%> %s AND {found} = 0", [text], f"LIMIT {n}"),
                (f"original_title %%> %s AND {found} = 0", [text], f"LIMIT {n}"),
            ]
        sql = " UNION ".join(
            [
                f"WITH some_matches AS MATERIALIZED (SELECT id FROM movies_movie WHERE "
                f"{matches} AND {public} LIMIT {n}) "
                f"SELECT id FROM some_matches WHERE {found} < {n}",
                *(
                    f"(SELECT id FROM movies_movie WHERE {condition} AND {public} {tail})"
                    for condition, _, tail in branches
                ),
            ]
        )
        params = [raw, *public_params] + [
            p for _, condition_params, _ in branches for p in (*condition_params, *public_params)
        ]
        return sql, params

    def _typo_tolerant(self, text):
        return len(re.sub(r"[\W_]", "", text)) >= self.MIN_TRIGRAM_LENGTH

    def films(self, query):
        raw = " & ".join(f"{word}:*" for word in query.words)
        tsquery = SearchQuery(raw, search_type="raw", config="simple")
        vector = RawSQL('"movies_movie"."search_vector"', [], output_field=SearchVectorField())
        text = query.words_text
        relevance = SearchRank(vector, tsquery)
        if self._typo_tolerant(text):
            # Similarity ranks the typo matches; a full-text match does not need it (and
            # computing it cost 30 microseconds a film).
            as_typed = RawSQL(
                '"movies_movie"."search_vector" @@ to_tsquery(\'simple\'::regconfig, %s)',
                [raw],
                output_field=BooleanField(),
            )
            relevance = relevance + Case(
                When(as_typed, then=Value(0.0)),
                default=TrigramWordSimilarity(text, "title"),
                output_field=FloatField(),
            )
        sql, params = self._candidates(query, raw, text)
        return (
            Movie.objects.published()
            .filter(pk__in=RawSQL(sql, params))
            .annotate(
                exact=self._exact(query),
                in_year=self._in_year(query),
                relevance=relevance,
            )
            .order_by(
                "-exact",
                "-in_year",
                "-relevance",
                F("external_rating_votes").desc(nulls_last=True),
                "title",
                "year",
            )
        )

    #: People ranked by name before asking which of them are on a public film.
    PEOPLE_CANDIDATES = PEOPLE_LIMIT * 4

    def people(self, query):
        """The most similar names first, then which of those are on a public film: "emil"
        is in 2,000 of 50,000 names, and checking each for a public credit before
        ranking took 25 to 50 ms; now only the best PEOPLE_CANDIDATES are checked."""
        text = query.words_text
        similarity = TrigramWordSimilarity(text, "name")
        candidates = (
            Person.objects.filter(name__trigram_word_similar=text)
            .annotate(similarity=similarity)
            .order_by("-similarity", "name")
            .values("pk")[: self.PEOPLE_CANDIDATES]
        )
        return (
            Person.objects.filter(pk__in=candidates)
            .public()
            .annotate(similarity=similarity)
            .order_by("-similarity", "name")[:PEOPLE_LIMIT]
        )


def backend(using=None):
    """The search backend for the database in use."""
    return PostgresSearch() if (using or connection).vendor == "postgresql" else SimpleSearch()
