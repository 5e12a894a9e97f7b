"""An editor drafts a change to a live film, previews it while the public still sees the
live page, schedules it, and the publishing job makes it live."""

import datetime
import re

from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from movies.models import MovieDraft
from tests.e2e import data
from tests.factories import UserFactory

NEW_SYNOPSIS = "A drafted synopsis, for Monday morning."


def test_editor_drafts_previews_schedules_and_publishes_a_change(
    page, browser, live_server, log_in, shoot, assert_accessible, no_horizontal_overflow
):
    film = data.catalogue()
    log_in(page, UserFactory(username="editor", is_staff=True, is_superuser=True))
    public = browser.new_context(base_url=live_server.url).new_page()
    url = film.get_absolute_url()
    old_synopsis = film.synopsis

    page.goto(f"/admin/movies/movie/{film.pk}/change/")
    page.locator("details", has=page.get_by_label("Synopsis:")).locator("summary").click()
    page.get_by_label("Synopsis:").fill(NEW_SYNOPSIS)
    page.get_by_role("button", name="Save as draft").first.click()
    expect(page.locator(".messagelist")).to_contain_text("Saved as a draft")
    expect(page.locator("#draft-notice")).to_contain_text("editing the draft")
    expect(page.get_by_label("Synopsis:")).to_have_value(NEW_SYNOPSIS)
    shoot(page, "admin-film-form-editing-a-draft")

    # The public, even asking for the draft, gets the live page.
    for address in (url, f"{url}?preview=draft"):
        public.goto(address)
        expect(public.locator("body")).to_contain_text(old_synopsis)
        expect(public.locator("body")).not_to_contain_text(NEW_SYNOPSIS)
        expect(public.locator(".preview-banner")).to_have_count(0)

    page.get_by_role("link", name="Preview the draft").click()
    expect(page).to_have_url(re.compile(r"\?preview=draft$"))
    expect(page.locator(".preview-banner")).to_contain_text(
        "Draft preview: readers see the live version."
    )
    expect(page.locator("body")).to_contain_text(NEW_SYNOPSIS)
    shoot(page, "journey-draft-of-a-live-film")
    assert_accessible(page)  # the banner and its link, in both colour schemes
    no_horizontal_overflow(page)

    page.get_by_role("link", name="Back to the draft").click()
    expect(page.get_by_role("heading", name=re.compile("Draft of a change"))).to_be_visible()
    assert_accessible(page)
    shoot(page, "admin-draft-page")
    page.get_by_label("Publish at:").fill("2001-01-01T09:00")
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("That time has passed")
    soon = timezone.localtime() + datetime.timedelta(minutes=2)
    page.get_by_label("Publish at:").fill(soon.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Scheduled: the change goes live on")

    page.goto("/admin/movies/movie/?pending=scheduled")
    expect(page.locator("#result_list")).to_contain_text("Change on ")

    call_command("publish_scheduled")  # not yet due
    public.goto(url)
    expect(public.locator("body")).not_to_contain_text(NEW_SYNOPSIS)

    # The clock moves on past the scheduled time; cron runs the job.
    MovieDraft.objects.update(publish_at=timezone.now() - datetime.timedelta(seconds=1))
    call_command("publish_scheduled")
    # A reader arriving now (the first one's browser may keep its copy for the page
    # cache's max-age: docs/performance.md).
    reader = browser.new_context(base_url=live_server.url).new_page()
    reader.goto(url)
    expect(reader.locator("body")).to_contain_text(NEW_SYNOPSIS)
    expect(reader.locator(".preview-banner")).to_have_count(0)
    reader.context.close()

    page.goto(f"/admin/movies/movie/{film.pk}/history/")
    expect(page.locator("#change-history")).to_contain_text("Published the draft editor saved on")
    public.context.close()
