"""{% load seo %}: JSON-LD, canonical links, descriptions and social cards in templates.

The values come from movies/seo.py; these tags only add the request (for absolute
URLs) and the HTML. Every value is escaped: text from titles, names and reviews can
hold quotes, `<` or `</script>`.
"""

from django import template
from django.core.exceptions import DisallowedHost
from django.utils.html import format_html, format_html_join

from movies import seo

register = template.Library()


def _request(context):
    """The page's request, or None where no absolute URL can be built from it: the 500
    page is rendered without one, and the 400 page answers requests whose Host (or
    X-Forwarded-Host) is not ours, where get_host() raises again."""
    request = context.get("request")
    if request is None:
        return None
    try:
        request.get_host()
    except DisallowedHost:
        return None
    return request


def _absolute(context):
    request = _request(context)
    return request.build_absolute_uri if request else None


def _canonical_url(context, ignore=()):
    request = context["request"]
    page_obj = context.get("page_obj")
    path = seo.canonical_path(
        request.path,
        request.GET,
        page_number=page_obj.number if page_obj else None,
        ignore=ignore,
    )
    return request.build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def movie_jsonld(context, movie, reviews=()):
    """{% movie_jsonld movie reviews %}: the verdict page's Movie and BreadcrumbList."""
    absolute = _absolute(context)
    if absolute is None:
        return ""
    return seo.jsonld_script(seo.movie_jsonld(movie, absolute=absolute, reviews=reviews))


@register.simple_tag(takes_context=True)
def person_jsonld(context, person, known_for=()):
    """{% person_jsonld person known_for %}: the person page's Person."""
    absolute = _absolute(context)
    if absolute is None:
        return ""
    return seo.jsonld_script(seo.person_jsonld(person, absolute=absolute, known_for=known_for))


@register.simple_tag(takes_context=True)
def canonical_link(context, ignore=""):
    """{% canonical_link %}: `<link rel="canonical">` for this page (see seo.canonical_path).

    `ignore="sort"` (comma-separated names) leaves those parameters out and keeps ?page=N.
    """
    if _request(context) is None:
        return ""
    names = {name.strip() for name in ignore.split(",") if name.strip()}
    return format_html('<link rel="canonical" href="{}">', _canonical_url(context, names))


@register.simple_tag
def movie_description(movie, assessment):
    return seo.movie_description(movie, assessment)


@register.simple_tag
def genre_description(genre, film_count):
    return seo.genre_description(genre, film_count)


def _meta_tags(tags):
    return format_html_join("\n  ", '<meta {}="{}" content="{}">', tags)


@register.simple_tag(takes_context=True)
def social_meta(context, title, description):
    """{% social_meta title description %}: OpenGraph and Twitter cards with the site's
    default image, for pages that have no picture of their own."""
    absolute = _absolute(context)
    if absolute is None:
        return ""
    return _meta_tags(
        seo.social_meta(
            title=title,
            description=description,
            url=_canonical_url(context),
            image=seo.default_image(absolute),
        )
    )


@register.simple_tag(takes_context=True)
def movie_social_meta(context, movie, assessment):
    """{% movie_social_meta movie assessment %}: cards for a verdict page (video.movie)."""
    absolute = _absolute(context)
    if absolute is None:
        return ""
    return _meta_tags(seo.movie_social_meta(movie, assessment, absolute=absolute))
