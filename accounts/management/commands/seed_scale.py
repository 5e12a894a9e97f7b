import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts import seeding


class Command(BaseCommand):
    help = (
        "Seed synthetic data at scale for benchmarks: N published films with genres and "
        "credits, people, one reader per five reviews, M reviews with a long tail (five "
        "very popular films) and helpful votes; then the aggregates and scores, set-based. "
        "Refuses when seeded data exists, unless --reset removes it first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--films", type=int, required=True, help="How many films.")
        parser.add_argument("--reviews", type=int, required=True, help="How many reviews.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--reset", action="store_true", help="Remove earlier seeded data first."
        )

    def handle(self, *args, films, reviews, seed, reset=False, **options):
        if films < 1 or reviews < 0:
            raise CommandError("--films must be at least 1 and --reviews at least 0.")
        existing = seeding.seeded_counts()
        if any(existing.values()):
            if not reset:
                found = ", ".join(f"{n:,} {what}" for what, n in existing.items() if n)
                raise CommandError(f"Seeded data exists ({found}); pass --reset to replace it.")
            started = time.monotonic()
            seeding.reset()
            self.stdout.write(f"Removed earlier seeded data in {time.monotonic() - started:.1f} s.")
        bars = []

        def progress(stage, total):
            bar = tqdm(total=total, desc=stage, unit=" rows", unit_scale=True, file=self.stderr)
            bars.append(bar)

            def advance(n):
                bar.update(n)
                if bar.n >= total:
                    bar.close()

            return advance

        started = time.monotonic()
        try:
            counts = seeding.seed(seeding.Plan(films=films, reviews=reviews, seed=seed), progress)
        finally:
            for bar in bars:
                bar.close()
        summary = ", ".join(f"{n:,} {what}" for what, n in counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Seeded {summary} in {time.monotonic() - started:.1f} s.")
        )
