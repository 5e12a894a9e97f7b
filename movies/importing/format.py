"""The import file format, version 1: its columns, and reading and writing CSV and JSON Lines.

A reader turns a file into `SourceRow`s (where the row came from, its raw values, which
columns it carries). Problems with the whole file (not UTF-8, truncated, an unknown column)
raise `ImportFileError` before anything is written. The format is described in
docs/importing.md; `COLUMNS` is the table there (a test holds them together).
"""

import csv
import datetime
import difflib
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from movies import limits
from movies.models import Credit

FORMAT_NAME = "worth-watching-movies"
FORMAT_VERSION = 1
FORMAT_LINE = re.compile(r"^#\s*format:\s*(?P<name>[\w.-]+)/(?P<version>\d+)\s*$")
LIST_SEPARATOR = "|"

# Column -> what it holds. The order is the order of a written file and of the table in
# docs/importing.md.
COLUMNS = {
    "external_id": "Your identifier for the film (e.g. an IMDb tt… id). Matches re-imports. "
    "Empty keeps the id a film already has.",
    "title": "Required. The title readers know.",
    "original_title": "Title in the original language, if different.",
    "year": f"Required. Release year, {limits.YEARS_TEXT}.",
    "release_date": "First release, YYYY-MM-DD.",
    "runtime_minutes": "Whole minutes, 1 or more.",
    "genres": "Genre names separated by |, e.g. Drama|Thriller/Suspense|3D. "
    f"Any text but | and commas, at most {limits.GENRE_NAME_MAX_LENGTH} characters. "
    "New names create genres.",
    "directors": "Names separated by |.",
    "writers": "Names separated by |.",
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
    "critics_positive_pct": "Share of critics' reviews that are positive, 0 to 100.",
    "critics_fresh": "How many critics' reviews are positive.",
    "critics_rotten": "How many critics' reviews are negative.",
    "critics_average": "The critics' average score out of 10 (one decimal kept).",
    "critics_source": "Where the critics' figures come from, e.g. Rotten Tomatoes. "
    "Needed with an average.",
    "critics_as_of": "When the critics' figures were collected, YYYY-MM-DD.",
    "metacritic": "Metacritic score, 0 to 100.",
    "awards": "Awards in a sentence, e.g. Won 3 Oscars. Nominated for 8 Oscars.",
    "oscars_won": "Oscars won, a whole number.",
    "oscars_nominated": "Oscar nominations, a whole number.",
    "languages": "Spoken languages separated by |, the main one first.",
    "countries": "Production countries separated by |, the main one first.",
    "production_companies": "Production companies separated by |.",
    "logline": "One sentence, at most 300 characters.",
    "synopsis": "A spoiler-free paragraph or two.",
}
REQUIRED_COLUMNS = ("title", "year")
#: Columns whose cells hold names separated by LIST_SEPARATOR (JSON arrays in JSON Lines).
LIST_COLUMNS = (
    "genres",
    "directors",
    "writers",
    "cast",
    "languages",
    "countries",
    "production_companies",
)
#: Columns that are related rows (genres, credits), not a column of the film.
RELATED_COLUMNS = ("genres", "directors", "writers", "cast")
FIELD_COLUMNS = tuple(c for c in COLUMNS if c not in RELATED_COLUMNS)  # Movie field names
MONEY_COLUMNS = ("budget", "worldwide_gross", "domestic_gross")


class ImportFileError(Exception):
    """The whole source is unusable (encoding, truncation, columns): nothing is written."""


@dataclass(frozen=True)
class SourceRow:
    where: str  # "line 12", "omdb ID 372"
    values: dict
    columns: frozenset  # the columns this row carries; absent columns are left alone
    cast_billed: bool = True


def read_path(path) -> Iterator[SourceRow]:
    """The reader for a file, chosen by its extension (.csv, .jsonl or .ndjson)."""
    reader = _reader(Path(path).name)  # an unknown type is refused before reading
    return reader(*_read_text(path))


def read_data(name: str, data: bytes) -> Iterator[SourceRow]:
    """The rows of a file's contents, read as its name's extension says: how an upload
    (the admin's import screen) is read, by the same readers as a file on disk."""
    return _reader(name)(_decode(name, data), name)


def _reader(name):
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return _csv_rows
    if suffix in {".jsonl", ".ndjson"}:
        return _jsonl_rows
    raise ImportFileError(
        f"{name}: unknown file type {suffix or '(none)'!r}. Use .csv or .jsonl "
        "(from a spreadsheet, save as “CSV UTF-8”)."
    )


def _decode(name, data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}). "
            "Save it as UTF-8: in a spreadsheet choose “CSV UTF-8”."
        ) from None
    if not text.strip():
        raise ImportFileError(f"{name} is empty.")
    return text


def _read_text(path):
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"Cannot read {path}: {exc.strerror or exc}") from None
    return _decode(path.name, data), path.name


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
    return _csv_rows(*_read_text(path))


def _csv_rows(text, name):
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
    return _jsonl_rows(*_read_text(path))


def _jsonl_rows(text, name):
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


def movie_rows(movies) -> Iterator[dict]:
    """Films as rows of the import format (lists as Python lists), e.g. for a round trip."""
    movies = movies.prefetch_related("genres", "credits__person")
    for movie in movies:
        credits = sorted(movie.credits.all(), key=lambda c: (c.billing_order or 0, c.pk))
        row = {column: getattr(movie, column) for column in FIELD_COLUMNS}
        row["genres"] = sorted(genre.name for genre in movie.genres.all())
        row["directors"] = [c.person.name for c in credits if c.role == Credit.Role.DIRECTOR]
        row["writers"] = [c.person.name for c in credits if c.role == Credit.Role.WRITER]
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
