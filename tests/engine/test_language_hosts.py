"""The two Python language hosts side by side: Pulumi's own (upstream, what users run) and the
project's fallback (scripts/pulumi_language_python.py). The same example and the same policy
pack must come out the same under both; the project's host must also go away with the engine
that started it. docs/engine.md lists the differences that remain."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from _harness import REPO_ROOT, CliUnavailable, PulumiCli, PulumiStack, bootstrap_cli
from _scenarios import Cloud, _cloud, _emulator_process  # noqa: F401  (fixtures)

pytestmark = pytest.mark.engine

EXAMPLES_DIR = REPO_ROOT / "examples"
HOSTS = ("upstream", "project")


def _upstream_source() -> Path:
    given = os.environ.get("PULUMI_LANGUAGE_PYTHON_SRC")
    return Path(given) if given else REPO_ROOT.parent / "shared/upstream/pulumi-language-python"


@pytest.fixture(scope="module")
def hosts(pulumi_cli: PulumiCli) -> dict[str, PulumiCli]:
    """The CLI under every Python language host this machine has (each in its own directory)."""
    found: dict[str, PulumiCli] = {}
    for host in HOSTS:
        try:
            found[host] = bootstrap_cli(build=False, language_host=host)
        except CliUnavailable:
            continue
    return found


def _both(hosts: dict[str, PulumiCli]) -> None:
    missing = [h for h in HOSTS if h not in hosts]
    if missing:
        pytest.skip(f"no {' and no '.join(missing)} Python language host here (docs/engine.md)")


def test_the_engine_tier_runs_under_the_upstream_host_where_its_source_is(
    pulumi_cli: PulumiCli,
) -> None:
    if os.environ.get("PULUMI_LANGUAGE_HOST", "auto") == "project":
        pytest.skip("PULUMI_LANGUAGE_HOST=project asks for the project's host")
    if not (_upstream_source() / "main.go").is_file():
        pytest.skip(f"no upstream host source at {_upstream_source()}: the project's host runs")
    assert pulumi_cli.language_host == "upstream", pulumi_cli.describe()


# --------------------------------------------------------------------- the same outcome


def _policy_report(output: str) -> list[str]:
    """The violation lines of a preview: `[level] policy (type: resource)`."""
    return sorted(
        " ".join(line.split()[1:])
        for line in output.splitlines()
        if line.strip().startswith(("- [mandatory]", "- [advisory]"))
    )


def _outcome(cli: PulumiCli, cloud: Cloud, root: Path, pack: Path) -> dict[str, Any]:
    """What a user sees of the quickstart (up, no-op preview, preview with the pack, destroy)
    and of the policies example with the pack, under `cli`'s host."""
    cloud.emu.admin.reset()
    seen: dict[str, Any] = {}
    with PulumiStack.from_directory(
        cli, EXAMPLES_DIR / "quickstart", root=root / "quickstart", **cloud.stack_config()
    ) as stack:
        stack.up()
        seen["outputs"] = {
            k: "[secret]" if v == "[secret]" else type(v).__name__
            for k, v in stack.outputs().items()
        }
        seen["registries"] = len(cloud.registries())
        seen["runtime"] = stack.run(["about", "--json"], parse_json=True).json["runtime"]
        seen["no-op preview"] = stack.preview(expect_no_changes=True).returncode
        checked = stack.preview(policy_packs=[pack])
        seen["quickstart policies"] = (checked.returncode, _policy_report(checked.output))
        seen["destroy"] = stack.destroy().returncode
        seen["left"] = len(cloud.registries())
    with PulumiStack.from_directory(
        cli, EXAMPLES_DIR / "policies", root=root / "policies", **cloud.stack_config()
    ) as stack:
        blocked = stack.preview(policy_packs=[pack], expect_failure=True)
        seen["policies example"] = (blocked.returncode, _policy_report(blocked.output))
    return seen


def test_quickstart_and_pack_come_out_the_same_under_both_hosts(
    hosts: dict[str, PulumiCli], cloud: Cloud, ionoscr_policy_pack: Path, tmp_path: Path
) -> None:
    _both(hosts)
    outcomes = {
        host: _outcome(cli, cloud, tmp_path / host, ionoscr_policy_pack)
        for host, cli in hosts.items()
    }
    upstream, project = outcomes["upstream"], outcomes["project"]
    # Both ran the program in the project's venv, as `pulumi about` reports it.
    for seen in (upstream, project):
        assert seen["runtime"]["executable"].endswith("/quickstart/project/venv/bin/python")
        assert seen["registries"] == 1 and seen["left"] == 0
        assert seen["policies example"][1], "the pack reported nothing"
    for seen in (upstream, project):
        seen["runtime"] = {k: seen["runtime"][k] for k in ("language", "version")}
    assert upstream == project


