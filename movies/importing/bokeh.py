"""The bokeh-sampledata adapter: its movies.db (SQLite) read as rows of our format."""

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from movies.importing.format import ImportFileError, SourceRow

BOKEH_CRITICS_SOURCE = "Rotten Tomatoes, via bokeh-sampledata"
BOKEH_BOX_OFFICE_SOURCE = "Rotten Tomatoes (US domestic), via bokeh-sampledata"
# A handful of BoxOffice values in bokeh-sampledata are a few dollars: data errors.
BOKEH_MIN_PLAUSIBLE_GROSS = 1000


def bokeh_sampledata_path():
    try:
        from importlib.resources import files

        return Path(str(files("bokeh_sampledata") / "_data" / "movies.db"))
    except ModuleNotFoundError:
        raise ImportFileError(
            "bokeh-sampledata is not installed: pip install -c requirements.lock --group demo."
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
        "Writer",
        "Cast",
        "Metacritic",
        "Language",
        "Country",
        "Awards",
    },
    "tomatoes": {
        "ID",
        "Rating",
        "Meter",
        "Reviews",
        "Fresh",
        "Rotten",
        "BoxOffice",
        "Production",
        "lastUpdated",
    },
}
QUERY = (
    "SELECT o.ID, o.imdbID, o.Title, o.Year, o.Rating AS certification, o.Runtime, o.Genre, "
    'o.Released, o.Director, o.Writer, o."Cast", o.Metacritic, o.Language, o.Country, '
    "o.Awards, t.Rating AS critics_average, t.Meter, t.Reviews, t.Fresh, t.Rotten, "
    "t.BoxOffice, t.Production, t.lastUpdated "
    "FROM omdb o LEFT JOIN tomatoes t ON t.ID = o.ID ORDER BY o.ID"
)
#: The columns of our format a bokeh row carries; the others are left as they are.
CARRIED = frozenset(
    [
        "external_id",
        "title",
        "year",
        "release_date",
        "runtime_minutes",
        "genres",
        "directors",
        "writers",
        "cast",
        "certification",
        "domestic_gross",
        "currency",
        "box_office_source",
        "critics_positive_pct",
        "critics_fresh",
        "critics_rotten",
        "critics_average",
        "critics_source",
        "critics_as_of",
        "metacritic",
        "awards",
        "oscars_won",
        "oscars_nominated",
        "languages",
        "countries",
        "production_companies",
    ]
)
OSCARS_WON = re.compile(r"\bWon (\d+) Oscars?\b")
OSCARS_NOMINATED = re.compile(r"\bNominated for (\d+) Oscars?\b")


def _split(value):
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def read_bokeh_sampledata(path=None) -> Iterator[SourceRow]:
    """The films of bokeh-sampledata's movies.db (CC0, derived from Wikidata and OMDb).

    What the data is, and what we make of it:
    - `Cast` is alphabetical, not billing order: credits are imported without billing.
    - `imdbRating` is empty everywhere: the file has no outside audience rating, so an
      editor's `external_rating` is left alone; the critics' average (`tomatoes.Rating`, out
      of 10) is imported as such, with the fresh and rotten reviews it sums up.
    - `BoxOffice` is a US domestic gross (about 2,760 films) and there is no budget, so these
      films get no trade verdict. Values under $1,000 are data errors and are skipped.
    - `omdb.Rating` is the certification (PG-13, R, ...).
    - The critics' figures (Rotten Tomatoes' meter, fresh and rotten counts, average) are
      dated by `tomatoes.lastUpdated`; Oscars are read from the `Awards` sentence.
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
            db.row_factory = sqlite3.Row
            cursor = db.execute(QUERY)
            rows = cursor.fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise ImportFileError(f"{path.name} is not a readable SQLite file: {exc}") from None
    for row in rows:
        yield SourceRow(f"omdb ID {row['ID']}", _values(row, shared), CARRIED, cast_billed=False)


def _values(row, shared):
    box_office, rating = row["BoxOffice"], row["critics_average"]
    gross = round(box_office) if box_office and box_office >= BOKEH_MIN_PLAUSIBLE_GROSS else None
    critics = [row[name] for name in ("critics_average", "Meter", "Fresh", "Rotten")]
    has_critics = any(value is not None for value in critics)
    awards = (row["Awards"] or "").strip()
    won, nominated = OSCARS_WON.search(awards), OSCARS_NOMINATED.search(awards)
    imdb_id = row["imdbID"]
    return {
        "external_id": imdb_id if imdb_id and imdb_id not in shared else None,
        "title": row["Title"],
        "year": row["Year"],
        "release_date": row["Released"],
        "runtime_minutes": round(row["Runtime"]) if row["Runtime"] else None,
        "genres": _split(row["Genre"]),
        "directors": _split(row["Director"]),
        "writers": _split(row["Writer"]),
        "cast": _split(row["Cast"]),
        "certification": row["certification"],
        "domestic_gross": gross,
        "currency": "USD",
        "box_office_source": BOKEH_BOX_OFFICE_SOURCE if gross else "",
        "critics_positive_pct": row["Meter"],
        "critics_fresh": row["Fresh"],
        "critics_rotten": row["Rotten"],
        "critics_average": rating,
        "critics_source": BOKEH_CRITICS_SOURCE if has_critics else "",
        "critics_as_of": row["lastUpdated"] if has_critics else None,
        "metacritic": row["Metacritic"],
        "awards": awards,
        # "Won 2 Oscars." without nominations: at least 2, but the count is not given.
        "oscars_won": int(won[1]) if won else (0 if nominated else None),
        "oscars_nominated": int(nominated[1]) if nominated else None,
        "languages": _split(row["Language"]),
        "countries": _split(row["Country"]),
        "production_companies": _split(row["Production"]),
    }
