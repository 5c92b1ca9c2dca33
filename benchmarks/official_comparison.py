"""pulumi-ionoscr beside the official bridged provider (pulumi-ionoscloud), same stack, same
emulator, same CLI: wall time and API calls of every step, where our time goes, and what a
user gets (token password, secrecy, names and dates accepted).

Not part of `make bench`: the official provider's plugin is a binary that no package registry
serves. Build it (pulumi-resource-ionoscloud 0.2.3, from the pulumi-ionoscloud sources) and
make a venv of its own with the Python SDK (`pip install pulumi-ionoscloud==0.2.3`), then:

    python benchmarks/official_comparison.py \\
        --official-plugin DIR/pulumi-resource-ionoscloud --official-python VENV/bin/python

(or set IONOSCR_OFFICIAL_PLUGIN and IONOSCR_OFFICIAL_PYTHON). Without them, ours is measured
against the no-op floor alone.

Ours runs as a user installs it, not from this checkout's development venv (whose many packages
the language host lists at every command, about 0.3 s more): the script makes a venv of its own
and installs the checkout into it with pip (dependencies from the package index; about 30 s).
`--ionoscr-python VENV/bin/python` reuses such a venv instead. The no-op floor and the empty
program run with the same interpreter as ours.

The stack: one registry in de/fra with a garbage collection schedule, and two scoped tokens
with an expiry date (push/pull on `app`, pull on everything). Steps, as a user runs them
(`--yes`, the preview included): `pulumi up`, an unchanged `pulumi preview`, `pulumi refresh`,
`pulumi up` with the schedule's day changed, another unchanged preview, `pulumi destroy`.

Each round runs each step for every tool before the next step (the tools' order turns every
round), so load from elsewhere hits them alike; the tables show medians. Tools: ours, the
official provider, the no-op floor (dynamic resources of the same shape whose provider does
nothing: benchmarks/noop_provider.py), and an empty program (the CLI and the program process
alone). One emulator (subprocess, `default` timing: a new registry needs two reads to be
`Running`, a changed one one), on the CLI `scripts/install-pulumi.sh --no-build` finds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _env import (
    BENCH_DIR,
    REPO_ROOT,
    Cli,
    Unavailable,
    emulator,
    find_cli,
    pulumi_env,
    run_id,
)
from _report import call_summary, median, table
from api_calls import BUDGET, BUDGET_STEPS, GC_DAY_STEP

OFFICIAL_VERSION = "0.2.3"
# The official provider's own expiry format (an RFC 3339 date fails there: see _accepts).
OFFICIAL_EXPIRY = "2030-01-01 00:00:00Z"

IONOSCR_PROGRAM = """
import pulumi
import pulumi_ionoscr as cr

registry = cr.Registry("main", name="{name}", location="de/fra",
    garbage_collection_schedule=cr.GarbageCollectionSchedule(days=["{day}"], time="02:30"),
    vulnerability_scanning=False)
push = cr.RegistryToken("push", registry=registry, name="{token}",
    scopes=[cr.TokenScope(name="app", actions=["pull", "push"])], expiry_date="{expiry}")
pull = cr.RegistryToken("pull", registry=registry, name="cluster-pull",
    scopes=[cr.TokenScope(name="*", actions=["pull"])], expiry_date="{expiry}")
pulumi.export("hostname", registry.hostname)
pulumi.export("username", push.username)
pulumi.export("password", push.password)
"""

OFFICIAL_PROGRAM = """
import pulumi
import pulumi_ionoscloud as ionoscloud

registry = ionoscloud.creg.Registry("main", name="{name}", location="de/fra",
    garbage_collection_schedule={{"days": ["{day}"], "time": "02:30:00+00:00"}},
    features={{"vulnerability_scanning": False}})
push = ionoscloud.creg.RegistryToken("push", registry_id=registry.id, name="{token}",
    scopes=[{{"name": "app", "actions": ["pull", "push"], "type": "repository"}}],
    expiry_date="{expiry}")
pull = ionoscloud.creg.RegistryToken("pull", registry_id=registry.id, name="cluster-pull",
    scopes=[{{"name": "*", "actions": ["pull"], "type": "repository"}}], expiry_date="{expiry}")
credentials = push.credentials.apply(lambda c: c[0] if c else None)
pulumi.export("hostname", registry.hostname)
pulumi.export("username", credentials.apply(lambda c: c.username if c else ""))
pulumi.export("password", credentials.apply(lambda c: c.password if c else ""))
"""

NOOP_PROGRAM = """
import pulumi
from noop_provider import NoopRegistry, NoopToken

