from django.contrib.auth.models import AbstractUser
from django.urls import reverse


class User(AbstractUser):
    """A reader or an editor: Django's user, as the project's own model.

    Set from the start (AUTH_USER_MODEL = "accounts.User") so that fields can be added
    later without swapping the user model under a live database. The email address is
    never shown on the site; the username is public (profiles, reviews).
    """

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"username": self.username})
