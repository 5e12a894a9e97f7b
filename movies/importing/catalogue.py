"""What the catalogue already holds, loaded once per import so that matching a row costs
no query: films by external id and by title and year, genres, people, credits."""

from movies.importing.format import FIELD_COLUMNS
from movies.models import Credit, Genre, Movie, Person

#: Columns beyond the format's that the writer reads and keeps: the search document and
#: what Movie.derived_values() needs and gives.
CATALOGUE_EXTRA = (
    "search_document",
    "status",
    "published_at",
    "box_office_multiple",
    "outside_rating",
)


class Catalogue:
    """What is already in the database, loaded once so matching costs no queries per row."""

    def __init__(self):
        wanted = ["pk", "slug", *FIELD_COLUMNS, *CATALOGUE_EXTRA]
        self.movies = {row["pk"]: row for row in Movie.objects.values(*wanted).iterator()}
        self.by_external_id = {}
        self.by_title_year = {}
        for row in self.movies.values():
            if row["external_id"]:
                self.by_external_id[row["external_id"]] = row["pk"]
            self.by_title_year.setdefault((row["title"].casefold(), row["year"]), []).append(
                row["pk"]
            )
        self.movie_slugs = {row["slug"] for row in self.movies.values()}
        self.genres = {name.casefold(): pk for pk, name in Genre.objects.values_list("pk", "name")}
        self.genre_slugs = set(Genre.objects.values_list("slug", flat=True))
        self.movie_genres = {}
        for movie_id, genre_id in Movie.genres.through.objects.values_list("movie_id", "genre_id"):
            self.movie_genres.setdefault(movie_id, set()).add(genre_id)
        self.people = {}
        self.person_slugs = set()
        for pk, name, slug in Person.objects.order_by("pk").values_list("pk", "name", "slug"):
            self.people.setdefault(name.casefold(), pk)
            self.person_slugs.add(slug)
        self.credits = {}  # movie -> role -> [(name, billing)]
        rows = Credit.objects.values_list("movie_id", "role", "person__name", "billing_order")
        for movie_id, role, name, billing in rows.order_by(
            "movie_id", "role", "billing_order", "pk"
        ).iterator():
            self.credits.setdefault(movie_id, {}).setdefault(role, []).append((name, billing))

    def match(self, record):
        """The existing film this record describes: by external id, else title and year.

        Title and year match only a film without an external id (or when the record has none):
        two films with different ids are different films, even with the same title and year.
        """
        if record.external_id and record.external_id in self.by_external_id:
            return self.by_external_id[record.external_id]
        for pk in self.by_title_year.get((record.title.casefold(), record.year), []):
            if not record.external_id or not self.movies[pk]["external_id"]:
                return pk
        return None
