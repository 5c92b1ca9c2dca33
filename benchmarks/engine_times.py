"""Section 2: wall time of `pulumi up`, `preview` and `destroy` for the fleet stack, with the
package's resources against the emulator and with no-op resources of the same shape (the floor
the engine sets). Rounds interleave the two kinds so drift on the machine hits both alike."""

from __future__ import annotations

from typing import Any

from _env import API_TOKEN, Cli, Stack, emulator, run_id
from _report import median

OPS = ("up", "preview", "destroy")
KINDS = ("noop", "ionoscr")


def _one_round(cli: Cli, kind: str, timing: str) -> dict[str, dict[str, float]]:
    """One stack from nothing: up, unchanged preview, destroy. Seconds and API calls per op."""
    with emulator(timing) as emu:
        env = {"IONOSCR_ENDPOINT": emu.base_url, "IONOS_TOKEN": API_TOKEN}
        stack = Stack(cli, env)
        try:
            stack.init({"kind": "noop" if kind == "noop" else "ionoscr", "runId": run_id()})
            result: dict[str, dict[str, float]] = {}
            for op in OPS:
                emu.admin.clear_requests()
                timed = getattr(stack, op)()
                result[op] = {"seconds": timed.seconds, "calls": len(emu.admin.requests())}
            return result
        finally:
            stack.close()


def run(cli: Cli, timings: tuple[str, ...], rounds: int) -> dict[str, Any]:
    """{timing: {kind: {op: [seconds per round]}}} plus API call counts of the last round."""
    out: dict[str, Any] = {}
    kinds = KINDS
    for timing in timings:
        seconds: dict[str, dict[str, list[float]]] = {k: {op: [] for op in OPS} for k in kinds}
        calls: dict[str, dict[str, float]] = {k: {} for k in kinds}
        for _ in range(rounds):
            for kind in kinds:
                measured = _one_round(cli, kind, timing)
                for op in OPS:
                    seconds[kind][op].append(measured[op]["seconds"])
                    calls[kind][op] = measured[op]["calls"]
        out[timing] = {"seconds": seconds, "calls": calls}
    return out


def render(result: dict[str, Any]) -> tuple[list[str], list[list[object]]]:
    headers = [
        "emulator timing",
        "command",
        "no-op floor (s)",
        "ionoscr (s)",
        "ratio",
        "ionoscr - floor (s)",
        "API calls",
        "rounds (ionoscr, s)",
        "rounds (floor, s)",
    ]
    rows: list[list[object]] = []
    for timing, data in result.items():
        secs = data["seconds"]
        for op in OPS:
            floor = median(secs["noop"][op])
            real = median(secs["ionoscr"][op])
            row: list[object] = [
                timing,
                f"pulumi {op}",
                floor,
                real,
                f"{real / floor:.2f}x",
                real - floor,
                int(data["calls"]["ionoscr"][op]),
                " ".join(f"{s:.1f}" for s in secs["ionoscr"][op]),
                " ".join(f"{s:.1f}" for s in secs["noop"][op]),
            ]
            rows.append(row)
    return headers, rows
