"""While the database cannot be reached, pages are a clean 503 that says when to retry,
not a 500 (tests/load/run.py restarts a real PostgreSQL under load to prove it end to end)."""

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client

from tests.factories import UserFactory


def _database_down(monkeypatch, error):
    def refused(*args, **kwargs):
        raise error("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    monkeypatch.setattr(connection, "cursor", refused)


@pytest.mark.django_db
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_pages_are_a_503_with_retry_after_while_the_database_is_down(monkeypatch, error):
    client = Client(raise_request_exception=False)
    _database_down(monkeypatch, error)

    response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "We are back in a moment" in html and "try again in 30 seconds" in html
    assert "Content-Security-Policy" in response.headers  # still the site's headers


@pytest.mark.django_db
def test_a_signed_in_reader_saving_a_review_gets_the_503_page(monkeypatch, settings):
    """The session is read in middleware, before any view: that failure is a 503 too."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    _database_down(monkeypatch, OperationalError)

    response = client.post("/movies/any-film/review/", {"rating": "8"})

    assert response.status_code == 503
    assert "We are back in a moment" in response.content.decode()


@pytest.mark.django_db
def test_a_database_lost_after_the_view_is_a_503_not_a_session_400(monkeypatch, settings):
    """Found by the load run's PostgreSQL restart: the page rendered, then the database went
    away before the signed-in reader's session was saved (its idle expiry pushed). Django
    calls that "session interrupted", a 400 the browser does not retry; it is an outage."""
    from django.contrib.sessions.models import Session

    settings.SESSION_REFRESH_SECONDS = 0  # every request saves the session
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())

    def database_gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(Session, "save", database_gone)
    response = client.get("/about/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "We are back in a moment" in response.content.decode()


@pytest.mark.django_db
def test_a_session_deleted_by_a_concurrent_logout_is_still_a_400(monkeypatch, settings):
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.backends.db import SessionStore

    settings.SESSION_REFRESH_SECONDS = 0
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())

    def logged_out_meanwhile(self, must_create=False):
        raise UpdateError

    monkeypatch.setattr(SessionStore, "save", logged_out_meanwhile)
    assert client.get("/about/").status_code == 400


@pytest.mark.django_db
def test_other_errors_are_still_the_500_page(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug, not an outage")

    monkeypatch.setattr("movies.views.HomeView.get_context_data", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
