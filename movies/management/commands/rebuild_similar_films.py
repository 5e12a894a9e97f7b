from django.core.management.base import BaseCommand

from movies import pagecache, services
from movies.models import Movie
from movies.text import plural


class Command(BaseCommand):
    help = (
        'Recompute every public film\'s "more like this" neighbours (movies.similar). '
        "Editors' saves refresh a film and its neighbours at once; run this after an import "
        "and nightly from cron so every shelf takes in the films added since."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="Films per transaction.")

    def handle(self, *args, batch=500, **options):
        ids = list(Movie.objects.published().order_by("pk").values_list("pk", flat=True))
        written = 0
        for start in range(0, len(ids), batch):
            chunk = Movie.objects.filter(pk__in=ids[start : start + batch])
            written += services.similar_films_refresh(movies=chunk)
        pagecache.catalogue_changed()  # every verdict page's "more like this" shelf
        self.stdout.write(
            self.style.SUCCESS(
                f"Similar films rebuilt: {plural(len(ids), 'film')}, "
                f"{plural(written, 'neighbour')}."
            )
        )
