"""A reader: home -> search -> verdict page -> the ending -> another country -> reviews."""

import re

from playwright.sync_api import expect

from tests.e2e import data


def test_reader_finds_a_verdict_and_reads_around_it(page, shoot, no_horizontal_overflow):
    data.catalogue()

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Is it worth watching?")

    page.get_by_role("searchbox", name="Search films and people").fill("one second")
    page.get_by_role("searchbox", name="Search films and people").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=one\+second"))
    page.get_by_role("link", name=re.compile("One Second")).first.click()

    expect(page).to_have_url(re.compile("/movies/one-second-2020/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Is One Second worth watching?")
    answer = page.locator(".answer")
    expect(answer).to_contain_text("Yes")
    expect(answer).to_contain_text("Yes, if you enjoy drama.")
    expect(page.get_by_text("Trade verdict: Blockbuster")).to_be_visible()
    # The answer is on the first screen, phone included.
    assert (
        answer.bounding_box()["y"] + answer.bounding_box()["height"] <= page.viewport_size["height"]
    )
    no_horizontal_overflow(page)
    shoot(page, "journey-verdict")

    ending = page.get_by_text("The reel is found")
    expect(ending).to_be_hidden()
    page.get_by_text("Spoiler warning: show how it ends").click()
    expect(ending).to_be_visible()

    expect(page.get_by_role("heading", name="Where to watch in United States")).to_be_visible()
    expect(page.get_by_text("Google Play Movies")).to_be_visible()
    page.get_by_label("Show offers for another country").select_option("GB")
    page.get_by_role("button", name="Show offers").click()
    expect(page).to_have_url(re.compile(r"\?country=GB#where-to-watch$"))
    expect(page.get_by_role("heading", name="Where to watch in United Kingdom")).to_be_visible()
    expect(page.get_by_text("Apple TV")).to_be_visible()
    expect(page.get_by_text("Google Play Movies")).to_have_count(0)

    page.get_by_role("link", name=re.compile(r"Read all 23 reviews")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reader reviews of One Second (2020)")
    expect(page.locator("article.review")).to_have_count(20)
    page.get_by_role("link", name=re.compile("More reviews")).click()
    expect(page).to_have_url(re.compile(r"after=\d+"))
    expect(page.locator("article.review")).to_have_count(3)
    expect(page.get_by_role("link", name=re.compile("First reviews"))).to_be_visible()
    no_horizontal_overflow(page)
