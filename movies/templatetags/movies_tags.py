import functools
import zlib

from django import template
from django.db.models import prefetch_related_objects
from django.utils import translation
from django.utils.html import format_html_join
from django_countries import countries

from movies import fragments, similar, verdicts
from movies.search import MAX_QUERY_LENGTH
from movies.selectors import verdict_inputs
from movies.text import and_join

register = template.Library()


@register.filter
def money(amount, currency="USD"):
    """{{ movie.budget|money:movie.currency }} -> $1.3M"""
    return verdicts.format_money(amount, currency or "USD")


@register.filter
def multiple(value):
    """{{ 8.3077|multiple }} -> 8.3x"""
    return "" if value is None else verdicts.format_multiple(value)


@register.filter
def and_list(words):
    """{{ names|and_list }}: "a, b and c"."""
    return and_join(str(word) for word in words)


@register.filter
def plain_number(value):
    """2.50 -> 2.5, 4.0 -> 4, 2.25 -> 2.25: a band edge or a setting as people write it."""
    return f"{float(value):g}"


@register.filter
def bar_width(count, total):
    """A histogram bar's width class suffix, in steps of 5% (no style= attributes under CSP)."""
    if not total:
        return 0
    return min(100, round(count * 100 / total / 5) * 5)


@register.inclusion_tag("includes/movie_card.html")
def movie_card(movie, heading_level=3):
    return {"movie": movie, "heading_level": heading_level}


#: Title cards' palettes (static/css/site.css .title-card--N), each with AA contrast.
PALETTES = 8


@register.filter
def palette(movie):
    """The title card's palette, 1..8: from the film's first genre, so a shelf of dramas
    looks of a piece, else from its title; stable across requests and servers (crc32)."""
    genre = movie.display_genre
    key = genre.name if genre else movie.title
    return zlib.crc32(key.encode()) % PALETTES + 1


@register.simple_tag
def max_query_length():
    """The longest search the site reads, for the search boxes' maxlength."""
    return MAX_QUERY_LENGTH


@register.inclusion_tag("includes/more_like_this.html", takes_context=True)
def more_like_this(context, movie, directors=()):
    """{% more_like_this movie directors %}: the verdict page's onward shelves, "More like
    this" (precomputed neighbours, movies.similar) and "More from <director>". Three
    queries (the two shelves and their films' genres), however large the catalogue."""
    people = [credit.person for credit in directors]
    alike = similar.shelf(movie)
    # The director's films not already on the first shelf (a small catalogue would
    # otherwise show the same films twice).
    shown = {m.pk for m in alike}
    by_directors = similar.more_from_directors(movie, people, size=similar.SHELF_SIZE * 2)
    by_directors = [m for m in by_directors if m.pk not in shown][: similar.SHELF_SIZE]
    prefetch_related_objects([*alike, *by_directors], "genres")
    # The page's own ladder when the view has read it: one cache read per request.
    inputs = getattr(context.get("view"), "verdict_inputs", None) or verdict_inputs()
    return {
        "request": context.get("request"),
        "movie": movie,
        "similar": inputs.assess_all(alike),
        "directors": people,
        "by_directors": inputs.assess_all(by_directors),
    }


@register.simple_tag
def all_country_options():
    """The where-to-watch picker's 249 "All countries" options: the same on every page,
    made once per process and language (a loop of them was a tenth of a verdict render)."""
    return _country_options(translation.get_language())


@functools.cache
def _country_options(language):
    return format_html_join("", '<option value="{}">{}</option>', countries)


class FilmFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary, flags):
        self.nodelist = nodelist
        self.name = name
        self.vary = vary
        self.flags = flags

    def render(self, context):
        cached = context.get("fragments")  # the view's movies.fragments.VerdictFragments
        if cached is None:
            return self.nodelist.render(context)
        movie = context["movie"]
        if cached.found is None and cached.enabled:
            # The first part asked for: read every part of the page in one round trip.
            cached.prefetch(movie, [part.spec(context) for part in _parts_of(context.template)])
        return cached.get_or_render(
            self.name,
            movie,
            self.vary_values(context),
            functools.partial(self.render_part, context),
            **self.flags,
        )

    def render_part(self, context, holes):
        """The part's HTML; with `holes`, a reader's own bits left as holes in it."""
        if holes is None:
            return self.nodelist.render(context)
        with fragments.collecting(context.request, holes):
            return self.nodelist.render(context)

    def vary_values(self, context):
        return [value.resolve(context) for value in self.vary]

    def spec(self, context):
        return self.name, self.vary_values(context), self.flags


def _parts_of(template):
    """The template's film_fragment parts, found once per compiled template (the cached
    loader keeps it for the process)."""
    parts = getattr(template, "_film_fragments", None)
    if parts is None:
        parts = template._film_fragments = template.nodelist.get_nodes_by_type(FilmFragmentNode)
    return parts


@register.tag
def film_fragment(parser, token):
    """{% film_fragment "name" [value ...] [others] [film] [personal] %}...
    {% endfilm_fragment %}: a part of a film's page kept in the shared cache
    (movies.fragments, the view's `fragments`), for the film and the values given (e.g.
    the reader's country). It depends on the film's own rows and the shared rows it
    names (people, genres, providers, the ladder); with `others` on other films (their
    titles, posters, scores), with `film` on the film's reviews and ratings, with
    `score` on the film's score or answer (bulk score refreshes); `personal`:
    for a signed-in reader it holds their own review or forms, so only anonymous readers
    share it; `holes`: the reader's own buttons in it are holes filled for each reader
    (movies.fragments.register_hole)."""
    name, *args = token.split_contents()[1:]
    flags = {arg: True for arg in args if arg in FRAGMENT_FLAGS}
    vary = [parser.compile_filter(arg) for arg in args if arg not in flags]
    nodelist = parser.parse(("endfilm_fragment",))
    parser.delete_first_token()
    return FilmFragmentNode(nodelist, name.strip("\"'"), vary, flags)


FRAGMENT_FLAGS = ("others", "film", "score", "personal", "holes")
