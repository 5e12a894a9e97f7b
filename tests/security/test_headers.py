"""Response headers in production: the Observatory grade, the CSP, cookies, sessions."""

import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import MovieFactory, UserFactory
from tests.security import observatory

pytestmark = pytest.mark.django_db

PAGES = ["/", "/movies/one-second-2020/", "/accounts/login/", "/admin/login/"]


@pytest.fixture
def film(db):
    return MovieFactory(title="One Second", year=2020)


@pytest.mark.parametrize("path", PAGES)
def test_observatory_scores_at_least_100_in_production(client, production, film, path):
    response = production(client, path)
    assert response.status_code == 200
    total, results = observatory.score(response)
    details = "\n".join(f"{test}: {result} ({mod:+d})" for test, (result, mod) in results.items())
    assert total >= 100, f"{path} scores {total}:\n{details}"
    assert results["content-security-policy"][0] == (
        "csp-implemented-with-no-unsafe-default-src-none"
    )


@pytest.mark.parametrize("path", PAGES)
def test_strict_csp_on_every_page_admin_included(client, film, path):
    policy = observatory.parse_csp(client.get(path)["Content-Security-Policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in str(policy)


def test_error_pages_carry_the_headers_too(client):
    response = client.get("/movies/no-such-film/")
    assert response.status_code == 404
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


def test_report_only_setting_sends_the_same_policy_without_enforcing(settings, client):
    policy = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY, settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = None, policy
    response = client.get("/")
    assert "Content-Security-Policy" not in response
    assert "default-src 'none'" in response["Content-Security-Policy-Report-Only"]


def test_report_only_is_switched_by_an_environment_variable():
    from tests.config.test_settings import run

    out = run(
        "print(s.CONTENT_SECURITY_POLICY is None, bool(s.CONTENT_SECURITY_POLICY_REPORT_ONLY))",
        DJANGO_CSP_REPORT_ONLY="true",
    )
    assert out.stdout.split() == ["True", "True"], out.stderr


def test_permissions_policy_refuses_powerful_features(client):
    header = client.get("/")["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in header


def test_production_cookies_are_host_only_secure_and_httponly(production, film, settings):
    settings.SESSION_REFRESH_SECONDS = 0
    client = Client()
    client.force_login(UserFactory())
    response = production(client, "/")  # any request refreshes the session (idle limit)
    assert response.status_code == 200
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["path"] == "/" and not session["domain"]
    assert session["samesite"] == "Lax"
    csrf = production(Client(), "/accounts/login/").cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["path"] == "/" and not csrf["domain"]


def test_session_ends_after_the_idle_limit_not_after_two_weeks(production_values):
    assert production_values["SESSION_COOKIE_AGE"] <= 7 * 24 * 3600
    # The expiry is pushed forward at least every 5 minutes of visits.
    assert 0 <= production_values["SESSION_REFRESH_SECONDS"] <= 300


def session_row(client, settings):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_a_visit_pushes_the_idle_expiry_forward(client, settings, film, monkeypatch):
    settings.SESSION_REFRESH_SECONDS = 300
    settings.SESSION_COOKIE_AGE = 600
    client.force_login(UserFactory())
    response = client.get("/")  # the first visit since sign-in pushes it
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 600
    pushed = session_row(client, settings).expire_date
    later = time.time() + 301
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/")
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 600
    assert session_row(client, settings).expire_date > pushed


def test_pages_between_pushes_write_no_session(client, settings, film):
    """Not one session UPDATE per page (Django's SESSION_SAVE_EVERY_REQUEST was)."""
    settings.SESSION_REFRESH_SECONDS = 300
    client.force_login(UserFactory())
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/about/")
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    writes = [q["sql"] for q in queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert not writes


def test_development_keeps_plain_cookie_names(settings):
    # __Host- cookies are dropped by browsers over plain http (make run).
    assert settings.SESSION_COOKIE_NAME == "sessionid"
    assert settings.CSRF_COOKIE_NAME == "csrftoken"
