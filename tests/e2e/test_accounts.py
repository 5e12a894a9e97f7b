"""A reader signs up, rates and reviews, edits, deletes; the review form by keyboard alone."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e import data

REVIEW = (
    "Quietly devastating. The projectionist's scenes are a love letter to celluloid, and "
    "the last shot stays with you for days afterwards."
)


def test_reader_signs_up_reviews_edits_and_deletes(page, shoot):
    data.catalogue()
    page.goto("/movies/one-second-2020/")

    page.locator("#reviews").get_by_role("link", name="sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    page.get_by_label("Username").fill("first_timer")
    page.get_by_label("Email").fill("first@example.com")
    page.get_by_label("Password:", exact=True).fill(data.PASSWORD)
    page.get_by_label("Password (again)").fill(data.PASSWORD)
    page.get_by_role("button", name="Create account").click()

    # Back where the reader was going: the review form, logged in.
    expect(page).to_have_url(re.compile("/movies/one-second-2020/review/$"))
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_be_visible()
    page.get_by_label("8", exact=True).check()
    page.get_by_label("Headline (optional)").fill("A love letter to film")
    page.get_by_label("Your review (optional)").fill(REVIEW)
    # A new account: the form says up front that the words wait for an editor, and the
    # button does not promise to publish them.
    expect(page.locator("#review-form-note")).to_contain_text("checked by an editor")
    page.get_by_role("button", name="Submit").click()

    # The confirmation is at the top, where the page opens, and says what happened.
    expect(page).to_have_url(re.compile("/movies/one-second-2020/$"))
    saved = page.get_by_role("status")
    # A new account's rating counts once its email address is confirmed.
    expect(saved).to_contain_text("your rating of 8/10 counts once you confirm your email")
    expect(saved).to_contain_text("waiting for an editor")
    expect(saved).to_be_in_viewport()
    saved.get_by_role("link", name="See your review").click()
    own = page.locator("#your-review")
    expect(own).to_be_in_viewport()
    expect(own).to_contain_text("You rated it 8/10")
    expect(own).to_contain_text("waiting for an editor")  # a new account's text is moderated
    shoot(page, "journey-own-review")

    own.get_by_role("link", name="Edit your review").click()
    expect(page.get_by_label("8", exact=True)).to_be_checked()
    page.get_by_label("6", exact=True).check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#your-review")).to_contain_text("You rated it 6/10")

    page.locator("#your-review").get_by_role("link", name="Delete your review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Delete your review")
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.get_by_text("Your review and rating are deleted.")).to_be_visible()
    expect(page.locator("#your-review")).not_to_contain_text("You rated it")
    expect(page.get_by_role("link", name="Write a review of One Second")).to_be_visible()


def test_review_form_works_with_the_keyboard_alone(page, log_in):
    data.catalogue()
    log_in(page, data.reader())
    page.goto("/movies/one-second-2020/review/")

    # Tab from the top of the page until the first rating choice has focus.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "rating":
            break
    else:
        raise AssertionError("Tab never reached the rating")
    focused = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle"
        " + getComputedStyle(document.activeElement).boxShadow"
    )
    assert focused != "none" + "none", "the focused control shows no focus indicator"
    page.keyboard.press("ArrowDown")  # 10 -> 9 within the radio group
    page.keyboard.press("Tab")
    page.keyboard.type("Slow, then wonderful")
    page.keyboard.press("Tab")
    page.keyboard.type(REVIEW)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the spoilers box
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Publish"
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile("/movies/one-second-2020/$"))
    expect(page.locator("#your-review")).to_contain_text("You rated it 9/10")
    expect(page.get_by_role("status")).to_contain_text(
        "Saved: your rating of 9/10 counts and your review is published."
    )


def test_failed_signup_focuses_the_error_summary_whose_links_reach_the_fields(
    page, shoot, assert_accessible
):
    page.goto("/accounts/signup/")
    expect(page.get_by_label("Username")).to_be_focused()  # before anything goes wrong
    page.get_by_label("Username").fill("first_timer")
    page.get_by_label("Email").fill("first@example.com")
    page.get_by_label("Password:", exact=True).fill("abc")
    page.get_by_label("Password (again)").fill("abd")
    page.get_by_role("button", name="Create account").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("You must type the same password each time")
    expect(summary).to_contain_text("This password is too short")  # both problems at once
    shoot(page, "signup-errors")
    assert_accessible(page)
    summary.get_by_role("link", name=re.compile("^Password: ")).first.click()
    expect(page.get_by_label("Password:", exact=True)).to_be_focused()
    expect(page.get_by_label("Password:", exact=True)).to_have_accessible_description(
        re.compile("too short")
    )


def test_failed_login_focuses_one_generic_message(page, assert_accessible):
    page.goto("/accounts/login/")
    page.get_by_label("Username or email").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.locator("li")).to_have_count(1)
    expect(summary).to_contain_text("The username and/or password you specified are not correct")
    assert_accessible(page)


def test_review_form_errors_and_the_own_profile_pass_axe(
    page, log_in, shoot, assert_accessible, no_horizontal_overflow
):
    data.catalogue()
    newcomer = data.reader("fresh")
    type(newcomer).objects.filter(pk=newcomer.pk).update(date_joined=timezone.now())
    log_in(page, newcomer)
    page.goto("/movies/one-second-2020/review/")
    page.get_by_label("Your review (optional)").fill("Too short.")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("alert")).to_be_focused()
    expect(page.get_by_role("alert").get_by_role("link")).to_have_count(2)
    shoot(page, "review-form-errors")
    assert_accessible(page)

    page.get_by_label("7", exact=True).check()
    page.get_by_label("Your review (optional)").fill(REVIEW)
    page.get_by_role("button", name="Submit").click()
    page.goto("/users/fresh/")
    expect(page.get_by_text("1 review awaiting approval")).to_be_visible()
    shoot(page, "own-profile")
    no_horizontal_overflow(page)
    assert_accessible(page)
