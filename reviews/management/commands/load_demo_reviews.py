"""`manage.py load_demo_reviews`: demo readers rate the demo films and write a few reviews
(reviews/fixtures/demo_reviews.toml, reviews/demo.py). Run after `load_demo`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from movies.demo import DemoDataError
from reviews.demo import demo_films_to_rate, load_demo_reviews


class Command(BaseCommand):
    help = "Demo readers' ratings and reviews on the demo films (run after load_demo)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production", action="store_true",
            help="Run even with DJANGO_ENV=production (it publishes made-up reviews).",
        )  # fmt: skip

    def handle(self, *args, allow_production, **options):
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                "load_demo_reviews publishes made-up reviews; it refuses to run with "
                "DJANGO_ENV=production (pass --allow-production if you really mean it)."
            )
        try:
            films = demo_films_to_rate()
            if not films.exists():
                raise CommandError("No demo films yet: run `manage.py load_demo` first.")
            with transaction.atomic():
                written = load_demo_reviews(movies=films)
        except DemoDataError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Demo reader reviews: {written} written or updated.")
