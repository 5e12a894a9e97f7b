"""What follows an account event elsewhere on the site (connected in accounts/apps.py)."""

from reviews import services


def count_ratings_on_confirmation(sender, request, email_address, **kwargs):
    """A confirmed email address: the reader's waiting ratings count from now on."""
    services.ratings_count_confirmed(user=email_address.user)
