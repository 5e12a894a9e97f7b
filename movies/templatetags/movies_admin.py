"""The admin front page's catalogue work queue ({% catalogue_queue as queue %})."""

from django import template
from django.urls import reverse

from movies.selectors import work_queue

register = template.Library()


@register.simple_tag(takes_context=True)
def catalogue_queue(context):
    """[(label, count, filtered film list URL)] and the last changes by others."""
    queue = work_queue(user=context["user"])
    films = reverse("admin:movies_movie_changelist")
    rows = [
        ("Films missing a budget", queue.missing_budget, f"{films}?missing=budget"),
        ("Films missing a worldwide gross", queue.missing_gross, f"{films}?missing=gross"),
        ("Films missing a poster", queue.missing_poster, f"{films}?missing=poster"),
        ("Films missing a synopsis", queue.missing_synopsis, f"{films}?missing=synopsis"),
        ("Films with offers not checked for 90 days", queue.stale_offers, f"{films}?offers=stale"),
        ("Drafts", queue.drafts, f"{films}?publication=draft"),
        ("Scheduled films", queue.scheduled, f"{films}?publication=scheduled"),
        ("Drafts of live films", queue.drafts_of_live, f"{films}?pending=draft"),
        ("Changes scheduled this week", queue.changes_this_week, f"{films}?pending=week"),
    ]
    changes = [
        (version, reverse("admin:movies_movie_change", args=[version.object_id]))
        for version in queue.changes_by_others
    ]
    return {"rows": rows, "changes": changes}
