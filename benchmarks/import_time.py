"""Section 4: what importing the package costs the two Python processes of every engine command.

* The program process: `import pulumi_ionoscr` in a fresh interpreter, against `import pulumi`
  (which every Pulumi program pays), CPU time (user + system) of the whole child process,
  interleaved so that load from elsewhere hits every statement alike. The package is imported
  from a copy with its bytecode compiled, as a wheel installs it, and from a copy without
  bytecode, as an editable checkout runs where writing bytecode is disabled
  (PYTHONDONTWRITEBYTECODE): then every process compiles the package's sources.
* The provider process: `python -m pulumi.dynamic` as the engine starts it, up to its answer to
  a first `Check` (unpickling the provider imports the package), against the same for a no-op
  provider (`noop_provider.py`): the floor of any dynamic provider.
"""

from __future__ import annotations

import asyncio
import compileall
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _env import BENCH_DIR, emulator
from _report import median

# label -> (statement, which copy of the package is on the path)
STATEMENTS = {
    "python (no import)": ("pass", "compiled"),
    "import pulumi": ("import pulumi", "compiled"),
    "import pulumi.dynamic": ("import pulumi.dynamic", "compiled"),
    "import pulumi_ionoscr": ("import pulumi_ionoscr", "compiled"),
    "import pulumi_ionoscr, no bytecode": ("import pulumi_ionoscr", "source"),
}
GOAL = 1.15  # import pulumi_ionoscr within this factor of import pulumi (CPU)
_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def _child_cpu(run: Callable[[], None]) -> float:
    """CPU seconds (user + system) of the child processes `run` starts and reaps."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


@contextmanager
def _package_copies() -> Iterator[dict[str, dict[str, str]]]:
    """Environments importing a copy of the package this process imports: "compiled" (bytecode
    written beforehand) and "source" (no bytecode, none written)."""
    import pulumi_ionoscr

    package = Path(pulumi_ionoscr.__file__).parent
    with tempfile.TemporaryDirectory(prefix="ionoscr-import-") as tmp:
        envs: dict[str, dict[str, str]] = {}
        for kind in ("compiled", "source"):
            copy = Path(tmp, kind, "pulumi_ionoscr")
            shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
            if kind == "compiled":
                compileall.compile_dir(copy, quiet=1)
            # The no-op provider is pickled by reference: its module must be importable too.
            path = [str(copy.parent), str(BENCH_DIR)]
            envs[kind] = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
            envs[kind]["PYTHONDONTWRITEBYTECODE"] = "1"
        yield envs


def _run_python(statement: str, env: Mapping[str, str]) -> None:
    subprocess.run([sys.executable, "-c", statement], check=True, timeout=120, env=env)


def _fresh(statement: str, env: Mapping[str, str]) -> tuple[float, float]:
    """(CPU, wall) seconds of `python -c statement`."""
    started = time.perf_counter()
    cpu = _child_cpu(lambda: _run_python(statement, env))
    return cpu, time.perf_counter() - started


def _self_times(statement: str, env: Mapping[str, str]) -> dict[str, float]:
    """Seconds of `-X importtime` self time per module."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    matches = (_LINE.match(line) for line in proc.stderr.splitlines())
    return {m.group(4): int(m.group(1)) / 1e6 for m in matches if m}


def _only_in_package_import(env: Mapping[str, str]) -> dict[str, float]:
    """Self time of the modules `import pulumi_ionoscr` loads and `import pulumi` does not,
    per top-level package (each module of this package on its own), largest first."""
    pulumi_modules = _self_times("import pulumi", env)
    totals: dict[str, float] = defaultdict(float)
    for module, seconds in _self_times("import pulumi_ionoscr", env).items():
        if module not in pulumi_modules:
            key = module if module.startswith("pulumi_ionoscr") else module.split(".")[0]
            totals[key] += seconds
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


# ---- the provider process ----------------------------------------------------------------------


def _provider_cases() -> dict[str, tuple[Any, dict[str, Any], dict[str, Any]]]:
    """label -> (provider, olds, news) for the first Check the provider process answers."""
    from noop_provider import NoopProvider

    from pulumi_ionoscr._registry import RegistryProvider
    from pulumi_ionoscr._token import RegistryTokenProvider

    registry = {"name": "bench-import", "location": "de/fra"}
    token = {"registry_id": "2f1a3f0e-6a53-4c55-9b5f-0f5a3b2f3c11", "name": "ci", "scopes": []}
    return {
        "no-op provider (floor)": (NoopProvider(), {}, registry),
        "RegistryToken check": (RegistryTokenProvider(), token, token),
        "Registry check, unchanged": (RegistryProvider(), registry, registry),
        "Registry check, new (lists locations)": (RegistryProvider(), {}, registry),
    }


