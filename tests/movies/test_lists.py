import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from movies import services
from movies.models import Credit, Movie
from tests.factories import CreditFactory, GenreFactory, MovieFactory, PersonFactory

pytestmark = pytest.mark.django_db


def titles(response):
    return [m.title for m in response.context["movies"]]


@pytest.fixture
def catalogue():
    drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
    return {
        "hit": MovieFactory(
            title="Hit Film",
            year=2019,
            genres=[drama],
            budget=10,
            worldwide_gross=30,
            audience_rating=6.0,
            rating_count=1,
            rating_sum=6,
            rating_6=1,
        ),
        "flop": MovieFactory(
            title="Flop Film",
            year=1994,
            genres=[comedy],
            budget=10,
            worldwide_gross=6,
            audience_rating=8.0,
            rating_count=1,
            rating_sum=8,
            rating_8=1,
        ),
        "unknown": MovieFactory(title="Quiet Film", year=2021, genres=[drama]),
        "draft": MovieFactory(title="Draft Film", status=Movie.Status.DRAFT, published_at=None),
        "scheduled": MovieFactory(
            title="Later Film", published_at=timezone.now() + datetime.timedelta(days=1)
        ),
    }


class TestMovieList:
    url = reverse("movies:list")

    def test_lists_only_public_films(self, client, catalogue):
        assert set(titles(client.get(self.url))) == {"Hit Film", "Flop Film", "Quiet Film"}

    def test_filter_by_genre(self, client, catalogue):
        assert titles(client.get(self.url, {"genre": "comedy"})) == ["Flop Film"]

    def test_filter_by_year_and_decade(self, client, catalogue):
        assert titles(client.get(self.url, {"year": "2019"})) == ["Hit Film"]
        assert titles(client.get(self.url, {"decade": "1990"})) == ["Flop Film"]
        assert titles(client.get(self.url, {"decade": "2010s"})) == ["Hit Film"]

    def test_filter_by_verdict_band(self, client, catalogue):
        assert titles(client.get(self.url, {"band": "hit"})) == ["Hit Film"]
        assert titles(client.get(self.url, {"band": "flop"})) == ["Flop Film"]

    @pytest.mark.parametrize(
        "sort,expected",
        [
            ("rating", ["Flop Film", "Hit Film", "Quiet Film"]),
            ("newest", ["Quiet Film", "Hit Film", "Flop Film"]),
            ("multiple", ["Hit Film", "Flop Film", "Quiet Film"]),
            ("title", ["Flop Film", "Hit Film", "Quiet Film"]),
        ],
    )
    def test_sorting(self, client, catalogue, sort, expected):
        assert titles(client.get(self.url, {"sort": sort})) == expected

    @pytest.mark.parametrize(
        "params",
        [
            {"genre": "no-such"},
            {"year": "abc"},
            {"year": "99999"},
            {"decade": "1995"},
            {"band": "<script>"},
            {"sort": "drop table"},
            {"page": "-3"},
            {"page": "x"},
            {"page": "9999"},
            {"page": "1e9"},
            {"year": "٣"},
            {"year": "²"},
            {"decade": "²"},
            {"page": "²"},
            {"year": "1994\n"},
        ],
    )
    def test_invalid_filters_and_pages_are_ignored(self, client, catalogue, params):
        response = client.get(self.url, params)
        assert response.status_code == 200
        assert len(titles(response)) >= 1

    def test_paginates_24_a_page_and_keeps_filters_in_links(self, client):
        drama = GenreFactory(name="Drama")
        MovieFactory.create_batch(30, genres=[drama])
        first = client.get(self.url, {"genre": "drama"})
        assert len(titles(first)) == 24
        assert 'href="?genre=drama&amp;page=2"' in first.content.decode()
        second = client.get(self.url, {"genre": "drama", "page": 2})
        assert len(titles(second)) == 6
        assert "page 2" in second.content.decode()

    def test_cards_show_answer_and_trade_verdict_as_text(self, client, catalogue):
        html = client.get(self.url).content.decode()
        assert re.search(r'class="badge badge--good">.*?Hit</span>', html, re.S)
        assert re.search(r'class="badge badge--bad">.*?Flop</span>', html, re.S)

    @pytest.mark.parametrize("rows", [3, 40])
    def test_query_budget(self, client, django_assert_max_num_queries, rows):
        """Guards against N+1: a list page costs the same with 3 films or 40."""
        genres = [GenreFactory(), GenreFactory()]
        MovieFactory.create_batch(rows, genres=genres, budget=10, worldwide_gross=25)
        client.get(self.url)
        with django_assert_max_num_queries(5):
            response = client.get(self.url, {"genre": genres[0].slug, "band": "hit"})
        assert len(titles(response)) == min(rows, 24)


