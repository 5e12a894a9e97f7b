"""Load and faults on the real server: `python -m tests.load.run [--short]` (`make load`).

On a scratch database of DATABASE_URL's kind (tests/load/databases.py): migrate, seed
films and 50 accounts, start gunicorn with several workers on a free 127.0.0.1 port,
sign every account in (through the login form, read from the page), then drive review
submissions and edits from all accounts at once beside anonymous readers. Meanwhile:
one gunicorn worker is killed with SIGKILL, and, on PostgreSQL, the server is stopped for
a few seconds and started again (OUTAGE_SECONDS; it is the machine's shared server).

Printed, and required for exit status 0: no 5xx except clean 503s (Retry-After, the
site's page) while the database is down, /healthz saying 503 then, no lost or
duplicated write (every acknowledged write is in the database; a write whose answer was
lost may or may not be), no aggregate drift (`recompute_ratings --check`), the killed
worker replaced and everything answering again without a restart. Every loop is bounded
in count and in time.
"""

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from tests.load import databases, faults
from tests.load.client import Browser, Recorder
from tests.load.seed import PASSWORD, review_text

ROOT = Path(__file__).resolve().parents[2]
LOGIN_PATH = "/accounts/login/"
MAX_ATTEMPTS = 40  # per write, while the database is away or a worker dies
_KEYS = ("accounts", "films", "new", "edits", "readers", "workers", "seconds")
PROFILES = {
    # accounts, films, new reviews and edits per account, anonymous readers, gunicorn
    # workers, time limit for the load (s)
    "full": dict(zip(_KEYS, (50, 20, 4, 4, 10, 4, 300), strict=True)),
    "short": dict(zip(_KEYS, (50, 12, 2, 2, 4, 3, 100), strict=True)),
}
SHORT_FORM_LOGINS = 10  # each is a deliberately slow password hash


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_healthz(process, port, *, what="gunicorn", log=None, seconds=30):
    """Return once the server `process` started on `port` answers /healthz with 200; exit
    the script with `what` and the end of `log` (a Path) if it stops or does not answer."""
    probe = Browser(port, Recorder(), timeout=5)
    for _ in range(seconds * 5):
        if process.poll() is not None:
            sys.exit(f"{what} exited:\n{log.read_text()[-2000:] if log else ''}")
        if probe.request("GET", "/healthz").status == 200:
            return
        time.sleep(0.2)
    sys.exit(f"{what} did not answer /healthz within {seconds} s")


class Site:
    """The scratch database and the gunicorn serving it."""

    def __init__(self, url, directory, workers):
        self.url, self.workers, self.port = url, workers, free_port()
        self.log = Path(directory) / "gunicorn.log"
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_MEDIA_ROOT": str(Path(directory) / "media"),
            "REVIEWS_PER_HOUR": "100000",  # the spam limit is not under test here
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
        }
        self.server = None

    def manage(self, *args, check=True):
        return self.python("manage.py", *args, check=check)

    def python(self, *args, check=True):
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if check and result.returncode:
            sys.exit(f"{' '.join(args)} failed:\n{result.stderr[-2000:]}")
        return result

    def start(self):
        log = self.log.open("w")
        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for_healthz(self.server, self.port, log=self.log, seconds=60)

    def stop(self):
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            try:
                self.server.wait(30)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()


class Writes:
    """What each account asked for and what the site answered: the ledger the database
    is checked against. Each (account, film) is written by one thread only."""

    def __init__(self):
        self.attempts = {}  # (username, slug) -> [(rating, body, "ack"|"unknown"|"refused")]
        self.acknowledged = 0
        self.refusals = []
        self._lock = threading.Lock()

    def record(self, key, rating, body, result, detail=""):
        with self._lock:
            self.attempts.setdefault(key, []).append((rating, body, result))
            self.acknowledged += result == "ack"
            if result == "refused":
                self.refusals.append(f"{key}: {detail}")

    def check(self, stored):
        """(lost, duplicated): acknowledged writes missing or overwritten by an older
        one; rows nobody asked for, or more rows than asked for."""
        lost = duplicated = 0
        rows = Counter((username, slug) for username, slug, _, _ in stored)
        state = {(username, slug): (rating, body) for username, slug, rating, body in stored}
        for key, attempts in self.attempts.items():
            acks = [i for i, (_, _, result) in enumerate(attempts) if result == "ack"]
            allowed = {a[:2] for a in attempts[acks[-1] if acks else 0 :] if a[2] != "refused"}
            if key not in state:
                lost += bool(acks)
            elif state[key] not in allowed or rows[key] > 1:
                lost += state[key] not in allowed
                duplicated += rows[key] - 1
        load_rows = {key for key in rows if key[0].startswith("load")}
        duplicated += len(load_rows - set(self.attempts))
        return lost, duplicated


