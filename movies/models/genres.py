"""Genres, and a film's genres in the order they were given."""

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.urls import reverse

from movies import limits
from movies.models.base import unique_slug


class Genre(models.Model):
    name = models.CharField(max_length=limits.GENRE_NAME_MAX_LENGTH, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Genre, self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("movies:genre", args=[self.slug])


def genres_in_source_order():
    """Genres in the order they were given to a film: the order of its rows in the join
    table, which the importer writes in the source's order and an editor's additions
    follow. Only for a film's genres (prefetch, or .filter(movies=film)): the order names
    the join table. Not by name: Casablanca is a drama and a romance before it is Crime."""
    join_table = connection.ops.quote_name(Genre.movies.through._meta.db_table)
    return Genre.objects.order_by(RawSQL(f"{join_table}.id", ()))


def prefetch_genres(prefix=""):
    return models.Prefetch(f"{prefix}genres", queryset=genres_in_source_order())
