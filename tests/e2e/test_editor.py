"""An editor: a new film with two credits and a poster, as a draft, then published."""

import re

from PIL import Image
from playwright.sync_api import expect

from tests.e2e import data
from tests.factories import UserFactory

TITLE = "Editor's <Cut> 🎬"


def _pick_person(page, row, name):
    """Choose `name` in the credit row's autocomplete (select2) person box."""
    page.locator(f"#credits-{row} .select2-selection").click()
    page.locator(".select2-search__field").fill(name)
    page.locator(".select2-results__option", has_text=name).click()


def _log_into_the_admin(page, username, password):
    """Through the admin's own login form, as an editor does: typed, then submitted."""
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/admin/$"))
    page.get_by_label("Username:").fill(username)
    page.get_by_label("Password:").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("banner")).to_contain_text(f"Welcome, {username}")


def test_editor_drafts_previews_and_publishes_a_film(page, browser, live_server, tmp_path, shoot):
    data.catalogue()
    UserFactory(username="editor", is_staff=True, is_superuser=True)  # password data.PASSWORD
    _log_into_the_admin(page, "editor", data.PASSWORD)
    poster = tmp_path / "poster.png"
    Image.new("RGB", (400, 600), (120, 30, 40)).save(poster)
    public = browser.new_context(base_url=live_server.url).new_page()

    page.goto("/admin/movies/movie/add/")
    page.get_by_label("Title:", exact=True).fill(TITLE)
    page.get_by_label("Release year:").fill("2024")
    page.get_by_label("Runtime (minutes):").fill("97")
    page.get_by_label("Drama", exact=True).check()
    page.get_by_label("Logline:").fill("A film editor finds a lost reel.")
    page.get_by_label("Poster:").set_input_files(str(poster))
    _pick_person(page, 0, "Zhang Yimou")
    page.locator("#credits-0 select[name$='-role']").select_option("director")
    page.locator("#credits-group .add-row a").click()
    _pick_person(page, 1, "Liu Haocun")
    page.locator("#credits-1 select[name$='-role']").select_option("cast")
    page.locator("#credits-1 input[name$='-billing_order']").fill("1")
    page.get_by_label("Status:").select_option("draft")
    page.get_by_role("button", name="Save and continue editing").last.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    slug = page.get_by_label("Slug:").input_value()
    assert slug == "editors-cut-2024"
    url = f"/movies/{slug}/"

    # A draft: the public gets a 404, staff get the page with a preview banner.
    assert public.goto(url).status == 404
    page.goto(url)
    expect(page.locator(".preview-banner")).to_contain_text("this film is a draft")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Is {TITLE} worth watching?")
    expect(page.locator(".verdict-hero img")).to_have_attribute("alt", f"Poster of {TITLE}")
    expect(page.get_by_role("link", name="Zhang Yimou").first).to_be_visible()
    expect(page.get_by_role("link", name="Liu Haocun").first).to_be_visible()
    shoot(page, "journey-draft-preview")
    assert slug not in public.request.get("/sitemap-films.xml").text()
    assert "Editor" not in public.request.get("/feeds/verdicts/").text()

    page.goto("/admin/movies/movie/")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("Status:").select_option("published")
    page.get_by_role("button", name="Save", exact=True).last.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    assert public.goto(url).status == 200
    expect(public.locator(".preview-banner")).to_have_count(0)
    expect(public.get_by_role("heading", level=1)).to_have_text(f"Is {TITLE} worth watching?")
    public.goto("/movies/?sort=newest")
    expect(public.get_by_role("link", name=re.compile(re.escape(TITLE)))).to_be_visible()
    assert f"{live_server.url}{url}" in public.request.get("/sitemap-films.xml").text()
    feed = public.request.get("/feeds/verdicts/").text()
    assert "Is Editor's &lt;Cut&gt; 🎬 (2024) worth watching?" in feed
    public.context.close()


def _editor(username):
    return UserFactory(username=username, is_staff=True, is_superuser=True)


def test_editor_changes_one_seconds_budget_compares_and_restores_it(page, log_in, shoot):
    film = data.catalogue()
    log_in(page, _editor("editor"))
    page.goto(f"/admin/movies/movie/{film.pk}/change/")
    panel = page.locator("fieldset", has=page.get_by_role("heading", name="What the page says"))
    expect(panel).to_contain_text("Blockbuster")
    expect(panel).to_contain_text("8.3x its $1.3M budget")

    page.get_by_label("Production budget:").fill("2,500,000")
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.get_by_label("Production budget:")).to_have_value("2,500,000")
    expect(panel).to_contain_text("Super hit")  # the panel shows the saved figures
    expect(panel).to_contain_text("4.3x its $2.5M budget")

    page.get_by_role("link", name="History").click()
    versions = page.locator("#change-history tbody tr")
    expect(versions.first).to_contain_text("Changed Production budget.")  # and nothing else
    shoot(page, "journey-history")
    versions.first.get_by_role("link", name="With the one before").click()
    changed = page.get_by_role("row", name=re.compile("Production budget"))
    expect(changed).to_contain_text("1,300,000")
    expect(changed).to_contain_text("2,500,000")
    shoot(page, "journey-compare")

    page.get_by_role("button", name=re.compile("^Restore the version of")).click()
    expect(page.locator(".messagelist")).to_contain_text("as a new version")
    expect(page.get_by_label("Production budget:")).to_have_value("1,300,000")
    expect(panel).to_contain_text("8.3x its $1.3M budget")
    page.get_by_role("link", name="History").click()
    expect(versions).to_have_count(3)  # the restore is a new version; nothing was lost
    expect(versions.first).to_contain_text("Restored the version of")


def test_two_editors_conflicting_saves_the_second_is_refused(page, browser, live_server, log_in):
    film = data.catalogue()
    change = f"/admin/movies/movie/{film.pk}/change/"
    log_in(page, _editor("alice"))
    page.goto(change)
    bob = browser.new_context(base_url=live_server.url).new_page()
    log_in(bob, _editor("bob"))
    bob.goto(change)

    bob.get_by_label("Production budget:").fill("2,000,000")
    bob.get_by_role("button", name="Save", exact=True).first.click()
    expect(bob.locator(".messagelist")).to_contain_text("was changed successfully")
    bob.context.close()

    page.get_by_label("Runtime (minutes):").fill("110")
    page.get_by_role("button", name="Save", exact=True).first.click()
    refusal = page.locator(".errorlist.nonfield")
    expect(refusal).to_contain_text(re.compile(r"bob changed this film on \d+ \w+ \d{4} at"))
    expect(refusal).to_contain_text("Nothing was saved")
    film.refresh_from_db()
    assert (film.budget, film.runtime_minutes) == (2_000_000, 104)  # bob's kept, mine not

    refusal.get_by_role("link", name="compare their version with the one you opened").click()
    changed = page.get_by_role("row", name=re.compile("Production budget"))
    expect(changed).to_contain_text("1,300,000")
    expect(changed).to_contain_text("2,000,000")
