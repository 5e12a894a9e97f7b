from django import template
from django.contrib.auth.models import AnonymousUser

from movies.text import plural
from reviews.selectors import verdict_page_reviews

register = template.Library()


@register.simple_tag(takes_context=True)
def verdict_reviews(context, movie, public=False):
    """{% verdict_reviews movie [public=True] as reviews %}: a film page's reviews block (the
    most helpful reviews, the reader's own, the total), the way django-contrib-comments
    puts comments on any page: the page's view knows nothing of reviews. `public`: as any
    visitor sees it, whoever reads the page (the page's JSON-LD, the same for everyone).

    Read once per render (kept in the render context), however many blocks ask for it.
    """
    user = AnonymousUser() if public else context["user"]
    key = ("reviews:verdict_reviews", movie.pk, user.pk)
    if key not in context.render_context:
        context.render_context[key] = verdict_page_reviews(movie=movie, user=user)
    return context.render_context[key]


@register.filter
def duration_words(delta):
    """A timedelta as words: "1 hour", "30 minutes", "2 hours 15 minutes"."""
    if delta is None:
        return ""
    minutes = max(1, round(delta.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(plural(hours, "hour"))
    if minutes:
        parts.append(plural(minutes, "minute"))
    return " ".join(parts)
