"""Sign up, log in (throttled), log out, password reset and the header links."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"


def signup(client, **overrides):
    data = {
        "username": "grace",
        "email": "grace@example.com",
        "password1": "a-Long-unusual-passphrase-42",
        "password2": "a-Long-unusual-passphrase-42",
        **overrides,
    }
    return client.post(reverse("reviews:signup"), data)


def test_signup_creates_the_account_and_logs_in(client):
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:profile", args=["grace"])
    user = get_user_model().objects.get(username="grace")
    assert user.email == "grace@example.com"
    assert client.get(response["Location"]).context["user"] == user


def test_signup_returns_to_next(client):
    response = signup(client, next="/movies/one-second-2020/review/")
    assert response["Location"] == "/movies/one-second-2020/review/"
    assert signup(Client(), username="eve", email="e@example.com", next="https://evil.example/")[
        "Location"
    ] == reverse("reviews:profile", args=["eve"])


def test_signup_follows_the_same_next_rule_as_logging_in(client):
    """Over HTTPS a plain-http `next`, even to this site, is refused (Django's rule for
    logging in); the page only ever carries a safe `next` in its form."""
    response = client.post(
        reverse("reviews:signup"),
        {
            "username": "grace",
            "email": "grace@example.com",
            "password1": "a-Long-unusual-passphrase-42",
            "password2": "a-Long-unusual-passphrase-42",
            "next": "http://testserver/movies/one-second-2020/review/",
        },
        secure=True,
    )
    assert response["Location"] == reverse("reviews:profile", args=["grace"])
    page = Client().get(reverse("reviews:signup"), {"next": "https://evil.example/"})
    assert 'name="next" value=""' in page.content.decode()
    page = Client().get(reverse("reviews:signup"), {"next": "/movies/one-second-2020/review/"})
    assert 'name="next" value="/movies/one-second-2020/review/"' in page.content.decode()


def test_signup_and_login_refuse_a_post_without_the_csrf_token():
    UserFactory(username="ada")
    strict = Client(enforce_csrf_checks=True)
    assert signup(strict).status_code == 403
    assert not get_user_model().objects.filter(username="grace").exists()
    response = strict.post(LOGIN, {"username": "ada", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password1": "password", "password2": "password"}, "This password is too common"),
        ({"password1": "12345678901", "password2": "12345678901"}, "entirely numeric"),
        ({"password2": "something-else-entirely"}, "didn’t match"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"username": "bad name!"}, "Enter a valid username"),
    ],
)
def test_signup_errors_are_clear_and_nothing_is_created(client, overrides, message):
    response = signup(client, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not get_user_model().objects.exists()


def test_signup_refuses_a_taken_username(client):
    UserFactory(username="grace", email="other@example.com")
    assert "already exists" in signup(client).content.decode()
    assert get_user_model().objects.count() == 1


def test_signup_does_not_reveal_that_an_email_has_an_account(settings):
    """A taken address signs up exactly like a fresh one (usernames are public, emails
    are not); the address's owner is told by mail, with a reset link."""
    settings.ALLOWED_HOSTS = ["testserver"]
    UserFactory(username="owner", email="taken@example.com")
    taken = signup(Client(), username="grace", email="TAKEN@example.com")
    fresh = signup(Client(), username="hopper", email="fresh@example.com")
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == reverse("reviews:profile", args=["grace"])
    assert get_user_model().objects.filter(username__in=["grace", "hopper"]).count() == 2
    [notice] = mail.outbox  # only the reused address hears anything
    assert notice.to == ["taken@example.com"]  # as the earlier account has it
    assert "grace" in notice.body and "/accounts/password_reset/" in notice.body
    assert "hopper" not in notice.body


def test_signup_honeypot(client):
    response = signup(client, website="x")
    assert "looks automated" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_login_failure_says_the_same_whether_or_not_the_account_exists(client):
    UserFactory(username="ada")
    known = client.post(LOGIN, {"username": "ada", "password": "wrong"}).content.decode()
    unknown = client.post(LOGIN, {"username": "nobody", "password": "wrong"}).content.decode()
    message = "Please enter a correct username and password"
    assert message in known and message in unknown


