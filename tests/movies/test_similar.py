"""More like this and "More from <director>" on the verdict page (movies.similar)."""

import re

import pytest
from django.core.management import call_command

from movies import services, similar
from movies.models import Credit, Movie, SimilarFilm
from tests.factories import CreditFactory, GenreFactory, MovieFactory, PersonFactory

pytestmark = pytest.mark.django_db


def shelf_titles(html, section_id):
    block = html.split(f'id="{section_id}"')[1].split("</section>")[0]
    return re.findall(r'class="card__title"><a href="[^"]+">([^<]+)</a>', block)


@pytest.fixture
def noir(db):
    genre = GenreFactory(name="Film-Noir")
    director = PersonFactory(name="Fritz Lang")
    film = MovieFactory(title="The Big Heat", year=1953, genres=[genre])
    CreditFactory(movie=film, person=director, role=Credit.Role.DIRECTOR, billing_order=None)
    return film, genre, director


def test_a_film_sharing_director_and_genre_ranks_above_one_sharing_only_the_genre(noir):
    film, genre, director = noir
    same_genre = MovieFactory(title="Genre only", year=1953, genres=[genre])
    same_director = MovieFactory(title="Lang again", year=1953, genres=[genre])
    CreditFactory(movie=same_director, person=director, role=Credit.Role.DIRECTOR)
    MovieFactory(title="Unrelated", year=1953, genres=[GenreFactory(name="Comedy")])
    ranked = [pk for pk, _ in similar.neighbours(film)]
    assert ranked == [same_director.pk, same_genre.pk]


def test_drafted_films_never_appear_on_the_shelf_even_when_stored(client, noir):
    film, genre, _ = noir
    public = MovieFactory(title="Public noir", genres=[genre])
    draft = MovieFactory(title="Draft noir", genres=[genre])
    services.similar_films_refresh(movies=[film])
    assert SimilarFilm.objects.filter(movie=film).count() == 2
    services.unpublish_movies(movies=Movie.objects.filter(pk=draft.pk))
    html = client.get(film.get_absolute_url()).content.decode()
    assert shelf_titles(html, "more-like-this") == ["Public noir"]
    assert "Draft noir" not in html
    del public


def test_the_shelf_shows_up_to_eight_best_scored_first(client, noir):
    film, genre, _ = noir
    for n in range(10):
        MovieFactory(title=f"Noir {n}", genres=[genre], external_rating=n, external_rating_votes=9)
    services.similar_films_refresh(movies=[film])
    titles = shelf_titles(client.get(film.get_absolute_url()).content.decode(), "more-like-this")
    assert len(titles) == 8
    assert titles[0] == "Noir 9"
    assert titles == sorted(titles, reverse=True)


def test_more_from_the_director_lists_their_other_public_films(client, noir):
    film, _, director = noir
    other = MovieFactory(title="Metropolis", year=1927)
    CreditFactory(movie=other, person=director, role=Credit.Role.DIRECTOR, billing_order=None)
    draft = MovieFactory(title="Lost Lang", status=Movie.Status.DRAFT, published_at=None)
    CreditFactory(movie=draft, person=director, role=Credit.Role.DIRECTOR, billing_order=None)
    html = client.get(film.get_absolute_url()).content.decode()
    assert "More from Fritz Lang" in html
    assert shelf_titles(html, "more-from-director") == ["Metropolis"]


def test_saving_a_film_puts_it_on_its_neighbours_shelves(noir):
    film, genre, _ = noir
    services.similar_films_refresh(movies=[film])
    newcomer = MovieFactory(title="New noir", genres=[genre])
    services.movie_save(movie=newcomer)
    assert SimilarFilm.objects.filter(movie=film, similar=newcomer).exists()
    assert SimilarFilm.objects.filter(movie=newcomer, similar=film).exists()


def test_rebuild_command_fills_every_public_film(noir, capsys):
    film, genre, _ = noir
    MovieFactory(title="Another noir", genres=[genre])
    call_command("rebuild_similar_films")
    assert "2 films, 2 neighbours" in capsys.readouterr().out
    assert SimilarFilm.objects.filter(movie=film).count() == 1


def _film_with_shelves(n_similar):
    genre = GenreFactory()
    director = PersonFactory()
    film = MovieFactory(genres=[genre])
    CreditFactory(movie=film, person=director, role=Credit.Role.DIRECTOR, billing_order=None)
    for _ in range(n_similar):
        other = MovieFactory(genres=[genre, GenreFactory()])
        CreditFactory(movie=other, person=director, role=Credit.Role.DIRECTOR, billing_order=None)
    services.similar_films_refresh(movies=[film])
    return film


def test_verdict_page_query_count_is_fixed_with_1_or_8_similar_films(client):
    """Guards against N+1: eight similar films (each with genres) cost what one does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for film in (_film_with_shelves(1), _film_with_shelves(12)):
        client.get(film.get_absolute_url())
        with CaptureQueriesContext(connection) as ctx:
            html = client.get(film.get_absolute_url()).content.decode()
        counts.append(len(ctx.captured_queries))
    assert len(shelf_titles(html, "more-like-this")) == 8
    assert counts[0] == counts[1]


def test_verdict_page_query_budget_with_8_similar_films(client, django_assert_max_num_queries):
    """Guards against N+1: the page with both shelves full stays within its budget."""
    film = _film_with_shelves(8)
    client.get(film.get_absolute_url())
    with django_assert_max_num_queries(11):
        response = client.get(film.get_absolute_url())
    assert len(shelf_titles(response.content.decode(), "more-like-this")) == 8


def test_a_film_on_the_first_shelf_is_not_repeated_under_the_director(client, noir):
    film, genre, director = noir
    shared = MovieFactory(title="Scarlet Street", genres=[genre])
    CreditFactory(movie=shared, person=director, role=Credit.Role.DIRECTOR, billing_order=None)
    only_director = MovieFactory(title="M", genres=[GenreFactory(name="Thriller")], year=1931)
    CreditFactory(movie=only_director, person=director, role=Credit.Role.DIRECTOR)
    services.similar_films_refresh(movies=[film])
    SimilarFilm.objects.filter(movie=film, similar=only_director).delete()
    html = client.get(film.get_absolute_url()).content.decode()
    assert shelf_titles(html, "more-like-this") == ["Scarlet Street"]
    assert shelf_titles(html, "more-from-director") == ["M"]
