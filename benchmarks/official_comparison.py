"""pulumi-ionoscr beside the official bridged provider (pulumi-ionoscloud), same stack, same
emulator: what a user gets (token password, secrecy) and what it costs (wall time, API calls).

Not part of `make bench`: the official provider's plugin is a binary that no package registry
serves. Build it (pulumi-resource-ionoscloud 0.2.3, from the pulumi-ionoscloud sources) and
make a venv of its own with the Python SDK (`pip install pulumi-ionoscloud==0.2.3`), then:

    python benchmarks/official_comparison.py \\
        --official-plugin DIR/pulumi-resource-ionoscloud --official-python VENV/bin/python

The stack: one registry (weekly garbage collection, no scanning) and one push/pull token for
one repository, exporting the hostname and the token's username and password. Each round runs
`pulumi up`, an unchanged `pulumi preview`, `pulumi refresh` and `pulumi destroy` for both,
alternating, against one emulator (subprocess, `default` timing: a new registry needs two
reads to be `Running`), on the CLI `scripts/install-pulumi.sh --no-build` finds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _env import PASSPHRASE, Cli, Unavailable, emulator, find_cli, run_id
from _report import median, table

IONOSCR_PROGRAM = """
import pulumi
import pulumi_ionoscr as cr

registry = cr.Registry("main", name="{name}", location="de/fra",
    garbage_collection_schedule=cr.GarbageCollectionSchedule(days=["Saturday"], time="02:30"),
    vulnerability_scanning=False)
token = cr.RegistryToken("ci", registry=registry, name="{token}",
    scopes=[cr.TokenScope(name="app", actions=["pull", "push"])], expiry_date="{expiry}")
pulumi.export("hostname", registry.hostname)
pulumi.export("username", token.username)
pulumi.export("password", token.password)
"""

OFFICIAL_PROGRAM = """
import pulumi
import pulumi_ionoscloud as ionoscloud

registry = ionoscloud.creg.Registry("main", name="{name}", location="de/fra",
    garbage_collection_schedule={{"days": ["Saturday"], "time": "02:30:00+00:00"}},
    features={{"vulnerability_scanning": False}})
token = ionoscloud.creg.RegistryToken("ci", registry_id=registry.id, name="{token}",
    scopes=[{{"name": "app", "actions": ["pull", "push"], "type": "repository"}}],
    expiry_date="{expiry}")
credentials = token.credentials.apply(lambda c: c[0] if c else None)
pulumi.export("hostname", registry.hostname)
pulumi.export("username", credentials.apply(lambda c: c.username if c else ""))
pulumi.export("password", credentials.apply(lambda c: c.password if c else ""))
"""


@dataclass
class Project:
    """One provider's stack in its own Pulumi home and file backend."""

    label: str
    cli: Cli
    python: str
    program: str
    config: dict[str, str]
    env_extra: dict[str, str] = field(default_factory=dict)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ionoscr-vs-")))

    def __post_init__(self) -> None:
        self.work = self.root / "project"
        self.work.mkdir()
        (self.work / "Pulumi.yaml").write_text(f"name: {self.label}\nruntime: python\n")
        (self.root / "home").mkdir()
        (self.root / "backend").mkdir()

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "IONOS"))}
        path = [str(self.cli.bin_dir), str(Path(self.python).parent), env.get("PATH", "")]
        return {
            **env,
            "PATH": os.pathsep.join(path),
            "PULUMI_HOME": str(self.root / "home"),
            "PULUMI_BACKEND_URL": (self.root / "backend").as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_PYTHON_CMD": self.python,
            "NO_COLOR": "1",
            **self.env_extra,
        }

    def run(self, *args: str) -> tuple[float, str]:
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
        if done.returncode != 0:
            raise RuntimeError(
                f"{self.label}: pulumi {' '.join(args)}\n{done.stdout}\n{done.stderr}"
            )
        return time.perf_counter() - started, done.stdout

    def new_stack(self, name: str, token: str, expiry: str) -> None:
        program = self.program.format(name=name, token=token, expiry=expiry)
        (self.work / "__main__.py").write_text(program)
        for stack_file in self.work.glob("Pulumi.*.yaml"):
            if stack_file.name != "Pulumi.yaml":
                stack_file.unlink()
        self.run("stack", "init", f"s{name.replace('-', '')}", "--secrets-provider", "passphrase")
        for key, value in self.config.items():
            secret = ["--secret"] if key.endswith(":token") else []
            self.run("config", "set", *secret, key, value)


