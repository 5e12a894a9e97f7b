"""Crawlers' view of the site: the sitemap sections and robots.txt.

Every section starts from `Movie.objects.published()`, the one definition of public,
so a draft or scheduled film (and a person or genre known only through one) never
appears. `lastmod` is the editorial update time (`Movie.updated_at`): readers' ratings
do not touch it, so a busy film does not look changed to crawlers on every vote.
"""

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Exists, Max, OuterRef, Subquery
from django.http import HttpResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from movies.models import Credit, Genre, Movie, Person, cached, published_q
from movies.selectors import SITEMAP_PAGES_CACHE_KEY, SITEMAP_PAGES_SECONDS

# The protocol allows 50,000 URLs (and 50 MB) per sitemap file; smaller files keep each
# response quick to build. 17,000 films make four pages of the films section.
SITEMAP_PAGE_SIZE = 5000


class KeyRangePaginator(Paginator):
    """A section's pages as ranges of primary keys: page N holds the rows from its first
    id up to the next page's first id. Where each page starts (every `per_page`-th id)
    comes from the shared cache, computed at most every SITEMAP_PAGES_SECONDS or after a
    film is saved (forget_filter_options): a page then reads its own range from an
    index, instead of counting the section and skipping rows with OFFSET (95,000 of
    them for page 20 of the films) on every request.

    With `members`, the cache also keeps the section's ids themselves, and a page keeps
    only the rows of its range among them: for a section whose rows (people) are in it
    through other tables (a credit on a public film), so a page reads one table's id
    range instead of joining each row to those tables again."""

    def __init__(self, object_list, per_page, *, section, ids, members=False):
        super().__init__(object_list, per_page)
        self.section, self.ids, self.members = section, ids, members

    @cached_property
    def _shape(self):
        def compute():
            ids = list(self.ids())
            return len(ids), ids[:: self.per_page], ids if self.members else None

        return cached(SITEMAP_PAGES_CACHE_KEY.format(self.section), SITEMAP_PAGES_SECONDS, compute)

    @cached_property
    def count(self):
        return self._shape[0]

    def page(self, number):
        number = self.validate_number(number)
        _, starts, ids = self._shape
        rows = self.object_list
        if starts:
            rows = rows.filter(pk__gte=starts[number - 1])
            if number < len(starts):
                rows = rows.filter(pk__lt=starts[number])
        if ids is not None:
            bottom = (number - 1) * self.per_page
            members = set(ids[bottom : bottom + self.per_page])
            rows = [row for row in rows if row.pk in members]
        return self._get_page(rows, number, self)


class KeyRangeSitemap(Sitemap):
    """A section paged by KeyRangePaginator; `ids()` lists its rows' ids in order."""

    section = ""
    #: KeyRangePaginator's `members`: the section's rows are chosen by `ids()`, not `items()`.
    members = False

    def ids(self):
        return self.items().values_list("pk", flat=True)

    @property
    def paginator(self):
        return KeyRangePaginator(
            self._items(), self.limit, section=self.section, ids=self.ids, members=self.members
        )


class MovieSitemap(KeyRangeSitemap):
    """Every public film.

    Each section overrides `get_latest_lastmod` (the index's lastmod) with one aggregate
    query: Django's default evaluates `items()` in full and takes the max in Python,
    loading every row of a catalogue of tens of thousands of films.
    """

    limit = SITEMAP_PAGE_SIZE
    section = "films"

    def items(self):
        # Ordered by primary key: a stable order, so a film stays on its page between
        # crawls while new films append to the last page.
        return Movie.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, movie):
        return movie.updated_at

    def location(self, movie):
        """The verdict page's address by string, not reverse(): 5,000 reverse() calls were
        most of a page's time (the same URL as Movie.get_absolute_url, tested)."""
        return f"{_prefix('movies:detail')}{movie.slug}/"

    def get_latest_lastmod(self):
        return Movie.objects.published().aggregate(latest=Max("updated_at"))["latest"]


