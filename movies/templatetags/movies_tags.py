from django import template

from movies import verdicts
from movies.search import MAX_QUERY_LENGTH

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


@register.filter
def initial(title):
    """The first letter or digit of a title, for a poster placeholder ("'71" -> "7")."""
    return next((ch.upper() for ch in str(title) if ch.isalnum()), "▶")


@register.simple_tag
def max_query_length():
    """The longest search the site reads, for the search boxes' maxlength."""
    return MAX_QUERY_LENGTH
