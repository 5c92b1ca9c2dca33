"""Section 3: polling overshoot. The emulator makes a new registry `Running` exactly N seconds
after its POST (create_seconds=N, create_reads=0); `RegistryProvider.create` polls with
backoff. Overshoot = the moment `create` returns minus the moment the registry became Running,
split into the poll lag (first GET that saw Running) and the rest; GET polls per registry."""

from __future__ import annotations

import time
from typing import Any

from _env import emulator, run_id
from _report import median

from pulumi_ionoscr import _provider, _registry


def poll_schedule(horizon: float) -> list[float]:
    """Seconds after the first poll at which `wait_until` polls (its `poll_delays()`)."""
    times = [0.0]
    for delay in _provider.poll_delays():
        if times[-1] >= horizon:
            return times
        times.append(times[-1] + delay)
    raise AssertionError("unreachable: the schedule is endless")


def expected_overshoot(seconds: float) -> float:
    """Overshoot the backoff schedule alone implies for a registry ready after `seconds`."""
    return next(t for t in poll_schedule(seconds + 10) if t >= seconds) - seconds


def run(durations: tuple[float, ...], count: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for seconds in durations:
        samples: list[dict[str, float]] = []
        with emulator({"preset": "default", "create_seconds": seconds, "create_reads": 0}) as emu:
            provider = _registry.RegistryProvider()
            suffix = run_id()
            for i in range(count):
                inputs = dict(
                    provider.check(
                        {}, {"name": f"bench-{suffix}-os{i}", "location": "de/fra"}
                    ).inputs
                )
                emu.admin.clear_requests()
                started = time.time()
                created = provider.create(inputs)
                returned = time.time()
                log = emu.admin.requests()
                post = next(e for e in log if e["method"] == "POST")
                # The log stamps an entry when the answer is sent; the transition started
                # while the POST was handled.
                running_at = post["time"] - post["duration_ms"] / 1000 + seconds
                gets = [e for e in log if e["method"] == "GET" and e["time"] >= post["time"]]
                # When the server handled each poll (the log stamps the end of the answer).
                handled = [e["time"] - e["duration_ms"] / 1000 for e in gets]
                seen = next((t for t in handled if t >= running_at), returned)
                samples.append(
                    {
                        "create": returned - started,
                        "overshoot": returned - running_at,
                        "poll_lag": seen - running_at,
                        "polls": len(gets),
                    }
                )
                provider.delete(created.id, {**inputs, **created.outs})
        results[f"{seconds:g}"] = {
            "seconds": seconds,
            "samples": samples,
            "expected": expected_overshoot(seconds),
        }
    return results


def render(result: dict[str, Any]) -> tuple[list[str], list[list[object]]]:
    headers = [
        "Running after (s)",
        "registries",
        "create median (s)",
        "overshoot median (s)",
        "overshoot max (s)",
        "of which poll lag, median (s)",
        "GET polls",
        "schedule predicts (s)",
    ]
    rows: list[list[object]] = []
    for data in result.values():
        s = data["samples"]
        rows.append(
            [
                f"{data['seconds']:g}",
                len(s),
                median([x["create"] for x in s]),
                median([x["overshoot"] for x in s]),
                max(x["overshoot"] for x in s),
                median([x["poll_lag"] for x in s]),
                int(median([x["polls"] for x in s])),
                data["expected"],
            ]
        )
    return headers, rows
