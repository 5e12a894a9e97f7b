import zlib

from django import template
from django.db.models import prefetch_related_objects

from movies import similar, verdicts
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
