from django.core.management.base import BaseCommand

from movies import services
from movies.text import plural


class Command(BaseCommand):
    help = (
        "Recompute films' scores with the current site mean in one set-based UPDATE. "
        "Run it from cron (e.g. hourly): reviews move a film's score at once, but the site "
        "mean that films without outside evidence lean on drifts slowly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="Every film, not only those leaning on the site mean (after changing "
            "SCORE_OUTSIDE_WEIGHT or WEIGHTED_RATING_MIN_VOTES).",
        )

    def handle(self, *args, all=False, **options):
        count = services.scores_refresh(only_leaning=not all)
        self.stdout.write(self.style.SUCCESS(f"Scores refreshed: {plural(count, 'film')}."))
