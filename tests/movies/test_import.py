"""manage.py import_movies with files in the documented format (CSV and JSON Lines)."""

import importlib
import io
import json
import re
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection

from movies import importing
from movies.importing import writer
from movies.models import Credit, Genre, Movie, Person
from movies.services import refresh_search_documents

DATA = Path(__file__).parent / "data"
HEADER = (
    "title,year,genres,budget,release_date,runtime_minutes,external_rating,external_rating_source"
)


def run(*args):
    """Runs the command; returns (stdout, stderr, the CommandError or None)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_movies", *map(str, args), stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["films.csv", "films.jsonl"])
def test_every_column_lands_on_the_film(name):
    out, err, error = run(DATA / name)

    assert error is None, err
    assert "2 created, 0 updated, 0 unchanged, 0 failed" in out
    film = Movie.objects.get(external_id="tt11214558")
    assert (film.title, film.original_title, film.year) == ("One Second", "一秒钟", 2020)
    assert str(film.release_date) == "2020-11-27"
    assert film.runtime_minutes == 104
    assert film.certification == "PG-13"
    assert (film.budget, film.worldwide_gross, film.domestic_gross) == (
        15_000_000,
        42_000_000,
        None,
    )
    assert film.currency == "CNY"
    assert film.box_office_multiple == pytest.approx(2.8)
    assert film.external_rating == Decimal("7.4")
    assert (film.external_rating_votes, film.external_rating_source) == (12345, "IMDb")
    assert '"reel" girl' in film.synopsis
    assert sorted(g.name for g in film.genres.all()) == ["Drama", "History"]
    cast = film.credits.filter(role=Credit.Role.CAST).order_by("billing_order")
    assert [(c.person.name, c.billing_order) for c in cast] == [
        ("Zhang Yi", 1),
        ("Liu Haocun", 2),
        ("Fan Wei", 3),
    ]
    assert film.credits.get(role=Credit.Role.DIRECTOR).person.name == "Zhang Yimou"
    assert film.status == Movie.Status.DRAFT
    assert Movie.objects.get(title="Amélie").slug == "amelie-2001"


@pytest.mark.django_db
def test_round_trip_through_both_formats_changes_nothing(tmp_path):
    run(DATA / "films.csv")
    before = list(importing.movie_rows(Movie.objects.order_by("title")))

    for name, write_file in (
        ("out.csv", importing.write_csv),
        ("out.jsonl", importing.write_jsonl),
    ):
        with open(tmp_path / name, "w", encoding="utf-8", newline="") as fh:
            write_file(importing.movie_rows(Movie.objects.order_by("title")), fh)
        out, err, error = run(tmp_path / name)
        assert error is None, err
        assert "0 created, 0 updated, 2 unchanged" in out

    assert list(importing.movie_rows(Movie.objects.order_by("title"))) == before
    assert before[1]["cast"] == ["Zhang Yi", "Liu Haocun", "Fan Wei"]


@pytest.mark.django_db
def test_json_lines_round_trip_text_holding_unicode_line_separators(tmp_path):
    # JSON may hold these raw (write_jsonl does, with ensure_ascii=False); only "\n" ends
    # a line, so none of them may split a film's line in two.
    title = "Before\u2028After\u0085Next\x0cPage"
    synopsis = "One\u2029Two\x0bThree\x1cFour\x1dFive\x1eSix\r\nSeven"
    first = write(
        tmp_path,
        "first.jsonl",
        json.dumps({"title": title, "year": 2001, "synopsis": synopsis}, ensure_ascii=False)
        + "\r\n",
    )
    out, err, error = run(first)
    assert error is None, err
    assert "1 created" in out
    film = Movie.objects.get()
    assert (film.title, film.synopsis) == (title, synopsis)

    path = tmp_path / "out.jsonl"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        importing.write_jsonl(importing.movie_rows(Movie.objects.all()), fh)
    assert "\u2028" in path.read_text(encoding="utf-8")  # written raw, not escaped
    out, err, error = run(path)

    assert error is None, err
    assert "0 created, 0 updated, 1 unchanged, 0 failed" in out
    assert Movie.objects.get().title == title


@pytest.mark.django_db
def test_second_run_updates_instead_of_duplicating(tmp_path):
    run(DATA / "films.csv")
    edited = (DATA / "films.csv").read_text(encoding="utf-8").replace(",104,", ",105,")
    out, _, error = run(write(tmp_path, "edited.csv", edited))

    assert error is None
    assert "0 created, 1 updated, 1 unchanged" in out
    assert Movie.objects.count() == 2
    assert Movie.objects.get(external_id="tt11214558").runtime_minutes == 105
    assert Person.objects.filter(name="Zhang Yi").count() == 1
    assert Genre.objects.filter(name="Drama").count() == 1


@pytest.mark.django_db
def test_reimporting_after_an_admin_save_changes_nothing(tmp_path):
    """The admin rebuilds the search document from the credits (refresh_search_documents);
    an unchanged file imported afterwards must find the same document, not "update" it."""
    path = write(
        tmp_path,
        "films.csv",
        "external_id,title,year,directors,cast\n"
        "tt1,Heat,1995,Zoe Director|Adam Director,Walter Lead|Bea Second|Carl Third\n",
    )
    run(path)
    movie = Movie.objects.get(external_id="tt1")
    refresh_search_documents([movie.pk])
    saved = Movie.objects.get(pk=movie.pk)

    out, _, error = run(path)

    assert error is None
    assert "0 created, 0 updated, 1 unchanged" in out
    again = Movie.objects.get(pk=movie.pk)
    assert again.search_document == saved.search_document
    assert again.updated_at == saved.updated_at


@pytest.mark.django_db
def test_without_external_id_the_film_is_matched_on_title_and_year(tmp_path):
    run(write(tmp_path, "a.csv", "title,year,runtime_minutes\nAmélie,2001,120\n"))
    out, _, _ = run(write(tmp_path, "b.csv", "title,year,runtime_minutes\namélie,2001,122\n"))

    assert "1 updated" in out
    assert Movie.objects.get().runtime_minutes == 122


@pytest.mark.django_db
def test_same_title_and_year_with_different_ids_are_two_films(tmp_path):
    csv_text = "external_id,title,year\ntt1,Rage,2009\ntt2,Rage,2009\n"
    out, _, error = run(write(tmp_path, "rage.csv", csv_text))

    assert error is None
    assert sorted(Movie.objects.values_list("slug", flat=True)) == ["rage-2009", "rage-2009-2"]


@pytest.mark.django_db
def test_an_empty_external_id_cell_keeps_the_films_id(tmp_path):
    run(write(tmp_path, "a.csv", "external_id,title,year\ntt1,Rage,2009\n"))
    out, err, error = run(
        write(tmp_path, "b.csv", "external_id,title,year,runtime_minutes\n,Rage,2009,98\n")
    )

    assert error is None, err
    assert "0 created, 1 updated" in out
    film = Movie.objects.get()
    assert (film.external_id, film.runtime_minutes) == ("tt1", 98)


@pytest.mark.django_db
def test_a_json_null_external_id_keeps_the_films_id(tmp_path):
    run(write(tmp_path, "a.csv", "external_id,title,year\ntt1,Rage,2009\n"))
    out, err, error = run(
        write(tmp_path, "b.jsonl", '{"external_id": null, "title": "Rage", "year": 2009}\n')
    )

    assert error is None, err
    assert Movie.objects.get().external_id == "tt1"


@pytest.mark.django_db
def test_columns_missing_from_the_file_are_left_alone(tmp_path):
    run(DATA / "films.csv")
    out, _, _ = run(
        write(tmp_path, "few.csv", "external_id,title,year\ntt11214558,One Second,2020\n")
    )

    film = Movie.objects.get(external_id="tt11214558")
    assert "1 unchanged" in out
    assert film.budget == 15_000_000
    assert film.credits.count() == 4


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing():
    out, _, error = run(DATA / "films.jsonl", "--dry-run")

    assert error is None
    assert "Dry run, nothing written: 2 would be created" in out
    assert (Movie.objects.count(), Person.objects.count(), Genre.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_dry_run_of_a_change_leaves_the_film_as_it_was(tmp_path):
    run(DATA / "films.csv")
    edited = (DATA / "films.csv").read_text(encoding="utf-8").replace("Zhang Yi|", "Zhang Ziyi|")
    out, _, _ = run(write(tmp_path, "edited.csv", edited), "--dry-run")

    assert "1 would be updated" in out
    assert not Person.objects.filter(name="Zhang Ziyi").exists()


@pytest.mark.django_db
def test_publish_flag_publishes_new_films_only(tmp_path):
    run(write(tmp_path, "a.csv", "title,year\nOld,2001\n"))
    run(write(tmp_path, "b.csv", "title,year\nOld,2001\nNew,2002\n"), "--publish")

    assert Movie.objects.get(title="Old").status == Movie.Status.DRAFT
    new = Movie.objects.get(title="New")
    assert new.is_public
    assert list(Movie.objects.published()) == [new]


BAD_ROWS = [
    (",2001,,,,,,", "missing title"),
    ("Budget,2001,,lots,,,,", "budget: 'lots' is not a whole number"),
    ("Old,1500,,,,,,", "year 1500 is impossible"),
    ("No year,,,,,,,", "missing year"),
    ('Genres,2001,"Drama, Comedy",,,,,', "not a genre name; separate genres with |"),
    ("Date,2001,,,31/12/2001,,,", "release_date: '31/12/2001' is not a date as YYYY-MM-DD"),
    ("Date,2001,,,2001-02-30,,,", "2001-02-30 is not a real date"),
    ("Runtime,2001,,,,-5,,", "runtime_minutes"),
    ("Rated,2001,,,,,11,IMDb", "external_rating: 11 is outside 0 to 10"),
    ("Rated,2001,,,,,7.5,", "external_rating_source is needed"),
    (f"{'Long ' * 50},2001,,,,,,", "title is 249 characters; the limit is 200"),
    ("Short,2001", "the row has 2 cells; the header has 8"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "reason"), BAD_ROWS, ids=[r for _, r in BAD_ROWS])
def test_a_bad_row_is_reported_with_its_line_and_the_rest_land(tmp_path, row, reason):
    text = f"{HEADER}\nGood,2001,Drama,,,,,\n{row}\nAlso good,2002,,,,,,\n"
    out, err, error = run(write(tmp_path, "bad.csv", text))

    assert error is not None and "1 row failed" in str(error)
    reported = [line for line in err.splitlines() if line.startswith("line 3: ")]
    assert len(reported) == 1 and reason in reported[0]
    assert "2 created, 0 updated, 0 unchanged, 1 failed" in out
    assert sorted(Movie.objects.values_list("title", flat=True)) == ["Also good", "Good"]


@pytest.mark.django_db
def test_a_row_lists_every_reason_at_once(tmp_path):
    _, err, _ = run(write(tmp_path, "bad.csv", f"{HEADER}\n,1500,,x,,,,\n"))

    assert "line 2: missing title; year 1500 is impossible" in err
    assert "budget: 'x' is not a whole number" in err


@pytest.mark.django_db
def test_the_same_film_twice_in_one_file_fails_the_second(tmp_path):
    text = "external_id,title,year\ntt1,One,2001\ntt1,One again,2001\n,Two,2002\n,two,2002\n"
    _, err, error = run(write(tmp_path, "twice.csv", text))

    assert error is not None
    assert "line 3: same film as line 2" in err
    assert "line 5: same film as line 4" in err
    assert Movie.objects.count() == 2


@pytest.mark.django_db
def test_bad_json_lines_are_bad_rows(tmp_path):
    text = '{"title": "One", "year": 2001}\n{title: oops}\n[1, 2]\n{"title": "Two", "year": 2002}\n'
    _, err, error = run(write(tmp_path, "bad.jsonl", text))

    assert error is not None
    assert "line 2: the row is not JSON" in err
    assert "line 3: the row is not a JSON object" in err
    assert Movie.objects.count() == 2


@pytest.mark.django_db
def test_json_lists_must_hold_names(tmp_path):
    _, err, _ = run(write(tmp_path, "bad.jsonl", '{"title": "One", "year": 2001, "genres": 5}\n'))

    assert "line 1: genres: expected names separated by | or a list of names" in err


@pytest.mark.django_db
def test_a_failing_batch_is_retried_row_by_row(tmp_path, monkeypatch):
    """A database refusal inside a batch costs that row only; no film is half-written."""
    real_write = writer._write

    def refuse_cursed(plans, catalogue, now):
        result = real_write(plans, catalogue, now)
        if any(plan.record.title == "Cursed" for plan in plans):
            raise IntegrityError("simulated refusal")
        return result

    monkeypatch.setattr(writer, "_write", refuse_cursed)
    text = "title,year,cast\nFirst,2001,Ann Actor\nCursed,2002,Bob Actor\nLast,2003,Cy Actor\n"
    out, err, error = run(write(tmp_path, "batch.csv", text))

    assert error is not None
    assert "line 3: the database refused it: simulated refusal" in err
    assert "2 created, 0 updated, 0 unchanged, 1 failed" in out
    assert sorted(Movie.objects.values_list("title", flat=True)) == ["First", "Last"]
    assert not Person.objects.filter(name="Bob Actor").exists()


@pytest.mark.django_db
def test_a_bug_in_the_writer_is_not_reported_as_a_refusal(tmp_path, monkeypatch):
    """A programming error propagates with its traceback instead of reading as the database
    refusing each row, and the batch it broke is rolled back."""
    real_write = writer._write

    def buggy(plans, catalogue, now):
        real_write(plans, catalogue, now)
        raise KeyError("a bug")

    monkeypatch.setattr(writer, "_write", buggy)
    path = write(tmp_path, "films.csv", "title,year\nFirst,2001\nSecond,2002\n")

    with pytest.raises(KeyError, match="a bug"):
        run(path)
    assert not Movie.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_second_import_stops_while_one_is_writing(tmp_path):
    """While another import holds the lock (another process or server: here another
    database connection), a second one says so and writes nothing."""
    held, finish, failed = threading.Event(), threading.Event(), []

    def first_import():
        try:
            with importing.import_lock():
                held.set()
                finish.wait(30)
        except BaseException as exc:  # seen by the assertion below
            failed.append(exc)
            held.set()
        finally:
            connection.close()

    holder = threading.Thread(target=first_import)
    holder.start()
    try:
        assert held.wait(30) and not failed, failed
        out, err, error = run(write(tmp_path, "films.csv", "title,year,cast\nFirst,2001,Ann\n"))
    finally:
        finish.set()
        holder.join(30)

    assert error is not None
    assert str(error).startswith("Another import is running")
    assert "this one stopped and wrote nothing" in str(error)
    assert not Movie.objects.exists() and not Person.objects.exists()
    # The lock is released when the first import ends: the next one runs.
    out, err, error = run(write(tmp_path, "films.csv", "title,year,cast\nFirst,2001,Ann\n"))
    assert error is None, err
    assert Movie.objects.count() == 1


FILE_ERRORS = [
    ("latin1.csv", None, "is not UTF-8 text (byte 0xe9 on line 2)"),
    ("truncated.csv", None, "looks truncated"),
    ("truncated.jsonl", None, "line 2: the last line is cut off"),
    (
        "huge.csv",
        f'title,year,synopsis\nA,2001,short\nB,2002,"{"x" * 131_073}"\n',
        "line 3: a cell is longer than 131,072 characters",
    ),
    (
        "x.csv",
        "title,year,budgett\nA,2001,1\n",
        "unknown column 'budgett' (did you mean 'budget'?)",
    ),
    ("x.jsonl", '{"title": "A", "year": 2001, "colour": 1}\n', "line 1: unknown column 'colour'"),
    ("x.csv", "title,runtime_minutes\nA,90\n", "the header has no year column"),
    ("x.csv", "title,year,title\nA,2001,B\n", "column 'title' appears twice"),
    ("x.csv", "#format: worth-watching-movies/2\ntitle,year\n", "format version 2"),
    ("x.xlsx", "title,year\n", "unknown file type '.xlsx'"),
    ("x.csv", "", "is empty"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "text", "message"), FILE_ERRORS, ids=[m for _, _, m in FILE_ERRORS]
)
def test_a_broken_file_gives_one_clear_error_and_writes_nothing(tmp_path, name, text, message):
    path = DATA / name if text is None else write(tmp_path, name, text)
    out, err, error = run(path)

    assert error is not None
    assert message in str(error)
    assert "Traceback" not in err
    assert Movie.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_file_is_a_clear_error(tmp_path):
    _, _, error = run(tmp_path / "nowhere.csv")

    assert "Cannot read" in str(error)


def test_nothing_to_import_is_a_clear_error():
    _, _, error = run()

    assert "Give a file to import" in str(error)


@pytest.mark.django_db
def test_new_only_leaves_films_already_here_alone(tmp_path):
    run(write(tmp_path, "a.csv", "title,year,runtime_minutes\nCurated,2001,100\n"))
    out, _, error = run(
        write(tmp_path, "b.csv", "title,year,runtime_minutes\nCurated,2001,90\nFresh,2002,95\n"),
        "--new-only",
    )

    assert error is None
    assert "1 created, 0 updated, 0 unchanged, 0 failed; 1 films already here" in out
    assert Movie.objects.get(title="Curated").runtime_minutes == 100
    assert Movie.objects.get(title="Fresh").runtime_minutes == 95


@pytest.mark.django_db
def test_genre_aliases_land_in_one_genre(tmp_path):
    """ "Sci-Fi" (IMDb, bokeh-sampledata) and "Science Fiction" (the demo) are one genre."""
    Genre.objects.create(name="Science Fiction", slug="science-fiction")
    path = write(
        tmp_path,
        "aliases.csv",
        "title,year,genres\n"
        "Arrival,2016,Sci-Fi|Drama\n"
        "Moon,2009,sci fi|Science Fiction\n"
        "Alien,1979,Horror|SciFi\n",
    )

    for _ in range(2):  # a re-run changes nothing
        out, _, error = run(path)
        assert error is None

    assert "0 created, 0 updated, 3 unchanged" in out
    assert sorted(Genre.objects.values_list("name", flat=True)) == [
        "Drama",
        "Horror",
        "Science Fiction",
    ]
    science_fiction = Genre.objects.get(name="Science Fiction")
    assert sorted(science_fiction.movies.values_list("title", flat=True)) == [
        "Alien",
        "Arrival",
        "Moon",
    ]


def test_canonical_genre_names():
    assert importing.canonical_genre("Sci-Fi") == "Science Fiction"
    assert importing.canonical_genre(" SCI-FI ") == "Science Fiction"
    assert importing.canonical_genre("Science Fiction") == "Science Fiction"
    assert importing.canonical_genre("Drama") == "Drama"
    assert importing.canonical_genre("Music") == "Music"  # not Musical: another genre


@pytest.mark.django_db
def test_migration_merges_an_imported_sci_fi_into_science_fiction():
    """Databases that imported bokeh-sampledata before the aliases: migration 0004."""
    from django.apps import apps

    from tests.factories import MovieFactory

    merge = importlib.import_module("movies.migrations.0004_merge_genre_aliases")
    sci_fi = Genre.objects.create(name="Sci-Fi", slug="sci-fi")
    science_fiction = Genre.objects.create(name="Science Fiction", slug="science-fiction")
    drama = Genre.objects.create(name="Drama", slug="drama")
    both = MovieFactory(title="Both", genres=[sci_fi, science_fiction], main_genre=sci_fi)
    only_alias = MovieFactory(title="Alias only", genres=[sci_fi, drama], main_genre=drama)

    merge.merge_genre_aliases(apps, None)

    assert not Genre.objects.filter(name="Sci-Fi").exists()
    assert list(both.genres.all()) == [science_fiction]
    assert sorted(g.name for g in only_alias.genres.all()) == ["Drama", "Science Fiction"]
    both.refresh_from_db()
    assert both.main_genre == science_fiction


@pytest.mark.django_db
def test_migration_renames_sci_fi_when_it_is_the_only_one():
    from django.apps import apps

    merge = importlib.import_module("movies.migrations.0004_merge_genre_aliases")
    sci_fi = Genre.objects.create(name="Sci-Fi", slug="sci-fi")

    merge.merge_genre_aliases(apps, None)

    sci_fi.refresh_from_db()
    assert (sci_fi.name, sci_fi.slug) == ("Science Fiction", "science-fiction")


def test_the_documented_table_describes_every_column_in_two_cells():
    """docs/importing.md's format table names every column, in order, with the description
    the code gives, and renders: a "|" inside a cell is escaped as "\\|"."""
    doc = (Path(__file__).parents[2] / "docs" / "importing.md").read_text(encoding="utf-8")
    section = doc.split("## The file format, version 1", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    cells = [re.split(r"(?<!\\)\|", row.strip())[1:-1] for row in rows]

    assert [len(row) for row in cells] == [2] * len(importing.COLUMNS)
    assert [row[0].strip().strip("`") for row in cells] == list(importing.COLUMNS)
    assert [row[1].strip().replace("\\|", "|") for row in cells] == list(importing.COLUMNS.values())


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.django_db
def test_a_terminal_sees_a_progress_bar_with_count_and_rate(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)

    run(DATA / "films.csv")

    shown = terminal.getvalue()
    assert "Importing" in shown
    assert "2/2" in shown  # films done of films to do
    assert re.search(r"[\d.]+ ?(films/s|s/ films)", shown), shown  # the rate, either way up


@pytest.mark.django_db
def test_no_progress_bar_when_stderr_is_not_a_terminal(monkeypatch):
    piped = io.StringIO()  # isatty() is False, as for a pipe or a log file
    monkeypatch.setattr("sys.stderr", piped)

    out, _, error = run(DATA / "films.csv")

    assert error is None
    assert "2 created" in out
    assert piped.getvalue() == ""
