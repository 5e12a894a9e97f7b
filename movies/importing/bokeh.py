"""The bokeh-sampledata adapter: its movies.db (SQLite) read as rows of our format."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from movies.importing.format import ImportFileError, SourceRow

BOKEH_RATING_SOURCE = "Rotten Tomatoes critics' average"
BOKEH_BOX_OFFICE_SOURCE = "Rotten Tomatoes (US domestic), via bokeh-sampledata"
# A handful of BoxOffice values in bokeh-sampledata are a few dollars: data errors.
BOKEH_MIN_PLAUSIBLE_GROSS = 1000


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