registry = NoopRegistry("{name}", location="de/fra",
    garbage_collection_schedule={{"days": ["{day}"], "time": "02:30"}})
push = NoopToken("{token}", registry_id=registry.id, expiry_date="{expiry}",
    scopes=[{{"name": "app", "actions": ["pull", "push"]}}])
pull = NoopToken("cluster-pull", registry_id=registry.id, expiry_date="{expiry}",
    scopes=[{{"name": "*", "actions": ["pull"]}}])
pulumi.export("hostname", registry.hostname)
pulumi.export("password", push.password)
"""

EMPTY_PROGRAM = "import pulumi\n"


@dataclass
class Project:
    """One tool's stack in its own Pulumi home and file backend."""

    label: str
    cli: Cli
    python: str
    program: str
    config: dict[str, str] = field(default_factory=dict)
    env_extra: dict[str, str] = field(default_factory=dict)
    expiry: str = "2030-01-01"
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ionoscr-vs-")))

    def __post_init__(self) -> None:
        self.work = self.root / "project"
        self.work.mkdir()
        name = self.label.replace(" ", "-")
        (self.work / "Pulumi.yaml").write_text(f"name: vs-{name}\nruntime: python\n")
        (self.root / "home").mkdir()
        (self.root / "backend").mkdir()
        self.fields: dict[str, str] = {}

    def env(self) -> dict[str, str]:
        return {
            **pulumi_env(self.cli, self.root, self.python, drop=("PULUMI_", "IONOS")),
            # The no-op provider process unpickles noop_provider by reference.
            "PYTHONPATH": str(BENCH_DIR),
            **self.env_extra,
        }

    def run(self, *args: str) -> tuple[float, float, str]:
        """Wall seconds, CPU seconds of the whole command (the CLI and every process it
        waited for: language host, program, providers) and stdout."""
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(
            [str(self.cli.bin_dir / "pulumi"), *args, "--non-interactive"],
            cwd=self.work,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise RuntimeError(
                f"{self.label}: pulumi {' '.join(args)}\n{done.stdout}\n{done.stderr}"
            )
        return wall, cpu, done.stdout

    def write_program(self, **values: str) -> None:
        self.fields.update(values)
        (self.work / "__main__.py").write_text(self.program.format(**self.fields))

    def new_stack(self, token: str = "ci-push", expiry: str | None = None) -> None:
        self.write_program(
            name=f"vs-{self.label[:3]}-{run_id()}",
            token=token,
            expiry=expiry or self.expiry,
            day="Saturday",
        )
        for stack_file in self.work.glob("Pulumi.*.yaml"):
            if stack_file.name != "Pulumi.yaml":
                stack_file.unlink()
        self.run("stack", "init", f"s{run_id()}", "--secrets-provider", "passphrase")
        for key, value in self.config.items():
            secret = ["--secret"] if key.endswith(":token") else []
            self.run("config", "set", *secret, key, value)


def _facts(project: Project) -> dict[str, str]:
    _, _, shown = project.run("stack", "output", "--json", "--show-secrets")
    _, _, plain = project.run("stack", "output", "--json")
    _, _, state = project.run("stack", "export")
    outputs, hidden = json.loads(shown), json.loads(plain)
    hostname = outputs["hostname"]
    return {
        "token password in the outputs": "yes" if outputs["password"] else "empty",
        "hostname output secret": "yes" if hidden["hostname"] == "[secret]" else "no (plain)",
        "hostname in the state as plain text": "yes" if hostname in state else "no",
        "password in the state as plain text": (
            "yes" if outputs["password"] and outputs["password"] in state else "no"
        ),
    }


def _accepts(project: Project, admin: Any, token: str, expiry: str) -> str:
    """Whether `pulumi up` of the stack with this token name and expiry date succeeds; when it
    fails, whether the registry had been created meanwhile (left for `destroy`)."""
    admin.reset()
    project.new_stack(token, expiry)
    try:
        project.run("up", "--yes", "--skip-preview")
    except RuntimeError:
        made = admin.registries()
        return "refused" + (", after creating the registry" if made else " before any change")
    finally:
        project.run("destroy", "--yes", "--skip-preview")
    return "accepted"


_REGISTRY_PATH = re.compile(r"/registries(?:/([^/]+))?$")


def registry_waits(log: list[dict[str, Any]]) -> float:
    """Seconds spent waiting for registries to be `Running` (after a POST or PATCH) or gone
    (after a DELETE): from the write's answer to the last GET of the registry that followed
    it before anything else touched the registry's tokens."""
    started: dict[str, float] = {}
    polled: dict[str, float] = {}
    post: float | None = None
    for entry in log:
        at = float(entry["time"])
        match = _REGISTRY_PATH.search(str(entry["path"]))
        if match is None:
            if "/tokens" in str(entry["path"]):
                started.clear()  # a token call: the registry's own wait is over
            continue
        registry_id, method = match.group(1), entry["method"]
        if registry_id is None:
            post = at if method == "POST" else post
        elif method in ("PATCH", "DELETE"):
            started[registry_id] = at
        elif method == "GET":
            if registry_id not in started and post is not None:
                started[registry_id], post = post, None
            if registry_id in started:
                polled[registry_id] = at - started[registry_id]
    return sum(polled.values())


@dataclass
class Measured:
    """Per tool and step: wall seconds, CPU seconds and API calls of every round."""

    wall: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    cpu: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    calls: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    api_ms: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    waits: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    # The request log of the last round, per tool and step.
    logs: dict[str, dict[str, list[Any]]] = field(default_factory=dict)

    def add(self, tool: str, step: str, wall: float, cpu: float, log: list[Any]) -> None:
        for figures, value in (
            (self.wall, wall),
            (self.cpu, cpu),
            (self.calls, len(log)),
            (self.api_ms, sum(float(e["duration_ms"]) for e in log)),
            (self.waits, registry_waits(log)),
        ):
            figures.setdefault(tool, {}).setdefault(step, []).append(value)  # type: ignore[arg-type]
        self.logs.setdefault(tool, {})[step] = log

    def med(self, figures: dict[str, dict[str, list[Any]]], tool: str, step: str) -> float:
        return median(figures.get(tool, {}).get(step, []))


def _rounds(projects: list[Project], empty: Project, admin: Any, rounds: int) -> Measured:
    measured = Measured()
    for number in range(rounds):
        order = projects[number % len(projects) :] + projects[: number % len(projects)]
        for project in order:
            project.new_stack()
        empty.new_stack()
        for step, command in BUDGET_STEPS:
            for project in order:
                if step == GC_DAY_STEP:
                    project.write_program(day="Sunday")
                admin.clear_requests()
                wall, cpu, _ = project.run(*command)
                measured.add(project.label, step, wall, cpu, admin.requests())
            # The CLI and the program process alone (`refresh` and `destroy` run no program).
            wall, cpu, _ = empty.run(*command)
            measured.add(empty.label, step, wall, cpu, [])
    return measured


# What a provider process imports for its first API call, beyond the resources themselves.
_CLIENT_IMPORT = "import pulumi_ionoscr, pulumi_ionoscr._operations.token"


def _process_start(python: str) -> dict[str, float]:
    """Medians of 5 fresh interpreters: `pass`, `import pulumi`, `import pulumi_ionoscr`, that
    plus what the first API call of a provider process imports (httpx, pydantic, the client and
    the models), and `python -m pulumi.dynamic` until it prints its port (the dynamic provider
    process's start, before any call)."""
    samples: dict[str, list[float]] = {
        "python": [],
        "import pulumi": [],
        "import pulumi_ionoscr": [],
        "client import": [],
        "provider start": [],
    }
    for _ in range(5):
        for label, argv in (
            ("python", ["-c", "pass"]),
            ("import pulumi", ["-c", "import pulumi"]),
            ("import pulumi_ionoscr", ["-c", "import pulumi_ionoscr"]),
            ("client import", ["-c", _CLIENT_IMPORT]),
        ):
            started = time.perf_counter()
            subprocess.run([python, *argv], check=True)
            samples[label].append(time.perf_counter() - started)
        started = time.perf_counter()
        process = subprocess.Popen([python, "-u", "-m", "pulumi.dynamic"], stdout=subprocess.PIPE)
        assert process.stdout is not None
        process.stdout.readline()
        samples["provider start"].append(time.perf_counter() - started)
        process.kill()
        process.wait()
    return {label: median(values) for label, values in samples.items()}


def _user_venv(root: Path) -> str:
    """A venv in `root` with pulumi-ionoscr installed from this checkout as a user installs it:
    a wheel, bytecode compiled, only its own dependencies."""
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, timeout=300)
    python = str(root / "bin" / "python")
    # From a copy: pip builds in the source tree, and its leftovers do not belong in the checkout.
    source = root / "source"
    skip = shutil.ignore_patterns(".*", "build", "dist", "*.egg-info", "__pycache__", "venv")
    shutil.copytree(REPO_ROOT, source, ignore=skip)
    install = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*install, str(source)], check=True, timeout=900)
    return python


