"""`manage.py load_demo`: One Second with the seed page's facts, every verdict on show,
and a second run that changes nothing.

Loading the demo takes seconds, so it is loaded once for the module (`loaded`): each test
runs in a savepoint of the module's transaction, so what a test writes is undone after it,
and the whole demo is rolled back after the module. The command's cheap checks (production
guard, a broken data file) are in test_demo_file.py.
"""

import io
import subprocess
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from PIL import Image

from movies import verdicts
from movies.models import (
    Availability,
    Credit,
    Genre,
    Movie,
    Person,
    Provider,
    RegionalGross,
    VerdictBand,
)
from tests.conftest import isolated_settings

pytestmark = pytest.mark.slow

MODELS = [Movie, Genre, Person, Credit, Provider, Availability, RegionalGross]
ROOT = Path(__file__).resolve().parents[2]


def load_demo(**options):
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for this module inside a transaction rolled back after it."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(**isolated_settings(media)):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield SimpleNamespace(output=load_demo(), media=media)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(loaded, db, settings):
    """The module's demo, with the media folder its posters were written to."""
    settings.MEDIA_ROOT = loaded.media
    return loaded.output


def snapshot():
    return {
        model.__name__: sorted(tuple(str(v) for v in row) for row in model.objects.values_list())
        for model in MODELS
    }


def test_second_run_changes_nothing(demo, monkeypatch):
    refreshed = []
    monkeypatch.setattr("movies.services.refresh_search_documents", refreshed.append)
    before = snapshot()
    output = load_demo()
    assert "0 rows written" in output
    assert snapshot() == before  # same rows, same values, same "last updated" times
    assert refreshed == []  # nothing changed, so no search document is rewritten


def test_one_second_has_the_seed_pages_facts(demo):
    movie = Movie.objects.get(slug="one-second-2020")
    assert (movie.title, movie.year, movie.runtime_minutes) == ("One Second", 2020, 104)
    assert {g.name for g in movie.genres.all()} == {"Drama", "History"}
    assert movie.main_genre.name == "Drama"
    assert movie.is_public and movie.is_featured
    assert movie.credits.get(role=Credit.Role.DIRECTOR).person.name == "Zhang Yimou"
    cast = [
        (c.person.name, c.billing_order, c.character_name)
        for c in movie.credits.filter(role=Credit.Role.CAST).order_by("billing_order")
    ]
    assert cast == [
        ("Liu Haocun", 1, "Liu Girl (Orphan Liu)"),
        ("Zhang Yi", 2, "Zhang Jiusheng"),
        ("Fan Wei", 3, "Mr. Movie"),
    ]
    assert (movie.budget, movie.worldwide_gross, movie.currency) == (
        1_300_000,
        10_800_000,
        "USD",
    )
    assert movie.regional_grosses.get().region == "China"
    assert (movie.external_rating, movie.external_rating_source) == (Decimal("7.3"), "IMDb")
    assert movie.external_rating_votes
    assert movie.accuracy_label == Movie.Accuracy.DRAMATIZED
    assert 3 <= len(movie.watch_if_points) <= 5
    for text in [
        movie.logline,
        movie.synopsis,
        movie.plot_summary,
        movie.ending_breakdown,
        movie.historical_accuracy,
        movie.performance_analysis,
        movie.editorial_assessment,
    ]:
        assert text.strip()
    assert "multi-source" not in movie.editorial_assessment

    offers = movie.availabilities.select_related("provider")
    assert {o.provider.name for o in offers} == {
        "Apple TV",
        "Google Play Movies",
        "Amazon Prime Video",
    }
    assert {o.country.code for o in offers} >= {"US", "GB"}
    assert {(o.provider.name, o.kind) for o in offers if o.country.code == "US"} >= {
        ("Apple TV", "rent"),
        ("Google Play Movies", "rent"),
        ("Amazon Prime Video", "rent"),
    }
    assert all(o.link.startswith("https://") and o.last_checked for o in offers)

    assessment = movie.verdict(VerdictBand.objects.ladder())
    assert assessment.trade_text == "Grossed 8.3x its $1.3M budget; break-even is about 2.5x."
    assert assessment.band.name == "Blockbuster"  # 8.3x on the default ladder (6x and up)
    assert assessment.answer == verdicts.YES


