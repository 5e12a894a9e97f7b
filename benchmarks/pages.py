"""Every kind of page under wrk, against a bare Django view, on a seeded PostgreSQL.

    .venv/bin/python benchmarks/pages.py [--films 2000] [--reviews 20000] [--duration 10]
        [--connections 16] [--workers 5] [--database-url postgres://.../seeded_db]

Without --database-url: a scratch database on BENCH_DATABASE_URL's (or DATABASE_URL's)
server, migrated and seeded at the chosen scale (benchmarks/seeding.py), dropped after.
Starts gunicorn on 127.0.0.1 (DEBUG off, access log off, CACHE_URL's Redis, default
redis://127.0.0.1:6379/3, flushed first, PAGE_CACHE_ALLOW_BYPASS on) and runs
`wrk -t2 -c16` for --duration seconds on each page, one at a time, as a browser asks
(`Accept-Encoding: gzip`):

the bare view (/_bench/bare, DJANGO_BENCH_BARE_VIEW: every middleware, no work), the
health check, home, the catalogue, the most reviewed film's verdict page (cached, then
uncached), its reviews page (both), a search, the sitemap index, the feed, and review submission
(a signed-in reader editing their review with the form's CSRF token, a wrk Lua script)
while a second wrk loads that film's page.

Before each run one request checks what the page cache does with it (its X-Page-Cache
header): a "cached" page must answer `hit` (a page that does not is reported, not
measured as cached), an "uncached" one `bypass` (sent with `X-Page-Cache: bypass`, so
it renders every time). Prints a markdown table (req/s, p50, p99, errors, the cache's
answer, the ratio to the bare view, gunicorn's CPU milliseconds a request), the machine
and the load average during the run.
Needs wrk (`make bench` installs Debian's package).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from _setup import ROOT, machine

sys.path.insert(0, str(ROOT))

from tests.load import databases  # noqa: E402
from tests.load.client import Browser, Recorder, forms_on  # noqa: E402
from tests.load.run import free_port, wait_for_healthz  # noqa: E402

DEFAULT_CACHE = "redis://127.0.0.1:6379/3"

SUBMIT_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "%(cookie)s"
local n = 0
request = function()
    n = n + 1
    local body = "%(form)s" .. "&rating=" .. (n %% 10 + 1)
    return wrk.format(nil, nil, nil, body)
end
"""


class Server:
    def __init__(self, env, directory, name):
        self.port = free_port()
        self.log = Path(directory) / f"gunicorn-{name}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env={**env, "BIND": f"127.0.0.1:{self.port}"},
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_healthz(self.process, self.port, log=self.log)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def cpu_seconds(self):
        """CPU time gunicorn has used so far: the master, its live workers, and (in the
        master's cutime and cstime) the workers it has already reaped (max_requests
        recycles them). On a machine other work shares, CPU a request stays put where
        requests a second do not."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # exited meanwhile
            pid = int(stat.parent.name)
            # fields[0] is the state; [1] ppid, [3] session, [11:15] utime stime cutime cstime
            if pid == self.process.pid:
                total += sum(int(n) for n in fields[11:15])
            elif int(fields[1]) == self.process.pid and int(fields[3]) == self.process.pid:
                total += int(fields[11]) + int(fields[12])
        return total / ticks

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def to_ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


#: What every measured GET sends, as a browser does: the page cache keeps a gzip copy.
BROWSER_HEADERS = {"Accept-Encoding": "gzip"}
#: The uncached runs: the page cache renders the page (PAGE_CACHE_ALLOW_BYPASS), with
#: the film-only parts of a verdict page from the cache, as after a review of the film
#: (movies/fragments.py); "cold" renders those too, as after a film's own save.
BYPASS_HEADERS = {**BROWSER_HEADERS, "X-Page-Cache": "bypass"}
COLD_HEADERS = {**BROWSER_HEADERS, "X-Page-Cache": "cold"}


def cache_answer(server, path, headers):
    """The status and X-Page-Cache header ("hit", "miss", "bypass", "-" for none) of one
    GET sent with `headers`, as wrk sends them."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("X-Page-Cache") or "-"
    finally:
        connection.close()


def load_average():
    return float(Path("/proc/loadavg").read_text().split()[0])


