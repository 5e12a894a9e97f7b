"""The parents' guide: content advisories on the verdict page and as a list filter."""

import pytest
from django.db import IntegrityError

from movies.models import ContentAdvisory
from tests.factories import MovieFactory

pytestmark = pytest.mark.django_db

V = ContentAdvisory.Category.VIOLENCE
S = ContentAdvisory.Severity


def advise(movie, category, severity, note=""):
    return ContentAdvisory.objects.create(
        movie=movie, category=category, severity=severity, note=note
    )


def test_verdict_page_shows_the_guide_under_the_certificate(client):
    film = MovieFactory(certification="15")
    advise(film, V, S.SEVERE, "A long, bloody battle")
    advise(film, ContentAdvisory.Category.LANGUAGE, S.MILD)
    html = client.get(film.get_absolute_url()).content.decode()
    assert html.index("<dt>Certification</dt>") < html.index("<dt>Parents' guide</dt>")
    assert (
        '<strong>Violence:</strong> <span class="severity severity--3">severe</span>. '
        "A long, bloody battle" in html
    )
    assert '<strong>Language:</strong> <span class="severity severity--1">mild</span>' in html


def test_a_film_without_a_guide_shows_no_empty_row(client):
    film = MovieFactory()
    assert "Parents' guide</dt>" not in client.get(film.get_absolute_url()).content.decode()


def test_one_advisory_per_kind_per_film():
    film = MovieFactory()
    advise(film, V, S.MILD)
    with pytest.raises(IntegrityError):
        advise(film, V, S.SEVERE)


def test_the_list_filters_out_severe_violence_and_unknowns(client):
    calm, brutal = MovieFactory(title="Calm"), MovieFactory(title="Brutal")
    MovieFactory(title="Unknown")
    advise(calm, V, S.MODERATE)
    advise(brutal, V, S.SEVERE)
    html = client.get("/movies/?advisory=violence:2").content.decode()
    assert "Calm" in html and "Brutal" not in html and "Unknown" not in html
    assert '<option value="violence:2" selected>No severe violence</option>' in html
    assert "1 film (no severe violence)." in html


@pytest.mark.parametrize("bad", ["violence:3", "violence:x", "gore:1", ":", "violence"])
def test_a_bad_advisory_filter_is_ignored(client, bad):
    MovieFactory(title="Anything")
    response = client.get(f"/movies/?advisory={bad}")
    assert response.status_code == 200
    assert "Anything" in response.content.decode()


def test_editors_edit_the_guide_inline(admin_client):
    film = MovieFactory()
    html = admin_client.get(f"/admin/movies/movie/{film.pk}/change/").content.decode()
    assert "Parents&#x27; guide (one row per kind of content)" in html
    assert 'name="advisories-TOTAL_FORMS"' in html
