"""Importing film catalogues: the file format, the bokeh-sampledata adapter, the bulk writer.

Three stages, so that a bad row never half-writes a film:

1. **Read.** A reader turns a source into `SourceRow`s (where the row came from, its raw
   values, which columns it carries). Problems with the whole file (not UTF-8, truncated,
   an unknown column) raise `ImportFileError` before anything is written.
2. **Validate.** `parse_row()` turns one raw row into a `MovieRecord`, or raises `RowError`
   with every reason the row is wrong.
3. **Write.** `import_records()` matches each record to an existing film (external id,
   else title and year), works out what changed, and writes in batches with bulk queries,
   one transaction per batch. If a batch fails, its rows are retried one by one, each in
   its own savepoint, so one bad row is reported and the others land.

The file format (version 1) is described in README.md, "Importing films".
"""

import csv
import datetime
import difflib
import io
import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from movies import verdicts
from movies.models import Credit, Genre, Movie, Person, next_free_slug, slug_base
from movies.search import fold, search_document

FORMAT_NAME = "worth-watching-movies"
FORMAT_VERSION = 1
FORMAT_LINE = re.compile(r"^#\s*format:\s*(?P<name>[\w.-]+)/(?P<version>\d+)\s*$")
LIST_SEPARATOR = "|"

# Column -> what it holds. The order is the order of a written file and of the README table.
COLUMNS = {
    "external_id": "Your identifier for the film (e.g. an IMDb tt… id). Matches re-imports. "
    "Empty keeps the id a film already has.",
    "title": "Required. The title readers know.",
    "original_title": "Title in the original language, if different.",
    "year": "Required. Release year, 1878 to 2100.",
    "release_date": "First release, YYYY-MM-DD.",
    "runtime_minutes": "Whole minutes, 1 or more.",
    "genres": "Genre names separated by |, e.g. Drama|Comedy. New names create genres.",
    "directors": "Names separated by |.",
    "cast": "Names separated by |, in billing order: the first is the lead.",
    "certification": "e.g. PG-13, R, 12A.",
    "budget": "Production budget in whole currency units (150000000 or 150,000,000).",
    "worldwide_gross": "Worldwide box-office gross, whole units.",
    "domestic_gross": "Home-market box-office gross, whole units.",
    "currency": "ISO 4217 code of the three money columns; USD when empty.",
    "box_office_source": "Where the money figures come from.",
    "external_rating": "An outside rating out of 10 (one decimal kept).",
    "external_rating_votes": "How many votes or reviews that rating counts.",
    "external_rating_source": "Who gives that rating, e.g. IMDb. Needed with a rating.",
    "logline": "One sentence, at most 300 characters.",
    "synopsis": "A spoiler-free paragraph or two.",
}
REQUIRED_COLUMNS = ("title", "year")
LIST_COLUMNS = ("genres", "directors", "cast")
SCALAR_COLUMNS = tuple(c for c in COLUMNS if c not in LIST_COLUMNS)  # model field names
MONEY_COLUMNS = ("budget", "worldwide_gross", "domestic_gross")

#: Other names sources use for a genre we already have (casefolded -> our name), so that
#: "Sci-Fi" (IMDb, bokeh-sampledata) and "Science Fiction" (TMDB, the demo) are one genre.
#: Migration 0004 merged genres created under these names before.
GENRE_ALIASES = {
    "sci-fi": "Science Fiction",
    "sci fi": "Science Fiction",
    "scifi": "Science Fiction",
    "science-fiction": "Science Fiction",
    "sf": "Science Fiction",
}
GENRE_NAME = re.compile(r"^[^\W\d_](?:[\w '&.\-]*[\w.])?$")
THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")

# Refresh the database's statistics after writing at least this many films.
ANALYZE_AFTER = 1000

BOKEH_RATING_SOURCE = "Rotten Tomatoes critics' average"
BOKEH_BOX_OFFICE_SOURCE = "Rotten Tomatoes (US domestic), via bokeh-sampledata"
# A handful of BoxOffice values in bokeh-sampledata are a few dollars: data errors.
BOKEH_MIN_PLAUSIBLE_GROSS = 1000


class ImportFileError(Exception):
    """The whole source is unusable (encoding, truncation, columns): nothing is written."""


class RowError(Exception):
    def __init__(self, where, reasons):
        self.where = where
        self.reasons = list(reasons)
        super().__init__(f"{where}: {'; '.join(self.reasons)}")


