"""The checks `make cluster` runs (scripts/cluster.py), each through nginx or one instance.

Each takes the running Cluster and the Checks ledger, and records PASS or FAIL lines.
"""

import html
import re
import threading
import time
import uuid
from html.parser import HTMLParser

from tests.load.client import Browser, Recorder, forms_on
from tests.load.seed import PASSWORD

EDITOR, EDITOR_PASSWORD = "cluster-editor", "a cluster editor's password 42"

# --- a browser's form, for the admin ------------------------------------------


class _FullForm(HTMLParser):
    """The fields of the form holding `field`, with what a browser would send: checked
    boxes only, the selected options (the first one when none is), textareas' text."""

    def __init__(self, field):
        super().__init__(convert_charrefs=True)
        self.field, self.forms, self._form, self._select, self._textarea = (
            field,
            [],
            None,
            None,
            None,
        )

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"attrs": attrs, "pairs": [], "names": set()}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            name = attrs.get("name")
            if name:
                self._form["names"].add(name)
            if not name or kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._form["pairs"].append(
                (name, attrs.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "select" and attrs.get("name"):
            self._select = {"name": attrs["name"], "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = [value for value, selected in self._select["options"] if selected]
            if not chosen and not self._select["multiple"] and self._select["options"]:
                chosen = [self._select["options"][0][0]]
            self._form["pairs"] += [(self._select["name"], value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form["pairs"].append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None

    def result(self):
        return next((form for form in self.forms if self.field in form["names"]), None)


def multipart(pairs, files):
    boundary = f"----cluster{uuid.uuid4().hex}"
    parts = []
    for name, value in pairs:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, content_type, data) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def raw_request(port, method, path, *, cookies=None, body=None, content_type=None, headers=None):
    """One request with http.client; (status, headers, body bytes)."""
    import http.client

    headers = {"Host": f"127.0.0.1:{port}", **(headers or {})}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if content_type:
        headers["Content-Type"] = content_type
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    except (OSError, http.client.HTTPException) as exc:
        return None, {}, repr(exc).encode()
    finally:
        connection.close()


def poster_bytes():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 600), (30, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


# --- the checks ---------------------------------------------------------------


def check_spread(cluster, checks):
    probe = Browser(cluster.nginx_port, Recorder())
    for _ in range(12):
        probe.request("GET", "/healthz")
    log = (cluster.dir / "nginx-access.log").read_text()
    used = {name for name, port in cluster.ports.items() if f":{port}" in log}
    checks.record(
        "nginx spreads requests over both instances", used == {"A", "B"}, f"{sorted(used)}"
    )


def check_proxy_work(cluster, checks):
    """What production's proxy does for the app servers: compression and static files."""
    port, gzip = cluster.nginx_port, {"Accept-Encoding": "gzip"}
    status, headers, page = raw_request(port, "GET", "/", headers=gzip)
    checks.record(
        "nginx compresses the HTML",
        status == 200 and headers.get("Content-Encoding") == "gzip",
        f"{status} {headers.get('Content-Encoding')}",
    )
    _, _, plain = raw_request(port, "GET", "/")
    css = re.search(rb'href="(/static/[^"]+\.css)"', plain)
    served = False
    if css:
        status, headers, _ = raw_request(port, "GET", css.group(1).decode(), headers=gzip)
        served = (
            status == 200
            and headers.get("Content-Encoding") == "gzip"
            and "immutable" in headers.get("Cache-Control", "")
        )
    checks.record(
        "nginx serves static files itself, precompressed, cached a year",
        served,
        css.group(1).decode() if css else "no stylesheet link on the home page",
    )


def check_review_across(cluster, checks, reader, slug):
    a, b = cluster.ports["A"], cluster.ports["B"]
    browser = Browser(a, Recorder())
    signed_in = browser.log_in("/accounts/login/", reader, PASSWORD)
    checks.record("a reader signs in through A", signed_in)
    anonymous = Browser(a, Recorder())
    anonymous.request("GET", f"/movies/{slug}/")  # A renders (and may cache) the page first

    page = browser.request("GET", f"/movies/{slug}/review/")
    form = next(
        (f for f in forms_on(page.text) if any(x.get("name") == "rating" for x in f["fields"])),
        None,
    )
    headline = f"Seen through B {uuid.uuid4().hex[:6]}"
    posted = None
    if form is not None:
        data = {x["name"]: x.get("value", "") for x in form["fields"] if x.get("type") == "hidden"}
        data.update(
            rating="8",
            headline=headline,
            body="Written on a page from instance A and posted to instance B: the session "
            "and the CSRF token are the same on both, because they share one database "
            "and one secret.",
        )
        browser.port = b
        posted = browser.request(
            "POST", form["attrs"].get("action") or f"/movies/{slug}/review/", form=data
        )
    ok = (
        posted is not None
        and posted.status == 302
        and "/login" not in posted.headers.get("Location", "")
    )
    checks.record(
        "the session and CSRF token from A are accepted by B (review posted through B)",
        ok,
        f"status {posted.status if posted else 'no form'}",
    )
    shown = anonymous.request("GET", f"/movies/{slug}/")
    checks.record(
        "the review posted through B is on the page A serves, at once",
        shown.status == 200 and html.escape(headline) in shown.text,
    )


def check_poster_across(cluster, checks, slug, movie_id):
    a, b = cluster.ports["A"], cluster.ports["B"]
    editor = Browser(a, Recorder())
    signed_in = editor.log_in("/admin/login/", EDITOR, EDITOR_PASSWORD)
    checks.record("an editor signs in to the admin through A", signed_in)
    change = f"/admin/movies/movie/{movie_id}/change/"
    status, _, page = raw_request(a, "GET", change, cookies=editor.cookies)
    parser = _FullForm("poster")
    parser.feed(page.decode("utf-8", "replace"))
    form = parser.result()
    uploaded = False
    if status == 200 and form is not None:
        content_type, body = multipart(
            form["pairs"] + [("_save", "Save")],
            {"poster": ("cluster.jpg", "image/jpeg", poster_bytes())},
        )
        status, headers, answer = raw_request(
            a, "POST", change, cookies=editor.cookies, body=body, content_type=content_type
        )
        uploaded = status == 302
        if not uploaded:
            errors = re.findall(
                r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', answer.decode("utf-8", "replace"), re.S
            )
            print(f"      admin answered {status}: {' | '.join(errors)[:600]}")
    elif not uploaded:
        print(f"      the change page answered {status} ({page[:200]!r}), form: {form is not None}")
    checks.record("a poster is uploaded through A's admin", uploaded)

    _, _, page = raw_request(b, "GET", f"/movies/{slug}/")
    links = re.findall(
        rf'http://127\.0\.0\.1:{cluster.nginx_port}/media/(posters/[^"\s]+)', page.decode()
    )
    served = False
    if links:
        status, headers, data = raw_request(cluster.nginx_port, "GET", f"/media/{links[0]}")
        served = (
            status == 200
            and headers.get("Content-Type", "").startswith("image/")
            and len(data) > 100
        )
        if not served:
            print(f"      nginx answered {status} {headers.get('Content-Type')}: {data[:200]!r}")
    checks.record(
        "B's page links the poster and nginx serves it from the shared bucket",
        served,
        links[0] if links else "no poster link on B's page",
    )


def check_failover(cluster, checks, slugs, seconds):
    paths = ["/", "/movies/", "/healthz"] + [f"/movies/{slug}/" for slug in slugs]
    recorder, stop = Recorder(), threading.Event()

    def reader(index):
        browser = Browser(cluster.nginx_port, recorder, timeout=30)
        for step in range(100_000):
            if stop.is_set():
                return
            browser.request("GET", paths[(index + step) % len(paths)])

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(seconds / 3)
    cluster.kill_app("A")
    killed_at = time.monotonic()
    time.sleep(seconds * 2 / 3)
    stop.set()
    for thread in threads:
        thread.join(60)
    outcomes = recorder.snapshot()
    failed = [o for o in outcomes if o.status is None or o.status >= 500]
    after = [o for o in outcomes if o.started > killed_at]
    log = (cluster.dir / "nginx-access.log").read_text()
    retried = sum(1 for line in log.splitlines() if ", " in line.partition("upstream=")[2])
    checks.record(
        "instance A killed mid-run: no reader request failed",
        not failed and len(after) > 0,
        f"{len(outcomes)} requests, {len(after)} after the kill, {len(failed)} failed, "
        f"{retried} retried by nginx on B",
    )
    for outcome in failed[:5]:
        print(f"      {outcome.method} {outcome.path}: {outcome.status} {outcome.problem[:200]}")
    if failed:
        errors = (cluster.dir / "nginx-error.log").read_text().splitlines()
        print("      nginx's error log:\n" + "\n".join(f"      {line}" for line in errors[-8:]))
