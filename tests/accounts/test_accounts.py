"""Sign up, log in (throttled), log out, password reset and the header links, on allauth."""

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
SIGNUP = "/accounts/signup/"
RESET = "/accounts/password/reset/"
WRONG = "The username and/or password you specified are not correct."


def signup(client, **overrides):
    data = {
        "username": "grace",
        "email": "grace@example.com",
        "password1": "a-Long-unusual-passphrase-42",
        "password2": "a-Long-unusual-passphrase-42",
        **overrides,
    }
    return client.post(SIGNUP, data, **overrides.pop("extra", {}))


def log_in(client, login, password=PASSWORD, **extra):
    return client.post(LOGIN, {"login": login, "password": password}, **extra)


def test_signup_creates_the_account_logs_in_and_sends_a_confirmation(client):
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile", args=["grace"])
    user = get_user_model().objects.get(username="grace")
    assert user.email == "grace@example.com"
    assert client.get(response["Location"]).context["user"] == user
    [confirmation] = mail.outbox
    assert confirmation.to == ["grace@example.com"]
    assert "/accounts/confirm-email/" in confirmation.body


def test_signup_returns_to_a_safe_next_only(client):
    response = signup(client, next="/movies/one-second-2020/review/")
    assert response["Location"] == "/movies/one-second-2020/review/"
    evil = signup(Client(), username="eve", email="e@example.com", next="https://evil.example/")
    assert evil["Location"] == reverse("accounts:profile", args=["eve"])


def test_signup_follows_the_same_next_rule_as_logging_in(client):
    """Over HTTPS a plain-http `next`, even to this site, is refused (Django's rule)."""
    response = client.post(
        SIGNUP,
        {
            "username": "grace",
            "email": "grace@example.com",
            "password1": "a-Long-unusual-passphrase-42",
            "password2": "a-Long-unusual-passphrase-42",
            "next": "http://testserver/movies/one-second-2020/review/",
        },
        secure=True,
    )
    assert response["Location"] == reverse("accounts:profile", args=["grace"])


