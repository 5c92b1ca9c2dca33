"""The schedule a registry wait polls by: how late a ready registry is seen, and at what cost in
GETs. Computed from the delays alone (no clock, no sleeping)."""

from __future__ import annotations

import itertools

import pytest

from pulumi_ionoscr._exceptions import WaitTimeoutError
from pulumi_ionoscr._provider import poll_delays, wait_until


def poll_times(horizon: float) -> list[float]:
    """Seconds after the first poll (at 0) at which the schedule polls, up to `horizon`."""
    times = [0.0]
    for delay in poll_delays():
        times.append(times[-1] + delay)
        if times[-1] >= horizon:
            return times
    raise AssertionError("unreachable: the schedule is endless")


def seen_after(ready_at: float) -> float:
    """When the first poll at or after `ready_at` happens."""
    return next(t for t in poll_times(ready_at + 20) if t >= ready_at)


def test_no_gap_above_two_seconds_in_the_first_forty() -> None:
    times = poll_times(40)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert max(gaps) == pytest.approx(2.0)
    assert times[1] == pytest.approx(0.1)  # a registry ready at once is seen at once


def test_gaps_never_shrink_and_are_capped_at_ten_seconds() -> None:
    gaps = list(itertools.islice(poll_delays(), 200))
    assert gaps == sorted(gaps)
    assert max(gaps) == pytest.approx(10.0)
    waited = list(itertools.accumulate(gaps))
    after_200s = [gap for gap, at in zip(gaps[1:], waited[:-1], strict=True) if at > 200]
    assert after_200s and all(gap == pytest.approx(10.0) for gap in after_200s)


def test_a_ready_registry_is_seen_within_two_seconds_or_a_twentieth_of_the_wait() -> None:
    times = poll_times(700)
    for ready_at in (x / 10 for x in range(1, 6001)):  # 0.1 s to 10 minutes
        late = next(t for t in times if t >= ready_at) - ready_at
        assert late <= min(10.0, max(2.0, ready_at / 20)) + 1e-9, ready_at


@pytest.mark.parametrize(("ready_at", "at_most_late"), [(1, 0.6), (2, 0.7), (5, 1.4), (10, 0.4)])
def test_short_waits_end_soon_after_ready(ready_at: float, at_most_late: float) -> None:
    assert seen_after(ready_at) - ready_at <= at_most_late


def test_five_minutes_cost_no_more_gets_than_polling_every_five_seconds() -> None:
    assert len([t for t in poll_times(300) if t <= 300]) <= 300 / 5 + 10


def test_wait_until_sleeps_the_schedule() -> None:
    slept: list[float] = []
    answers = iter([False] * 9 + [True])
    assert wait_until(
        lambda: next(answers), done=bool, timeout=600, what="test", sleep=slept.append
    )
    assert slept == list(itertools.islice(poll_delays(), 9))


def test_wait_until_stops_at_its_deadline() -> None:
    slept: list[float] = []
    with pytest.raises(WaitTimeoutError, match="did not finish within 0s"):
        wait_until(lambda: False, done=bool, timeout=0, what="test", sleep=slept.append)
    assert slept == []
