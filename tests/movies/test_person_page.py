"""Person pages: who someone is, what they are known for, and their films by role."""

import datetime
import json
import re

import pytest

from movies.models import Credit, Movie, Person
from tests.factories import CreditFactory, MovieFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def liu(db):
    person = PersonFactory(
        name="Liu Haocun",
        birth_date=datetime.date(2000, 1, 13),
        birth_place="Changchun, China",
        bio="Chinese actress, discovered by Zhang Yimou for One Second.",
    )
    for n, rating in enumerate([9, 6, 8, 4, 7], 1):
        film = MovieFactory(
            title=f"Film {n}", year=2015 + n, external_rating=rating, external_rating_votes=9
        )
        CreditFactory(movie=film, person=person, character_name=f"Part {n}")
    directed = MovieFactory(title="Her Short", external_rating=5, external_rating_votes=9)
    CreditFactory(movie=directed, person=person, role=Credit.Role.DIRECTOR, billing_order=None)
    return person


def test_person_page_says_who_they_are(client, liu):
    html = client.get(liu.get_absolute_url()).content.decode()
    assert '<dt>Born</dt><dd><time datetime="2000-01-13">13 January 2000</time>, Changchun' in html
    assert "discovered by Zhang Yimou" in html
    assert "<dt>Died</dt>" not in html


def test_known_for_is_their_best_scored_films(client, liu):
    html = client.get(liu.get_absolute_url()).content.decode()
    block = html.split('id="known-for-heading"')[1].split("</section>")[0]
    titles = re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', block)
    assert titles == ["Film 1", "Film 3", "Film 5", "Film 2"]


def test_filmography_is_grouped_by_role_with_each_answer(client, liu):
    html = client.get(liu.get_absolute_url()).content.decode()
    assert re.search(r'<h3 id="role-\d">Cast <span class="muted small">\(5\)</span></h3>', html)
    assert re.search(r'<h3 id="role-\d">Director <span class="muted small">\(1\)</span></h3>', html)
    assert 'class="filmography__answer answer--' in html


def test_person_jsonld_holds_what_is_known(client, liu):
    html = client.get(liu.get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html)
    person = next(json.loads(b) for b in blocks if '"@type":"Person"' in b)
    assert person["birthDate"] == "2000-01-13"
    assert person["birthPlace"] == {"@type": "Place", "name": "Changchun, China"}
    assert "deathDate" not in person and "image" not in person
    assert [m["name"] for m in person["subjectOf"]][0] == "Film 1"


def test_death_before_birth_is_refused():
    from django.core.exceptions import ValidationError

    person = Person(
        name="X", birth_date=datetime.date(1950, 1, 1), death_date=datetime.date(1940, 1, 1)
    )
    with pytest.raises(ValidationError, match="before the date of birth"):
        person.full_clean()


def test_editors_edit_the_new_fields_in_the_admin(admin_client, liu):
    html = admin_client.get(f"/admin/movies/person/{liu.pk}/change/").content.decode()
    for name in ("birth_date", "birth_place", "death_date", "death_place", "bio"):
        assert f'name="{name}"' in html


@pytest.mark.parametrize("n", [2, 100])
def test_person_page_query_budget(client, django_assert_max_num_queries, n):
    """Guards against N+1: 100 credits (with genres, answers, Known for) cost what 2 do."""
    person = PersonFactory()
    for _ in range(n):
        CreditFactory(person=person, movie=MovieFactory(external_rating=7, external_rating_votes=9))
    client.get(person.get_absolute_url())
    with django_assert_max_num_queries(5):
        response = client.get(person.get_absolute_url())
    assert response.content.decode().count('class="filmography__answer') == n
    assert Movie.objects.count() == n


def test_a_long_filmography_comes_in_pages_with_the_full_counts(client):
    """230 credits: pages of 100, the role totals over all of them, Known for from every
    credit; a bad or too large page number shows the first or last page."""
    person = PersonFactory()
    for n in range(230):
        film = MovieFactory(year=1950 + n % 70, external_rating=n % 10, external_rating_votes=9)
        CreditFactory(movie=film, person=person)
    url = person.get_absolute_url()

    first = client.get(url)
    html = first.content.decode()
    assert html.count('class="filmography__answer') == 100
    assert re.search(r'Cast <span class="muted small">\(230\)</span>', html)
    assert 'rel="next"' in html and "Page 1 of 3" in html
    third = client.get(url, {"page": 3}).content.decode()
    assert third.count('class="filmography__answer') == 30
    for bad, number in (("zz", 1), ("99", 3), ("-1", 3)):
        assert client.get(url, {"page": bad}).context["page_obj"].number == number
    best = [m.external_rating for m in first.context["known_for"]]
    assert best == [9, 9, 9, 9]


def test_a_long_filmography_costs_a_few_queries_more_than_a_short_one(
    client, django_assert_max_num_queries
):
    """Guards against N+1 on paged filmographies: the totals, a page and Known for."""
    person = PersonFactory()
    for _ in range(120):
        CreditFactory(person=person, movie=MovieFactory(external_rating=7, external_rating_votes=9))
    client.get(person.get_absolute_url())
    with django_assert_max_num_queries(8):
        assert client.get(person.get_absolute_url(), {"page": 2}).status_code == 200