def render_steps(measured: Measured, official: bool) -> str:
    """Per step: wall times, ours against the official provider and against the no-op floor
    (and the floor against the official provider: where the floor alone is slower, so is any
    dynamic provider), API calls and the call budget (`api_calls.BUDGET`)."""
    headers = ["step", "ionoscr (s)"]
    if official:
        headers += ["official (s)", "ionoscr / official"]
    headers += ["no-op floor (s)", "ionoscr / floor"]
    if official:
        headers += ["floor / official"]
    headers += ["API calls ionoscr"]
    if official:
        headers += ["official"]
    headers += ["budget"]
    rows = []
    for step, _ in BUDGET_STEPS:
        budget = BUDGET[step]
        ours = measured.med(measured.wall, "ionoscr", step)
        floor = measured.med(measured.wall, "no-op", step)
        row: list[object] = [step, ours]
        if official:
            theirs = measured.med(measured.wall, "official", step)
            row += [theirs, f"{ours / theirs:.2f}x"]
        row += [floor, f"{ours / floor:.2f}x"]
        if official:
            row += [f"{floor / theirs:.2f}x"]
        row += [f"{measured.med(measured.calls, 'ionoscr', step):.0f}"]
        if official:
            row += [f"{measured.med(measured.calls, 'official', step):.0f}"]
        row += [budget]
        rows.append(row)
    return table(headers, rows)


