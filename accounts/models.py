from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse

from accounts.usernames import skeleton


class User(AbstractUser):
    """A reader or an editor: Django's user, as the project's own model.

    Set from the start (AUTH_USER_MODEL = "accounts.User") so that fields can be added
    later without swapping the user model under a live database. The email address is
    never shown on the site; the username is public (profiles, reviews).
    """

    username_skeleton = models.CharField(
        max_length=300,
        db_index=True,
        editable=False,
        help_text="What the username looks like (accounts/usernames.py): sign-up refuses "
        "a name that looks like another account's.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def save(self, *args, **kwargs):
        self.username_skeleton = skeleton(self.username)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_skeleton"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"username": self.username})
