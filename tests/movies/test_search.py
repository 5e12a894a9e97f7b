"""/search/: films by title, original title and people; people beside them."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from movies.models import Credit, Movie, Person
from movies.search import MAX_QUERY_LENGTH, Query
from movies.services import refresh_search_documents
from tests.factories import CreditFactory, MovieFactory, PersonFactory

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="typo tolerance and accent folding need PostgreSQL's pg_trgm and search vector; "
    "the SQLite fallback matches words as typed",
)


def film(title, *, people=(), votes=None, **fields):
    movie = MovieFactory(title=title, external_rating_votes=votes, **fields)
    for position, name in enumerate(people, start=1):
        person = Person.objects.filter(name=name).first() or PersonFactory(name=name)
        CreditFactory(movie=movie, person=person, billing_order=position)
    refresh_search_documents([movie.pk])
    return movie


def search(client, q, **params):
    response = client.get(reverse("movies:search"), {"q": q, **params})
    assert response.status_code == 200
    return response


def titles(response):
    return [m.title for m in response.context["movies"]]


@pytest.mark.django_db
def test_the_exact_title_ranks_first(client):
    film("Aliens", votes=900_000)
    film("Alien Nation", votes=50_000)
    film("Alien", votes=10)

    assert titles(search(client, "alien"))[0] == "Alien"


@pytest.mark.django_db
def test_an_original_title_finds_the_film(client):
    film("The Intouchables", original_title="Intouchables", year=2011)

    assert titles(search(client, "Intouchables")) == ["The Intouchables"]


@pytest.mark.django_db
def test_a_persons_name_finds_their_films_and_them(client):
    film("Cast Away", people=["Tom Hanks", "Helen Hunt"], year=2000)
    film("Big", people=["Tom Hanks"], year=1988)
    film("Twister", people=["Helen Hunt"], year=1996)

    response = search(client, "tom hanks")

    assert sorted(titles(response)) == ["Big", "Cast Away"]
    assert [p.name for p in response.context["people"]] == ["Tom Hanks"]
    assert 'href="/people/tom-hanks/"' in response.content.decode()


@pytest.mark.django_db
def test_drafts_and_people_only_in_drafts_are_never_shown(client):
    film("Secret Project", people=["Hidden Person"], status=Movie.Status.DRAFT)

    response = search(client, "secret")
    assert titles(response) == []
    assert search(client, "hidden person").context["people"] == []
    assert "No published film matches" in response.content.decode()


@pytest.mark.django_db
@ON_POSTGRESQL
def test_a_misspelt_title_finds_the_film(client):
    film("The Godfather", year=1972)
    film("Casablanca", year=1942)

    assert titles(search(client, "godfater")) == ["The Godfather"]
    assert titles(search(client, "casablanka")) == ["Casablanca"]


@pytest.mark.django_db
@ON_POSTGRESQL
def test_accents_do_not_matter(client):
    film("Amélie", year=2001, people=["Mathieu Kassovitz"])

    assert titles(search(client, "amelie")) == ["Amélie"]
    assert titles(search(client, "kassovítz")) == ["Amélie"]


@pytest.mark.django_db
def test_results_are_paginated_and_keep_the_query(client):
    for n in range(25):
        film(f"Night {n}", year=2000 + n)

    first = search(client, "night")
    second = search(client, "night", page=2)

    assert len(first.context["movies"]) == 20
    assert len(second.context["movies"]) == 5
    assert 'href="?q=night&amp;page=2"' in first.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "says"),
    [
        ("", "What to search for"),
        ("   ", "What to search for"),
        ("%%% !!!", "has no letters or digits"),
        ("\x01\x02", "What to search for"),
    ],
)
def test_odd_queries_get_a_helpful_page(client, q, says):
    response = search(client, q)

    assert says in response.content.decode()
    assert list(response.context["movies"]) == []


@pytest.mark.django_db
def test_a_very_long_query_is_cut_and_says_so(client):
    film("Heat", year=1995)

    response = search(client, "heat " + "x" * 5000)

    assert f"limited to {MAX_QUERY_LENGTH} characters" in response.content.decode()
    assert len(response.context["query"].text) == MAX_QUERY_LENGTH


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "box"), [("movies:home", "site-search"), ("movies:search", "search-page-q")]
)
def test_search_boxes_take_as_many_characters_as_a_search_reads(client, url, box):
    page = client.get(reverse(url)).content.decode()

    field = re.search(rf'<input id="{box}"[^>]*>', page)[0]
    assert f'maxlength="{MAX_QUERY_LENGTH}"' in field


@pytest.mark.django_db
def test_a_bad_page_number_shows_a_page_not_an_error(client):
    film("Heat", year=1995)

    assert titles(search(client, "heat", page="999")) == ["Heat"]
    assert titles(search(client, "heat", page="abc")) == ["Heat"]


@pytest.mark.django_db
def test_search_pages_are_not_indexed_and_the_box_is_labelled(client):
    html = search(client, "anything").content.decode()

    assert '<meta name="robots" content="noindex">' in html
    box = re.search(r'<form class="search-page" role="search"[^>]*>.*?</form>', html, re.S)
    assert box and 'action="/search/"' in box.group(0) and 'method="get"' in box.group(0)
    assert '<label for="search-page-q">' in box.group(0)
    assert 'name="q" value="anything"' in box.group(0)
    assert 'aria-describedby="search-page-help"' in box.group(0)


@pytest.mark.django_db
def test_the_search_page_has_one_search_box_not_two(client):
    """The header's box is everywhere else; here it would be a second box saying the same."""
    html = search(client, "anything").content.decode()

    assert html.count('role="search"') == 1
    assert 'id="site-search"' not in html
    assert 'id="site-search"' in client.get(reverse("movies:list")).content.decode()


