"""Requests an attacker sends by hand: a foreign Host, NUL bytes, 429 without a wait."""

import pytest
from django.test import Client

from reviews.models import Review
from tests.factories import GenreFactory, MovieFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anon():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("path", ["/", "/movies/", "/accounts/login/", "/no-such-page/"])
def test_unknown_host_is_a_400_page_not_a_500(anon, path):
    response = anon.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "We couldn't understand that request" in response.content.decode()
    assert "evil.example" not in response.content.decode()


def test_forwarded_host_from_an_untrusted_proxy_is_a_400(anon, production):
    response = anon.get(
        "/", secure=True, HTTP_HOST="worthwatching.example", HTTP_X_FORWARDED_HOST="evil.example"
    )
    assert response.status_code == 400


NUL_REQUESTS = [
    "/movies/?genre=dra%00ma",
    "/movies/?sort=%00",
    "/movies/?q%00=x",
    "/genres/drama/?genre=%00",
    "/search/?q=one%00",
    "/users/ann%00/",
    "/admin/movies/movie/?genres__slug__exact=%00",
    "/admin/autocomplete/?term=%00&app_label=movies&model_name=movie&field_name=genres",
]


@pytest.mark.parametrize("url", NUL_REQUESTS)
def test_nul_byte_anywhere_in_the_query_or_path_is_a_400(anon, url):
    GenreFactory(name="Drama")
    anon.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = anon.get(url)
    assert response.status_code == 400
    assert "We couldn't understand that request" in response.content.decode()


def test_nul_byte_in_a_form_is_refused_and_nothing_is_stored(anon):
    movie = MovieFactory(title="One Second", year=2020)
    anon.force_login(UserFactory())
    body = "A long enough review body. " * 10
    response = anon.post(
        f"{movie.get_absolute_url()}review/",
        {"rating": "8", "headline": "Good\x00", "body": body},
    )
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_nul_byte_in_a_cookie_is_a_400_before_the_session_is_looked_up(anon):
    anon.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert anon.get("/").status_code == 400


def test_every_429_says_when_to_come_back(settings, client):
    from django.http import HttpResponse
    from django.urls import include, path

    def limited(request):
        return HttpResponse("slow down", status=429)

    def limited_with_own_wait(request):
        response = HttpResponse("slow down", status=429)
        response["Retry-After"] = "120"
        return response

    settings.ROOT_URLCONF = type(
        "urls",
        (),
        {
            "urlpatterns": [
                path("limited", limited),
                path("own", limited_with_own_wait),
                path("", include("config.urls")),
            ]
        },
    )
    assert client.get("/limited")["Retry-After"] == str(settings.RETRY_AFTER_SECONDS)
    assert client.get("/own")["Retry-After"] == "120"
    assert "Retry-After" not in client.get("/movies/")


def test_review_rate_limit_429_has_retry_after(client, settings):
    settings.REVIEWS_PER_HOUR = 0
    movie = MovieFactory(title="One Second", year=2020)
    client.force_login(UserFactory())
    response = client.post(f"{movie.get_absolute_url()}review/", {"rating": "8"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
