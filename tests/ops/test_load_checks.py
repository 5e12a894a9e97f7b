"""The load run's own arithmetic (tests/load): a lost, duplicated or unexplained write
and a 5xx outside an outage are each caught, so a PASSED from `make load` means
something. (The run itself is `make load`, and a short one is a step of .ci/run.)"""

from types import SimpleNamespace

from tests.load.client import Outcome
from tests.load.faults import Faults
from tests.load.run import PROFILES, Writes, plan_for

A, B = ("load00", "film-1"), ("load01", "film-1")


def test_an_acknowledged_write_missing_or_overwritten_by_an_older_one_is_lost():
    writes = Writes()
    writes.record(A, 7, "first", "ack")
    writes.record(A, 3, "second", "ack")
    writes.record(B, 5, "only", "ack")
    assert writes.check([[*A, 3, "second"], [*B, 5, "only"]]) == (0, 0)
    assert writes.check([[*A, 7, "first"], [*B, 5, "only"]]) == (1, 0)
    assert writes.check([[*A, 3, "second"]]) == (1, 0)


def test_a_write_whose_answer_was_lost_may_or_may_not_be_stored():
    writes = Writes()
    writes.record(A, 7, "first", "ack")
    writes.record(A, 3, "second", "unknown")
    assert writes.check([[*A, 7, "first"]]) == (0, 0)
    assert writes.check([[*A, 3, "second"]]) == (0, 0)
    writes.record(B, 4, "never answered", "unknown")
    assert writes.check([[*A, 7, "first"]]) == (0, 0)


def test_rows_nobody_asked_for_are_duplicates():
    writes = Writes()
    writes.record(A, 7, "first", "ack")
    stored = [[*A, 7, "first"], [*A, 7, "first"], ["load09", "film-3", 1, "ghost"]]
    assert writes.check(stored) == (0, 2)


def test_each_profile_drives_at_least_200_writes_from_50_accounts():
    for profile in PROFILES.values():
        slugs = [f"film-{n}" for n in range(profile["films"])]
        plans = [plan_for(i, slugs, profile["new"], profile["edits"]) for i in range(50)]
        assert profile["accounts"] == 50 and sum(map(len, plans)) >= 200
        assert all(len({slug for slug, _, _ in plan}) == profile["new"] for plan in plans)


def _outcome(started, status, path="/", retry_after="30", page="We are back in a moment"):
    return Outcome(started, started + 0.2, "read", "GET", path, status, retry_after, page)


def test_only_clean_503s_while_the_database_is_down_pass():
    faults = Faults(SimpleNamespace(workers=3), recorder=None, postgres=True)
    faults.outage, faults.workers_back = (10.0, 13.0, 14.0), True
    clean = [_outcome(11, 503), _outcome(12, 503, "/healthz", page="database unavailable")]
    verdict = faults.judge([_outcome(5, 200), *clean, _outcome(20, 200)])
    assert (verdict.bad_5xx, verdict.problems) == (0, [])

    verdict = faults.judge([*clean, _outcome(30, 503), _outcome(11, 500)])
    assert verdict.bad_5xx == 2
    verdict = faults.judge([*clean, _outcome(11, 503, retry_after=None)])
    assert verdict.problems == ["1 503s without Retry-After or the page"]
