"""Section 6: many registries created at once. The emulator makes each new registry `Running`
T seconds after its POST; `pulumi up` creates `registries` of them, on the default provider or
spread over `parallel_providers(n)`, with the engine's default `--parallel` or a raised one.
"At once" is read from the request log: a registry waits from its first GET to its last, and
the most waits that overlap is how many registries the setup really waited for together."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any, NamedTuple

from _env import API_TOKEN, PARALLEL_DIR, Cli, Stack, emulator, run_id
from _report import median


class Setup(NamedTuple):
    label: str
    providers: int  # 0: the default provider
    parallel: int | None  # `pulumi up --parallel`; None: the engine's default (4 per CPU)


def setups(registries: int) -> tuple[Setup, ...]:
    """The default provider (a raised `--parallel` changes nothing there: measured, it is the
    provider's four workers that wait), enough parallel providers for every registry with the
    engine's default `--parallel` and with one that lets them all work, and one provider per
    registry (processes cost CPU)."""
    shards = -(-registries // 4)
    return (
        Setup("default provider", 0, None),
        Setup(f"parallel_providers({shards})", shards, None),
        Setup(f"parallel_providers({shards}), --parallel {4 * shards}", shards, 4 * shards),
        Setup(
            f"parallel_providers({registries}), --parallel {4 * registries}",
            registries,
            4 * registries,
        ),
    )


def most_waiting(log: list[dict[str, Any]]) -> int:
    """The most registries whose waits (first to last GET of the registry) overlap."""
    gets: dict[str, list[float]] = defaultdict(list)
    for entry in log:
        parts = str(entry["path"]).rstrip("/").split("/")
        if entry["method"] == "GET" and len(parts) >= 2 and parts[-2] == "registries":
            # The log stamps an entry when the answer is sent.
            gets[parts[-1]].append(float(entry["time"]) - float(entry["duration_ms"]) / 1000)
    events = sorted(
        [(min(times), 1) for times in gets.values()] + [(max(times), -1) for times in gets.values()]
    )
    most = now = 0
    for _, change in events:
        now += change
        most = max(most, now)
    return most


def _one(cli: Cli, emu: Any, setup: Setup, registries: int) -> dict[str, float]:
    env = {"IONOSCR_ENDPOINT": emu.base_url, "IONOS_TOKEN": API_TOKEN}
    stack = Stack(cli, env, project=PARALLEL_DIR)
    try:
        stack.init(
            {"registries": str(registries), "providers": str(setup.providers), "runId": run_id()}
        )
        extra = ["--parallel", str(setup.parallel)] if setup.parallel else []
        emu.admin.clear_requests()
        started = time.time()
        up = stack.run(["up", "--yes", "--skip-preview", *extra])
        log = emu.admin.requests()
        posts = [float(e["time"]) for e in log if e["method"] == "POST"]
        last = max(float(e["time"]) for e in log)
        destroy = stack.run(["destroy", "--yes", "--skip-preview", *extra])
        return {
            "up": up.seconds,
            "waiting": most_waiting(log),
            "first POST": min(posts) - started,
            "last POST": max(posts) - started,
            "last call": last - started,
            "destroy": destroy.seconds,
        }
    finally:
        stack.close()


def run(cli: Cli, registries: int, seconds: float, rounds: int) -> dict[str, Any]:
    """{setup label: {"up": [...], "waiting": [...], "destroy": [...]}}, rounds interleaved."""
    timing = {"preset": "default", "create_seconds": seconds, "create_reads": 0}
    chosen = setups(registries)
    result: dict[str, Any] = {s.label: defaultdict(list) for s in chosen}
    with emulator(timing) as emu:
        for _ in range(rounds):
            for setup in chosen:
                for key, value in _one(cli, emu, setup, registries).items():
                    result[setup.label][key].append(value)
    return {"registries": registries, "seconds": seconds, "setups": result}


def render(result: dict[str, Any]) -> tuple[list[str], list[list[object]]]:
    headers = [
        "setup",
        "up (s)",
        "waiting at once",
        "first POST",
        "last POST",
        "last call",
        "destroy (s)",
        "rounds up (s)",
    ]
    rows: list[list[object]] = []
    for label, data in result["setups"].items():
        rows.append(
            [
                label,
                median(data["up"]),
                int(median(data["waiting"])),
                median(data["first POST"]),
                median(data["last POST"]),
                median(data["last call"]),
                median(data["destroy"]),
                " ".join(f"{s:.1f}" for s in data["up"]),
            ]
        )
    return headers, rows