def render_calls(measured: Measured) -> str:
    """Which calls each tool made in each step (the last round)."""
    tools = [t for t in ("ionoscr", "official") if t in measured.logs]
    rows = [
        [step, *(call_summary(measured.logs[t][step]) for t in tools)] for step, _ in BUDGET_STEPS
    ]
    return table(["step", *(f"calls {t}" for t in tools)], rows)


def render_decomposition(measured: Measured, starts: dict[str, float], official: bool) -> str:
    """Where each step's wall time goes, from medians of the same run: the CLI and the program
    process (the empty program), the dynamic provider process and the engine's round trips
    (the no-op floor beyond it), and what is ours (beyond the floor), of which the API's own
    time (server side, summed over the calls) and waiting for a registry to be `Running` or
    gone (a guarantee: create, update and delete return only then)."""
    headers = ["step", "CLI + program (empty)", "provider process + engine (floor - empty)"]
    headers += ["ours (ionoscr - floor)", "of it API (server)", "of it waiting"]
    headers += ["CPU ionoscr / floor"]
    if official:
        headers += ["official - empty", "CPU official"]
    rows = []
    for step, _ in BUDGET_STEPS:
        empty = measured.med(measured.wall, "empty program", step)
        floor = measured.med(measured.wall, "no-op", step)
        ours = measured.med(measured.wall, "ionoscr", step)
        api = measured.med(measured.api_ms, "ionoscr", step) / 1000
        waits = measured.med(measured.waits, "ionoscr", step)
        cpu = f"{measured.med(measured.cpu, 'ionoscr', step):.2f} / "
        cpu += f"{measured.med(measured.cpu, 'no-op', step):.2f}"
        row: list[object] = [step, empty, floor - empty, ours - floor, api, waits, cpu]
        if official:
            theirs = measured.med(measured.wall, "official", step)
            row += [theirs - empty, measured.med(measured.cpu, "official", step)]
        rows.append(row)
    python, pulumi, provider = (starts[k] for k in ("python", "import pulumi", "provider start"))
    client = starts["client import"] - starts["import pulumi_ionoscr"]
    start = (
        f"fresh interpreter {python:.2f}s, `import pulumi` {pulumi:.2f}s,"
        f" `python -m pulumi.dynamic` to its port {provider:.2f}s, `import pulumi_ionoscr`"
        f" {starts['import pulumi_ionoscr']:.2f}s (wall, medians); a provider process's first"
        f" API call imports httpx, pydantic, the client and the models: {client:.2f}s more,"
        " paid by each provider process that calls the API (two in `up` and `refresh`, which"
        " run a preview first; one in an update or `destroy`)"
    )
    return table(headers, rows) + "\n" + start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--official-plugin", type=Path, default=os.environ.get("IONOSCR_OFFICIAL_PLUGIN")
    )
    parser.add_argument("--official-python", default=os.environ.get("IONOSCR_OFFICIAL_PYTHON"))
    parser.add_argument(
        "--ionoscr-python", help="a venv's python with pulumi-ionoscr installed (default: make one)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    args = parser.parse_args()
    try:
        cli = find_cli()
    except Unavailable as exc:
        print(f"skipped: {exc}")
        return 0
    official = bool(args.official_plugin and args.official_python)
    if official and not args.official_plugin.is_file():
        print(f"no official plugin at {args.official_plugin}: ours against the no-op floor only")
        official = False
    elif not official:
        print("no official provider given: ours against the no-op floor only")
    venv = Path(tempfile.mkdtemp(prefix="ionoscr-vs-venv-"))
    try:
        python = args.ionoscr_python or _user_venv(venv)
        return _compare(cli, python, args, official)
    finally:
        shutil.rmtree(venv, ignore_errors=True)


def _compare(cli: Cli, python: str, args: argparse.Namespace, official: bool) -> int:
    load = os.getloadavg()
    with emulator("default") as emu:
        ours = Project(
            "ionoscr",
            cli,
            python,
            IONOSCR_PROGRAM,
            {"ionoscr:endpoint": emu.base_url, "ionoscr:token": "bench-token"},
        )
        projects = [ours, Project("no-op", cli, python, NOOP_PROGRAM)]
        if official:
            theirs = Project(
                "official",
                cli,
                args.official_python,
                OFFICIAL_PROGRAM,
                {"ionoscloud:token": "bench-token", "ionoscloud:endpoint": emu.base_url},
                {"IONOS_API_URL": emu.base_url},
                expiry=OFFICIAL_EXPIRY,
            )
            theirs.run(
                "plugin",
                "install",
                "resource",
                "ionoscloud",
                OFFICIAL_VERSION,
                "--file",
                str(args.official_plugin),
            )
            projects.insert(1, theirs)
        empty = Project("empty program", cli, python, EMPTY_PROGRAM)
        facts: dict[str, dict[str, str]] = {}
        try:
            measured = _rounds(projects, empty, emu.admin, args.rounds)
            starts = _process_start(python)
            if official:
                facts = _user_facts([ours, theirs], emu.admin)
        finally:
            for project in [*projects, empty]:
                shutil.rmtree(project.root, ignore_errors=True)

    after = os.getloadavg()
    tools = "pulumi-ionoscr, " + (f"official provider {OFFICIAL_VERSION}, " if official else "")
    print(
        f"Pulumi CLI {cli.version}; {tools}no-op floor; emulator timing `default`; medians of"
        f" {args.rounds} interleaved rounds; load average {load[0]:.1f} before,"
        f" {after[0]:.1f} after ({os.cpu_count()} CPUs)\n"
    )
    print(render_steps(measured, official))
    print()
    print(render_calls(measured))
    print("\nWhere the time goes (seconds, medians):\n")
    print(render_decomposition(measured, starts, official))
    if facts:
        print()
        print(_render_facts(facts, args.official_plugin))
    if args.json:
        raw = {"wall": measured.wall, "cpu": measured.cpu, "calls": measured.calls}
        args.json.write_text(json.dumps({**raw, "starts": starts, "facts": facts}, indent=2))
    return 0


def _user_facts(projects: list[Project], admin: Any) -> dict[str, dict[str, str]]:
    """What each tool gives the user (after one `up`), and which token names and expiry
    formats `pulumi up` takes."""
    facts: dict[str, dict[str, str]] = {}
    for project in projects:
        admin.reset()
        project.new_stack()
        project.run("up", "--yes", "--skip-preview")
        facts[project.label] = _facts(project)
        project.run("destroy", "--yes", "--skip-preview")
        found = facts[project.label]
        found["token name `ci`"] = _accepts(project, admin, "ci", project.expiry)
        rfc3339 = "2030-01-01T00:00:00Z"
        found[f"expiry {rfc3339}"] = _accepts(project, admin, "ci-push", rfc3339)
    return facts


def _render_facts(facts: dict[str, dict[str, str]], plugin: Path) -> str:
    rows = [(key, facts["official"][key], facts["ionoscr"][key]) for key in facts["ionoscr"]]
    size = plugin.stat().st_size / 1e6
    rows.append(("plugin to install", f"{size:.0f} MB binary", "none (Python package)"))
    return table(("", "pulumi-ionoscloud (bridged)", "pulumi-ionoscr"), rows)


if __name__ == "__main__":
    raise SystemExit(main())