def test_posters_went_through_the_upload_pipeline(demo):
    movie = Movie.objects.get(slug="one-second-2020")
    assert (movie.poster_width, movie.poster_height) == (1000, 1500)
    with Image.open(movie.poster_small.path) as small, Image.open(movie.poster_large.path) as big:
        assert small.size == (200, 300) and big.size == (500, 750)
    assert not Movie.objects.filter(poster="").exists()


def test_every_band_and_every_answer_has_a_public_film(demo):
    ladder = VerdictBand.objects.ladder()
    public = Movie.objects.published().prefetch_related("genres")
    assessments = [movie.verdict(ladder) for movie in public]
    bands = {a.band.slug for a in assessments if a.band}
    assert bands == {b.slug for b in ladder}
    answers = {a.answer for a in assessments}
    assert answers == {verdicts.YES, verdicts.MAYBE, verdicts.NO, verdicts.UNKNOWN}
    assert public.filter(is_featured=True).count() >= 3
    assert Movie.objects.filter(status=Movie.Status.DRAFT).exists()
    assert (
        Movie.objects.filter(status=Movie.Status.PUBLISHED)
        .exclude(pk__in=public.values("pk"))
        .exists()
    ), "a scheduled film for previews"
    assert public.count() >= 13


def test_demo_editor_account(demo, client):
    editor = get_user_model().objects.get(username="editor")
    assert editor.is_staff and not editor.is_superuser
    assert editor.groups.filter(name="Editors").exists()
    assert "username: editor  password: watch-one-second" in demo
    response = client.post(
        "/admin/login/?next=/admin/movies/movie/",
        {"username": "editor", "password": "watch-one-second"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/admin/movies/movie/"
    assert response.status_code == 200


def test_one_second_page_shows_the_demo(demo, client):
    page = client.get("/movies/one-second-2020/").content.decode()
    for fact in [
        "Liu Haocun",
        ">Zhang Yi</a>",  # not just inside "Zhang Yimou", the director
        "Zhang Jiusheng",
        "Fan Wei",
        "104 minutes",
        "7.3/10",
        "Blockbuster",
        "Grossed 8.3x its $1.3M budget; break-even is about 2.5x.",
        "Dramatized",
    ]:
        assert fact in page, fact


def test_prints_the_admin_address_it_is_given(demo):
    """`make run` serves on PORT and passes it here: the printed address is the served one."""
    output = load_demo(site_url="http://127.0.0.1:8123/")
    assert "Demo editor: http://127.0.0.1:8123/admin/  username: editor" in output


def test_make_demo_passes_the_served_port():
    dry_run = subprocess.run(
        ["make", "--dry-run", "--always-make", "demo", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "load_demo --site-url http://127.0.0.1:8123" in dry_run


def test_an_edit_to_the_file_writes_only_what_it_changes(demo, demo_file):
    others = dict(Movie.objects.exclude(slug="one-second-2020").values_list("slug", "updated_at"))
    demo_file(
        '{ name = "Fan Wei", character = "Mr. Movie" },',
        '{ name = "Fan Wei", character = "Mr. Movie" },\n'
        '  { name = "Yu Ailei", character = "The projectionist\'s wife" },',
    )
    output = load_demo()
    assert "(2 rows written)" in output  # the new person and their credit
    movie = Movie.objects.get(slug="one-second-2020")
    assert movie.credits.get(person__name="Yu Ailei").billing_order == 4
    assert "yu ailei" in movie.search_document.splitlines()  # searchable by the new name
    assert Movie.objects.filter(search_document__contains="yu ailei").get() == movie
    unchanged = dict(
        Movie.objects.exclude(slug="one-second-2020").values_list("slug", "updated_at")
    )
    assert unchanged == others