def writer(browser, username, plan, writes, deadline):
    for slug, version, rating in plan:
        body = review_text(username, slug, version)
        values = {"rating": rating, "headline": f"Take {version}", "body": body}
        for attempt in range(MAX_ATTEMPTS):
            if time.monotonic() > deadline:
                return
            response = browser.submit(f"/movies/{slug}/review/", "rating", values, kind="write")
            if response.posted and response.status == 302:
                if LOGIN_PATH in response.headers.get("Location", ""):
                    sys.exit(f"{username} is not signed in")
                writes.record((username, slug), rating, body, "ack")
                break
            if response.posted and response.status in {None, 500, 502, 503, 504}:
                writes.record((username, slug), rating, body, "unknown")
            elif response.posted:
                writes.record((username, slug), rating, body, "refused", response.status)
                break
            time.sleep(min(0.25 * 2**attempt, 1.0))


def reader(browser, slugs, stop, deadline):
    paths = ["/", "/movies/", "/healthz", "/movies/?sort=newest"]
    paths += [f"/movies/{slug}/" for slug in slugs] + [f"/movies/{slug}/reviews/" for slug in slugs]
    rng = random.Random(len(slugs))
    for _ in range(10_000):
        if stop.is_set() or time.monotonic() > deadline:
            return
        browser.request("GET", rng.choice(paths))


