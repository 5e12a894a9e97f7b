"""allauth's forms with the site's error summary (and, on sign-up, its honeypot).

The templates in templates/account/ render every field through
reviews/includes/form_fields.html, like the site's other forms.
"""

from allauth.account import forms as allauth_forms

from reviews.forms import ErrorSummaryMixin, HoneypotMixin


class LoginForm(ErrorSummaryMixin, allauth_forms.LoginForm):
    """One message for any wrong username, email or password: it never says which
    accounts exist."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or email"
        self.fields["login"].widget.attrs["autofocus"] = True


class SignupForm(ErrorSummaryMixin, HoneypotMixin, allauth_forms.SignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "username"
        ].help_text = "Shown beside your reviews. Letters, digits and @ . + - _ only; 150 at most."
        self.fields["email"].label = "Email"
        self.fields[
            "email"
        ].help_text = "We send a link to confirm it, and password resets. Never shown on the site."
        self.fields["username"].widget.attrs["autofocus"] = True
        self.add_honeypot()

    def clean(self):
        """Report a mismatch of the two passwords even when the first one fails the
        password rules (allauth checks the match only for a valid first password):
        the reader would fix the typo, then learn the password is too short."""
        first, second = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        cleaned = super().clean()
        if first and second and first != second and "password2" not in self.errors:
            self.add_error("password2", "You must type the same password each time.")
        return cleaned


class ResetPasswordForm(ErrorSummaryMixin, allauth_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(ErrorSummaryMixin, allauth_forms.ResetPasswordKeyForm):
    pass


class ChangePasswordForm(ErrorSummaryMixin, allauth_forms.ChangePasswordForm):
    pass


class AddEmailForm(ErrorSummaryMixin, allauth_forms.AddEmailForm):
    pass