@dataclass(frozen=True)
class SourceRow:
    where: str  # "line 12", "omdb ID 372"
    values: dict
    columns: frozenset  # the columns this row carries; absent columns are left alone
    cast_billed: bool = True


@dataclass
class MovieRecord:
    """One validated film from a source; `fields` holds only the columns the source carries."""

    where: str
    fields: dict
    genres: list | None = None
    directors: list | None = None
    cast: list | None = None
    cast_billed: bool = True

    @property
    def title(self):
        return self.fields["title"]

    @property
    def year(self):
        return self.fields["year"]

    @property
    def external_id(self):
        return self.fields.get("external_id") or None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # existing films left alone because of new_only
    failed: list = field(default_factory=list)  # [(where, reason)]
    dry_run: bool = False

    def summary(self):
        verb = "would be " if self.dry_run else ""
        return (
            f"{self.created:,} {verb}created, {self.updated:,} {verb}updated, "
            f"{self.unchanged:,} unchanged, {len(self.failed):,} failed"
            + (f"; {self.kept:,} films already here left as they are" if self.kept else "")
        )


# --- Reading -----------------------------------------------------------------------


def read_path(path) -> Iterator[SourceRow]:
    """The reader for a file, chosen by its extension (.csv, .jsonl or .ndjson)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv(path)
    if suffix in {".jsonl", ".ndjson"}:
        return read_jsonl(path)
    raise ImportFileError(
        f"{path.name}: unknown file type {suffix or '(none)'!r}. Use .csv or .jsonl "
        "(from a spreadsheet, save as “CSV UTF-8”)."
    )


def _decode(path):
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"{Path(path).name} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}). "
            "Save it as UTF-8: in a spreadsheet choose “CSV UTF-8”."
        ) from None
    if not text.strip():
        raise ImportFileError(f"{Path(path).name} is empty.")
    return text


def _format_line(text, name):
    """Checks an optional first line `#format: worth-watching-movies/1`; returns lines to skip."""
    first = text.split("\n", 1)[0].strip()
    if not first.startswith("#"):
        return 0
    match = FORMAT_LINE.match(first)
    if not match or match["name"] != FORMAT_NAME:
        raise ImportFileError(
            f"{name}, line 1: {first[:80]!r} is not a format line; "
            f"write “#format: {FORMAT_NAME}/{FORMAT_VERSION}” or remove the line."
        )
    if int(match["version"]) != FORMAT_VERSION:
        raise ImportFileError(
            f"{name} is in format version {match['version']}; this site reads version "
            f"{FORMAT_VERSION}."
        )
    return 1


def _check_columns(columns, where):
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        hints = []
        for column in unknown:
            close = difflib.get_close_matches(column, COLUMNS, n=1)
            hints.append(f"{column!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ImportFileError(
            f"{where}: unknown column{'s' if len(unknown) > 1 else ''} {', '.join(hints)}. "
            f"Known columns: {', '.join(COLUMNS)}."
        )


def read_csv(path) -> Iterator[SourceRow]:
    text = _decode(path)
    name = Path(path).name
    skip = _format_line(text, name)
    if skip:
        text = text.split("\n", 1)[1] if "\n" in text else ""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    last_line = skip
    try:
        for row in reader:
            rows.append((last_line + 1, row))
            last_line = reader.line_num + skip
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            # Usually a stray quote that swallows the rest of the file into one cell;
            # either way, say what the reader refused rather than guess.
            raise ImportFileError(
                f"{name}, line {last_line + 1}: a cell is longer than "
                f"{csv.field_size_limit():,} characters, the most a cell may hold. "
                "Check that row for a quote that is opened and never closed."
            ) from None
        raise ImportFileError(
            f"{name}, line {last_line + 1}: {exc}. A quoted cell is never closed: "
            "the file looks truncated or a quote is missing."
        ) from None
    if not rows:
        raise ImportFileError(f"{name} has no header row.")
    header_line, header = rows[0]
    columns = [c.strip().lower() for c in header]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise ImportFileError(
            f"{name}, line {header_line}: column {duplicated[0]!r} appears twice."
        )
    _check_columns(columns, f"{name}, line {header_line}")
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ImportFileError(f"{name}: the header has no {' or '.join(missing)} column.")
    present = frozenset(columns)
    ends_cleanly = text.endswith(("\n", "\r"))
    for position, (line, row) in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            if position == len(rows) and not ends_cleanly and len(row) < len(columns):
                raise ImportFileError(
                    f"{name}, line {line}: the last row stops after {len(row)} of "
                    f"{len(columns)} columns; the file looks truncated."
                )
            yield SourceRow(
                f"line {line}",
                {"__cells__": f"has {len(row)} cells; the header has {len(columns)}"},
                present,
            )
            continue
        yield SourceRow(f"line {line}", dict(zip(columns, row, strict=True)), present)


def read_jsonl(path) -> Iterator[SourceRow]:
    text = _decode(path)
    name = Path(path).name
    skip = _format_line(text, name)
    # Lines end at "\n" (or "\r\n") only: str.splitlines() would also break at U+2028,
    # U+2029, U+0085 and a few control characters, which JSON strings may hold raw (and
    # write_jsonl writes them raw), cutting a film's line in two.
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    ends_cleanly = text.endswith(("\n", "\r"))
    parsed = []
    for number, line in enumerate(lines, start=1):
        if number <= skip or not line.strip():
            continue
        try:
            values = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines) and not ends_cleanly:
                raise ImportFileError(
                    f"{name}, line {number}: the last line is cut off ({exc.msg}); "
                    "the file looks truncated."
                ) from None
            parsed.append(
                SourceRow(f"line {number}", {"__cells__": f"is not JSON ({exc.msg})"}, frozenset())
            )
            continue
        if not isinstance(values, dict):
            parsed.append(
                SourceRow(f"line {number}", {"__cells__": "is not a JSON object"}, frozenset())
            )
            continue
        _check_columns(list(values), f"{name}, line {number}")
        parsed.append(SourceRow(f"line {number}", values, frozenset(values)))
    return iter(parsed)


def bokeh_sampledata_path():
    try:
        from importlib.resources import files

        return Path(str(files("bokeh_sampledata") / "_data" / "movies.db"))
    except ModuleNotFoundError:
        raise ImportFileError(
            "bokeh-sampledata is not installed: pip install -c requirements.lock -e '.[demo]'."
        ) from None


BOKEH_COLUMNS = {
    "omdb": {
        "ID",
        "imdbID",
        "Title",
        "Year",
        "Rating",
        "Runtime",
        "Genre",
        "Released",
        "Director",
        "Cast",
    },
    "tomatoes": {"ID", "Rating", "Reviews", "BoxOffice"},
}


def _split(value):
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def read_bokeh_sampledata(path=None) -> Iterator[SourceRow]:
    """The films of bokeh-sampledata's movies.db (CC0, derived from Wikidata and OMDb).

    What the data is, and what we make of it:
    - `Cast` is alphabetical, not billing order: credits are imported without billing.
    - `imdbRating` is empty everywhere; the external rating is the Rotten Tomatoes critics'
      average (`tomatoes.Rating`, out of 10) with `Reviews` as its count.
    - `BoxOffice` is a US domestic gross (about 2,760 films) and there is no budget, so these
      films get no trade verdict. Values under $1,000 are data errors and are skipped.
    - `omdb.Rating` is the certification (PG-13, R, ...).
    - Two imdbIDs are shared by two different films (Apocalypse Now and its Redux, ...):
      those films are matched on title and year instead.
    Columns the source lacks (budget, worldwide gross, logline, ...) are left untouched, so
    an editor's additions survive a re-import.
    """
    path = Path(path) if path else bokeh_sampledata_path()
    if not path.is_file():
        raise ImportFileError(f"{path} does not exist.")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            for table, needed in BOKEH_COLUMNS.items():
                have = {row[1] for row in db.execute(f'PRAGMA table_info("{table}")')}
                if not have:
                    raise ImportFileError(f"{path.name} has no {table} table: is it movies.db?")
                if needed - have:
                    raise ImportFileError(
                        f"{path.name}: table {table} lacks {', '.join(sorted(needed - have))}."
                    )
            shared = {
                row[0]
                for row in db.execute(
                    "SELECT imdbID FROM omdb WHERE imdbID IS NOT NULL AND imdbID != '' "
                    "GROUP BY imdbID HAVING COUNT(*) > 1"
                )
            }
            cursor = db.execute(
                "SELECT o.ID, o.imdbID, o.Title, o.Year, o.Rating, o.Runtime, o.Genre, "
                'o.Released, o.Director, o."Cast", t.Rating, t.Reviews, t.BoxOffice '
                "FROM omdb o LEFT JOIN tomatoes t ON t.ID = o.ID ORDER BY o.ID"
            )
            rows = cursor.fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise ImportFileError(f"{path.name} is not a readable SQLite file: {exc}") from None
    columns = frozenset(
        [
            "external_id",
            "title",
            "year",
            "release_date",
            "runtime_minutes",
            "genres",
            "directors",
            "cast",
            "certification",
            "domestic_gross",
            "currency",
            "box_office_source",
            "external_rating",
            "external_rating_votes",
            "external_rating_source",
        ]
    )
    for (
        source_id,
        imdb_id,
        title,
        year,
        certification,
        runtime,
        genres,
        released,
        director,
        cast,
        rating,
        reviews,
        box_office,
    ) in rows:
        gross = (
            round(box_office) if box_office and box_office >= BOKEH_MIN_PLAUSIBLE_GROSS else None
        )
        values = {
            "external_id": imdb_id if imdb_id and imdb_id not in shared else None,
            "title": title,
            "year": year,
            "release_date": released,
            "runtime_minutes": round(runtime) if runtime else None,
            "genres": _split(genres),
            "directors": _split(director),
            "cast": _split(cast),
            "certification": certification,
            "domestic_gross": gross,
            "currency": "USD",
            "box_office_source": BOKEH_BOX_OFFICE_SOURCE if gross else "",
            "external_rating": rating,
            "external_rating_votes": reviews if rating is not None else None,
            "external_rating_source": BOKEH_RATING_SOURCE if rating is not None else "",
        }
        yield SourceRow(f"omdb ID {source_id}", values, columns, cast_billed=False)


# --- Validating --------------------------------------------------------------------


def _text(value, column, reasons):
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        reasons.append(f"{column}: expected text, got {type(value).__name__}")
        return ""
    text = str(value).replace("\x00", "").strip()
    limit = Movie._meta.get_field(column).max_length
    if limit and len(text) > limit:
        reasons.append(f"{column} is {len(text)} characters; the limit is {limit}")
    return text


def _whole(value, column, reasons, *, low=0, high=None, example=None):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = None
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        raw = value.strip()
        if raw.isdigit() or (raw.startswith("-") and raw[1:].isdigit()):
            number = int(raw)
        elif THOUSANDS.match(raw):
            number = int(raw.replace(",", ""))
    if number is None:
        hint = f" (write e.g. {example})" if example else ""
        reasons.append(f"{column}: {str(value)[:40]!r} is not a whole number{hint}")
        return None
    if number < low:
        reasons.append(f"{column}: {number} is below {low}" if low else f"{column} is negative")
        return None
    if high is not None and number > high:
        reasons.append(f"{column}: {number} is above {high}")
        return None
    return number


def _year(value, reasons):
    number = _whole(value, "year", reasons, low=-(10**9))
    if number is None:
        if value is None or not str(value).strip():
            reasons.append("missing year")
        return None
    if not 1878 <= number <= 2100:
        reasons.append(f"year {number} is impossible: films date from 1878 to 2100")
        return None
    return number


def _date(value, reasons):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    raw = str(value).strip()
    if not ISO_DATE.match(raw):
        reasons.append(f"release_date: {raw[:40]!r} is not a date as YYYY-MM-DD")
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        reasons.append(f"release_date: {raw} is not a real date")
        return None


def _rating(value, reasons):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        reasons.append("external_rating: expected a number out of 10")
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        reasons.append(f"external_rating: {str(value)[:40]!r} is not a number out of 10")
        return None
    if not number.is_finite() or not 0 <= number <= 10:
        reasons.append(f"external_rating: {value} is outside 0 to 10")
        return None
    return number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _names(value, column, reasons, *, genre=False):
    if value is None or value == "":
        return []
    if isinstance(value, str):
        parts = value.split(LIST_SEPARATOR)
    elif isinstance(value, list) and all(isinstance(part, str) for part in value):
        parts = value
    else:
        reasons.append(f"{column}: expected names separated by {LIST_SEPARATOR} or a list of names")
        return []
    names, seen = [], set()
    limit = 60 if genre else 200
    for part in parts:
        name = part.replace("\x00", "").strip()
        if genre:
            name = canonical_genre(name)
        if not name or name.casefold() in seen:
            continue
        if genre and not GENRE_NAME.match(name):
            reasons.append(
                f"genres: {name[:60]!r} is not a genre name; separate genres with "
                f"{LIST_SEPARATOR} (e.g. Drama{LIST_SEPARATOR}Comedy)"
            )
            continue
        if len(name) > limit:
            reasons.append(f"{column}: {name[:30]!r}… is longer than {limit} characters")
            continue
        seen.add(name.casefold())
        names.append(name)
    return names


def canonical_genre(name):
    """Our name for a genre: "Sci-Fi" -> "Science Fiction"; other names as they are."""
    return GENRE_ALIASES.get(" ".join(name.split()).casefold(), name)


def parse_row(row: SourceRow) -> MovieRecord:
    """A validated MovieRecord, or RowError naming everything wrong with the row."""
    values, present = row.values, row.columns
    if "__cells__" in values:
        raise RowError(row.where, [f"the row {values['__cells__']}"])
    reasons = []
    fields = {}
    for column in SCALAR_COLUMNS:
        if column not in present:
            continue
        value = values.get(column)
        if column == "year":
            fields[column] = _year(value, reasons)
        elif column == "release_date":
            fields[column] = _date(value, reasons)
        elif column == "runtime_minutes":
            fields[column] = _whole(value, column, reasons, low=1, high=32767, example=104)
        elif column in MONEY_COLUMNS:
            fields[column] = _whole(value, column, reasons, example=150000000)
        elif column == "external_rating_votes":
            fields[column] = _whole(value, column, reasons, high=2_147_483_647)
        elif column == "external_rating":
            fields[column] = _rating(value, reasons)
        elif column == "currency":
            code = _text(value, column, []).upper() or "USD"
            if not CURRENCY.match(code):
                reasons.append(f"currency: {code[:20]!r} is not a three-letter code like USD")
            fields[column] = code
        elif column == "external_id":
            fields[column] = _text(value, column, reasons) or None
        else:
            fields[column] = _text(value, column, reasons)
    if not fields.get("title"):
        reasons.insert(0, "missing title")
    if "year" not in present:
        reasons.append("missing year")
    if fields.get("external_rating") is not None and not fields.get("external_rating_source"):
        reasons.append("external_rating_source is needed with external_rating (e.g. IMDb)")
    record = MovieRecord(row.where, fields, cast_billed=row.cast_billed)
    for column in LIST_COLUMNS:
        if column in present:
            setattr(
                record,
                column,
                _names(values.get(column), column, reasons, genre=column == "genres"),
            )
    if not reasons:
        # The model's own field rules, as a safety net for anything missed above.
        try:
            Movie(**fields).clean_fields(
                exclude=[f.name for f in Movie._meta.fields if f.name not in fields]
            )
        except ValidationError as exc:
            reasons.extend(f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items())
    if reasons:
        raise RowError(row.where, reasons)
    return record


def parse_rows(rows: Iterable[SourceRow]):
    """(records, errors): every valid record, and a RowError for every bad row."""
    records, errors = [], []
    for row in rows:
        try:
            records.append(parse_row(row))
        except RowError as exc:
            errors.append(exc)
    return records, errors


# --- Writing -----------------------------------------------------------------------


def _unique_slug(text, taken, max_length):
    """A slug for `text` not in `taken` (the catalogue's slugs, so no query), which it joins."""
    slug = next_free_slug(slug_base(text, max_length), taken, max_length)
    taken.add(slug)
    return slug


@dataclass(eq=False)
class _Plan:
    record: MovieRecord
    pk: int | None  # None for a new film until it is written
    values: dict  # every scalar field's new value (for bulk_update) or the new film's fields
    changed: set  # model fields that change
    genres: list | None = None  # genre names (casefolded keys) when they change
    credits: dict | None = None  # {role: [(name, billing)]} for roles that change
    is_new: bool = False  # a film the catalogue does not have yet: written with an INSERT


class _Catalogue:
    """What is already in the database, loaded once so matching costs no queries per row."""

    def __init__(self):
        wanted = ["pk", "slug", "search_document", *SCALAR_COLUMNS]
        self.movies = {row["pk"]: row for row in Movie.objects.values(*wanted).iterator()}
        self.by_external_id = {}
        self.by_title_year = {}
        for row in self.movies.values():
            if row["external_id"]:
                self.by_external_id[row["external_id"]] = row["pk"]
            self.by_title_year.setdefault((row["title"].casefold(), row["year"]), []).append(
                row["pk"]
            )
        self.movie_slugs = {row["slug"] for row in self.movies.values()}
        self.genres = {name.casefold(): pk for pk, name in Genre.objects.values_list("pk", "name")}
        self.genre_slugs = set(Genre.objects.values_list("slug", flat=True))
        self.movie_genres = {}
        for movie_id, genre_id in Movie.genres.through.objects.values_list("movie_id", "genre_id"):
            self.movie_genres.setdefault(movie_id, set()).add(genre_id)
        self.people = {}
        self.person_slugs = set()
        for pk, name, slug in Person.objects.order_by("pk").values_list("pk", "name", "slug"):
            self.people.setdefault(name.casefold(), pk)
            self.person_slugs.add(slug)
        self.credits = {}  # movie -> role -> [(name, billing)]
        rows = Credit.objects.values_list("movie_id", "role", "person__name", "billing_order")
        for movie_id, role, name, billing in rows.order_by(
            "movie_id", "role", "billing_order", "pk"
        ).iterator():
            self.credits.setdefault(movie_id, {}).setdefault(role, []).append((name, billing))

    def match(self, record):
        """The existing film this record describes: by external id, else title and year.

        Title and year match only a film without an external id (or when the record has none):
        two films with different ids are different films, even with the same title and year.
        """
        if record.external_id and record.external_id in self.by_external_id:
            return self.by_external_id[record.external_id]
        for pk in self.by_title_year.get((record.title.casefold(), record.year), []):
            if not record.external_id or not self.movies[pk]["external_id"]:
                return pk
        return None


def _credit_key(credits):
    return {
        role: sorted((fold(name), billing or 0) for name, billing in items)
        for role, items in credits.items()
        if items
    }


def _plan(record, catalogue, now, publish):
    pk = catalogue.match(record)
    existing = catalogue.movies.get(pk, {})
    fields = dict(record.fields)
    if "external_id" in fields and not fields["external_id"]:
        # An empty id cell means "no id in this file", not "forget the film's id": a
        # spreadsheet of titles and budgets must not cut films loose from their source.
        del fields["external_id"]
    old_credits = catalogue.credits.get(pk, {}) if pk else {}
    new_credits = {role: list(items) for role, items in old_credits.items()}
    if record.directors is not None:
        new_credits[Credit.Role.DIRECTOR] = [(name, None) for name in record.directors]
    if record.cast is not None:
        new_credits[Credit.Role.CAST] = [
            (name, position if record.cast_billed else None)
            for position, name in enumerate(record.cast, start=1)
        ]
    credits_change = _credit_key(new_credits) != _credit_key(old_credits)
    fields["search_document"] = search_document(
        (role, billing, name) for role, items in new_credits.items() for name, billing in items
    )
    genre_keys = None
    if record.genres is not None:
        genre_keys = [name.casefold() for name in record.genres]
    if pk is None:
        fields["box_office_multiple"] = verdicts.box_office_multiple(
            fields.get("worldwide_gross"), fields.get("budget")
        )
        fields["slug"] = _unique_slug(f"{record.title} {record.year}", catalogue.movie_slugs, 200)
        if publish:
            fields.update(status=Movie.Status.PUBLISHED, published_at=now)
        return _Plan(
            record,
            None,
            fields,
            set(fields),
            genres=genre_keys,
            credits={r: new_credits[r] for r in new_credits if new_credits[r]},
            is_new=True,
        )
    merged = {name: existing[name] for name in (*SCALAR_COLUMNS, "search_document")}
    merged.update(fields)
    changed = {name for name in merged if merged[name] != existing[name]}
    if {"budget", "worldwide_gross"} & changed:
        merged["box_office_multiple"] = verdicts.box_office_multiple(
            merged["worldwide_gross"], merged["budget"]
        )
        changed.add("box_office_multiple")
    genres_change = None
    if genre_keys is not None:
        current = catalogue.movie_genres.get(pk, set())
        wanted = {catalogue.genres.get(key) for key in genre_keys}
        if None in wanted or wanted != current:
            genres_change = genre_keys
    credits = None
    if credits_change:
        roles = {
            r
            for r in (Credit.Role.DIRECTOR, Credit.Role.CAST)
            if _credit_key({r: new_credits.get(r, [])}) != _credit_key({r: old_credits.get(r, [])})
        }
        credits = {role: new_credits.get(role, []) for role in roles}
    return _Plan(record, pk, merged, changed, genres=genres_change, credits=credits)


def _write(plans, catalogue, now):
    """Writes `plans` with bulk queries; the caller holds the transaction.

    Returns the genres and people it created ({casefold name: (pk, slug)}), for the caller
    to add to the catalogue once the transaction has committed.
    """
    new_genres, new_people = {}, {}
    genre_names = {}
    person_names = {}
    for plan in plans:
        for name in plan.record.genres or []:
            genre_names.setdefault(name.casefold(), name)
        for items in (plan.credits or {}).values():
            for name, _ in items:
                person_names.setdefault(name.casefold(), name)
    missing = [name for key, name in genre_names.items() if key not in catalogue.genres]
    if missing:
        slugs = set(catalogue.genre_slugs)
        created = Genre.objects.bulk_create(
            [Genre(name=name, slug=_unique_slug(name, slugs, 80)) for name in missing]
        )
        new_genres = {genre.name.casefold(): (genre.pk, genre.slug) for genre in created}
    missing = [name for key, name in person_names.items() if key not in catalogue.people]
    if missing:
        slugs = set(catalogue.person_slugs)
        created = Person.objects.bulk_create(
            [Person(name=name, slug=_unique_slug(name, slugs, 200)) for name in missing],
            batch_size=500,
        )
        new_people = {person.name.casefold(): (person.pk, person.slug) for person in created}
    genres = {**catalogue.genres, **{key: pk for key, (pk, _) in new_genres.items()}}
    people = {**catalogue.people, **{key: pk for key, (pk, _) in new_people.items()}}

    new = [plan for plan in plans if plan.is_new]
    if new:
        movies = Movie.objects.bulk_create([Movie(**plan.values) for plan in new], batch_size=500)
        for plan, movie in zip(new, movies, strict=True):
            plan.pk = movie.pk
    changed = [plan for plan in plans if not plan.is_new and plan.changed]
    if changed:
        names = sorted(set().union(*(plan.changed for plan in changed)) | {"updated_at"})
        Movie.objects.bulk_update(
            [Movie(pk=plan.pk, updated_at=now, **plan.values) for plan in changed],
            names,
            batch_size=500,
        )
    regenred = [plan for plan in plans if plan.genres is not None]
    if regenred:
        through = Movie.genres.through
        through.objects.filter(movie_id__in=[p.pk for p in regenred if not p.is_new]).delete()
        _insert(
            through,
            ["movie_id", "genre_id"],
            [(plan.pk, genres[key]) for plan in regenred for key in dict.fromkeys(plan.genres)],
        )
    recredited = [plan for plan in plans if plan.credits]
    if recredited:
        for role in (Credit.Role.DIRECTOR, Credit.Role.CAST):
            ids = [p.pk for p in recredited if not p.is_new and role in p.credits]
            if ids:
                Credit.objects.filter(movie_id__in=ids, role=role).delete()
        _insert(
            Credit,
            ["movie_id", "person_id", "role", "character_name", "billing_order"],
            [
                (plan.pk, people[name.casefold()], role, "", billing)
                for plan in recredited
                for role, items in plan.credits.items()
                for name, billing in items
            ],
        )
    return new_genres, new_people


def _insert(model, columns, rows):
    """INSERT many plain rows with executemany: for the 200,000 credits of a big catalogue,
    bulk_create's model instances cost more than the database work. The rows are built from
    validated records and foreign keys the catalogue knows, so there is nothing to clean."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _remember(plans, catalogue, new_genres, new_people):
    """After a commit: what was written becomes part of the catalogue for later batches."""
    for names, slugs, created in (
        (catalogue.genres, catalogue.genre_slugs, new_genres),
        (catalogue.people, catalogue.person_slugs, new_people),
    ):
        for key, (pk, slug) in created.items():
            names[key] = pk
            slugs.add(slug)
    for plan in plans:
        row = {**catalogue.movies.get(plan.pk, {}), **plan.values, "pk": plan.pk}
        catalogue.movies[plan.pk] = row
        if row.get("external_id"):
            catalogue.by_external_id[row["external_id"]] = plan.pk
        key = (row["title"].casefold(), row["year"])
        if plan.pk not in catalogue.by_title_year.setdefault(key, []):
            catalogue.by_title_year[key].append(plan.pk)
        if plan.genres is not None:
            catalogue.movie_genres[plan.pk] = {catalogue.genres[k] for k in plan.genres}
        if plan.credits:
            catalogue.credits.setdefault(plan.pk, {}).update(plan.credits)


def import_records(
    records: list[MovieRecord],
    *,
    publish: bool = False,
    dry_run: bool = False,
    new_only: bool = False,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Creates or updates a film for each record; see the module docstring.

    `publish` makes new films public at once (existing films keep their status); with
    `new_only`, films already in the catalogue are left exactly as they are. A record
    that describes the same film as an earlier one in the same source fails. With `dry_run`
    nothing is written and the result says what would change.
    """
    result = ImportResult(dry_run=dry_run)
    catalogue = _Catalogue()
    now = timezone.now()
    claimed = {}  # ("pk" | "ext" | "title", key) -> where
    for start in range(0, len(records), batch_size):
        batch = records[start : start + batch_size]
        plans = []
        for record in batch:
            plan = _plan(record, catalogue, now, publish)
            earlier = _claim(claimed, plan)
            if earlier:
                result.failed.append((record.where, f"same film as {earlier}"))
                continue
            if new_only and not plan.is_new:
                result.kept += 1
                continue
            plans.append(plan)
        to_write = [p for p in plans if p.changed or p.genres is not None or p.credits]
        result.unchanged += len(plans) - len(to_write)
        written = to_write
        if to_write and not dry_run:
            written = _write_batch(to_write, catalogue, now, result)
        result.created += sum(1 for p in written if p.is_new)
        result.updated += sum(1 for p in written if not p.is_new)
        if progress:
            progress(len(batch))
    if not dry_run and result.created + result.updated >= ANALYZE_AFTER:
        _analyze()
    return result


def _analyze():
    """Fresh planner statistics after a big load: without them PostgreSQL plans searches for
    the empty tables it last saw (sequential scans instead of the search indexes)."""
    tables = [model._meta.db_table for model in (Movie, Person, Credit, Genre)]
    tables.append(Movie.genres.through._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(map(connection.ops.quote_name, tables))}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def _claim(claimed, plan):
    """Where an earlier record of this source described the same film, else None (and claims it).

    The rule mirrors `_Catalogue.match`: same external id, or same title and year when
    one of the two has no external id.
    """
    record = plan.record
    if not plan.is_new:
        keys, checks = [("pk", plan.pk)], [("pk", plan.pk)]
    else:
        title = (record.title.casefold(), record.year)
        if record.external_id:
            checks = [("ext", record.external_id), ("title-no-id", title)]
            keys = [("ext", record.external_id), ("title", title)]
        else:
            checks = [("title", title)]
            keys = [("title", title), ("title-no-id", title)]
    for key in checks:
        if key in claimed:
            return claimed[key]
    for key in keys:
        claimed.setdefault(key, record.where)
    return None


def _write_batch(plans, catalogue, now, result):
    """Writes a batch in one transaction; if it fails, each row in its own savepoint."""
    try:
        with transaction.atomic():
            created = _write(plans, catalogue, now)
    except (DatabaseError, ValueError, KeyError):
        for plan in plans:
            if plan.is_new:
                plan.pk = None  # the key the rolled-back insert gave it is gone
        written = []
        for plan in plans:
            try:
                with transaction.atomic():
                    created = _write([plan], catalogue, now)
            except (DatabaseError, ValueError, KeyError) as exc:
                result.failed.append((plan.record.where, f"the database refused it: {exc}"))
                continue
            _remember([plan], catalogue, *created)
            written.append(plan)
        return written
    _remember(plans, catalogue, *created)
    return plans


# --- Writing files in the format ---------------------------------------------------


def movie_rows(movies) -> Iterator[dict]:
    """Films as rows of the import format (lists as Python lists), e.g. for a round trip."""
    movies = movies.prefetch_related("genres", "credits__person")
    for movie in movies:
        credits = sorted(movie.credits.all(), key=lambda c: (c.billing_order or 0, c.pk))
        row = {column: getattr(movie, column) for column in SCALAR_COLUMNS}
        row["genres"] = sorted(genre.name for genre in movie.genres.all())
        row["directors"] = [c.person.name for c in credits if c.role == Credit.Role.DIRECTOR]
        row["cast"] = [c.person.name for c in credits if c.role == Credit.Role.CAST]
        yield row


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return str(value)


def write_csv(rows: Iterable[dict], out) -> None:
    out.write(f"#format: {FORMAT_NAME}/{FORMAT_VERSION}\n")
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _cell(row.get(column)) for column in COLUMNS})


def write_jsonl(rows: Iterable[dict], out) -> None:
    out.write(f"#format: {FORMAT_NAME}/{FORMAT_VERSION}\n")
    for row in rows:
        record = {}
        for column in COLUMNS:
            value = row.get(column)
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            record[column] = value
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
