"""`manage.py load_demo`: One Second with the seed page's facts, every verdict on show,
and a second run that changes nothing."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
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

MODELS = [Movie, Genre, Person, Credit, Provider, Availability, RegionalGross]


def load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db):
    return load_demo()


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


def test_refuses_to_run_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="DJANGO_ENV=production"):
        load_demo()
    assert not Movie.objects.exists()