class TestGenrePage:
    def test_lists_the_genres_public_films(self, client, catalogue):
        response = client.get(reverse("movies:genre", args=["drama"]))
        assert response.status_code == 200
        assert set(titles(response)) == {"Hit Film", "Quiet Film"}
        assert "<h1>Drama films</h1>" in response.content.decode()

    def test_unknown_genre_is_404(self, client):
        assert client.get(reverse("movies:genre", args=["nope"])).status_code == 404

    @pytest.mark.parametrize("rows", [3, 40])
    def test_query_budget(self, client, django_assert_max_num_queries, rows):
        """Guards against N+1: a genre page costs the same whatever its size."""
        genre = GenreFactory(name="Noir")
        MovieFactory.create_batch(rows, genres=[genre])
        client.get(genre.get_absolute_url())
        with django_assert_max_num_queries(6):
            response = client.get(genre.get_absolute_url())
        assert len(titles(response)) == min(rows, 24)


class TestPersonPage:
    def test_filmography_lists_public_films_by_role(self, client, catalogue):
        person = PersonFactory(name="Ana Director")
        CreditFactory(person=person, movie=catalogue["hit"], role=Credit.Role.DIRECTOR)
        CreditFactory(person=person, movie=catalogue["flop"], character_name="Herself")
        CreditFactory(person=person, movie=catalogue["draft"])
        response = client.get(person.get_absolute_url())
        html = response.content.decode()
        assert "Hit Film" in html and "Flop Film" in html and "as Herself" in html
        assert "Draft Film" not in html
        assert "<h2" in html and "Director" in html

    def test_person_only_on_drafts_has_no_public_page(self, client, catalogue):
        person = PersonFactory(name="Not Yet")
        CreditFactory(person=person, movie=catalogue["draft"])
        CreditFactory(person=person, movie=catalogue["scheduled"])
        assert client.get(person.get_absolute_url()).status_code == 404
        CreditFactory(person=person, movie=catalogue["hit"])
        assert client.get(person.get_absolute_url()).status_code == 200

    @pytest.mark.parametrize("rows", [2, 40])
    def test_query_budget(self, client, django_assert_max_num_queries, rows):
        """Guards against N+1: a long filmography costs the same as a short one."""
        person = PersonFactory()
        for movie in MovieFactory.create_batch(rows):
            CreditFactory(person=person, movie=movie)
        client.get(person.get_absolute_url())  # warm the shared ladder cache
        with django_assert_max_num_queries(3):
            response = client.get(person.get_absolute_url())
        assert response.content.decode().count("Worth watching? </span>") == rows


class TestHome:
    def test_shelves_show_featured_latest_top_rated_and_hits(self, client, catalogue):
        Movie.objects.filter(pk=catalogue["hit"].pk).update(is_featured=True)
        response = client.get("/")
        assert response.status_code == 200
        html = response.content.decode()
        for shelf in [
            "Featured verdicts",
            "Recently updated",
            "Top rated",
            "Biggest hits",
        ]:
            assert shelf in html
        assert "Draft Film" not in html and "Later Film" not in html

    def test_empty_site_says_so(self, client):
        assert "No films are published yet" in client.get("/").content.decode()

    @pytest.mark.parametrize("rows", [2, 30])
    def test_query_budget(self, client, django_assert_max_num_queries, rows):
        """Guards against N+1: four shelves cost the same however many films exist."""
        MovieFactory.create_batch(
            rows,
            genres=[GenreFactory()],
            budget=1,
            worldwide_gross=3,
            audience_rating=7.5,
            rating_count=2,
            rating_sum=15,
            rating_7=1,
            rating_8=1,
            is_featured=True,
        )
        client.get("/")
        with django_assert_max_num_queries(8):
            client.get("/")


class TestFilterOptions:
    """The list's filters offer what the public catalogue holds, nothing else."""

    def test_decades_come_from_the_films(self, client):
        MovieFactory(year=1927)
        MovieFactory(year=1994)
        response = client.get(reverse("movies:list"))
        assert response.context["decades"] == [1990, 1920]
        html = response.content.decode()
        assert '<option value="1920">1920s</option>' in html
        assert "2020s" not in html

    def test_genres_without_a_public_film_are_not_offered_and_their_page_is_404(
        self, client, django_capture_on_commit_callbacks
    ):
        drama, empty = GenreFactory(name="Drama"), GenreFactory(name="Western")
        MovieFactory(genres=[drama])
        draft = MovieFactory(genres=[empty], status=Movie.Status.DRAFT, published_at=None)
        response = client.get(reverse("movies:list"))
        assert [g.name for g in response.context["genres"]] == ["Drama"]
        assert client.get(empty.get_absolute_url()).status_code == 404

        with django_capture_on_commit_callbacks(execute=True):
            services.publish_movies(movies=Movie.objects.filter(pk=draft.pk))
        response = client.get(reverse("movies:list"))
        assert [g.name for g in response.context["genres"]] == ["Drama", "Western"]
        assert client.get(empty.get_absolute_url()).status_code == 200


def test_the_list_counts_up_to_a_cap_so_a_big_catalogue_costs_the_same(client, monkeypatch):
    """CappedPaginator: past CAP films the count says "CAP+" and pages stop there (a
    COUNT over a LIMIT, not over every film)."""
    from movies.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "CAP", 30)
    for _ in range(31):
        MovieFactory()
    html = client.get("/movies/").content.decode()
    assert "30+ films" in html and "Page 1 of 2+" in html
    monkeypatch.setattr(CappedPaginator, "CAP", 5_000)
    assert "31 films" in client.get("/movies/").content.decode()
