"""One genre under one name: films filed under "Sci-Fi" (bokeh-sampledata, IMDb) join
"Science Fiction" (the demo, TMDB), and "Sci-Fi" is deleted.

The importer now reads these names as "Science Fiction" (movies.importing.validation.GENRE_ALIASES);
this merges what earlier imports created. Where only the alias exists it is renamed (and
re-slugged when "science-fiction" is free). The aliases are copied here, not imported, so
the migration keeps meaning what it meant when it was written.
"""

from django.db import migrations
from django.utils.text import slugify

ALIASES = {
    "sci-fi": "Science Fiction",
    "sci fi": "Science Fiction",
    "scifi": "Science Fiction",
    "science-fiction": "Science Fiction",
    "sf": "Science Fiction",
}


def merge_genre_aliases(apps, schema_editor):
    Genre = apps.get_model("movies", "Genre")
    Movie = apps.get_model("movies", "Movie")
    through = Movie.genres.through
    for alias, name in ALIASES.items():
        for old in Genre.objects.filter(name__iexact=alias):
            target = Genre.objects.filter(name__iexact=name).first()
            if target is None:
                old.name = name
                if not Genre.objects.filter(slug=slugify(name)).exists():
                    old.slug = slugify(name)
                old.save()
                continue
            filed = through.objects.filter(genre_id=target.pk).values_list("movie_id", flat=True)
            through.objects.filter(genre_id=old.pk).exclude(movie_id__in=list(filed)).update(
                genre_id=target.pk
            )
            through.objects.filter(genre_id=old.pk).delete()
            Movie.objects.filter(main_genre_id=old.pk).update(main_genre_id=target.pk)
            old.delete()


class Migration(migrations.Migration):
    dependencies = [("movies", "0003_search")]

    operations = [migrations.RunPython(merge_genre_aliases, migrations.RunPython.noop)]
