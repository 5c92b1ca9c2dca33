"""What every section shares: the emulator, credentials for it, and the Pulumi CLI.

The CLI is found the way the engine tests find it: `scripts/install-pulumi.sh --no-build`
prints the directory holding `pulumi` (and its Python language host) as its last stdout
line. `make bench` runs `make pulumi-cli` first, which builds one when Go is there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install-pulumi.sh"
FLEET_DIR = BENCH_DIR / "fleet"
BUDGET_DIR = BENCH_DIR / "budget"
PARALLEL_DIR = BENCH_DIR / "parallel"
PASSPHRASE = "pulumi-ionoscr-benchmarks"
# Any non-empty Bearer token is accepted by the emulator.
API_TOKEN = "benchmark-token"
COMMAND_TIMEOUT = 600.0


class Unavailable(Exception):
    """A section cannot run here; `str()` says why in one line."""


@contextmanager
def emulator(timing: str | Mapping[str, Any] = "immediate") -> Iterator[Any]:
    """An emulator in a child process (its CPU time is not this interpreter's GIL), with
    IONOSCR_ENDPOINT / IONOS_TOKEN pointing at it for direct provider calls."""
    from pulumi_ionoscr.emulator import run_emulator

    spec = {"preset": timing} if isinstance(timing, str) else dict(timing)
    with run_emulator(subprocess=True, timing=spec) as emu:
        saved = {k: os.environ.get(k) for k in ("IONOSCR_ENDPOINT", "IONOS_TOKEN")}
        os.environ["IONOSCR_ENDPOINT"] = emu.base_url
        os.environ["IONOS_TOKEN"] = API_TOKEN
        try:
            yield emu
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@dataclass(frozen=True)
class Cli:
    bin_dir: Path
    version: str

    @property
    def has_language_host(self) -> bool:
        return (self.bin_dir / "pulumi-language-python").exists() or bool(
            shutil.which("pulumi-language-python")
        )


def find_cli() -> Cli:
    """The cached or PATH Pulumi CLI (never builds: that takes many minutes)."""
    env = {**os.environ, "PYTHON": os.environ.get("PYTHON", sys.executable)}
    proc = subprocess.run(
        ["bash", str(INSTALL_SCRIPT), "--no-build"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        reason = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise Unavailable(f"no Pulumi CLI (run `make pulumi-cli`): {reason}")
    bin_dir = Path(lines[-1].strip())
    version = subprocess.run(
        [str(bin_dir / "pulumi"), "version"],
        capture_output=True,
        text=True,
        env={**env, "PULUMI_SKIP_UPDATE_CHECK": "true"},
        timeout=60,
        check=False,
    ).stdout.strip()
    if not version:
        raise Unavailable(f"the Pulumi CLI in {bin_dir} does not run")
    cli = Cli(bin_dir, version)
    if not cli.has_language_host:
        raise Unavailable("no Python language host beside the CLI (run `make pulumi-cli`)")
    return cli


@dataclass
class Timed:
    seconds: float
    stdout: str
    stderr: str


def pulumi_env(
    cli: Cli, root: Path, python: str, *, drop: tuple[str, ...] = ("PULUMI_",)
) -> dict[str, str]:
    """The environment of a benchmark's `pulumi` command: this one without the variables whose
    names start with `drop`, the CLI and `python`'s directory first on PATH, and a Pulumi home,
    file backend and passphrase of its own under `root` (`root/home`, `root/backend`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    return {
        **env,
        "PATH": os.pathsep.join([str(cli.bin_dir), str(Path(python).parent), env.get("PATH", "")]),
        "PULUMI_HOME": str(root / "home"),
        "PULUMI_BACKEND_URL": (root / "backend").as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": python,
        "NO_COLOR": "1",
    }


@dataclass
class Stack:
    """A copy of a benchmark project (`benchmarks/fleet` unless told) with its own PULUMI_HOME
    and file backend, run with plain `pulumi up` / `preview` / `destroy` through the language
    host, as a user's CI would."""

    cli: Cli
    env_extra: dict[str, str] = field(default_factory=dict)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ionoscr-bench-")))
    project: Path = FLEET_DIR

    def __post_init__(self) -> None:
        self.work = self.root / "project"
        shutil.copytree(self.project, self.work, ignore=shutil.ignore_patterns("__pycache__"))
        (self.root / "home").mkdir()
        (self.root / "backend").mkdir()

    def env(self) -> dict[str, str]:
        python_path = [str(BENCH_DIR)]
        python_path += filter(None, [os.environ.get("PYTHONPATH")])
        return {
            **pulumi_env(self.cli, self.root, sys.executable),
            "PULUMI_SKIP_CONFIRMATIONS": "true",
            # The provider process unpickles noop_provider by reference.
            "PYTHONPATH": os.pathsep.join(python_path),
            "PYTHONUNBUFFERED": "1",
            **self.env_extra,
        }

    def run(self, args: Sequence[str]) -> Timed:
        started = time.perf_counter()
        proc = subprocess.run(
            [str(self.cli.bin_dir / "pulumi"), *args, "--non-interactive"],
            cwd=self.work,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            raise RuntimeError(
                f"pulumi {' '.join(args)} failed (exit {proc.returncode}):\n"
                f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
            )
        return Timed(elapsed, proc.stdout, proc.stderr)

    def init(self, config: Mapping[str, str]) -> None:
        self.run(["stack", "init", "bench", "--secrets-provider", "passphrase"])
        for key, value in config.items():
            self.run(["config", "set", key, value])

    def up(self) -> Timed:
        return self.run(["up", "--yes", "--skip-preview", "--color", "never"])

    def preview(self) -> Timed:
        # The CLI fails the command if the preview shows any change.
        return self.run(["preview", "--expect-no-changes", "--color", "never"])

    def refresh(self) -> Timed:
        return self.run(["refresh", "--yes", "--skip-preview", "--color", "never"])

    def destroy(self) -> Timed:
        return self.run(["destroy", "--yes", "--skip-preview", "--color", "never"])

    def resource_count(self) -> int:
        import json

        out = self.run(["stack", "export"]).stdout
        return len(json.loads(out).get("deployment", {}).get("resources") or [])

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def run_id() -> str:
    """A short unique suffix for registry names (unique across all tenants)."""
    import secrets

    return secrets.token_hex(3)
