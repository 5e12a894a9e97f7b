"""import_movies --from bokeh-sampledata, on a small SQLite file with the real schema."""

import io
import sqlite3
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from movies.models import Credit, Genre, Movie
from movies.search import fold

# The real movies.db schema (bokeh-sampledata 2024.2), abridged to nothing.
SCHEMA = [
    'CREATE TABLE "omdb" ("ID" INTEGER, "imdbID" TEXT, "Title" TEXT, "Year" INTEGER, '
    '"Rating" TEXT, "Runtime" REAL, "Genre" TEXT, "Released" TEXT, "Director" TEXT, '
    '"Writer" TEXT, "Cast" TEXT, "Metacritic" INTEGER, "imdbRating" REAL, "imdbVotes" INTEGER, '
    '"Language" TEXT, "Country" TEXT, "Awards" TEXT, "lastUpdated" TEXT, "Oscars" INTEGER)',
    'CREATE TABLE "tomatoes" ("ID" INTEGER, "Image" TEXT, "Rating" REAL, "Meter" INTEGER, '
    '"Reviews" INTEGER, "Fresh" INTEGER, "Rotten" INTEGER, "Consensus" TEXT, "userMeter" INTEGER, '
    '"userRating" REAL, "userReviews" INTEGER, "DVD" TEXT, "BoxOffice" REAL, "Production" TEXT, '
    '"Website" TEXT, "lastUpdated" TEXT)',
]
FILMS = [
    # ID, imdbID, Title, Year, Rating, Runtime, Genre, Released, Director, Cast, RT rating,
    # Reviews, BoxOffice
    (
        595,
        "tt1675434",
        "The Intouchables",
        2011,
        "R",
        112.0,
        "Biography, Comedy, Drama",
        "2011-01-01",
        "Olivier Nakache, Éric Toledano",
        "Anne Le Ny, François Cluzet, Omar Sy",
        6.8,
        129,
        426588510.0,
    ),
    (
        182692,
        "tt0078788",
        "Apocalypse Now",
        1979,
        "R",
        153.0,
        "Drama, War",
        "1979-08-15",
        "Francis Ford Coppola",
        "Marlon Brando, Martin Sheen",
        9.0,
        80,
        None,
    ),
    (
        3620669,
        "tt0078788",
        "Apocalypse Now Redux",
        2001,
        "R",
        202.0,
        "Drama, War",
        "2001-08-03",
        "Francis Ford Coppola",
        "Marlon Brando, Martin Sheen",
        8.5,
        70,
        7.386,
    ),
    (
        372,
        "tt0498329",
        "We Live in Public",
        2009,
        None,
        None,
        "",
        "2009-01-19",
        "Ondi Timoner",
        "",
        None,
        None,
        None,
    ),
]


@pytest.fixture
def movies_db(tmp_path):
    path = tmp_path / "movies.db"
    db = sqlite3.connect(path)
    for statement in SCHEMA:
        db.execute(statement)
    for (
        pk,
        imdb,
        title,
        year,
        rating,
        runtime,
        genre,
        released,
        director,
        cast,
        rt,
        reviews,
        box_office,
    ) in FILMS:
        db.execute(
            "INSERT INTO omdb (ID, imdbID, Title, Year, Rating, Runtime, Genre, Released, "
            'Director, "Cast", imdbRating) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)',
            (pk, imdb, title, year, rating, runtime, genre, released, director, cast),
        )
        db.execute(
            "INSERT INTO tomatoes (ID, Rating, Reviews, BoxOffice) VALUES (?, ?, ?, ?)",
            (pk, rt, reviews, box_office),
        )
    db.commit()
    db.close()
    return path


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_movies", str(path), "--from", "bokeh-sampledata", *args, stdout=out, stderr=err
    )
    return out.getvalue()


@pytest.mark.django_db
def test_the_dataset_is_imported_as_it_really_is(movies_db):
    out = run(movies_db, "--publish")

    assert "4 created, 0 updated, 0 unchanged, 0 failed" in out
    film = Movie.objects.get(external_id="tt1675434")
    assert (film.title, film.year, film.runtime_minutes, film.certification) == (
        "The Intouchables",
        2011,
        112,
        "R",
    )
    assert sorted(g.name for g in film.genres.all()) == ["Biography", "Comedy", "Drama"]
    # The critics' average is the critics' (reviews counted), never an audience rating: the
    # file has no outside audience rating, so an editor's (e.g. IMDb) is left alone.
    assert film.critics_average == Decimal("6.8")
    assert film.external_rating is None
    # Box office is domestic only, and with no budget there is no trade verdict.
    assert (film.domestic_gross, film.worldwide_gross, film.budget) == (426588510, None, None)
    assert film.box_office_multiple is None
    assert film.is_public
    assert "no trade verdict" in film.verdict([]).trade_text.lower()


@pytest.mark.django_db
def test_alphabetical_cast_is_imported_without_billing(movies_db):
    run(movies_db)

    cast = Credit.objects.filter(movie__external_id="tt1675434", role=Credit.Role.CAST)
    assert sorted(c.person.name for c in cast) == ["Anne Le Ny", "François Cluzet", "Omar Sy"]
    assert {c.billing_order for c in cast} == {None}
    directors = Credit.objects.filter(movie__external_id="tt1675434", role=Credit.Role.DIRECTOR)
    assert directors.count() == 2
    assert fold("Éric Toledano") in Movie.objects.get(external_id="tt1675434").search_document