def wrk(url, args, *, script=None, headers=BROWSER_HEADERS, server=None):
    """One wrk run: req/s, p50 and p99 in ms, requests that failed (non-2xx/3xx, socket
    errors, timeouts), and with `server` the app's CPU milliseconds a request."""
    command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    command += ["--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", script]
    cpu_before = server.cpu_seconds() if server else None
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=args.duration + 60
    ).stdout
    cpu = server.cpu_seconds() - cpu_before if server else None
    done = int(re.search(r"(\d+) requests in", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return {
        "rps": rate,
        "p50": p50,
        "p99": p99,
        "errors": errors,
        "load": load_average(),
        "cpu_ms": 1000 * cpu / done if server and done else None,
    }


def signed_in_form(server, username, password, slug):
    """The cookie header and form fields (with its CSRF token) of `username`'s review form."""
    browser = Browser(server.port, Recorder())
    if not browser.log_in("/accounts/login/", username, password):
        sys.exit(f"{username} could not sign in")
    page = browser.request("GET", f"/movies/{slug}/review/")
    form = next(
        f for f in forms_on(page.text) if any(x.get("name") == "rating" for x in f["fields"])
    )
    fields = {x["name"]: x.get("value", "") for x in form["fields"] if x.get("type") == "hidden"}
    fields.update(headline="Benchmarked", body="Benchmarked. " * 12)
    fields.pop("rating", None)
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    return cookie, urlencode(fields)


def measure(args, directory, database_url):
    from seeding import BENCH_PASSWORD

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CACHE_URL": args.cache_url,
        "DJANGO_BENCH_BARE_VIEW": "true",
        "DJANGO_DEBUG": "false",
        "PAGE_CACHE": "true",
        "PAGE_CACHE_ALLOW_BYPASS": "true",
        "GUNICORN_ACCESS_LOG": "false",
        "WEB_CONCURRENCY": str(args.workers),
        "REVIEWS_PER_HOUR": "1000000",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    import redis

    redis.Redis.from_url(args.cache_url).flushdb()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    from django.db.models import Count

    from movies.models import Movie

    popular = (
        Movie.objects.published()
        .annotate(n=Count("reviews"))
        .order_by("-n")
        .values_list("slug", "title", "n")
        .first()
    )
    slug, title, review_count = popular
    word = next((w for w in re.findall(r"[A-Za-z]{4,}", title)), "night")
    cached = Server(env, directory, "cached")
    from seeding import bench_reader

    try:
        cookie, form = signed_in_form(cached, bench_reader(), BENCH_PASSWORD, slug)
    except BaseException:
        cached.stop()
        raise
    signed_in = {**BROWSER_HEADERS, "Cookie": cookie}
    rows = []
    # (label, path, headers, what X-Page-Cache must say; None: the page is not cached)
    pages = [
        ("bare Django view (the ceiling)", "/_bench/bare", BROWSER_HEADERS, None),
        ("/healthz", "/healthz", BROWSER_HEADERS, None),
        ("home", "/", BROWSER_HEADERS, "hit"),
        ("/movies/", "/movies/", BROWSER_HEADERS, "hit"),
        (f"verdict page ({review_count:,} reviews), cached", f"/movies/{slug}/",
         BROWSER_HEADERS, "hit"),
        ("verdict page, uncached: rendered from its cached parts", f"/movies/{slug}/",
         BYPASS_HEADERS, "bypass"),
        ("verdict page, nothing cached (cold)", f"/movies/{slug}/", COLD_HEADERS, "bypass"),
        ("verdict page, a signed-in reader (never a cached page)", f"/movies/{slug}/",
         signed_in, "bypass"),
        ("its reviews page, cached", f"/movies/{slug}/reviews/", BROWSER_HEADERS, "hit"),
        ("its reviews page, uncached", f"/movies/{slug}/reviews/", BYPASS_HEADERS, "bypass"),
        (f'search "{word.lower()}" (never cached)', f"/search/?q={word.lower()}",
         BROWSER_HEADERS, None),
        ("/sitemap.xml", "/sitemap.xml", BROWSER_HEADERS, "hit"),
        ("feed", "/feeds/verdicts/", BROWSER_HEADERS, "hit"),
    ]  # fmt: skip
    if args.only:
        pages = [p for p in pages if re.search(args.only, p[0]) or p[1] == "/_bench/bare"]
    try:
        for label, path, headers, expected in pages:
            # Warm every worker (its first page compiles templates, resolves URLs) and
            # the page cache.
            warm = argparse.Namespace(connections=args.connections, duration=2)
            wrk(cached.url(path), warm, headers=headers)
            status, answer = cache_answer(cached, path, headers)
            if status != 200 or (expected and answer != expected):
                print(f"  {label}: {status}, X-Page-Cache {answer}, expected {expected}")
            result = wrk(cached.url(path), args, headers=headers, server=cached)
            result["cache"] = answer
            rows.append((label, result))
            print(f"  {label}: {result['rps']:.0f} req/s ({answer})", flush=True)
            if result["errors"]:
                answer = Browser(cached.port, Recorder()).request("GET", path)
                print(
                    f"    {result['errors']} failed; now it answers {answer.status}: "
                    f"{answer.text[:160]!r}"
                )

        if args.only and not re.search(args.only, "review submission"):
            return rows
        check = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
             "-H", f"Cookie: {cookie}", "--data", f"{form}&rating=7",
             cached.url(f"/movies/{slug}/review/")],
            capture_output=True, text=True, timeout=60,
        ).stdout  # fmt: skip
        if not check.startswith("302") or "/login" in check:
            sys.exit(f"The review form did not accept the benchmark's post: {check}")
        script = Path(directory) / "submit.lua"
        script.write_text(SUBMIT_LUA % {"cookie": cookie, "form": form})
        readers = {}

        def read():
            readers["result"] = wrk(cached.url(f"/movies/{slug}/"), args)

        thread = threading.Thread(target=read)
        thread.start()
        writes = wrk(
            cached.url(f"/movies/{slug}/review/"),
            argparse.Namespace(connections=2, duration=args.duration),
            script=str(script),
        )
        thread.join(args.duration + 90)
        writes["cache"] = "-"
        readers["result"]["cache"] = "hit/stale/miss"
        rows.append(("review submission (2 writers, POST and redirect)", writes))
        rows.append(("&nbsp;&nbsp;verdict page meanwhile (readers)", readers["result"]))
    finally:
        cached.stop()
    return rows


