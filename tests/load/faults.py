"""The load run's faults and what they must look like from outside.

A gunicorn worker killed with SIGKILL (only children of the gunicorn this run started);
on PostgreSQL, the machine's server stopped for OUTAGE_SECONDS and started again (stop,
wait, start rather than `restart`, so the outage is long enough to be seen; started
again whatever happens). Requests that start while the database is away must be a 503
with Retry-After and the site's 503 page, /healthz must say 503, and everything must
answer again without restarting gunicorn.
"""

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field

from tests.load.client import Browser

OUTAGE_SECONDS = 1  # after the stop command returns (a shutdown checkpoint takes a while)
UNAVAILABLE_PAGE = "We are back in a moment"


def worker_pids(master):
    """The pids whose parent is `master` (gunicorn's workers)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == master:
            pids.append(int(entry))
    return pids


def _pg_ctl(action):
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def _pg_ready():
    ready = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], timeout=10)
    return ready.returncode == 0


@dataclass
class Verdict:
    lines: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    bad_5xx: int = 0


class Faults:
    def __init__(self, site, recorder, postgres):
        self.site, self.recorder, self.postgres = site, recorder, postgres
        self.began = time.monotonic()
        self.killed = []  # (pid, when)
        self.outage = None  # (down, back, answering)
        self.stop_took = 0.0

    def during(self, progress, deadline):
        """Kill a worker at 30% of the writes; stop PostgreSQL at 60%."""
        if self._wait_for(progress, 0.3, deadline):
            pid = sorted(worker_pids(self.site.server.pid))[0]
            os.kill(pid, signal.SIGKILL)
            self.killed.append((pid, time.monotonic()))
        if self.postgres and self._wait_for(progress, 0.6, deadline):
            self._database_outage()

    def _wait_for(self, progress, share, deadline):
        while progress() < share:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _database_outage(self):
        probe, stop = Browser(self.site.port, self.recorder, timeout=10), threading.Event()

        def watch():
            for _ in range(2000):  # at most a few minutes, in practice ~10 s
                if stop.is_set():
                    return
                probe.request("GET", "/healthz", kind="probe")
                probe.request("GET", "/", kind="probe")
                time.sleep(0.1)

        watcher = threading.Thread(target=watch)
        watcher.start()
        down = time.monotonic()
        try:
            stopped = _pg_ctl("stop")
            if stopped.returncode:
                raise RuntimeError(f"pg_ctlcluster stop failed: {stopped.stderr}")
            self.stop_took = time.monotonic() - down
            time.sleep(OUTAGE_SECONDS)
        finally:
            for _ in range(30):  # the whole machine needs it back: try hard
                if _pg_ready() or _pg_ctl("start").returncode == 0 and _pg_ready():
                    break
                time.sleep(1)
        back = time.monotonic()
        answering = None
        for _ in range(300):  # 60 s
            if probe.request("GET", "/healthz", kind="probe").status == 200:
                answering = time.monotonic()
                break
            time.sleep(0.2)
        stop.set()
        watcher.join(30)
        self.outage = (down, back, answering)

    def everything_answers(self, paths):
        """After the run: every worker is back, /healthz and every page answer 200."""
        master = self.site.server.pid
        for _ in range(100):  # 20 s for the master to replace a dead worker
            if len(worker_pids(master)) == self.site.workers:
                break
            time.sleep(0.2)
        browser = Browser(self.site.port, self.recorder)
        statuses = [browser.request("GET", path, kind="final").status for path in paths]
        healthy = browser.request("GET", "/healthz", kind="final").status
        self.workers_back = len(worker_pids(master)) == self.site.workers
        self.final_ok = healthy == 200 and set(statuses) == {200}
        return self.workers_back and self.final_ok and self.site.server.poll() is None

    def judge(self, outcomes):
        verdict = Verdict()
        window = None
        if self.outage:
            down, back, answering = self.outage
            window = (down, answering or back)

        def in_outage(outcome):
            # Served while the database was away: requests queue for a worker, so one
            # sent just before the stop may be served during it, and one sent during it
            # may still be waiting for a worker when the database is back.
            return window is not None and (
                outcome.started <= window[1] and outcome.finished >= window[0]
            )

        unavailable = [o for o in outcomes if o.status == 503 and in_outage(o)]
        verdict.bad_5xx = sum(
            1 for o in outcomes if o.status and o.status >= 500 and o not in unavailable
        )
        no_answer = [o for o in outcomes if o.status is None]
        if len(no_answer) > len(self.killed):
            verdict.problems.append(f"{len(no_answer)} requests got no answer")
        for pid, when in self.killed:
            verdict.lines.append(
                f"Fault: worker {pid} killed (SIGKILL) {when - self.began:.1f} s into the "
                f"load; requests that lost their answer: {len(no_answer)}; workers back to "
                f"{self.site.workers}: {'yes' if self.workers_back else 'NO'}"
            )
        if self.outage:
            down, back, answering = self.outage
            healthz = [o for o in unavailable if o.path == "/healthz"]
            pages = [o for o in unavailable if o.path != "/healthz"]
            unclean = [o for o in unavailable if o.retry_after is None] + [
                o for o in pages if UNAVAILABLE_PAGE not in o.problem
            ]
            verdict.lines.append(
                f"Fault: PostgreSQL down for {back - down:.1f} s (the stop command took "
                f"{self.stop_took:.1f} s): {len(pages)} page "
                f"requests answered 503 ({len(unclean)} without Retry-After or the 503 page), "
                f"/healthz said 503 {len(healthz)} times; answering again "
                + (f"{answering - back:.1f} s after the server was back" if answering else "NEVER")
            )
            if not healthz or not pages:
                verdict.problems.append("no 503 seen while the database was down")
            if unclean:
                verdict.problems.append(f"{len(unclean)} 503s without Retry-After or the page")
            if answering is None:
                verdict.problems.append("the site did not answer after the database came back")
        return verdict
