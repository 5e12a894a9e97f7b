"""{% load lists_tags %}: a reader's list buttons and services on any page, the way
django-contrib-comments puts comments on a page whose view knows nothing of them."""

from types import SimpleNamespace

from django import template
from django.http import QueryDict
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from lists import selectors
from lists.models import ListEntry
from movies import fragments

register = template.Library()


def _request(context):
    return getattr(context, "request", None) or context.get("request")


def _per_request(request, name, compute):
    """`compute()` once per request, however many cards ask (one query for a whole page)."""
    cache = request.__dict__.setdefault("_lists_tags", {})
    if name not in cache:
        cache[name] = compute()
    return cache[name]


@register.simple_tag(takes_context=True)
def watch_buttons(context, movie):
    """{% watch_buttons movie %}: "Add to watchlist" and "Mark as seen" (or their undo) as
    plain POST forms that come back to this page; a log-in link for visitors. In a part
    of a page shared by every reader (movies.fragments), a hole filled for each."""
    request = _request(context)
    holes = fragments.holes_for(request) if request is not None else None
    if holes is not None:
        return holes.add("watch", (movie.pk, movie.slug, movie.title))
    return _render_watch_buttons(request, movie)


def _render_watch_buttons(request, movie):
    return render_to_string(
        "lists/includes/watch_buttons.html", _watch_buttons_context(request, movie)
    )


def _watch_buttons_context(request, movie):
    if request is None or not request.user.is_authenticated:
        # A visitor gets no form, so no CSRF token: the page stays the same for every
        # visitor, and the page cache may share it (movies/pagecache.py).
        return {"show": False}
    user = request.user
    marks = _per_request(request, "marks", lambda: selectors.marks(user))
    on = marks.get(movie.pk, set())
    return {
        "show": True,
        "movie": movie,
        "user": user,
        "csrf_token": get_token(request),
        "next": request.get_full_path(),
        "on_watchlist": ListEntry.Kind.WATCHLIST in on,
        "seen": ListEntry.Kind.SEEN in on,
    }


def _fill_watch_buttons(request, payload):
    pk, slug, title = payload
    return _render_watch_buttons(request, SimpleNamespace(pk=pk, slug=slug, title=title))


fragments.register_hole("watch", _fill_watch_buttons)


@register.inclusion_tag("lists/includes/my_offers.html", takes_context=True)
def my_offers(context, movie):
    """{% my_offers movie %}: the film's offers on the reader's own services in their
    country, first on the verdict page ("On your Netflix"). Reads the film's prefetched
    availabilities; one query for the reader's services."""
    request = _request(context)
    if request is None or not request.user.is_authenticated:
        return {"offers": []}
    services = _per_request(request, "services", lambda: selectors.reader_services(request.user))
    mine = services.provider_ids
    country = services.country or context.get("country")
    offers = [
        offer
        for offer in movie.availabilities.all()
        if offer.provider_id in mine and offer.country.code == country
    ]
    return {"offers": offers, "has_services": bool(mine)}


@register.simple_tag(takes_context=True)
def my_services_query(context):
    """The film list's query for "available on my services" (?provider=…&country=…), or ""
    when the reader has chosen none."""
    request = _request(context)
    if request is None or not request.user.is_authenticated:
        return ""
    services = _per_request(request, "services", lambda: selectors.reader_services(request.user))
    if not services.providers:
        return ""
    query = QueryDict(mutable=True)
    query.setlist("provider", [p.slug for p in services.providers])
    if services.country:
        query["country"] = services.country
    return query.urlencode()