def test_signup_and_login_refuse_a_post_without_the_csrf_token():
    UserFactory(username="ada")
    strict = Client(enforce_csrf_checks=True)
    assert signup(strict).status_code == 403
    assert not get_user_model().objects.filter(username="grace").exists()
    response = log_in(strict, "ada")
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password1": "password", "password2": "password"}, "This password is too common"),
        ({"password1": "12345678901", "password2": "12345678901"}, "entirely numeric"),
        ({"password2": "something-else-entirely"}, "You must type the same password each time"),
        ({"email": "not-an-email"}, "Enter a valid email address"),
        ({"username": "bad name!"}, "Enter a valid username"),
    ],
)
def test_signup_errors_are_clear_and_nothing_is_created(client, overrides, message):
    response = signup(client, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not get_user_model().objects.exists()


def test_signup_refuses_a_taken_username_whatever_its_case(client):
    UserFactory(username="grace", email="other@example.com")
    assert "already exists" in signup(client, username="Grace").content.decode()
    assert get_user_model().objects.count() == 1


def test_signup_does_not_reveal_that_an_email_has_an_account():
    """A taken address signs up exactly like a fresh one (usernames are public, emails
    are not); the address's owner is told by mail, with a reset link."""
    UserFactory(username="owner", email="taken@example.com")
    taken = signup(Client(), username="grace", email="TAKEN@example.com")
    fresh = signup(Client(), username="hopper", email="fresh@example.com")
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == reverse("accounts:profile", args=["grace"])
    assert get_user_model().objects.filter(username__in=["grace", "hopper"]).count() == 2
    notices = [m for m in mail.outbox if "uses your email" in m.subject]
    [notice] = notices  # only the reused address hears of it
    assert notice.to == ["taken@example.com"]  # as the earlier account has it
    assert "/accounts/password/reset/" in notice.body
    assert "grace" not in notice.body  # no text of the sender's choosing reaches the mailbox


def test_signup_honeypot_refuses_and_creates_nothing(client):
    response = signup(client, website="x")
    assert "looks automated" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_honeypot_is_hidden_without_an_inline_style(client):
    html = client.get(SIGNUP).content.decode()
    assert 'class="field visually-hidden" aria-hidden="true"' in html
    assert "style=" not in html


def test_login_failure_says_the_same_whether_or_not_the_account_exists(client):
    UserFactory(username="ada")
    known = log_in(client, "ada", "wrong").content.decode()
    unknown = log_in(client, "nobody", "wrong").content.decode()
    assert WRONG in known and WRONG in unknown


def test_login_by_username_or_email_and_logout_by_post(client):
    UserFactory(username="ada", email="ada@example.com")
    assert log_in(client, "ada").status_code == 302
    html = client.get("/").content.decode()
    assert reverse("accounts:profile", args=["ada"]) in html
    assert 'action="/accounts/logout/"' in html
    client.get("/accounts/logout/")  # GET asks; it never logs out
    assert "_auth_user_id" in client.session
    client.post("/accounts/logout/")
    assert "Log in" in client.get("/").content.decode()
    assert log_in(client, "ADA@example.com").status_code == 302


def test_login_locks_out_after_five_failures_with_a_clear_429(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    UserFactory(username="ada")
    for _ in range(5):
        response = log_in(client, "ada", "wrong")
    response = log_in(client, "ada")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed log-ins" in html
    assert "1 hour" in html
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked.
    UserFactory(username="bob")
    assert log_in(client, "bob").status_code == 302


def test_lockout_counts_the_account_whether_named_by_username_or_email(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="ada", email="ada@example.com")
    for _ in range(3):
        log_in(client, "ADA", "wrong")
    assert log_in(client, "ada").status_code == 429


def test_lockout_is_the_same_for_an_account_that_does_not_exist(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        response = log_in(client, "ghost", "wrong")
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
            log_in(client, username, "wrong", REMOTE_ADDR=f"10.0.0.{n}")
    response = log_in(client, username, REMOTE_ADDR="10.0.9.9")
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    UserFactory(username="bob")
    assert log_in(client, "bob", REMOTE_ADDR="10.0.9.9").status_code == 302


def test_one_address_trying_many_accounts_is_locked(client, settings):
    """The per-address limit: one guess at each of six accounts locks the address."""
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 6
    UserFactory(username="ada")
    for n in range(6):
        log_in(client, f"user{n}", "x", REMOTE_ADDR="10.1.1.1")
    locked = log_in(client, "ada", REMOTE_ADDR="10.1.1.1")
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    assert log_in(Client(), "ada", REMOTE_ADDR="10.2.2.2").status_code == 302


def test_the_admin_login_is_locked_out_too(client, settings):
    """allauth's limits guard only its own views: axes guards the admin's form."""
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    for _ in range(2):
        client.post("/admin/login/", {"username": "boss", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "boss", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()


def test_password_reset_says_the_same_and_mails_only_real_accounts(client):
    UserFactory(username="ada", email="ada@example.com")
    real = client.post(RESET, {"email": "ada@example.com"}, follow=True)
    fake = Client().post(RESET, {"email": "nobody@example.com"}, follow=True)
    assert real.content == fake.content
    assert "If an account uses that address" in real.content.decode()
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_password_reset_link_lets_the_reader_choose_a_new_password(client):
    user = UserFactory(username="ada", email="ada@example.com")
    client.post(RESET, {"email": "ada@example.com"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/reset/key/" in line)
    form = client.get(link.split("testserver")[1], follow=True)
    assert "Choose a new password" in form.content.decode()
    new = "another-Long-passphrase-77"
    done = client.post(
        form.redirect_chain[-1][0], {"password1": new, "password2": new}, follow=True
    )
    assert "Your password is changed" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(new)


def test_a_used_or_forged_reset_link_says_so(client):
    UserFactory(username="ada", email="ada@example.com")
    response = client.get("/accounts/password/reset/key/1-forged/", follow=True)
    assert "This link has expired or has already been used" in response.content.decode()


def test_password_change_from_the_profile(client):
    user = UserFactory(username="ada")
    client.force_login(user)
    profile = client.get(reverse("accounts:profile", args=["ada"])).content.decode()
    assert 'href="/accounts/password/change/"' in profile
    new = "another-Long-passphrase-77"
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_header_shows_log_in_and_sign_up_to_anonymous_readers(client):
    html = client.get("/").content.decode()
    assert 'href="/accounts/login/?next=/"' in html
    assert 'href="/accounts/signup/"' in html


@pytest.mark.parametrize(
    "url", [LOGIN, SIGNUP, RESET, "/accounts/password/reset/done/", "/accounts/confirm-email/x/"]
)
def test_account_pages_wear_the_site_and_stay_out_of_search_engines(client, url):
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "style=" not in html and "<script" not in html


# --- error summaries ----------------------------------------------------------------


def _summary(html: str) -> str:
    start = html.index('<div class="error-summary"')
    return html[start : html.index("</div>", start)]


def test_failed_signup_focuses_a_summary_linking_to_every_problem(client):
    response = signup(client, username="bad name!", email="nope")
    html = response.content.decode()
    summary = _summary(html)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary and "autofocus" in summary
    assert '<a href="#id_username">Username: Enter a valid username' in summary
    assert '<a href="#id_email">Email: Enter a valid email address.</a>' in summary
    assert html.count("autofocus") == 1  # the summary's: no field steals the focus
    assert 'aria-describedby="id_username_helptext id_username_error"' in html


def test_signup_reports_every_password_problem_even_when_the_two_differ(client):
    response = signup(client, password1="abc", password2="abd")
    summary = _summary(response.content.decode())
    assert "You must type the same password each time" in summary
    assert "This password is too short." in summary
    assert not get_user_model().objects.exists()


def test_login_failure_summary_says_one_generic_thing(client):
    UserFactory(username="ada")
    html = log_in(client, "ada", "wrong").content.decode()
    summary = _summary(html)
    assert summary.count("<li>") == 1
    assert f"<li>{WRONG}" in summary
    assert html.count("autofocus") == 1 and "autofocus" in summary
    assert re.search(r'name="login"[^>]*autofocus', client.get(LOGIN).content.decode())


def test_public_profile_never_shows_the_email(client):
    UserFactory(username="ada", email="ada-private@example.com")
    response = client.get("/users/ada/")
    assert response.status_code == 200
    assert "ada-private" not in response.content.decode()


def test_allauths_rate_limits_answer_the_sites_429_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": None, "signup": "2/m/ip"}
    for n in range(2):
        signup(Client(), username=f"reader{n}", email=f"r{n}@example.com")
    response = signup(client, username="third", email="third@example.com")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts" in html and 'class="site-header"' in html
    assert not get_user_model().objects.filter(username="third").exists()


# --- Mail that anyone can trigger, throttled per address ----------------------------


def test_ten_password_resets_for_one_address_send_one_mail_and_say_the_same(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": None}
    UserFactory(username="ada", email="ada@example.com")
    pages = [
        Client().post(RESET, {"email": "ada@example.com"}, follow=True).content for _ in range(10)
    ]
    assert len(mail.outbox) == 1
    assert len(set(pages)) == 1  # the page never says whether a mail went out


def test_after_the_window_a_new_reset_mail_goes_out(settings):
    from django.core.cache import cache

    from accounts.adapters import mail_throttle_key

    UserFactory(username="ada", email="ada@example.com")
    Client().post(RESET, {"email": "ada@example.com"})
    cache.delete(mail_throttle_key("account/email/password_reset_key", "ada@example.com"))
    Client().post(RESET, {"email": "ADA@example.com"})
    assert len(mail.outbox) == 2


def test_sign_ups_reusing_an_address_send_one_notice_per_window(settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "signup": None,
        "signup_email": None,
    }
    UserFactory(username="owner", email="taken@example.com")
    for n in range(5):
        assert (
            signup(Client(), username=f"squatter{n}", email="taken@example.com").status_code == 302
        )
    assert len([m for m in mail.outbox if "uses your email" in m.subject]) == 1


@pytest.mark.parametrize(
    "password,message",
    [(" " * 12, "cannot be only spaces"), ("x" * 1025, "at most 1,024 characters")],
)
def test_a_password_of_spaces_or_too_long_is_refused(client, password, message):
    response = signup(client, password1=password, password2=password)
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(username="grace").exists()
