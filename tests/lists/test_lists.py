"""Watchlist and seen (lists app): buttons on cards and verdict pages, /me/watchlist/."""

import re

import pytest

from lists.models import ListEntry, ReaderServices
from movies.models import Availability, Movie
from tests.factories import (
    AvailabilityFactory,
    GenreFactory,
    MovieFactory,
    ProviderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def add(client, movie, kind="watchlist", action="add", next_url=None):
    data = {"kind": kind, "action": action}
    if next_url is not None:
        data["next"] = next_url
    return client.post(f"/me/lists/{movie.slug}/", data)


def titles(html):
    return re.findall(r'class="list-film__title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def reader(client):
    user = UserFactory(username="ada")
    client.force_login(user)
    return user


def test_adding_from_the_verdict_page_comes_back_to_it_and_shows_on_the_watchlist(client, reader):
    film = MovieFactory(title="Stalker")
    page = client.get(film.get_absolute_url()).content.decode()
    assert "Add to watchlist" in page and 'action="/me/lists/' in page
    response = add(client, film, next_url=film.get_absolute_url())
    assert response.status_code == 302 and response["Location"] == film.get_absolute_url()
    after = client.get(film.get_absolute_url()).content.decode()
    assert "Stalker is on your watchlist." in after
    assert 'aria-pressed="true"' in after
    assert titles(client.get("/me/watchlist/").content.decode()) == ["Stalker"]


def test_adding_twice_keeps_one_entry(client, reader):
    film = MovieFactory()
    add(client, film)
    add(client, film)
    assert ListEntry.objects.filter(user=reader, movie=film).count() == 1


def test_an_unsafe_next_falls_back_to_the_film(client, reader):
    film = MovieFactory()
    response = add(client, film, next_url="https://evil.example/")
    assert response["Location"] == film.get_absolute_url()


def test_an_unknown_action_changes_nothing_and_says_so(client, reader):
    film = MovieFactory()
    response = add(client, film, kind="favourites")
    assert response.status_code == 302
    assert not ListEntry.objects.exists()
    page = client.get(film.get_absolute_url()).content.decode()
    assert "That list action is not one we know" in page


def test_seen_and_removal(client, reader):
    film = MovieFactory(title="Solaris")
    add(client, film, kind="seen")
    assert titles(client.get("/me/seen/").content.decode()) == ["Solaris"]
    add(client, film, kind="seen", action="remove")
    assert titles(client.get("/me/seen/").content.decode()) == []


def test_visitors_are_asked_to_log_in(client):
    film = MovieFactory()
    assert add(client, film)["Location"].startswith("/accounts/login/")
    assert client.get("/me/watchlist/")["Location"].startswith("/accounts/login/")


def test_a_watchlist_is_private(client, reader):
    film = MovieFactory(title="Mirror")
    add(client, film)
    assert client.get("/users/ada/watchlist/").status_code == 200
    other = UserFactory(username="bob")
    client.force_login(other)
    assert client.get("/users/ada/watchlist/").status_code == 404
    assert titles(client.get("/me/watchlist/").content.decode()) == []
    client.logout()
    assert client.get("/users/ada/watchlist/").status_code == 404


def test_a_drafted_film_leaves_the_watchlist_page(client, reader):
    film = MovieFactory(title="Nostalghia")
    add(client, film)
    Movie.objects.filter(pk=film.pk).update(status=Movie.Status.DRAFT)
    assert titles(client.get("/me/watchlist/").content.decode()) == []


def test_watchlist_shows_answer_and_offers_on_my_services_first(client, reader):
    netflix, mubi = ProviderFactory(name="Netflix"), ProviderFactory(name="MUBI")
    ReaderServices.objects.create(user=reader, country="GB").providers.set([mubi])
    high = MovieFactory(title="High", external_rating=9, external_rating_votes=10)
    mine = MovieFactory(title="Mine", external_rating=5, external_rating_votes=10)
    AvailabilityFactory(movie=high, provider=netflix, country="GB", kind=Availability.Kind.STREAM)
    AvailabilityFactory(movie=mine, provider=netflix, country="GB", kind=Availability.Kind.STREAM)
    AvailabilityFactory(movie=mine, provider=mubi, country="GB", kind=Availability.Kind.STREAM)
    AvailabilityFactory(movie=high, provider=mubi, country="US", kind=Availability.Kind.STREAM)
    for film in (mine, high):
        add(client, film)
    by_score = client.get("/me/watchlist/?sort=score").content.decode()
    assert titles(by_score) == ["High", "Mine"]
    by_services = client.get("/me/watchlist/?sort=available").content.decode()
    assert titles(by_services) == ["Mine", "High"]
    mine_block = by_services.split("Mine")[1].split("list-film__title")[0]
    assert mine_block.index("On your MUBI") < mine_block.index("Netflix")


@pytest.mark.parametrize("n", [2, 200])
def test_watchlist_query_budget(client, reader, django_assert_max_num_queries, n):
    """Guards against N+1: 200 films with genres and offers cost what 2 do."""
    genre, provider = GenreFactory(), ProviderFactory()
    ReaderServices.objects.create(user=reader, country="US").providers.set([provider])
    films = [MovieFactory(genres=[genre]) for _ in range(n)]
    ListEntry.objects.bulk_create(
        [ListEntry(user=reader, movie=f, kind=ListEntry.Kind.WATCHLIST) for f in films]
    )
    Availability.objects.bulk_create(
        [Availability(movie=f, provider=provider, country="US", kind="stream") for f in films]
    )
    client.get("/me/watchlist/")
    with django_assert_max_num_queries(11):
        response = client.get("/me/watchlist/?sort=available")
    assert len(titles(response.content.decode())) == min(n, 50)


def test_the_film_list_filters_by_my_services(client, reader):
    netflix = ProviderFactory(name="Netflix", slug="netflix")
    ReaderServices.objects.create(user=reader, country="GB").providers.set([netflix])
    on = MovieFactory(title="On Netflix")
    MovieFactory(title="Elsewhere")
    AvailabilityFactory(movie=on, provider=netflix, country="GB", kind=Availability.Kind.STREAM)
    page = client.get("/movies/").content.decode()
    assert "?provider=netflix&amp;country=GB" in page
    filtered = client.get("/movies/?provider=netflix&country=GB").content.decode()
    assert "On Netflix" in filtered and "Elsewhere" not in filtered


def test_services_form_saves_and_the_verdict_page_puts_them_first(client, reader):
    netflix = ProviderFactory(name="Netflix", slug="netflix")
    film = MovieFactory()
    AvailabilityFactory(movie=film, provider=netflix, country="GB", kind=Availability.Kind.STREAM)
    response = client.post("/me/services/", {"country": "GB", "providers": [netflix.pk]})
    assert response.status_code == 302
    assert client.get("/me/services/").status_code == 200
    page = client.get(film.get_absolute_url() + "?country=GB").content.decode()
    assert "On your Netflix (subscription)" in page


def test_services_form_refuses_an_unknown_country(client, reader):
    response = client.post("/me/services/", {"country": "ZZ"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_every_card_carries_the_buttons_for_one_query(client, reader):
    """Guards against N+1: the reader's marks are read once per page, not per card."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (2, 20):
        films = [MovieFactory() for _ in range(n)]
        add(client, films[0])
        client.get("/movies/?sort=title")  # the message, and the shared caches warmed
        with CaptureQueriesContext(connection) as ctx:
            html = client.get("/movies/?sort=title").content.decode()
        counts.append(len(ctx.captured_queries))
    assert html.count("Add to watchlist") == 20 and html.count("On your watchlist") == 2
    assert counts[0] == counts[1]


def test_an_unknown_provider_in_the_film_list_is_ignored(client):
    MovieFactory(title="Anything")
    response = client.get("/movies/?provider=nope&provider=")
    assert response.status_code == 200
    assert "Anything" in response.content.decode()
