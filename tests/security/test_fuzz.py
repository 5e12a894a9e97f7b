"""Random and hostile values at every public query parameter and form: never a 500.

Hypothesis draws text of every kind (NUL and other control characters, surrogate-free
Unicode, very long strings, numbers out of range) for each parameter the site reads,
the admin's list filters and autocomplete included. Run on SQLite and on PostgreSQL
(DATABASE_URL); PostgreSQL is the stricter one (DataError on NUL, varchar overflow).
The example counts are small (the "security" profile) so the file runs in seconds.
"""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.models import Review
from tests.factories import (
    CreditFactory,
    GenreFactory,
    MovieFactory,
    PersonFactory,
    UserFactory,
)

settings.register_profile(
    "security",
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
fuzz = settings.get_profile("security")

pytestmark = pytest.mark.django_db

hostile = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(
        [
            "\x00",
            "drama\x00",
            "-1",
            "0",
            "1e309",
            "99999999999999999999999",
            "NaN",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "../../etc/passwd",
            "%00",
            "\ud7ff",
            "x" * 3000,
            "１９９４",
            "²",
        ]
    ),
)

PUBLIC = {
    "/movies/": ["genre", "year", "decade", "band", "sort", "page", "country", "q"],
    "/genres/drama/": ["year", "decade", "band", "sort", "page"],
    "/search/": ["q", "page"],
    "/movies/one-second-2020/": ["country"],
    "/movies/one-second-2020/reviews/": ["page", "sort", "after"],
    "/people/liu-haocun/": ["page"],
    "/": ["country"],
}
ADMIN = {
    "/admin/movies/movie/": [
        "publication",
        "band",
        "decade",
        "genres__id__exact",
        "is_featured__exact",
        "q",
        "o",
        "p",
    ],
    "/admin/reviews/review/": [
        "status__exact",
        "reports",
        "kind",
        "contains_spoilers__exact",
        "user__is_active__exact",
        "created_at__gte",
        "q",
        "o",
    ],
    "/admin/autocomplete/": ["term"],
    "/admin/movies/importjob/": ["state__exact", "q", "o"],
}
AUTOCOMPLETE = {"app_label": "movies", "model_name": "credit", "field_name": "person"}


@pytest.fixture
def catalogue(db):
    drama = GenreFactory(name="Drama")
    film = MovieFactory(title="One Second", year=2020, genres=[drama])
    CreditFactory(movie=film, person=PersonFactory(name="Liu Haocun", slug="liu-haocun"))
    return film


@pytest.fixture
def anon():
    return Client(raise_request_exception=False)


def _assert_no_5xx(response, what):
    assert response.status_code < 500, f"{response.status_code} for {what}"


@pytest.mark.parametrize(("path", "name"), [(p, n) for p, names in PUBLIC.items() for n in names])
def test_public_query_parameters_never_500(anon, catalogue, path, name):
    @fuzz
    @given(value=hostile)
    def check(value):
        _assert_no_5xx(anon.get(path, {name: value}), f"{path}?{name}={value!r}")

    check()


@given(name=hostile)
@fuzz
def test_profile_names_never_500(anon, catalogue, name):
    response = anon.get(f"/users/{name.replace('/', '')}/")
    _assert_no_5xx(response, f"/users/{name!r}/")


@pytest.mark.parametrize(("path", "name"), [(p, n) for p, names in ADMIN.items() for n in names])
def test_admin_filters_and_autocomplete_never_500(catalogue, path, name):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    extra = AUTOCOMPLETE if "autocomplete" in path else {}

    @fuzz
    @given(value=hostile)
    def check(value):
        _assert_no_5xx(client.get(path, {**extra, name: value}), f"{path}?{name}={value!r}")

    check()


@given(rating=hostile, headline=hostile, body=hostile, spoilers=hostile)
@fuzz
def test_review_form_refuses_hostile_values_without_storing_them(
    catalogue, rating, headline, body, spoilers
):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    response = client.post(
        f"{catalogue.get_absolute_url()}review/",
        {"rating": rating, "headline": headline, "body": body, "contains_spoilers": spoilers},
    )
    _assert_no_5xx(response, "review form")
    if response.status_code != 302:  # refused: a form error or a 400
        assert not Review.objects.filter(movie=catalogue).exists()
    Review.objects.all().delete()


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/admin/login/"])
def test_account_forms_never_500(anon, catalogue, path):
    @fuzz
    @given(username=hostile, password=hostile, email=hostile)
    def check(username, password, email):
        data = {
            "username": username,
            "password": password,
            "password1": password,
            "password2": password,
            "email": email,
        }
        _assert_no_5xx(anon.post(path, data), f"{path} with {username!r}")

    check()


@pytest.mark.parametrize("field", ["login", "username"])
def test_a_very_long_username_at_login_is_a_form_error(anon, catalogue, field):
    """Was a 500 on PostgreSQL: axes stored the name in a varchar(255)."""
    response = anon.post("/accounts/login/", {field: "u" * 100_000, "password": "x"})
    assert response.status_code in {200, 400, 429}
