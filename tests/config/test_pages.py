import pytest
from django.db import DatabaseError
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers_ok_after_a_database_round_trip(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_with_a_reason_when_the_database_is_down(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content.decode().startswith("database unavailable")


@pytest.mark.django_db
def test_healthz_is_503_when_the_shared_cache_fails(client, monkeypatch):
    class UnreachableCache:
        def set(self, *args, **kwargs):
            raise ConnectionError("cache server refused the connection")

    monkeypatch.setattr("config.views.cache", UnreachableCache())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content.decode() == "cache unavailable: ConnectionError\n"


@pytest.mark.django_db
def test_healthz_probes_at_once_do_not_fail_each_other(client, monkeypatch):
    """Found by `make bench`: a load balancer's probes (and several balancers) reach
    several workers at once; one probe's write between another's write and read must
    not make the other a 503."""
    from django.core.cache import cache

    interleaved = []

    class OtherProbeBetweenWriteAndRead:
        def set(self, *args, **kwargs):
            cache.set(*args, **kwargs)
            if not interleaved:
                interleaved.append(None)
                interleaved[0] = client.get("/healthz").status_code

        def __getattr__(self, name):
            return getattr(cache, name)

    monkeypatch.setattr("config.views.cache", OtherProbeBetweenWriteAndRead())
    response = client.get("/healthz")
    assert interleaved == [200]
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_database_made_by_migrate_alone_serves_pages_with_the_database_cache(settings):
    """`manage.py migrate` creates the database cache's table (movies.apps), so a newcomer
    who skips createcachetable gets pages, not a 500, and /healthz tells the truth."""
    from django.core.management import call_command
    from django.db import connection

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
        }
    }
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS django_cache")
    call_command("migrate", verbosity=0)
    assert "django_cache" in connection.introspection.table_names()
    client = Client()
    assert client.get("/").status_code == 200
    assert client.get("/healthz").content == b"ok\n"


@pytest.mark.django_db
def test_404_page_is_in_the_site_look(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn't find that page" in html
    assert 'class="site-header"' in html and "Browse all films" in html


@pytest.mark.django_db
def test_500_page_is_in_the_site_look(settings):
    from django.urls import path

    def boom(request):
        raise RuntimeError("boom")

    settings.ROOT_URLCONF = type(
        "urls",
        (),
        {"urlpatterns": [path("boom", boom)], "handler500": "django.views.defaults.server_error"},
    )
    response = Client(raise_request_exception=False).get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db
def test_400_and_403_pages_are_in_the_site_look(settings):
    from django.core.exceptions import PermissionDenied, SuspiciousOperation
    from django.urls import include, path

    def bad(request):
        raise SuspiciousOperation("nonsense")

    def forbidden(request):
        raise PermissionDenied

    settings.ROOT_URLCONF = type(
        "urls",
        (),
        {
            "urlpatterns": [
                path("bad", bad),
                path("forbidden", forbidden),
                path("", include("config.urls")),
            ]
        },
    )
    client = Client(raise_request_exception=False)
    response = client.get("/bad")
    assert response.status_code == 400
    assert "We couldn't understand that request" in response.content.decode()
    response = client.get("/forbidden")
    assert response.status_code == 403
    assert "You can't do that here" in response.content.decode()
