"""The import format's later columns, genre names as real files write them, and warnings."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from movies import importing
from movies.forms import MOVIE_SECTIONS, MovieAdminForm
from movies.models import Credit, Genre, Movie
from tests.movies.test_import import run, write

pytestmark = pytest.mark.django_db


CRITICS_ROW = {
    "title": "Casablanca",
    "year": 1942,
    "writers": ["Julius J. Epstein", "Howard Koch"],
    "critics_positive_pct": 99,
    "critics_fresh": 134,
    "critics_rotten": 1,
    "critics_average": "9.4",
    "critics_source": "Rotten Tomatoes",
    "critics_as_of": "2026-10-18",
    "metacritic": 100,
    "awards": "Won 3 Oscars. Nominated for 8 Oscars.",
    "oscars_won": 3,
    "oscars_nominated": 8,
    "languages": ["English", "French"],
    "countries": ["United States"],
    "production_companies": ["Warner Bros. Pictures"],
}


def test_the_critics_awards_and_origins_columns_land_and_round_trip(tmp_path):
    out, err, error = run(write(tmp_path, "a.jsonl", json.dumps(CRITICS_ROW) + "\n"))
    assert error is None, err

    film = Movie.objects.get()
    assert (film.critics_positive_pct, film.critics_fresh, film.critics_rotten) == (99, 134, 1)
    assert (film.critics_average, film.metacritic) == (Decimal("9.4"), 100)
    assert film.critics_as_of == datetime.date(2026, 10, 18)
    assert (film.oscars_won, film.oscars_nominated) == (3, 8)
    assert film.languages == ["English", "French"]
    writers = film.credits.filter(role=Credit.Role.WRITER).order_by("person__name")
    assert [c.person.name for c in writers] == ["Howard Koch", "Julius J. Epstein"]

    path = tmp_path / "out.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        importing.write_csv(importing.movie_rows(Movie.objects.all()), fh)
    assert "English|French" in path.read_text(encoding="utf-8")
    out, err, error = run(path)
    assert error is None, err
    assert "0 created, 0 updated, 1 unchanged" in out


def test_a_version_1_file_without_the_new_columns_leaves_them_alone(tmp_path):
    run(write(tmp_path, "a.jsonl", json.dumps(CRITICS_ROW) + "\n"))
    old = "#format: worth-watching-movies/1\ntitle,year,runtime_minutes\nCasablanca,1942,102\n"
    out, err, error = run(write(tmp_path, "old.csv", old))

    assert error is None, err
    assert "1 updated" in out
    film = Movie.objects.get()
    assert (film.runtime_minutes, film.metacritic, film.languages) == (
        102,
        100,
        ["English", "French"],
    )


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("metacritic", 101, "metacritic: 101 is above 100"),
        ("critics_positive_pct", "lots", "critics_positive_pct: 'lots' is not a whole number"),
        ("critics_average", 11, "critics_average: 11 is outside 0 to 10"),
        ("critics_as_of", "18/10/2026", "critics_as_of: '18/10/2026' is not a date"),
        ("oscars_won", -1, "oscars_won is negative"),
        ("languages", 5, "languages: expected names separated by |"),
    ],
)
def test_a_bad_critics_or_awards_value_refuses_the_row(tmp_path, column, value, reason):
    row = {**CRITICS_ROW, column: value}
    _, err, error = run(write(tmp_path, "a.jsonl", json.dumps(row) + "\n"))

    assert error is not None
    assert reason in err
    assert not Movie.objects.exists()


def test_a_critics_average_needs_its_source(tmp_path):
    _, err, _ = run(write(tmp_path, "a.csv", "title,year,critics_average\nX,2001,7.5\n"))
    assert "critics_source is needed with critics_average" in err


def test_genre_names_as_real_files_write_them(tmp_path):
    """Slashes, digits, hyphens and accents are genre names; only | separates them."""
    text = (
        "title,year,genres\n"
        "Concert,2001,Concert/Performance|3D|Film-Noir|Comédie dramatique\n"
        "Thriller,2002,Thriller/Suspense\n"
    )
    out, err, error = run(write(tmp_path, "genres.csv", text))

    assert error is None, err
    assert "2 created" in out
    assert set(Genre.objects.values_list("name", flat=True)) == {
        "Concert/Performance",
        "3D",
        "Film-Noir",
        "Comédie dramatique",
        "Thriller/Suspense",
    }
    assert Genre.objects.get(name="Thriller/Suspense").slug == "thriller-suspense"


def test_a_genre_name_is_refused_for_a_real_error_only_with_every_reason(tmp_path):
    long_name = "G" * 61
    row = {"title": "X", "year": 2001, "genres": ["Drama, Comedy", "Bad\x07Bell", long_name]}
    _, err, error = run(write(tmp_path, "a.jsonl", json.dumps(row) + "\n"))

    assert error is not None
    [line] = err.splitlines()
    assert "'Drama, Comedy' is not a genre name; separate genres with |" in line
    assert "holds a control character" in line
    assert "is longer than 60 characters" in line
    assert not Movie.objects.exists()


def test_a_genre_in_a_json_list_may_not_hold_the_separator(tmp_path):
    row = {"title": "X", "year": 2001, "genres": ["Drama|Comedy"]}
    _, err, _ = run(write(tmp_path, "a.jsonl", json.dumps(row) + "\n"))
    assert "'Drama|Comedy' is not a genre name" in err


def test_doubtful_release_dates_are_imported_with_a_warning(tmp_path):
    far = timezone.localdate() + datetime.timedelta(days=3 * 365)
    soon = timezone.localdate() + datetime.timedelta(days=300)
    text = (
        "title,year,release_date\n"
        "Mismatch,2020,2019-03-01\n"
        f"Far,{far.year},{far}\n"
        f"Soon,{soon.year},{soon}\n"
    )
    out, err, error = run(write(tmp_path, "dates.csv", text))

    assert error is None, err
    assert "3 created, 0 updated, 0 unchanged, 0 failed, 2 with a warning" in out
    assert (
        "line 2: warning: release_date 2019-03-01 is in 2019, but year says 2020; imported as given"
    ) in out
    assert f"line 3: warning: release_date {far} is more than two years ahead" in out
    assert "line 4" not in out
    assert Movie.objects.count() == 3


def test_the_admin_form_edits_origins_one_per_line():
    film = Movie.objects.create(title="Casablanca", year=1942, languages=["English", "French"])
    form = MovieAdminForm(instance=film)
    assert "English\nFrench</textarea>" in str(form["languages"])
    assert ("Awards", ["awards", "oscars_won", "oscars_nominated"]) in MOVIE_SECTIONS

    data = {**form.initial, "languages": "English\n French \n\nEnglish\nGerman", "genres": []}
    data = {k: ("" if v is None else v) for k, v in data.items() if k != "poster"}
    bound = MovieAdminForm(data, instance=film)
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["languages"] == ["English", "French", "German"]
