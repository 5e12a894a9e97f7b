from django import template

from movies.text import plural

register = template.Library()


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
