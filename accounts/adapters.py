"""Site policy for django-allauth's flows, as hooks on its adapter (no forked views)."""

import hashlib

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.usernames import skeleton

#: Mails anyone can make us send to any address by typing it into a form. At most one of
#: each goes to an address per ACCOUNT_MAIL_THROTTLE_SECONDS, so the forms cannot be used
#: to flood a mailbox; the pages say the same whether a mail went out or not.
THROTTLED_MAILS = {
    "account/email/password_reset_key",
    "account/email/unknown_account",
    "account/email/email_in_use",
}


def mail_throttle_key(template_prefix: str, email: str) -> str:
    digest = hashlib.sha256(email.strip().casefold().encode()).hexdigest()
    return f"accounts:mail-sent:{template_prefix}:{digest}"


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Send, unless this kind of mail went to this address within the window. The
        claim is one atomic cache.add in the shared cache, so every worker and server
        agrees."""
        if template_prefix in THROTTLED_MAILS:
            key = mail_throttle_key(template_prefix, email)
            if not cache.add(key, True, settings.ACCOUNT_MAIL_THROTTLE_SECONDS):
                return
        super().send_mail(template_prefix, email, context)

    def is_open_for_signup(self, request) -> bool:
        return settings.ACCOUNT_ALLOW_REGISTRATION

    def is_safe_url(self, url: str) -> bool:
        """Django's rule for `next` (as its login view has it): this host only, and over
        HTTPS only HTTPS. allauth's own rule also accepts any ALLOWED_HOSTS and plain
        http from an HTTPS page."""
        request = self.request
        return url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )

    def clean_username(self, username: str, shallow: bool = False) -> str:
        """A name that looks like another account's ("еditor" with a Cyrillic "е" beside
        "editor") is refused like a taken one (accounts/usernames.py)."""
        username = super().clean_username(username, shallow=shallow)
        if not shallow:
            look_alike = get_user_model().objects.filter(username_skeleton=skeleton(username))
            if look_alike.exists():
                raise self.validation_error("username_taken")
        return username

    def get_signup_redirect_url(self, request) -> str:
        """Without a safe `next`, a new reader lands on their own profile."""
        return reverse("accounts:profile", args=[request.user.get_username()])

    def save_user(self, request, user, form, commit=True):
        """Sign-up with an address another account uses succeeds like any other
        (ACCOUNT_PREVENT_ENUMERATION = "strict"): the page never tells which addresses
        have accounts. The address's earlier account(s) hear of it by mail, with a
        password-reset link; the new account cannot confirm the address while another
        account holds it confirmed."""
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            self._tell_owner_of_a_reused_email(user)
        return user

    def _tell_owner_of_a_reused_email(self, user) -> None:
        earlier = set(
            get_user_model()
            .objects.filter(email__iexact=user.email, is_active=True)
            .exclude(pk=user.pk)
            .values_list("email", flat=True)
        )
        for address in sorted(earlier):  # as the earlier account has it
            self.send_mail("account/email/email_in_use", address, {})
