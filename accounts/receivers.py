"""What follows an account event elsewhere on the site (connected in accounts/apps.py)."""

from movies import pagecache
from movies.models import Movie
from reviews import services
from reviews.models import Review


def count_ratings_on_confirmation(sender, request, email_address, **kwargs):
    """A confirmed email address: the reader's waiting ratings count from now on."""
    services.ratings_count_confirmed(user=email_address.user)


#: What readers' pages show of an account: a reviewer's name and profile link ("account
#: closed" once inactive), an editor's name on the assessments they signed.
SHOWN_FIELDS = ("username", "first_name", "last_name", "is_active")


def remember_shown_fields(sender, instance, raw=False, update_fields=None, **kwargs):
    """Before an account is saved: what the pages show of it now (one query; not for a
    sign-in's last_login, the only frequent save)."""
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(SHOWN_FIELDS):
        return
    instance._shown_before = (
        type(instance).objects.filter(pk=instance.pk).values_list(*SHOWN_FIELDS).first()
    )


def account_shown_changed(sender, instance, created=False, raw=False, **kwargs):
    """A reader renamed or closed (in the admin): the pages of the films they reviewed
    move on, and if they signed assessments, every film page's shared parts (their name
    in the byline and the JSON-LD)."""
    before = instance.__dict__.pop("_shown_before", None)
    if raw or created or before is None:
        return
    if before == tuple(getattr(instance, name) for name in SHOWN_FIELDS):
        return
    pagecache.film_ids_changed(
        Review.objects.filter(user=instance).values_list("movie_id", flat=True)
    )
    if Movie.objects.filter(assessment_by=instance).exists():
        pagecache.shared_changed()