def _counted(admin: Any, action: Callable[[], tuple[float, str]]) -> tuple[float, int]:
    admin.clear_requests()
    seconds, _ = action()
    return seconds, len(admin.requests())


def _facts(project: Project) -> dict[str, str]:
    _, shown = project.run("stack", "output", "--json", "--show-secrets")
    _, plain = project.run("stack", "output", "--json")
    _, state = project.run("stack", "export")
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


# The official provider's own expiry format (an RFC 3339 date fails there: see _accepts).
OFFICIAL_EXPIRY = "2030-01-01 00:00:00Z"


def _accepts(project: Project, admin: Any, token: str, expiry: str) -> str:
    """Whether `pulumi up` of the stack with this token name and expiry date succeeds; when it
    fails, whether the registry had been created meanwhile (left for `destroy`)."""
    admin.reset()
    project.new_stack(f"vs-{project.label[:3]}-{run_id()}", token, expiry)
    try:
        project.run("up", "--yes", "--skip-preview")
    except RuntimeError:
        made = admin.registries()
        return "refused" + (", after creating the registry" if made else " before any change")
    finally:
        project.run("destroy", "--yes", "--skip-preview")
    return "accepted"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--official-plugin", type=Path, required=True)
    parser.add_argument("--official-python", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    try:
        cli = find_cli()
    except Unavailable as exc:
        print(f"skipped: {exc}")
        return 0
    if not args.official_plugin.is_file():
        print(f"skipped: no official plugin at {args.official_plugin}")
        return 0

    with emulator("default") as emu:
        ours = Project(
            "ionoscr",
            cli,
            sys.executable,
            IONOSCR_PROGRAM,
            {"ionoscr:endpoint": emu.base_url, "ionoscr:token": "bench-token"},
        )
        official = Project(
            "official",
            cli,
            args.official_python,
            OFFICIAL_PROGRAM,
            {"ionoscloud:token": "bench-token", "ionoscloud:endpoint": emu.base_url},
            {"IONOS_API_URL": emu.base_url},
        )
        version = "0.2.3"
        official.run(
            "plugin",
            "install",
            "resource",
            "ionoscloud",
            version,
            "--file",
            str(args.official_plugin),
        )
        figures: dict[str, dict[str, list[float]]] = {p.label: {} for p in (ours, official)}
        facts: dict[str, dict[str, str]] = {}
        try:
            for _ in range(args.rounds):
                for project, expiry in ((ours, "2030-01-01"), (official, OFFICIAL_EXPIRY)):
                    project.new_stack(f"vs-{project.label[:3]}-{run_id()}", "ci-push", expiry)
                    row = figures[project.label]
                    for step, command in (
                        ("up", ("up", "--yes", "--skip-preview")),
                        ("preview, unchanged", ("preview", "--expect-no-changes")),
                        ("refresh", ("refresh", "--yes", "--skip-preview")),
                        ("destroy", ("destroy", "--yes", "--skip-preview")),
                    ):
                        if step == "destroy":
                            facts[project.label] = _facts(project)
                        run = lambda c=command, p=project: p.run(*c)  # noqa: E731
                        seconds, calls = _counted(emu.admin, run)
                        row.setdefault(f"{step}: s", []).append(seconds)
                        row.setdefault(f"{step}: API calls", []).append(calls)
            for project, expiry in ((ours, "2030-01-01"), (official, OFFICIAL_EXPIRY)):
                found = facts[project.label]
                found["token name `ci`"] = _accepts(project, emu.admin, "ci", expiry)
                rfc3339 = "2030-01-01T00:00:00Z"
                found[f"expiry {rfc3339}"] = _accepts(project, emu.admin, "ci-push", rfc3339)
        finally:
            for project in (ours, official):
                shutil.rmtree(project.root, ignore_errors=True)

    print(
        f"Pulumi CLI {cli.version}; official provider {version}; emulator timing `default`;"
        f" medians of {args.rounds} rounds\n"
    )
    rows = [
        (key, f"{median(figures['official'][key]):.1f}", f"{median(figures['ionoscr'][key]):.1f}")
        for key in figures["ionoscr"]
    ]
    rows += [(key, facts["official"][key], facts["ionoscr"][key]) for key in facts["ionoscr"]]
    size = args.official_plugin.stat().st_size / 1e6
    rows.append(("plugin to install", f"{size:.0f} MB binary", "none (Python package)"))
    print(table(("", "pulumi-ionoscloud (bridged)", "pulumi-ionoscr"), rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