def _prefix(name):
    """The address of URL `name` before its slug ("/movies/"): reverse() once a page."""
    return reverse(name, args=["x"])[:-2]


def _latest_public_film_update(related):
    """The latest editorial update of a public film with any `related` row (credits,
    genres): the films by updated_at, newest first, until one has one. An index walk
    that stops at once, where MAX over a join read every credit."""
    latest = (
        Movie.objects.published()
        .filter(Exists(related.filter(movie=OuterRef("pk"))))
        .order_by("-updated_at")
        .values_list("updated_at", flat=True)
        .first()
    )
    return latest


class PersonSitemap(KeyRangeSitemap):
    """People credited on at least one public film, without lastmod.

    Who is in the section (`ids()`, a grouped read of the credits) is computed with where
    the pages start and kept in the shared cache (KeyRangePaginator's `members`); a page
    reads only its range of people by primary key, whatever their credits. No lastmod: its
    only source was the latest update of the person's public films, a join over all their
    credits on every request (341 to 632 ms for 5,000 people at 100,000 films), and no
    stored date could stand in, since a scheduled film goes public by the clock, with no
    write to update one. Crawlers treat a missing lastmod as unknown, not as unchanged.
    """

    limit = SITEMAP_PAGE_SIZE
    section = "people"
    members = True

    def ids(self):
        """Credited people's ids (kept in the cache)."""
        return (
            Credit.objects.filter(published_q("movie__"))
            .order_by("person_id")
            .values_list("person_id", flat=True)
            .distinct()
        )

    def items(self):
        return Person.objects.only("slug").order_by("pk")

    def location(self, person):
        return f"{_prefix('movies:person')}{person.slug}/"


class GenreSitemap(KeyRangeSitemap):
    """Genres with at least one public film; lastmod is their latest such film's.

    A few dozen genres, so one small subquery each: the films by updated_at, newest
    first, until one is in the genre (an index walk that stops at once for a big genre).
    The grouped join it replaces read every public film's genres on every request
    (412 ms at 100,000 films); per person, a subquery each took minutes on SQLite with
    59,000 people (benchmarks/sitemap_speed.py), which is why people have no lastmod.
    """

    limit = SITEMAP_PAGE_SIZE
    section = "genres"

    def ids(self):
        """Genres with a public film (one index walk per genre, a few dozen), for the
        cached count the index needs."""
        return _genres_with_a_public_film().order_by("pk").values_list("pk", flat=True)

    def items(self):
        public = Movie.objects.published().filter(genres=OuterRef("pk"))
        latest = public.order_by("-updated_at").values("updated_at")[:1]
        return (
            _genres_with_a_public_film()
            .annotate(last_film_update=Subquery(latest))
            .order_by("name")
        )

    def lastmod(self, genre):
        return genre.last_film_update

    def get_latest_lastmod(self):
        return _latest_public_film_update(Movie.genres.through.objects.all())


def _genres_with_a_public_film():
    """Genres with a public film: for each genre (a few dozen), its first link to a public
    film, walking the genre's links. Not `WHERE EXISTS`: PostgreSQL turns that into a
    semi-join, which at 100,000 films it ran as a hash join of every film with every
    genre link (110 ms); a scalar subquery with LIMIT 1 stays one index walk per genre."""
    links = Movie.genres.through.objects.filter(
        genre=OuterRef("pk"), movie__in=Movie.objects.published()
    )
    return Genre.objects.alias(
        first_public=Subquery(links.order_by().values("movie_id")[:1])
    ).filter(first_public__isnull=False)


SITEMAPS = {"films": MovieSitemap, "people": PersonSitemap, "genres": GenreSitemap}

# Kept out of search engines: the admin, account pages and search results (thin,
# endless pages that search engines ask sites not to expose).
ROBOTS_DISALLOW = ["/admin/", "/accounts/", "/search/"]


@require_GET
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    """robots.txt: where the sitemap is, and what crawlers should leave alone."""
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap-index'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
