"""Login throttling with a limit per account-and-address pair, per account and per address.

django-axes checks every combination in AXES_LOCKOUT_PARAMETERS against one limit,
AXES_FAILURE_LIMIT. One limit does not fit all three: five failures should pause one
address guessing one account, but five failures from an office's shared address, or
five strangers' guesses at an account, should not lock everyone else out. So this
handler gives each combination its own limit:

- username and address together: AXES_FAILURE_LIMIT (5 by default);
- the username, from any address: LOGIN_FAILURE_LIMIT_PER_ACCOUNT (20), against guessing
  one password from many addresses;
- the address, for any username: LOGIN_FAILURE_LIMIT_PER_ADDRESS (50), against trying
  many accounts from one address.

It reports failures scaled to AXES_FAILURE_LIMIT (failures × that limit ÷ the
combination's own limit, the largest of the three), so axes' own comparison,
"failures >= AXES_FAILURE_LIMIT", locks exactly when any combination reaches its limit.
An account that does not exist is counted like one that does: the lockout says nothing
about which accounts exist.

The account is named as typed, case aside (login_name): allauth's form takes a username
or an email address, the admin's a username.
"""

from allauth.account.adapter import get_adapter
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum


def client_ip(request) -> str | None:
    """The client's address for axes (AXES_CLIENT_IP_CALLABLE): the same reading of the
    proxy chain as allauth's rate limits (ALLAUTH_TRUSTED_PROXY_COUNT), so a client
    cannot forge its way out of a lockout, nor into someone else's. None for a request
    that came from no client (a log-in made in code), as axes' own default gives."""
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


#: axes keeps the name in a varchar(255); a longer one is no account's name anyway.
LOGIN_NAME_MAX_LENGTH = 255


def login_name(request, credentials) -> str | None:
    """The name a login attempt is counted under (AXES_USERNAME_CALLABLE), cut to what
    axes can store (a 100,000-character name was a DataError, a 500, on PostgreSQL)."""
    credentials = credentials or {}
    data = getattr(request, "POST", {}) if request is not None else {}
    for value in (
        credentials.get("username"),
        credentials.get("email"),
        data.get("login"),
        data.get("username"),
    ):
        if value:
            return str(value).strip().casefold()[:LOGIN_NAME_MAX_LENGTH]
    return None


def _key(parameter) -> tuple[str, ...]:
    return (parameter,) if isinstance(parameter, str) else tuple(sorted(parameter))


class PerParameterLimitHandler(AxesDatabaseHandler):
    def limits(self, request, credentials) -> dict[tuple[str, ...], int]:
        pair = get_failure_limit(request, credentials)
        return {
            ("ip_address", "username"): pair,
            ("username",): settings.LOGIN_FAILURE_LIMIT_PER_ACCOUNT,
            ("ip_address",): settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS,
        }

    def get_failures(self, request, credentials=None) -> int:
        pair = get_failure_limit(request, credentials)
        limits = self.limits(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        worst = 0
        attempts_list = self.get_user_attempts(request, credentials)
        for parameter, attempts in zip(parameters, attempts_list, strict=True):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            limit = max(1, limits.get(_key(parameter), pair))
            worst = max(worst, failures * pair // limit)
        return worst
