"""factory_boy factories for the whole suite."""

import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from movies import services
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

    @factory.post_generation
    def score(self, create, extracted, **kwargs):
        """Stored as movies.services stores it: from the ratings and outside evidence given."""
        if create:
            services.scores_refresh(movies=Movie.objects.filter(pk=self.pk))
            self.refresh_from_db(fields=["score"])


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


def one_second_film():
    """One Second (2020) with the facts of the seed page, as an editor would enter them.

    The one film most tests use (the `one_second` fixture, the browser tests' catalogue):
    a Blockbuster (8.3x its budget) with a 7.3 outside rating, a director and three cast
    members, a regional gross, three offers to rent in the US and one to buy in the UK."""
    drama, history = GenreFactory(name="Drama"), GenreFactory(name="History")
    movie = MovieFactory(
        title="One Second",
        original_title="一秒钟",
        year=2020,
        runtime_minutes=104,
        certification="PG-13",
        main_genre=drama,
        genres=[drama, history],
        logline="A labour-camp escapee crosses the desert to see his daughter in one second "
        "of a newsreel.",
        synopsis="During the Cultural Revolution a prisoner escapes to see a newsreel.",
        plot_summary="Zhang escapes a labour camp and chases a reel of film across the desert.",
        ending_breakdown="The reel is found, and the frame of his daughter is lost again.",
        accuracy_label=Movie.Accuracy.DRAMATIZED,
        historical_accuracy="The labour camps and travelling projectionists are real history.",
        performance_analysis="Zhang Yi carries the film; Liu Haocun matches him.",
        editorial_assessment="A small, moving film about what cinema meant.",
        watch_if="love films about cinema\nwant to see Zhang Yimou in a quieter key",
        budget=1_300_000,
        worldwide_gross=10_800_000,
        currency="USD",
        external_rating=Decimal("7.3"),
        external_rating_votes=8_500,
        external_rating_source="IMDb",
        box_office_source="Maoyan",
    )
    CreditFactory(
        movie=movie,
        person=PersonFactory(name="Zhang Yimou"),
        role=Credit.Role.DIRECTOR,
        billing_order=None,
    )
    for order, (name, character) in enumerate(
        [("Liu Haocun", "Liu"), ("Zhang Yi", "Zhang Jiusheng"), ("Fan Wei", "Mr. Movie")], 1
    ):
        CreditFactory(
            movie=movie,
            person=PersonFactory(name=name),
            character_name=character,
            billing_order=order,
        )
    RegionalGrossFactory(movie=movie, region="China", amount=10_700_000)
    checked = timezone.localdate() - datetime.timedelta(days=3)
    for provider in ["Apple TV", "Google Play Movies", "Amazon Prime Video"]:
        AvailabilityFactory(
            movie=movie,
            provider=ProviderFactory(name=provider),
            country="US",
            kind=Availability.Kind.RENT,
            last_checked=checked,
        )
    AvailabilityFactory(
        movie=movie,
        provider=ProviderFactory(name="Apple TV"),
        country="GB",
        kind=Availability.Kind.BUY,
        last_checked=checked,
    )
    return movie