@pytest.mark.django_db
def test_an_imdb_id_shared_by_two_films_is_not_used_for_either(movies_db):
    run(movies_db)

    assert Movie.objects.filter(title__startswith="Apocalypse Now").count() == 2
    assert not Movie.objects.filter(external_id="tt0078788").exists()
    redux = Movie.objects.get(title="Apocalypse Now Redux")
    assert redux.domestic_gross is None  # the source's $7 is a data error


@pytest.mark.django_db
def test_a_film_without_ratings_or_figures_still_lands(movies_db):
    run(movies_db)

    film = Movie.objects.get(external_id="tt0498329")
    assert film.external_rating is None and film.external_rating_source == ""
    assert film.runtime_minutes is None
    assert film.genres.count() == 0


@pytest.mark.django_db
def test_reimport_changes_nothing_and_keeps_editors_additions(movies_db):
    run(movies_db, "--publish")
    film = Movie.objects.get(external_id="tt1675434")
    film.budget, film.worldwide_gross, film.logline = 9_500_000, 426_588_510, "An odd couple."
    film.save()

    out = run(movies_db, "--publish")

    assert "0 created, 0 updated, 4 unchanged, 0 failed" in out
    film.refresh_from_db()
    assert (film.budget, film.logline) == (9_500_000, "An odd couple.")
    assert Movie.objects.count() == 4


@pytest.mark.django_db
def test_not_the_movies_database_is_a_clear_error(tmp_path):
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE other (x)").connection.commit()

    with pytest.raises(CommandError, match="has no omdb table"):
        run(path)
    with pytest.raises(CommandError, match="does not exist"):
        run(tmp_path / "missing.db")


@pytest.mark.django_db
def test_sci_fi_joins_the_demos_science_fiction(movies_db):
    """bokeh-sampledata says "Sci-Fi" (1,203 films); the demo says "Science Fiction"."""
    Genre.objects.create(name="Science Fiction", slug="science-fiction")
    db = sqlite3.connect(movies_db)
    db.execute(
        "INSERT INTO omdb (ID, imdbID, Title, Year, Rating, Runtime, Genre, Released, "
        'Director, "Cast", imdbRating) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)',
        (1, "tt0062622", "2001: A Space Odyssey", 1968, "G", 149.0, "Adventure, Sci-Fi",
         "1968-04-06", "Stanley Kubrick", "Keir Dullea"),
    )  # fmt: skip
    db.commit()
    db.close()

    run(movies_db)
    assert "0 created, 0 updated, 5 unchanged" in run(movies_db)

    film = Movie.objects.get(external_id="tt0062622")
    assert sorted(g.name for g in film.genres.all()) == ["Adventure", "Science Fiction"]
    assert not Genre.objects.filter(name__iexact="sci-fi").exists()
    assert Genre.objects.filter(name="Science Fiction").count() == 1


@pytest.mark.django_db
def test_what_critics_say_awards_writers_and_origins_are_imported(movies_db):
    """Casablanca as movies.db holds it: the figures a reader wants, with source and date."""
    db = sqlite3.connect(movies_db)
    db.execute(
        "INSERT INTO omdb (ID, imdbID, Title, Year, Rating, Runtime, Genre, Released, Director, "
        'Writer, "Cast", Metacritic, Language, Country, Awards, Oscars) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (132689, "tt0034583", "Casablanca", 1942, "PG", 102.0, "War, Romance, Drama",
         "1942-11-26", "Michael Curtiz", "Julius J. Epstein, Philip G. Epstein, Howard Koch",
         "Humphrey Bogart, Ingrid Bergman", 100, "English, French, German",
         "United States", "Won 3 Oscars. Nominated for 8 Oscars.", 3),
    )  # fmt: skip
    db.execute(
        "INSERT INTO tomatoes (ID, Rating, Meter, Reviews, Fresh, Rotten, Production, "
        "lastUpdated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (132689, 9.4, 99, 135, 134, 1, "Warner Bros. Pictures", "2026-10-18"),
    )
    db.commit()
    db.close()

    run(movies_db)

    film = Movie.objects.get(external_id="tt0034583")
    assert (film.critics_positive_pct, film.critics_fresh, film.critics_rotten) == (99, 134, 1)
    assert film.critics_average == Decimal("9.4")
    assert film.critics_source == "Rotten Tomatoes, via bokeh-sampledata"
    assert str(film.critics_as_of) == "2026-10-18"
    assert film.metacritic == 100
    assert film.awards == "Won 3 Oscars. Nominated for 8 Oscars."
    assert (film.oscars_won, film.oscars_nominated) == (3, 8)
    assert film.languages == ["English", "French", "German"]
    assert film.countries == ["United States"]
    assert film.production_companies == ["Warner Bros. Pictures"]
    writers = film.credits.filter(role=Credit.Role.WRITER).values_list("person__name", flat=True)
    assert sorted(writers) == ["Howard Koch", "Julius J. Epstein", "Philip G. Epstein"]
    assert fold("Howard Koch") in film.search_document
    # A film the source has no such figures for keeps them empty, not zero.
    bare = Movie.objects.get(external_id="tt0498329")
    assert (bare.metacritic, bare.critics_positive_pct, bare.oscars_won) == (None, None, None)
    assert (bare.critics_source, bare.awards, bare.languages) == ("", "", [])
    assert "0 created, 0 updated, 5 unchanged" in run(movies_db)