def table(rows, args, scale):
    bare = rows[0][1]["rps"]
    lines = [
        f"wrk -t2 -c{args.connections}, {args.duration} s a page, gunicorn {args.workers} sync "
        f"workers, DEBUG and the access log off, Redis as the cache; {scale}. Load average "
        f"at the end of each run: {min(r['load'] for _, r in rows):.1f} to "
        f"{max(r['load'] for _, r in rows):.1f}.",
        "",
        "| page | X-Page-Cache | req/s | p50 | p99 | failed | share of the bare view "
        "| app CPU a request |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, r in rows:
        cpu = "" if r.get("cpu_ms") is None else f"{r['cpu_ms']:.2f} ms"
        lines.append(
            f"| {label} | {r['cache']} | {r['rps']:.0f} | {r['p50']:.1f} ms | "
            f"{r['p99']:.1f} ms | {r['errors']} | {100 * r['rps'] / bare:.1f}% | {cpu} |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--films", type=int, default=2000)
    parser.add_argument("--reviews", type=int, default=20000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers")
    parser.add_argument("--database-url", help="an already seeded database (kept)")
    parser.add_argument("--cache-url", default=os.environ.get("BENCH_CACHE_URL", DEFAULT_CACHE))
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument(
        "--only", help="a regular expression: only the rows it finds (and the bare view)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: `make bench` installs Debian's wrk")
    base = (
        os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or ("postgres://postgres@127.0.0.1:5432/postgres")
    )
    if not databases.is_postgres(args.database_url or base):
        sys.exit("The page benchmark needs PostgreSQL: BENCH_DATABASE_URL=postgres://...")
    with tempfile.TemporaryDirectory(prefix="ww-bench-") as directory:
        url = args.database_url or databases.scratch_url(base, "servers_bench", directory)
        try:
            from _setup import django_on

            django_on(url)
            from movies.models import Movie
            from reviews.models import Review

            if not args.database_url:
                from seeding import seed

                started = time.monotonic()
                seed(films=args.films, reviews=args.reviews)
                print(f"Seeded in {time.monotonic() - started:.0f} s", flush=True)
            scale = (
                f"{Movie.objects.count():,} films, {Review.objects.count():,} reviews, {machine()}"
            )
            print(scale, flush=True)
            rows = measure(args, directory, url)
        finally:
            if not args.database_url:
                from django.db import connections

                connections.close_all()
                databases.drop(url)
    print()
    print(table(rows, args, scale))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
