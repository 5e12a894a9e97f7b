"""Password rules Django's validators leave out."""

from django.core.exceptions import ValidationError

#: Longer than any passphrase a person types; hashing megabytes of "password" on every
#: log-in attempt would be a cheap way to tie up a worker.
MAX_PASSWORD_LENGTH = 1024


class TypeablePasswordValidator:
    """Refuses a password made of spaces alone (nine spaces passed the length rule) and one
    over MAX_PASSWORD_LENGTH characters."""

    def validate(self, password, user=None):
        if not password.strip():
            raise ValidationError(
                "Your password cannot be only spaces.", code="password_only_spaces"
            )
        if len(password) > MAX_PASSWORD_LENGTH:
            raise ValidationError(
                f"Use at most {MAX_PASSWORD_LENGTH:,} characters.", code="password_too_long"
            )

    def get_help_text(self):
        return f"Not only spaces, and at most {MAX_PASSWORD_LENGTH:,} characters."
