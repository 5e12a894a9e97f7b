from django.core.management.base import BaseCommand, CommandError

from movies.text import plural
from reviews import recompute


class Command(BaseCommand):
    help = (
        "Recompute every film's audience aggregate (rating count, sum, 10-bucket histogram "
        "and the mean audience_rating, compared with a float tolerance) from its counted "
        "reviews. With --check, change nothing: list each film whose stored aggregate "
        "differs and exit 1 if any does."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Report differences only; exit 1 if any."
        )

    def handle(self, *args, check=False, **options):
        if check:
            differences = recompute.ratings_differences()
            for difference in differences:
                self.stdout.write(difference.describe())
            if differences:
                raise CommandError(
                    f"{plural(len(differences), 'film')} with a stale aggregate; run "
                    "recompute_ratings without --check to fix.",
                    returncode=1,
                )
            self.stdout.write(self.style.SUCCESS("Every stored aggregate matches the reviews."))
            return
        fixed = recompute.ratings_recompute()
        for difference in fixed:
            self.stdout.write(f"Fixed {difference.describe()}")
        self.stdout.write(
            self.style.SUCCESS(f"Recomputed: {plural(len(fixed), 'film')} corrected.")
        )
