"""The load run's browser: one cookie jar per reader, redirects not followed, forms read
from the page the way a person's browser reads them, and every response recorded."""

import http.client
import threading
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode


@dataclass
class Outcome:
    """One request: when, what, and its status (None: the connection failed)."""

    started: float
    finished: float
    kind: str  # read, write, login, probe
    method: str
    path: str
    status: int | None
    retry_after: str | None = None
    problem: str = ""  # the error, or the start of a 5xx page


class Recorder:
    def __init__(self):
        self.outcomes: list[Outcome] = []
        self._lock = threading.Lock()

    def add(self, outcome):
        with self._lock:
            self.outcomes.append(outcome)

    def snapshot(self):
        with self._lock:
            return list(self.outcomes)


@dataclass
class Response:
    status: int | None
    headers: dict
    text: str
    posted: bool = False  # a POST reached the wire: it may have been written


class _Forms(HTMLParser):
    """Every <form> on a page: its attributes and its fields' attributes."""

    def __init__(self):
        super().__init__()
        self.forms, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = {"attrs": attrs, "fields": []}
            self.forms.append(self._open)
        elif tag in {"input", "textarea", "select"} and self._open is not None:
            self._open["fields"].append({"tag": tag, **attrs})

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def forms_on(html):
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Browser:
    def __init__(self, port, recorder, *, timeout=30):
        self.port, self.recorder, self.timeout = port, recorder, timeout
        self.cookies: dict[str, str] = {}

    def request(self, method, path, *, form=None, kind="read"):
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body, headers)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", "replace")
            status, response_headers = raw.status, dict(raw.headers.items())
            for cookie in raw.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(cookie).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
        except (OSError, http.client.HTTPException) as exc:
            self.recorder.add(
                Outcome(started, time.monotonic(), kind, method, path, None, None, repr(exc))
            )
            return Response(None, {}, "", posted=method == "POST")
        finally:
            connection.close()
        self.recorder.add(
            Outcome(
                started,
                time.monotonic(),
                kind,
                method,
                path,
                status,
                response_headers.get("Retry-After"),
                text[:2000] if status >= 500 else "",
            )
        )
        return Response(status, response_headers, text, posted=method == "POST")

    def submit(self, path, form_having, values, *, kind):
        """GET `path`, fill the form that has a field named or typed `form_having` with
        `values` (hidden fields keep theirs, others stay empty) and POST it."""
        page = self.request("GET", path, kind=kind)
        if page.status != 200:
            return page
        form = next(
            (
                f
                for f in forms_on(page.text)
                if any(form_having in (x.get("name"), x.get("type")) for x in f["fields"])
            ),
            None,
        )
        if form is None:
            return Response(0, {}, f"no form with {form_having} at {path}")
        data = {
            field["name"]: field.get("value", "")
            for field in form["fields"]
            if field.get("name") and field.get("type") == "hidden"
        }
        data.update(values(form["fields"]) if callable(values) else values)
        return self.request("POST", form["attrs"].get("action") or path, form=data, kind=kind)

    def log_in(self, login_path, username, password):
        """Sign in through the real login form, whatever its fields are called: the
        password goes in the password field, the username in the first visible text or
        e-mail field. True when the site redirects away from the login page."""

        def fill(fields):
            values, named = {}, False
            for field in fields:
                kind = (field.get("type") or "text").lower()
                if kind == "password":
                    values[field["name"]] = password
                elif kind in {"text", "email"} and not named and field.get("tabindex") != "-1":
                    values[field["name"]], named = username, True
            return values

        response = self.submit(login_path, "password", fill, kind="login")
        return response.status == 302 and login_path not in response.headers.get("Location", "")
