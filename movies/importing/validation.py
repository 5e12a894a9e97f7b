"""Row validation: a raw `SourceRow` becomes a `MovieRecord`, or a `RowError` naming every
reason the row is wrong (a row is refused whole, never half-written)."""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone

from movies import limits
from movies.importing.format import (
    FIELD_COLUMNS,
    LIST_COLUMNS,
    LIST_SEPARATOR,
    MONEY_COLUMNS,
    RELATED_COLUMNS,
    SourceRow,
)
from movies.models import Movie

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
#: Whole-number columns and their highest value.
COUNT_COLUMNS = {
    "external_rating_votes": 2_147_483_647,
    "critics_positive_pct": 100,
    "critics_fresh": 2_147_483_647,
    "critics_rotten": 2_147_483_647,
    "metacritic": 100,
    "oscars_won": 32767,
    "oscars_nominated": 32767,
}
RATING_COLUMNS = ("external_rating", "critics_average")  # out of 10, one decimal
DATE_COLUMNS = ("release_date", "critics_as_of")
#: A release further ahead than this is probably a typing mistake (2205 for 2025).
RELEASE_AHEAD_DAYS = 2 * 365
THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")


class RowError(Exception):
    """A row refused, with every reason (each a short sentence for the import summary)."""

    def __init__(self, where, reasons):
        self.where = where
        self.reasons = list(reasons)
        super().__init__(f"{where}: {'; '.join(self.reasons)}")


@dataclass
class MovieRecord:
    """One validated film from a source; `fields` holds only the columns the source carries."""

    where: str
    fields: dict
    genres: list | None = None
    directors: list | None = None
    writers: list | None = None
    cast: list | None = None
    cast_billed: bool = True
    warnings: list = field(default_factory=list)  # doubts that do not stop the row

    @property
    def title(self):
        return self.fields["title"]

    @property
    def year(self):
        return self.fields["year"]

    @property
    def external_id(self):
        return self.fields.get("external_id") or None


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
    if not limits.FIRST_YEAR <= number <= limits.LAST_YEAR:
        reasons.append(f"year {number} is impossible: films date from {limits.YEARS_TEXT}")
        return None
    return number


def _date(value, column, reasons):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    raw = str(value).strip()
    if not ISO_DATE.match(raw):
        reasons.append(f"{column}: {raw[:40]!r} is not a date as YYYY-MM-DD")
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        reasons.append(f"{column}: {raw} is not a real date")
        return None


def _rating(value, column, reasons):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        reasons.append(f"{column}: expected a number out of 10")
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        reasons.append(f"{column}: {str(value)[:40]!r} is not a number out of 10")
        return None
    if not number.is_finite() or not 0 <= number <= 10:
        reasons.append(f"{column}: {value} is outside 0 to 10")
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
    limit = limits.GENRE_NAME_MAX_LENGTH if genre else 200
    for part in parts:
        name = part.replace("\x00", "").strip()
        if genre:
            name = canonical_genre(" ".join(name.split()))
        if not name or name.casefold() in seen:
            continue
        if genre and (problem := _genre_problem(name)):
            reasons.append(f"genres: {name[:60]!r} {problem}")
            continue
        if len(name) > limit:
            reasons.append(f"{column}: {name[:30]!r}… is longer than {limit} characters")
            continue
        seen.add(name.casefold())
        names.append(name)
    return names


def _genre_problem(name):
    """Why `name` cannot be a genre, or None. Any printable text is a genre name ("3D",
    "Thriller/Suspense", "Film-Noir", "Comédie"), except one holding the list separator,
    or a comma: that is a list written with the wrong separator ("Drama, Comedy")."""
    if LIST_SEPARATOR in name or "," in name:
        return (
            f"is not a genre name; separate genres with {LIST_SEPARATOR} "
            f"(e.g. Drama{LIST_SEPARATOR}Comedy)"
        )
    if not name.isprintable():
        return "holds a control character"
    return None


def canonical_genre(name):
    """Our name for a genre: "Sci-Fi" -> "Science Fiction"; other names as they are."""
    return GENRE_ALIASES.get(" ".join(name.split()).casefold(), name)


def parse_row(row: SourceRow, *, today: datetime.date | None = None) -> MovieRecord:
    """A validated MovieRecord, or RowError naming everything wrong with the row.

    `today` (the local date by default) dates the check for releases far ahead."""
    values, present = row.values, row.columns
    if "__cells__" in values:
        raise RowError(row.where, [f"the row {values['__cells__']}"])
    reasons = []
    fields = {}
    for column in FIELD_COLUMNS:
        if column not in present:
            continue
        value = values.get(column)
        if column == "year":
            fields[column] = _year(value, reasons)
        elif column in DATE_COLUMNS:
            fields[column] = _date(value, column, reasons)
        elif column == "runtime_minutes":
            high = limits.MAX_RUNTIME_MINUTES
            fields[column] = _whole(value, column, reasons, low=1, high=high, example=104)
        elif column in MONEY_COLUMNS:
            fields[column] = _whole(value, column, reasons, example=150000000)
        elif column in COUNT_COLUMNS:
            fields[column] = _whole(value, column, reasons, high=COUNT_COLUMNS[column])
        elif column in RATING_COLUMNS:
            fields[column] = _rating(value, column, reasons)
        elif column in LIST_COLUMNS:
            fields[column] = _names(value, column, reasons)
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
    if fields.get("critics_average") is not None and not fields.get("critics_source"):
        reasons.append("critics_source is needed with critics_average (e.g. Rotten Tomatoes)")
    record = MovieRecord(row.where, fields, cast_billed=row.cast_billed)
    for column in RELATED_COLUMNS:
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
    record.warnings = _doubts(fields, today or timezone.localdate())
    return record


def _doubts(fields, today):
    """What looks wrong but may be right: the row is imported and the summary says so."""
    doubts = []
    released, year = fields.get("release_date"), fields.get("year")
    if released and year and released.year != year:
        doubts.append(
            f"release_date {released} is in {released.year}, but year says {year}; "
            "imported as given"
        )
    ahead = today + datetime.timedelta(days=RELEASE_AHEAD_DAYS)
    if released and released > ahead:
        doubts.append(f"release_date {released} is more than two years ahead; imported as given")
    return doubts


def parse_rows(rows: Iterable[SourceRow]):
    """(records, errors): every valid record, and a RowError for every bad row."""
    records, errors = [], []
    today = timezone.localdate()
    for row in rows:
        try:
            records.append(parse_row(row, today=today))
        except RowError as exc:
            errors.append(exc)
    return records, errors
