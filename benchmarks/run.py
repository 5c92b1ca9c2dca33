"""Print pulumi-ionoscr's performance figures in one run (not a test: nothing is asserted).

    python benchmarks/run.py                       # all sections (about 8 minutes, 2 cores)
    python benchmarks/run.py --only api-calls      # one section (repeatable, or comma separated)
    python benchmarks/run.py --json figures.json   # also write the raw numbers

Sections (benchmarks/README.md explains each figure):
  api-calls   API calls per provider operation, per engine command on the fleet stack, and
              per step of the call-budget stack (against the official provider's counts)
  engine      wall time of pulumi up / preview / destroy: fleet vs the no-op floor
  overshoot   polling overshoot after a registry becomes Running
  import      import cost: program process (vs import pulumi) and provider process (vs no-op)
  client      what one provider call pays to build its HTTP client, vs one API call
  parallel    16 registries ready after 5 s: the default provider vs parallel_providers()

Everything runs against emulators on 127.0.0.1 started and stopped here; every loop is bounded
and every CLI command has a timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _report
import api_calls
import client_cost
import engine_times
import import_time
import overshoot
import parallel_registries
from _env import Cli, Unavailable, find_cli

from pulumi_ionoscr import _provider

# Provider calls that build a client in a fleet up / destroy / refresh: one per resource.
FLEET_PROVIDER_CALLS = 5 + 5 * 10 + 5 * 5
SECTIONS = ("api-calls", "engine", "overshoot", "import", "client", "parallel")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="SECTION",
        help=f"run only these sections ({', '.join(SECTIONS)}); repeatable or comma separated",
    )
    parser.add_argument(
        "--engine-timing",
        default="immediate,default",
        help="emulator timing presets for the engine section (default: immediate,default)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="engine rounds per kind and timing (default 3)"
    )
    parser.add_argument(
        "--overshoot-seconds",
        default="1,2,5,10,30",
        help="seconds until a new registry is Running, comma separated (default 1,2,5,10,30)",
    )
    parser.add_argument(
        "--overshoot-count", type=int, default=2, help="registries per duration (default 2)"
    )
    parser.add_argument(
        "--import-repeats", type=int, default=11, help="fresh interpreters per statement (11)"
    )
    parser.add_argument(
        "--parallel-registries", type=int, default=16, help="registries created at once (16)"
    )
    parser.add_argument(
        "--parallel-seconds", type=float, default=5.0, help="seconds until each is Running (5)"
    )
    parser.add_argument(
        "--parallel-rounds", type=int, default=1, help="rounds of the parallel section (1)"
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args(argv)
    chosen = [s.strip() for item in args.only for s in item.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    args.sections = [s for s in SECTIONS if s in chosen] if chosen else list(SECTIONS)
    if not 1 <= args.rounds <= 10 or not 1 <= args.overshoot_count <= 10:
        parser.error("--rounds and --overshoot-count must be between 1 and 10")
    if not 1 <= args.parallel_rounds <= 10 or not 1 <= args.parallel_registries <= 64:
        parser.error("--parallel-rounds: 1 to 10; --parallel-registries: 1 to 64")
    if not 1 <= args.import_repeats <= 50:
        parser.error("--import-repeats must be between 1 and 50")
    return args


def _section(title: str, started: float) -> None:
    print(f"\n== {title}  (t+{time.monotonic() - started:.0f}s)", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    started = time.monotonic()
    figures: dict[str, Any] = {}
    cli: Cli | None = None
    cli_reason = ""
    if {"api-calls", "engine", "parallel"} & set(args.sections):
        try:
            cli = find_cli()
        except Unavailable as exc:
            cli_reason = str(exc)
    cli_text = cli.version if cli else (cli_reason or "not needed")
    print(
        f"pulumi-ionoscr benchmarks: python {platform.python_version()}, {platform.machine()},"
        f" {os.cpu_count()} CPUs, pulumi CLI {cli_text}, sections: {', '.join(args.sections)}"
    )

    def show(result: Any, render: Callable[[Any], tuple[list[str], list[list[object]]]]) -> None:
        headers, rows = render(result)
        print(_report.table(headers, rows), flush=True)

    if "api-calls" in args.sections:
        _section("1. API calls per operation (emulator request log)", started)
        result = api_calls.run(cli)
        figures["api_calls"] = _strip_logs(result)
        show(result, api_calls.render)
        if cli is None:
            print(f"engine rows and the call budget skipped: {cli_reason}")
        else:
            print("\nCall budget: each step as a user runs it (preview included), default timing")
            show(result, api_calls.render_budget)

    if "engine" in args.sections:
        timings = tuple(t.strip() for t in args.engine_timing.split(",") if t.strip())
        _section(
            f"2. Fleet stack under the real engine: 5 registries x (10 tokens + 5 repositories)"
            f" = 80 resources; median of {args.rounds} rounds",
            started,
        )
        if cli is None:
            print(f"skipped: {cli_reason}")
        else:
            result = engine_times.run(cli, timings, args.rounds)
            figures["engine"] = result
            show(result, engine_times.render)

    if "overshoot" in args.sections:
        durations = tuple(float(s) for s in args.overshoot_seconds.split(",") if s.strip())
        _section("3. Polling overshoot: registry Running -> create returns", started)
        result = overshoot.run(durations, args.overshoot_count)
        figures["overshoot"] = result
        show(result, overshoot.render)
        schedule = ", ".join(f"{t:.2f}" for t in overshoot.poll_schedule(60))
        print(f"poll times after the first GET (s): {schedule}")
        early, share, cap = _provider.POLL_EARLY_GAP, _provider.POLL_SHARE, _provider.POLL_MAX_GAP
        print(
            f"gaps: at most {early:g}s or {share:.0%} of the wait so far, whichever is more, never"
            f" above {cap:g}s: a registry ready after T is seen at most max({early:g}s,"
            f" {share:.0%} of T) late, and at most {cap:g}s late"
        )

    if "import" in args.sections:
        _section("4. Import time: the program process and the provider process", started)
        result = import_time.run(args.import_repeats)
        figures["import"] = result
        show(result, import_time.render)
        medians, minima = import_time.ratios(result)
        print(
            f"import pulumi_ionoscr / import pulumi, CPU: {medians:.2f}x of the medians,"
            f" {minima:.2f}x of the minima (goal <= {import_time.GOAL:.2f}x)"
        )
        print(
            "modules only import pulumi_ionoscr loads (-X importtime self time, one run): "
            + import_time.extra_packages(result)
        )
        show(result, import_time.render_provider)

    if "client" in args.sections:
        _section("5. Per provider call: building the HTTP client vs one API call", started)
        result = client_cost.run()
        figures["client"] = result
        show(result, client_cost.render)
        clients = FLEET_PROVIDER_CALLS
        print(
            f"a fleet up opens {clients + 1} clients (80 creates + 1 check of a new location),"
            f" destroy and refresh {clients} each: about"
            f" {client_cost.fleet_estimate(result, clients):.1f}s of CPU per command in the one"
            " provider process, which serves at most 4 calls at once"
        )

    if "parallel" in args.sections:
        count, seconds = args.parallel_registries, args.parallel_seconds
        _section(
            f"6. {count} registries, each Running {seconds:g}s after its POST: pulumi up on the"
            f" default provider vs parallel_providers(); median of {args.parallel_rounds}",
            started,
        )
        if cli is None:
            print(f"skipped: {cli_reason}")
        else:
            result = parallel_registries.run(cli, count, seconds, args.parallel_rounds)
            figures["parallel"] = result
            show(result, parallel_registries.render)
            print(
                "waiting at once: the most registries between their first and last GET at the"
                " same moment; first/last POST, last call: seconds after the command started"
            )

    print(f"\ntotal {time.monotonic() - started:.0f}s")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    return 0


def _strip_logs(result: dict[str, Any]) -> dict[str, Any]:
    """Raw figures without the request logs (too long), but with the call summaries."""

    def slim(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**{k: v for k, v in r.items() if k != "log"}, "what": _report.call_summary(r["log"])}
            for r in rows
        ]

    return {
        "provider": {p: slim(rows) for p, rows in result["provider"].items()},
        "engine": slim(result["engine"]),
        "budget": {ref: slim(rows) for ref, rows in result["budget"].items()},
    }


if __name__ == "__main__":
    sys.exit(main())
