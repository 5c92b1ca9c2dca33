"""Section 4: import time in a fresh interpreter. The provider process the engine starts for
every `pulumi up` / `preview` / `destroy` unpickles the providers, which imports
`pulumi_ionoscr`; the program process imports it too."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections import defaultdict
from typing import Any

from _report import median

STATEMENTS = {
    "python (no import)": "pass",
    "import pulumi": "import pulumi",
    "import pulumi.dynamic": "import pulumi.dynamic",
    "import pulumi_ionoscr": "import pulumi_ionoscr",
}
_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def _wall(statement: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True, timeout=120)
    return time.perf_counter() - started


def _self_times_by_package(statement: str) -> dict[str, float]:
    """Seconds of `-X importtime` self time, summed per top-level package (each module of
    this package on its own)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    totals: dict[str, float] = defaultdict(float)
    for line in proc.stderr.splitlines():
        match = _LINE.match(line)
        if match:
            module = match.group(4)
            key = module if module.startswith("pulumi_ionoscr") else module.split(".")[0]
            totals[key] += int(match.group(1)) / 1e6
    return dict(totals)


def run(repeats: int) -> dict[str, Any]:
    walls: dict[str, list[float]] = {label: [] for label in STATEMENTS}
    _wall("import pulumi_ionoscr")  # warm the file cache and the .pyc files
    for _ in range(repeats):
        for label, statement in STATEMENTS.items():  # interleaved: drift hits all alike
            walls[label].append(_wall(statement))
    with_pkg = _self_times_by_package("import pulumi_ionoscr")
    pulumi_only = _self_times_by_package("import pulumi")
    extra = {
        pkg: secs - pulumi_only.get(pkg, 0.0)
        for pkg, secs in with_pkg.items()
        if secs - pulumi_only.get(pkg, 0.0) > 0.005
    }
    return {"walls": walls, "extra_by_package": dict(sorted(extra.items(), key=lambda kv: -kv[1]))}


def render(result: dict[str, Any]) -> tuple[list[str], list[list[object]]]:
    walls = result["walls"]
    base = median(walls["import pulumi"])
    headers = ["fresh interpreter", "median (s)", "min (s)", "vs import pulumi", "runs"]
    rows: list[list[object]] = [
        [label, median(v), min(v), f"{median(v) / base:.2f}x", len(v)] for label, v in walls.items()
    ]
    return headers, rows


def extra_packages(result: dict[str, Any], top: int = 8) -> str:
    parts = [f"{pkg} {secs * 1000:.0f} ms" for pkg, secs in result["extra_by_package"].items()]
    return ", ".join(parts[:top]) or "-"
