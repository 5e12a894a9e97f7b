"""The MDN HTTP Observatory's score for one response, from its headers alone.

Implements the published scoring table
(https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring) for the tests a
single response can answer: Content-Security-Policy, cookies, CORS, HSTS, Referrer-Policy,
X-Content-Type-Options, X-Frame-Options (or CSP frame-ancestors) and
Cross-Origin-Resource-Policy. Redirection (http -> https) needs a real listener and is
left out; Subresource Integrity scores 0 here since every script is our own.

Every site starts at 100; penalties are taken first, and bonuses are added only if the
result is 90 or more. `score()` returns (total, {test: (result, modifier)}).
"""

import re
from http.cookies import SimpleCookie

SIX_MONTHS = 15_768_000
PRIVATE_REFERRER = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
UNSAFE_REFERRER = {"origin", "origin-when-cross-origin", "unsafe-url"}


def parse_csp(header):
    """{directive: [sources]} (lower-cased names; the first of a repeated directive wins)."""
    policy = {}
    for part in header.split(";"):
        tokens = part.strip().split()
        if tokens:
            policy.setdefault(tokens[0].lower(), [t.lower() for t in tokens[1:]])
    return policy


def _csp(response):
    header = response.headers.get("Content-Security-Policy")
    if header is None:
        return "csp-not-implemented", -25
    policy = parse_csp(header)
    if not policy:
        return "csp-header-invalid", -25
    default = policy.get("default-src")
    scripts = policy.get("script-src", default)
    styles = policy.get("style-src", default)
    if scripts is None or "'unsafe-inline'" in scripts or "*" in scripts:
        return "csp-implemented-with-unsafe-inline", -20
    sources = [s for values in policy.values() for s in values]
    if any(s in {"http:", "*"} or s.startswith("http://") for s in scripts):
        return "csp-implemented-with-insecure-scheme", -20
    if "'unsafe-eval'" in scripts:
        return "csp-implemented-with-unsafe-eval", -10
    if any(s == "http:" or s.startswith("http://") for s in sources):
        return "csp-implemented-with-insecure-scheme-in-passive-content-only", -10
    if styles is None or "'unsafe-inline'" in styles:
        return "csp-implemented-with-unsafe-inline-in-style-src-only", 0
    if default == ["'none'"]:
        return "csp-implemented-with-no-unsafe-default-src-none", 10
    return "csp-implemented-with-no-unsafe", 0


def _cookies(response, hsts):
    cookies = SimpleCookie()
    for morsel in response.cookies.values():
        cookies.load(morsel.OutputString())
    if not cookies:
        return "cookies-not-found", 0
    results = []
    for name, morsel in cookies.items():
        session = any(word in name.lower() for word in ("login", "sess"))
        samesite = morsel["samesite"].lower()
        if not morsel["secure"]:
            if session:
                results.append(
                    ("cookies-session-without-secure-flag-but-protected-by-hsts", -10)
                    if hsts
                    else ("cookies-session-without-secure-flag", -40)
                )
            else:
                results.append(
                    ("cookies-without-secure-flag-but-protected-by-hsts", -5)
                    if hsts
                    else ("cookies-without-secure-flag", -20)
                )
        if session and not morsel["httponly"]:
            results.append(("cookies-session-without-httponly-flag", -30))
        if samesite and samesite not in {"strict", "lax", "none"}:
            results.append(("cookies-samesite-flag-invalid", -20))
        if "csrf" in name.lower() and not samesite:
            results.append(("cookies-anticsrf-without-samesite-flag", -20))
        if not samesite:
            results.append(("cookies-secure-with-httponly-sessions", 0))
    if results:
        return min(results, key=lambda result: result[1])
    return "cookies-secure-with-httponly-sessions-and-samesite", 5


def _cors(response):
    if response.headers.get("Access-Control-Allow-Origin", "").strip() == "*":
        return "cross-origin-resource-sharing-implemented-with-universal-access", -50
    return "cross-origin-resource-sharing-not-implemented", 0


def _hsts(response):
    header = response.headers.get("Strict-Transport-Security")
    if header is None:
        return "hsts-not-implemented", -20
    match = re.search(r"max-age=\"?(\d+)\"?", header, re.IGNORECASE)
    if not match:
        return "hsts-header-invalid", -20
    if int(match.group(1)) < SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months", -10
    return "hsts-implemented-max-age-at-least-six-months", 0


def _referrer(response):
    header = response.headers.get("Referrer-Policy")
    if header is None:
        return "referrer-policy-not-implemented", 0
    # The browser uses the last value it understands.
    values = [v.strip().lower() for v in header.split(",") if v.strip()]
    if not values:
        return "referrer-policy-header-invalid", -5
    if values[-1] in PRIVATE_REFERRER:
        return "referrer-policy-private", 5
    if values[-1] == "no-referrer-when-downgrade":
        return "referrer-policy-no-referrer-when-downgrade", 0
    if values[-1] in UNSAFE_REFERRER:
        return "referrer-policy-unsafe", -5
    return "referrer-policy-header-invalid", -5


def _nosniff(response):
    header = response.headers.get("X-Content-Type-Options")
    if header is None:
        return "x-content-type-options-not-implemented", -5
    if header.strip().lower() != "nosniff":
        return "x-content-type-options-header-invalid", -5
    return "x-content-type-options-nosniff", 0


def _framing(response):
    csp = parse_csp(response.headers.get("Content-Security-Policy", ""))
    ancestors = csp.get("frame-ancestors")
    if ancestors and "*" not in ancestors:
        return "x-frame-options-implemented-via-csp", 5
    header = response.headers.get("X-Frame-Options")
    if header is None:
        return "x-frame-options-not-implemented", -20
    value = header.strip().lower()
    if value in {"deny", "sameorigin"}:
        return "x-frame-options-sameorigin-or-deny", 0
    if value.startswith("allow-from "):
        return "x-frame-options-allow-from-origin", 0
    return "x-frame-options-header-invalid", -20


def _corp(response):
    header = response.headers.get("Cross-Origin-Resource-Policy")
    if header is None:
        return "cross-origin-resource-policy-not-implemented", 0
    value = header.strip().lower()
    if value in {"same-origin", "same-site", "cross-origin"}:
        return f"cross-origin-resource-policy-implemented-with-{value}", 0
    return "cross-origin-resource-policy-header-invalid", -5


def score(response):
    hsts = _hsts(response)
    results = {
        "content-security-policy": _csp(response),
        "cookies": _cookies(response, hsts=hsts[1] == 0),
        "cross-origin-resource-sharing": _cors(response),
        "strict-transport-security": hsts,
        "referrer-policy": _referrer(response),
        "x-content-type-options": _nosniff(response),
        "x-frame-options": _framing(response),
        "cross-origin-resource-policy": _corp(response),
    }
    total = max(0, 100 + sum(m for _, m in results.values() if m < 0))
    if total >= 90:
        total += sum(m for _, m in results.values() if m > 0)
    return total, results
