"""factory_boy factories for the whole suite."""

import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from movies.models import (
    Availability,
    Credit,
    Genre,
    Movie,
    Person,
    Provider,
    RegionalGross,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")
    date_joined = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=365))

    @factory.post_generation
    def email_confirmed(self, create, extracted, **kwargs):
        """The address as allauth records it: confirmed unless `email_confirmed=False`
        (a reader who has not followed the link yet, whose ratings wait)."""
        if create and self.email:
            EmailAddress.objects.update_or_create(
                user=self,
                email=self.email,
                defaults={"verified": extracted is not False, "primary": True},
            )


class GenreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Genre
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Genre {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")


class MovieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Movie
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Film {n}")
    year = 2020
    runtime_minutes = 104
    logline = "A projectionist guards the last reel in town."
    status = Movie.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))

    @factory.post_generation
    def genres(self, create, extracted, **kwargs):
        if create and extracted:
            self.genres.add(*extracted)


class CreditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credit

    movie = factory.SubFactory(MovieFactory)
    person = factory.SubFactory(PersonFactory)
    role = Credit.Role.CAST
    billing_order = factory.Sequence(lambda n: n + 1)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Provider {n}")
    slug = factory.Sequence(lambda n: f"provider-{n}")
    homepage = "https://provider.example/"


class AvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Availability

    movie = factory.SubFactory(MovieFactory)
    provider = factory.SubFactory(ProviderFactory)
    country = "US"
    kind = Availability.Kind.RENT
    link = "https://provider.example/watch"


class RegionalGrossFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionalGross

    movie = factory.SubFactory(MovieFactory)
    region = factory.Sequence(lambda n: f"Region {n}")
    amount = 1_000_000


# --- Reviews (appended by the reviews work) -------------------------------------

REVIEW_TEXT = (
    "A quiet, patient film about why we go to the cinema at all. The middle hour drags a "
    "little, but the last reel earns every minute and the two leads are superb together."
)


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review written through reviews.services, so film aggregates stay exact (without
    the hourly spam limit, which tests of that limit exercise through the service itself).

    Pass `status=` to have an editor moderate it afterwards (e.g. pending or rejected).
    """

    class Meta:
        model = "reviews.Review"

    movie = factory.SubFactory(MovieFactory)
    user = factory.SubFactory(UserFactory)
    rating = 8
    headline = "Worth the wait"
    body = REVIEW_TEXT
    contains_spoilers = False

    @classmethod
    def _create(cls, model_class, *args, status=None, **kwargs):
        from reviews import services

        review = services.review_submit(**kwargs, check_rate_limit=False)
        if status is not None and status != review.status:
            services.reviews_moderate(reviews=[review], status=status, moderator=None)
            review.refresh_from_db()
        return review


class RatingFactory(ReviewFactory):
    """A rating without a written review."""

    headline = ""
    body = ""
