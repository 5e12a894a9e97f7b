"""Browser tests: Playwright for Python driving Debian's Chromium against `live_server`.

Never `playwright install`: the tests use the system browser at /usr/bin/chromium
(`apt-get install -y chromium`). Without it the folder is skipped and the run ends
with one line saying so.

Fixtures:
- `browser`: one headless Chromium for the session.
- `page`: a fresh browser context and page, once at 390 px (phone) and once at 1280 px
  (desktop) wide: every test that uses it runs at both widths. It fails at teardown on
  any JavaScript error and any Content-Security-Policy violation the page reported.
- `shoot(page, name)`: a full-page PNG in test-artifacts/screenshots/.
- `assert_accessible(page)`: axe-core (WCAG 2.2 A/AA and best practices) finds nothing,
  in the light and the dark colour scheme (`impacts=` to count only some impacts).
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIP_REASON = f"no Chromium at {CHROMIUM} (apt-get install -y chromium, then make e2e)"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Playwright's sync API runs an event loop in this thread; Django refuses database
# calls from a thread with a running loop unless told the caller knows it is safe
# (the loop only waits for the browser, it never runs Django code concurrently).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

_here = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


# Without the browser the folder's tests are not collected, and the summary says so
# in one line (skip markers would print one line per file).
if not CHROMIUM.exists():
    collect_ignore_glob = ["test_*.py"]


def pytest_terminal_summary(terminalreporter):
    if not CHROMIUM.exists():
        terminalreporter.write_line(f"Browser tests skipped: {SKIP_REASON}.")
    elif getattr(terminalreporter.config, "_ww_screenshots", False):
        terminalreporter.write_line(f"Browser screenshots: {SCREENSHOTS}")


def pytest_sessionfinish(session, exitstatus):
    # `pytest tests/e2e` without a browser: nothing ran on purpose, not a failure.
    if not CHROMIUM.exists() and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _page_cache_on(_isolated, settings):
    """The browser sees what readers see: anonymous pages from the page cache (off for
    the rest of the suite, tests/conftest.py)."""
    settings.PAGE_CACHE = True


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def viewport(request):
    """ "phone" or "desktop"."""
    return request.param


@pytest.fixture
def page(browser, viewport, live_server, transactional_db):
    width, height = WIDTHS[viewport]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        base_url=live_server.url,
        locale="en-US",
        reduced_motion="reduce",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors, csp_violations = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: _collect_csp_violation(message, csp_violations))
    page.viewport_name = viewport
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


def _collect_csp_violation(message, found):
    """Chromium reports every blocked script, style or image as a console error naming the
    Content Security Policy: the site's strict policy (settings) must block nothing."""
    if "Content Security Policy" in message.text:
        found.append(f"{message.location.get('url', '')}: {message.text}")


@pytest.fixture
def shoot(request):
    """shoot(page, "verdict"): a full-page screenshot named after the page and width."""

    def take(page, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{page.viewport_name}.png"
        page.screenshot(path=str(path), full_page=True)
        request.config._ww_screenshots = True
        return path

    return take


def _describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:160]}")
    return "\n".join(lines)


@pytest.fixture
def assert_accessible():
    """assert_accessible(page): no axe-core violation in light or dark mode."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, *, context=None, impacts=None):
        """`impacts`: only violations of these impacts count ("critical", "serious", ...)."""
        found = []
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            results = axe.run(
                page,
                context=context,
                # No CSSOM preload: axe would copy @import-ed stylesheets (the admin's
                # forms.css imports widgets.css) into inline <style>s, which the CSP blocks.
                options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "preload": False},
            )
            found += [
                dict(v, id=f"{v['id']} [{scheme}]")
                for v in results.response["violations"]
                if impacts is None or v["impact"] in impacts
            ]
        page.emulate_media(color_scheme="light")
        assert not found, f"axe found problems on {page.url}:\n{_describe(found)}"

    return check


@pytest.fixture
def no_horizontal_overflow():
    """no_horizontal_overflow(page): nothing is wider than the viewport."""

    def check(page):
        wide = page.evaluate(
            """() => {
              const w = document.documentElement.clientWidth;
              return [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > w + 1
                              && getComputedStyle(el).position !== 'fixed'
                              && !el.closest('.visually-hidden'))
                .slice(0, 5).map(el => el.outerHTML.slice(0, 120));
            }"""
        )
        assert (
            page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        ), f"the page scrolls sideways on {page.url}: {wide}"

    return check


@pytest.fixture
def log_in(live_server):
    """log_in(page, user): the browser gets a logged-in session without the login form."""
    from django.conf import settings
    from django.test import Client

    def log(page, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )

    return log