def _tiny_wheel(directory: Path) -> Path:
    """A one-module wheel (`tinydep`, VALUE = 42), so pip needs no index to install it."""
    wheel = directory / "tinydep-1.0-py3-none-any.whl"
    files = {
        "tinydep.py": b"VALUE = 42\n",
        "tinydep-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: tinydep\nVersion: 1.0\n",
        "tinydep-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: tests\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n",
    }

    def digest(data: bytes) -> str:
        return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

    record = "".join(f"{name},sha256={digest(data)},{len(data)}\n" for name, data in files.items())
    files["tinydep-1.0.dist-info/RECORD"] = (record + "tinydep-1.0.dist-info/RECORD,,\n").encode()
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return wheel


def test_both_hosts_create_the_venv_from_requirements(
    hosts: dict[str, PulumiCli], tmp_path: Path
) -> None:
    """`pulumi install` (InstallDependencies) creates the declared venv and installs
    requirements.txt into it; so does `pulumi preview` when the venv is missing."""
    _both(hosts)
    source = tmp_path / "src"
    source.mkdir()
    (source / "Pulumi.yaml").write_text(
        "name: engine-install\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n"
    )
    (source / "__main__.py").write_text(
        "import pulumi, tinydep\npulumi.export('v', tinydep.VALUE)\n"
    )
    pulumi_sdk = f"pulumi=={metadata.version('pulumi')}"  # from the index (or pip's cache)
    (source / "requirements.txt").write_text(f"{pulumi_sdk}\n{_tiny_wheel(tmp_path)}\n")
    for host, cli in hosts.items():
        with PulumiStack.from_directory(cli, source, root=tmp_path / host) as stack:
            venv = stack.work_dir / "venv"
            for command in (["install"], ["preview"]):
                # Start without a venv (the harness links one; a user has none yet).
                shutil.rmtree(venv) if venv.is_dir() and not venv.is_symlink() else venv.unlink()
                stack.run(command, timeout=600)
                shown = subprocess.run(
                    [str(venv / "bin" / "python"), "-c", "import tinydep; print(tinydep.VALUE)"],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                assert shown.stdout.strip() == "42", (host, command, shown.stderr)


# --------------------------------------------------------------------- the engine goes away


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every live (not zombie) process."""
    found: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            found[int(entry.name)] = (int(fields[1]), cmdline)
    return found


def _descendants(pid: int) -> dict[int, str]:
    table = _processes()
    found: dict[int, str] = {}
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, (ppid, cmdline) in table.items():
            if ppid == parent and child not in found:
                found[child] = cmdline
                frontier.append(child)
    return found


def _host_tree(engine_pid: int) -> dict[int, str]:
    """The project host the engine started and everything it started in turn."""
    hosts = [
        pid
        for pid, cmd in _descendants(engine_pid).items()
        if "pulumi_ionoscr_language_python.py" in cmd and "--pulumi-ionoscr-run" not in cmd
    ]
    assert len(hosts) <= 1, hosts
    table = _processes()
    return {pid: table[pid][1] for pid in hosts if pid in table} | {
        pid: cmd for host in hosts for pid, cmd in _descendants(host).items()
    }


@pytest.fixture
def blocking_project(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A project whose program signals that it runs, then never ends."""
    source = tmp_path / "src"
    source.mkdir()
    marker = tmp_path / "program-runs"
    (source / "Pulumi.yaml").write_text("name: engine-orphans\nruntime: python\n")
    (source / "__main__.py").write_text(
        f"import pathlib, time\npathlib.Path({str(marker)!r}).write_text('yes')\n"
        "while True:\n    time.sleep(1)\n"
    )
    yield source, marker


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_the_project_host_goes_when_the_engine_is_killed(
    hosts: dict[str, PulumiCli],
    blocking_project: tuple[Path, Path],
    ionoscr_policy_pack: Path,
    tmp_path: Path,
) -> None:
    """After a SIGKILL of `pulumi`, the host, the program it runs and the policy pack it
    started all end (they used to run on for good)."""
    if "project" not in hosts:
        pytest.skip("no project host here")
    source, marker = blocking_project
    pack = str(ionoscr_policy_pack)
    with PulumiStack.from_directory(hosts["project"], source, root=tmp_path / "stack") as stack:
        engine = subprocess.Popen(
            [str(stack.cli.pulumi), "preview", "--non-interactive", "--policy-pack", pack],
            cwd=stack.work_dir,
            env=stack.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                assert engine.poll() is None, "pulumi preview ended before the program ran"
                assert time.monotonic() < deadline, f"not all started: {_descendants(engine.pid)}"
                started = _host_tree(engine.pid)
                if marker.exists() and any("pulumi.policy" in c for c in started.values()):
                    break
                time.sleep(0.2)
            assert any("--pulumi-ionoscr-run-program" in cmd for cmd in started.values())
        finally:
            os.kill(engine.pid, signal.SIGKILL)
            engine.wait()
        deadline = time.monotonic() + 30
        while True:
            alive = {pid: cmd for pid, (_, cmd) in _processes().items() if started.get(pid) == cmd}
            if not alive or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert not alive, f"still running 30 s after the engine was killed: {json.dumps(alive)}"