def test_login_and_logout_by_post(client):
    UserFactory(username="ada")
    response = client.post(LOGIN, {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert reverse("reviews:profile", args=["ada"]) in html
    assert 'action="/accounts/logout/"' in html
    assert client.get("/accounts/logout/").status_code == 405  # GET never logs out
    client.post("/accounts/logout/")
    assert "Log in" in client.get("/").content.decode()


def test_login_locks_out_after_five_failures_with_a_clear_429(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    UserFactory(username="ada")
    for _ in range(5):
        response = client.post(LOGIN, {"username": "ada", "password": "wrong"})
    response = client.post(LOGIN, {"username": "ada", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed log-ins" in html
    assert "1 hour" in html
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked.
    UserFactory(username="bob")
    assert client.post(LOGIN, {"username": "bob", "password": PASSWORD}).status_code == 302


def test_lockout_is_the_same_for_an_account_that_does_not_exist(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        response = client.post(LOGIN, {"username": "ghost", "password": "wrong"})
    assert response.status_code == 429


@pytest.mark.parametrize("username", ["ada", "ghost"])
def test_one_account_guessed_from_many_addresses_is_locked(client, settings, username):
    """The per-account limit: five addresses, two guesses each, lock the account
    everywhere, with the same message whether or not it exists."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT = 10
    UserFactory(username="ada")
    for n in range(5):
        for _ in range(2):
            response = client.post(
                LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=f"10.0.0.{n}"
            )
    response = client.post(
        LOGIN, {"username": username, "password": PASSWORD}, REMOTE_ADDR="10.0.9.9"
    )
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from that address still logs in.
    UserFactory(username="bob")
    response = client.post(LOGIN, {"username": "bob", "password": PASSWORD}, REMOTE_ADDR="10.0.9.9")
    assert response.status_code == 302


def test_one_address_trying_many_accounts_is_locked(client, settings):
    """The per-address limit: one guess at each of six accounts locks the address."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 6
    UserFactory(username="ada")
    for n in range(6):
        client.post(LOGIN, {"username": f"user{n}", "password": "x"}, REMOTE_ADDR="10.1.1.1")
    locked = client.post(LOGIN, {"username": "ada", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    elsewhere = Client().post(
        LOGIN, {"username": "ada", "password": PASSWORD}, REMOTE_ADDR="10.2.2.2"
    )
    assert elsewhere.status_code == 302


def test_password_reset_says_the_same_and_mails_only_real_accounts(client):
    UserFactory(username="ada", email="ada@example.com")
    real = client.post("/accounts/password_reset/", {"email": "ada@example.com"}, follow=True)
    fake = client.post("/accounts/password_reset/", {"email": "nobody@example.com"}, follow=True)
    assert real.content == fake.content
    assert "If an account uses that address" in real.content.decode()
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_reset_link_lets_the_reader_choose_a_new_password(client):
    user = UserFactory(username="ada", email="ada@example.com")
    client.post("/accounts/password_reset/", {"email": "ada@example.com"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    form = client.get(link.split("testserver")[1], follow=True)
    assert "Choose a new password" in form.content.decode()
    new = "another-Long-passphrase-77"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, follow=True
    )
    assert "Your password is changed" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(new)


def test_header_shows_log_in_and_sign_up_to_anonymous_readers(client):
    html = client.get("/").content.decode()
    assert 'href="/accounts/login/?next=/"' in html
    assert 'href="/accounts/signup/"' in html


# --- error summaries ----------------------------------------------------------------


def _summary(html: str) -> str:
    start = html.index('<div class="error-summary"')
    return html[start : html.index("</div>", start)]


def test_signup_form_focuses_the_username_before_anything_goes_wrong(client):
    html = client.get(reverse("reviews:signup")).content.decode()
    assert "error-summary" not in html
    assert re.search(r'<input type="text" name="username"[^>]*autofocus', html)


def test_failed_signup_focuses_a_summary_linking_to_every_problem(client):
    response = signup(client, username="bad name!", email="nope")
    html = response.content.decode()
    summary = _summary(html)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary and "autofocus" in summary
    assert '<a href="#id_username">Username: Enter a valid username.' in summary
    assert '<a href="#id_email">Email: Enter a valid email address.</a>' in summary
    assert html.count("autofocus") == 1  # the summary's: no field steals the focus
    assert 'aria-describedby="id_username_helptext id_username_error"' in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html


def test_signup_reports_every_password_problem_even_when_the_two_differ(client):
    """Django runs the validators only when both passwords match: the reader would fix
    the typo, then learn the password is too short. Both come at once."""
    response = signup(client, password1="abc", password2="abd")
    html = response.content.decode()
    summary = _summary(html)
    assert "Password confirmation: The two password fields didn’t match." in summary
    assert "Password: This password is too short." in summary
    assert 'id="id_password1_error"' in html and 'id="id_password2_error"' in html
    assert 'aria-describedby="id_password1_helptext id_password1_error"' in html
    assert not get_user_model().objects.exists()


def test_login_failure_summary_says_one_generic_thing(client):
    UserFactory(username="ada")
    assert re.search(r'name="username"[^>]*autofocus', client.get(LOGIN).content.decode())
    html = client.post(LOGIN, {"username": "ada", "password": "wrong"}).content.decode()
    summary = _summary(html)
    assert summary.count("<li>") == 1
    assert "<li>Please enter a correct username and password." in summary
    assert html.count("autofocus") == 1 and "autofocus" in summary
