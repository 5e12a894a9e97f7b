from django import template

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
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
