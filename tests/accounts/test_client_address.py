"""Behind the proxy, every limit sees the real client's address.

Found with the production variables (DJANGO_BEHIND_PROXY=true, DJANGO_PROXY_COUNT=1):
five wrong passwords sent with five different X-Forwarded-For addresses locked the
editor out for an hour, correct password included, because axes read only REMOTE_ADDR,
which is the proxy's for everyone. The proxy appends the address it saw to
X-Forwarded-For; what stands before it is whatever the client sent.
"""

import pytest
from django.test import Client

from tests.accounts.test_accounts import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"  # REMOTE_ADDR of every request: the proxy


def through_proxy(client_address, forged=""):
    """A request's META as our one proxy passes it on: the client's own header, then the
    address the proxy saw."""
    chain = f"{forged}, {client_address}" if forged else client_address
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": chain}


@pytest.fixture(autouse=True)
def one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 5


def test_one_clients_failures_never_lock_out_another_client(settings):
    editor = UserFactory(username="editor")
    attacker = Client()
    for n in range(5):
        log_in(attacker, "editor", "wrong", **through_proxy("198.51.100.7", forged=f"192.0.2.{n}"))
    # The attacker is locked out, whatever addresses it forged...
    assert (
        log_in(attacker, "editor", **through_proxy("198.51.100.7", "192.0.2.99")).status_code == 429
    )
    # ...and the editor, at home behind the same proxy, is not.
    editor_client = Client()
    response = log_in(editor_client, "editor", **through_proxy("203.0.113.20"))
    assert response.status_code == 302
    assert int(editor_client.session["_auth_user_id"]) == editor.pk


def test_guesses_at_many_accounts_lock_only_the_address_that_made_them(settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 10
    UserFactory(username="ada")
    scanner = Client()
    for n in range(10):
        log_in(scanner, f"made-up-{n}", "x", **through_proxy("198.51.100.8", forged=f"192.0.2.{n}"))
    assert log_in(scanner, "ada", **through_proxy("198.51.100.8")).status_code == 429
    assert log_in(Client(), "ada", **through_proxy("203.0.113.21")).status_code == 302


def test_sign_up_rate_limit_counts_the_real_client_not_the_proxy(settings):
    """allauth's per-address limits read the same address."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    from django.core.cache import cache

    cache.clear()

    def sign_up(n, address):
        return Client().post(
            "/accounts/signup/",
            {
                "username": f"newcomer{n}",
                "email": f"newcomer{n}@example.com",
                "password1": "a long enough passphrase",
                "password2": "a long enough passphrase",
            },
            **through_proxy(address, forged=f"192.0.2.{n}"),
        )

    assert [sign_up(n, "198.51.100.9").status_code for n in range(3)][-1] == 429
    assert sign_up(9, "203.0.113.22").status_code == 302  # another client is not limited