def test_queries_are_cleaned_into_words():
    query = Query.parse("  Amélie\tPOULAIN  _ amélie ")

    assert query.text == "Amélie POULAIN _ amélie"
    assert query.words == ("amelie", "poulain")


@pytest.mark.parametrize(
    ("q", "words", "years"),
    [
        ("parasite 2019", ("parasite",), (2019,)),
        ("The Parasite", ("parasite",), ()),
        ("the lord of the rings", ("lord", "rings"), ()),
        ("1917", ("1917",), ()),  # a year alone is a title
        ("the 1917", ("1917",), ()),
        ("blade runner 2049", ("blade", "runner"), (2049,)),  # ranks, does not filter
        ("alien 1979 1986", ("alien",), (1979, 1986)),
        ("heat 1877", ("heat", "1877"), ()),  # before films
        ("the", ("the",), ()),  # nothing else to search for
        ("a of", ("a", "of"), ()),
    ],
)
def test_years_and_little_words_are_read_as_a_reader_means_them(q, words, years):
    query = Query.parse(q)

    assert (query.words, query.years) == (words, years)


@pytest.mark.django_db
def test_a_year_beside_a_title_finds_that_years_film_first(client):
    film("Parasite", year=1982, votes=5_000)
    film("Parasite", year=2019, votes=900_000)
    film("Parasite Eve", year=1997, votes=100)

    result = search(client, "parasite 2019").context["movies"]

    assert [(m.title, m.year) for m in result][0] == ("Parasite", 2019)
    assert len(result) == 3  # the year ranks, it does not hide the others

    older = search(client, "Parasite 1982").context["movies"]
    assert [(m.title, m.year) for m in older][0] == ("Parasite", 1982)


@pytest.mark.django_db
def test_a_year_in_a_title_still_finds_the_film(client):
    film("Blade Runner 2049", year=2017)
    film("1917", year=2019)
    film("2001: A Space Odyssey", year=1968)

    assert titles(search(client, "blade runner 2049")) == ["Blade Runner 2049"]
    assert titles(search(client, "1917")) == ["1917"]
    assert titles(search(client, "2001 space odyssey")) == ["2001: A Space Odyssey"]


@pytest.mark.django_db
def test_the_and_a_do_not_hide_a_film(client):
    film("Parasite", year=2019)
    film("Quiet Place", year=2000)
    film("The Godfather", year=1972)

    assert titles(search(client, "the parasite")) == ["Parasite"]
    assert titles(search(client, "a quiet place")) == ["Quiet Place"]
    assert titles(search(client, "the godfather")) == ["The Godfather"]
    assert titles(search(client, "godfather of the")) == ["The Godfather"]


@pytest.mark.django_db
@pytest.mark.parametrize("cast_size", [2, pytest.param(40, marks=pytest.mark.slow)])
def test_search_query_budget_holds_as_results_grow(
    client, django_assert_max_num_queries, cast_size
):
    """Guards against N+1: a page of 20 films with many people costs the same few queries."""
    for n in range(30):
        film(f"Storm {n}", year=1990 + n % 30, people=[f"Actor {n} {i}" for i in range(cast_size)])
    search(client, "storm")  # warm the ladder cache

    with django_assert_max_num_queries(6):
        response = search(client, "storm")

    assert len(response.context["movies"]) == 20


@pytest.mark.django_db
def test_refreshing_the_search_document_follows_credit_changes(client):
    movie = film("Heat", year=1995, people=["Al Pacino"])
    Credit.objects.filter(movie=movie).delete()
    CreditFactory(movie=movie, person=PersonFactory(name="Robert De Niro"))

    refresh_search_documents([movie.pk])

    assert titles(search(client, "de niro")) == ["Heat"]
    assert titles(search(client, "pacino")) == []


@ON_POSTGRESQL
@pytest.mark.django_db
def test_a_common_word_ranks_its_most_popular_films_and_the_exact_title(client, monkeypatch):
    """PostgreSQL ranks a bounded set of candidates (here 3 of each kind, 200 in the site):
    the most popular matches and the exact title; the count says more match."""
    from movies import search as search_module
    from movies.views import SearchResultsPaginator

    monkeypatch.setattr(search_module.PostgresSearch, "CANDIDATES", 3)
    monkeypatch.setattr(SearchResultsPaginator, "CAP", 3)
    for n, votes in enumerate([10, 20, 30, 40_000, 50_000, 60_000]):
        film(f"Night Train {n}", votes=votes)
    film("Night", votes=1)

    response = search(client, "night")

    assert titles(response) == ["Night", "Night Train 5", "Night Train 4"]
    assert 'Films <span class="muted">(3+)</span>' in response.content.decode()


@ON_POSTGRESQL
@pytest.mark.django_db
def test_a_misspelt_word_finds_films_only_when_nothing_matches_as_typed(client):
    film("The Godfather", year=1972)
    film("Godfrey", year=1936)

    assert titles(search(client, "godfater")) == ["The Godfather"]
    assert titles(search(client, "godfrey")) == ["Godfrey"]


@ON_POSTGRESQL
@pytest.mark.django_db
def test_people_beside_results_are_the_closest_names_on_public_films(client):
    film("Heat", people=["Anna Berg", "Anna Bergman"])
    film("Secret", people=["Anna"], status=Movie.Status.DRAFT)

    people = search(client, "anna").context["people"]

    assert [p.name for p in people] == ["Anna Berg", "Anna Bergman"]