def _first_check(
    provider: Any,
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    config: Mapping[str, Any],
    env: Mapping[str, str],
) -> None:
    """Start `python -m pulumi.dynamic`, configure it, have it answer one Check, stop it."""
    import grpc
    from pulumi.dynamic.dynamic import serialize_provider
    from pulumi.runtime import rpc
    from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

    def struct(props: Mapping[str, Any]) -> Any:
        return asyncio.run(rpc.serialize_properties(dict(props), {}))

    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.dynamic"], stdout=subprocess.PIPE, env=env
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            stub.Configure(provider_pb2.ConfigureRequest(args=struct(config)), timeout=60)
            news = {**news, "__provider": serialize_provider(provider)}
            request = provider_pb2.CheckRequest(urn="urn", olds=struct(olds), news=struct(news))
            response = stub.Check(request, timeout=60)
            assert not response.failures, response.failures
    finally:
        process.kill()
        process.wait()


def _provider_process(repeats: int, env: Mapping[str, str]) -> dict[str, list[float]]:
    with emulator("immediate") as emu:
        config = {"ionoscr:endpoint": emu.base_url, "ionoscr:token": "benchmark-token"}
        cases = _provider_cases()
        cpu: dict[str, list[float]] = {label: [] for label in cases}
        for _ in range(repeats):
            for label, (provider, olds, news) in cases.items():
                cpu[label].append(
                    _child_cpu(
                        lambda p=provider, o=olds, n=news: _first_check(p, o, n, config, env)
                    )
                )
    return cpu


def run(repeats: int) -> dict[str, Any]:
    with _package_copies() as envs:
        return _measure(repeats, envs)


def _measure(repeats: int, envs: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    cpu: dict[str, list[float]] = {label: [] for label in STATEMENTS}
    walls: dict[str, list[float]] = {label: [] for label in STATEMENTS}
    _run_python("import pulumi_ionoscr", envs["compiled"])  # warm the file cache
    for _ in range(repeats):
        for label, (statement, kind) in STATEMENTS.items():  # interleaved: drift hits all alike
            seconds, wall = _fresh(statement, envs[kind])
            cpu[label].append(seconds)
            walls[label].append(wall)
    return {
        "cpu": cpu,
        "walls": walls,
        "extra_by_package": _only_in_package_import(envs["compiled"]),
        "provider_cpu": _provider_process(repeats, envs["compiled"]),
    }


def ratios(result: dict[str, Any]) -> tuple[float, float]:
    """CPU of `import pulumi_ionoscr` over `import pulumi` in one interleaved run: the ratio of
    the medians, and of the minima (the least disturbed runs, steadier on a busy machine)."""
    ours, base = result["cpu"]["import pulumi_ionoscr"], result["cpu"]["import pulumi"]
    return median(ours) / median(base), min(ours) / min(base)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def render(result: dict[str, Any]) -> tuple[list[str], list[list[object]]]:
    cpu, walls = result["cpu"], result["walls"]
    base = median(cpu["import pulumi"])
    headers = [
        "fresh interpreter",
        "CPU median (ms)",
        "CPU min (ms)",
        "vs import pulumi",
        "wall (ms)",
    ]
    rows: list[list[object]] = [
        [label, _ms(median(v)), _ms(min(v)), f"{median(v) / base:.2f}x", _ms(median(walls[label]))]
        for label, v in cpu.items()
    ]
    return headers, rows


def render_provider(result: dict[str, Any]) -> tuple[list[str], list[list[object]]]:
    cpu = result["provider_cpu"]
    floor = median(next(iter(cpu.values())))
    headers = [
        "python -m pulumi.dynamic to a first Check",
        "CPU median (ms)",
        "CPU min (ms)",
        "beyond the floor (ms)",
    ]
    rows: list[list[object]] = [
        [label, _ms(median(v)), _ms(min(v)), _ms(median(v) - floor)] for label, v in cpu.items()
    ]
    return headers, rows


def extra_packages(result: dict[str, Any], top: int = 8) -> str:
    parts = [f"{pkg} {secs * 1000:.0f} ms" for pkg, secs in result["extra_by_package"].items()]
    return ", ".join(parts[:top]) or "-"