def plan_for(index, slugs, new, edits):
    """`new` reviews of films next to the account's index, then `edits` rewrites of
    them, each with another rating."""
    films = [slugs[(index * new + k) % len(slugs)] for k in range(new)]
    plan = [(slug, 1, 1 + (index + k) % 10) for k, slug in enumerate(films)]
    plan += [(films[k % new], 2 + k // new, 1 + (index + k + 5) % 10) for k in range(edits)]
    return plan


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the CI version (about a minute)")
    parser.add_argument("--no-faults", action="store_true", help="load only")
    parser.add_argument(
        "--form-logins", type=int, help="accounts signed in through the login form (default all)"
    )
    args = parser.parse_args(argv)
    profile = PROFILES["short" if args.short else "full"]
    base_url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="ww-load-") as directory:
        url = databases.scratch_url(base_url, "load", directory)
        site = Site(url, directory, profile["workers"])
        try:
            return run(site, profile, args)
        finally:
            site.stop()
            databases.drop(url)


def run(site, profile, args):
    began = time.monotonic()
    kind = "PostgreSQL" if databases.is_postgres(site.url) else "SQLite"
    print(f"Load run on {kind}: {site.url.rsplit('/', 1)[-1]}", flush=True)
    site.manage("migrate", "--noinput", "-v", "0")
    site.manage("collectstatic", "--noinput", "-v", "0")
    made = json.loads(
        site.python(
            "-m", "tests.load.seed", "seed", "--films", str(profile["films"]),
            "--accounts", str(profile["accounts"]),
        ).stdout
    )  # fmt: skip
    slugs, usernames = made["films"], made["accounts"]
    site.start()
    print(f"Migrated, seeded and started gunicorn in {time.monotonic() - began:.0f} s", flush=True)
    recorder = Recorder()
    browsers = {name: Browser(site.port, recorder) for name in usernames}

    form_logins = args.form_logins
    if form_logins is None:
        form_logins = SHORT_FORM_LOGINS if args.short else len(usernames)
    signed = _parallel(
        lambda name: browsers[name].log_in(LOGIN_PATH, name, PASSWORD), usernames[:form_logins]
    )
    by_form = [name for name, ok in zip(usernames[:form_logins], signed, strict=True) if ok]
    rest = [name for name in usernames if name not in by_form]
    if rest:
        minted = json.loads(site.python("-m", "tests.load.seed", "sessions", *rest).stdout)
        for name, key in minted["sessions"].items():
            browsers[name].cookies[minted["cookie"]] = key
    print(f"Signed in {len(usernames)} accounts, {len(by_form)} through the login form", flush=True)

    writes, stop = Writes(), threading.Event()
    deadline = time.monotonic() + profile["seconds"]
    plans = [plan_for(i, slugs, profile["new"], profile["edits"]) for i in range(len(usernames))]
    planned = sum(len(plan) for plan in plans)
    threads = [
        threading.Thread(target=writer, args=(browsers[name], name, plan, writes, deadline))
        for name, plan in zip(usernames, plans, strict=True)
    ] + [
        threading.Thread(target=reader, args=(Browser(site.port, recorder), slugs, stop, deadline))
        for _ in range(profile["readers"])
    ]
    injected = faults.Faults(site, recorder, kind == "PostgreSQL")
    load_began = time.monotonic()
    for thread in threads:
        thread.start()
    if not args.no_faults:
        injected.during(lambda: writes.acknowledged / planned, deadline)
    for thread in threads[: len(usernames)]:
        thread.join(max(1, deadline - time.monotonic() + 30))
    stop.set()
    for thread in threads:
        thread.join(30)
    load_seconds = time.monotonic() - load_began
    recovered = injected.everything_answers([f"/movies/{slug}/" for slug in slugs])

    lost, duplicated = writes.check(
        json.loads(site.python("-m", "tests.load.seed", "reviews").stdout)
    )
    drift_check = site.manage("recompute_ratings", "--check", check=False)
    drift = 0 if drift_check.returncode == 0 else len(drift_check.stdout.strip().splitlines())
    verdict = injected.judge(recorder.snapshot())
    outcomes = recorder.snapshot()
    statuses = Counter(o.status for o in outcomes)
    write_times = sorted(o.finished - o.started for o in outcomes if o.kind == "write")
    print(
        f"Requests: {len(outcomes)} in {load_seconds:.1f} s "
        f"({len(outcomes) / max(load_seconds, 0.1):.0f}/s); statuses "
        + ", ".join(f"{k or 'no answer'}: {v}" for k, v in sorted(statuses.items(), key=str))
    )
    if write_times:
        print(
            f"Write requests (form page and post): median "
            f"{write_times[len(write_times) // 2] * 1000:.0f} ms, 95th percentile "
            f"{write_times[int(len(write_times) * 0.95)] * 1000:.0f} ms"
        )
    print(
        f"Writes acknowledged: {writes.acknowledged} of {planned} planned, "
        f"from {len(usernames)} accounts"
    )
    for line in verdict.lines:
        print(line)
    print(f"5xx outside a database outage: {verdict.bad_5xx}")
    print(
        f"Lost writes: {lost}; duplicated writes: {duplicated}; "
        f"refused writes: {len(writes.refusals)}"
    )
    print(f"Aggregate drift (recompute_ratings --check): {drift} films")
    failures = [
        message
        for failed, message in [
            (planned < 200, f"only {planned} writes planned"),
            (writes.acknowledged < planned, "not every write was acknowledged"),
            (verdict.bad_5xx, "5xx outside the outage"),
            (verdict.problems, "; ".join(verdict.problems)),
            (lost or duplicated, "lost or duplicated writes"),
            (writes.refusals, f"refused: {writes.refusals[:3]}"),
            (drift, drift_check.stdout[-500:]),
            (not recovered, "the site did not recover"),
        ]
        if failed
    ]
    print(f"Took {time.monotonic() - began:.0f} s in all.")
    if failures:
        print(f"FAILED: {' | '.join(failures)}\nServer log (tail):")
        print(site.log.read_text()[-3000:])
        return 1
    print("PASSED")
    return 0


def _parallel(function, items, width=10):
    results = [None] * len(items)

    def work(start):
        for i in range(start, len(items), width):
            results[i] = function(items[i])

    pool = [threading.Thread(target=work, args=(n,)) for n in range(min(width, len(items)))]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results


if __name__ == "__main__":
    sys.exit(main())
