"""The reviews list in a browser: sort links on a phone, spoilers, the helpful toggle."""

import re

from playwright.sync_api import expect

from reviews.models import Review
from tests.e2e import data


def test_sort_links_are_even_buttons_that_say_which_is_active(page, shoot):
    data.catalogue()
    page.goto("/movies/one-second-2020/reviews/?sort=lowest")
    links = page.get_by_role("navigation", name="Sort reviews").get_by_role("link")
    expect(links).to_have_count(4)
    expect(page.locator(".review-sorts [aria-current]")).to_have_text("Lowest rated")
    boxes = [links.nth(i).bounding_box() for i in range(4)]
    assert all(box["width"] >= 24 and box["height"] >= 24 for box in boxes), boxes
    rows = sorted({round(box["y"]) for box in boxes})
    if page.viewport_name == "phone":
        # Two rows of two, never a label left alone on a line.
        assert len(rows) == 2, boxes
        assert sum(round(box["y"]) == rows[1] for box in boxes) == 2, boxes
    else:
        assert len(rows) == 1, boxes
    shoot(page, "review-sorts")


def test_spoiler_summary_says_show_then_hide(page):
    film = data.catalogue()
    review = Review.objects.filter(movie=film).exclude(body="").first()
    Review.objects.filter(pk=review.pk).update(contains_spoilers=True)
    page.goto(f"/movies/one-second-2020/reviews/{review.pk}/")
    summary = page.locator(".review__spoilers summary")
    expect(summary).to_have_text("This review contains spoilers: show it", use_inner_text=True)
    summary.click()
    expect(summary).to_have_text("Hide the spoilers", use_inner_text=True)
    expect(page.locator(".review__spoilers p").first).to_be_visible()
    summary.click()
    expect(summary).to_have_text("This review contains spoilers: show it", use_inner_text=True)


def test_helpful_button_toggles_and_says_so(page, log_in, assert_accessible):
    film = data.catalogue()
    log_in(page, data.reader())
    review = Review.objects.filter(movie=film).exclude(body="").first()
    page.goto(f"/movies/one-second-2020/reviews/{review.pk}/")
    name = re.compile(rf"^Helpful\s*: {review.user.username}'s review$")
    button = page.get_by_role("button", name=name)
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(page.get_by_role("status")).to_contain_text("you marked")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert_accessible(page)
    button.click()
    expect(page.get_by_role("status")).to_contain_text("taken back")
    expect(button).to_have_attribute("aria-pressed", "false")
