"""A CI job killed mid-create (SIGKILL of `pulumi` and everything it started, as a runner's
timeout does), then the recovery README documents, run as written: nothing is left behind,
nothing is created twice, and every password in the state logs in.

The emulator holds new registries before `Running` (a forced state releases one), and token
POSTs wait 8 s before the emulator handles them, so the kill lands while registries are being
created and while token creates are in flight (the server creates those tokens after the
client is gone: their passwords are lost)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _harness import PulumiCli, PulumiStack
from _scenarios import (  # noqa: F401  (fixtures)
    Cloud,
    _cloud,
    _emulator_process,
    program_directory,
)

pytestmark = pytest.mark.engine

TOKEN_TYPE = "pulumi-python:dynamic/ionoscr:RegistryToken"
HOLD = {"create_seconds": 3600, "create_reads": 0}
TOKEN_POST_DELAY_MS = 8000

# Two registries, one named and one auto-named; each with a named token (by registry_id) and an
# auto-named one (registry=): every kind of name the provider handles.
PROGRAM = """
import pulumi
import pulumi_ionoscr as cr

scopes = [cr.TokenScope(name="app", actions=["pull", "push"])]
for resource, name in (("named", "ci-killed-named"), ("auto", None)):
    reg = cr.Registry(resource, name=name, location="de/fra")
    tokens = [
        cr.RegistryToken(f"{resource}-ci", name="ci", registry_id=reg.registry_id, scopes=scopes),
        cr.RegistryToken(f"{resource}-auto", registry=reg, scopes=scopes),
    ]
    pulumi.export(f"{resource}_name", reg.name)
    for token in tokens:
        pulumi.export(token._name, {"username": token.username, "password": token.password})
"""
AUTO_ONLY = """
import pulumi
import pulumi_ionoscr as cr

reg = cr.Registry("main", location="de/fra")
token = cr.RegistryToken("ci", registry=reg, scopes=[cr.TokenScope(name="*", actions=["pull"])])
pulumi.export("main_name", reg.name)
pulumi.export("ci", {"username": token.username, "password": token.password})
"""


@pytest.fixture
def ci_stack(
    pulumi_cli: PulumiCli, cloud: Cloud, tmp_path: Path
) -> Iterator[Callable[[str], PulumiStack]]:
    """A project run through the language host as CI runs it, credentials from the env."""
    if not pulumi_cli.has_language_host:
        pytest.skip("needs the Python language host: the kill must hit a whole `pulumi up`")
    made: list[PulumiStack] = []

    def make(source: str) -> PulumiStack:
        env = {"IONOSCR_ENDPOINT": cloud.base_url, "IONOS_TOKEN": cloud.credential}
        directory = program_directory(tmp_path, "killed-ci", source)
        stack = PulumiStack.from_directory(
            pulumi_cli, directory, mode="language-host", root=tmp_path / "stack", env=env
        )
        made.append(stack)
        return stack

    yield make
    for stack in made:
        stack.run(["cancel", "--yes"], check=False)
        stack.destroy(check=False)


def checkpoint(stack: PulumiStack) -> dict[str, Any]:
    """The stack's state file as the engine last wrote it ({} until it exists)."""
    path = stack.backend_dir / ".pulumi" / "stacks" / stack.project / f"{stack.stack}.json"
    try:
        deployment: dict[str, Any] = json.loads(path.read_text())["checkpoint"]["latest"]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return {}  # not written yet, or caught mid-write
    return deployment or {}


def pending(stack: PulumiStack) -> list[dict[str, Any]]:
    return list(checkpoint(stack).get("pending_operations") or [])


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def start_up(stack: PulumiStack) -> subprocess.Popen[bytes]:
    """`pulumi up --yes --skip-preview` in its own process group, as a CI job runs it."""
    return subprocess.Popen(
        [str(stack.cli.pulumi), "up", "--yes", "--skip-preview", "--non-interactive"],
        cwd=stack.work_dir,
        env=stack.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill_job(job: subprocess.Popen[bytes]) -> None:
    """What a CI runner's timeout does: SIGKILL to `pulumi` and all it started."""
    os.killpg(job.pid, signal.SIGKILL)
    job.wait()


def tokens_in_flight(stack: PulumiStack, registry: str) -> bool:
    """Both tokens of `registry` are being created (the engine records them before the call)."""
    urns = [op["resource"]["urn"] for op in pending(stack) if op["resource"]["type"] == TOKEN_TYPE]
    return sum(f"::{registry}-" in urn for urn in urns) == 2


def assert_recovered(stack: PulumiStack, cloud: Cloud, declared: dict[str, list[str]]) -> None:
    """Exactly what the program declares, no pending operation, and working passwords."""
    assert cloud.holdings() == declared  # 0 orphans, 0 duplicates
    assert pending(stack) == []
    outputs = stack.outputs(show_secrets=True)
    tokens = [value for value in outputs.values() if isinstance(value, dict)]
    assert len(tokens) == sum(len(names) for names in declared.values())
    for token in tokens:
        assert token["password"], token["username"]
        assert cloud.login_status(token["username"], token["password"]) == 200, token["username"]
    stack.preview(expect_no_changes=True)


def test_killed_up_recovers_with_the_documented_commands(
    ci_stack: Callable[[str], PulumiStack], cloud: Cloud
) -> None:
    stack = ci_stack(PROGRAM)
    cloud.emu.admin.set_timing(**HOLD)
    cloud.emu.admin.set_faults(
        latency_ms=TOKEN_POST_DELAY_MS, methods=["POST"], path_pattern=r"/tokens$"
    )
    job = start_up(stack)
    try:
        registries = wait_for(lambda: len(cloud.registries()) == 2 and cloud.registries(), "POSTs")
        named = next(r for r in registries if r["name"] == "ci-killed-named")
        auto_name = next(r["name"] for r in registries if r is not named)
        cloud.emu.admin.force_state(named["id"], "Running")
        wait_for(lambda: tokens_in_flight(stack, "named"), "the named registry's token creates")
        time.sleep(1.0)  # the POSTs reach the emulator, which holds them
    finally:
        kill_job(job)
    # The emulator goes on with what it received: both tokens appear, passwords lost with the
    # job; the auto-named registry is still being created.
    wait_for(lambda: len(cloud.registry("ci-killed-named")["tokens"]) == 2, "orphaned tokens")
    assert cloud.registry(auto_name)["state"] != "Running"
    cloud.emu.admin.clear_faults()
    cloud.emu.admin.set_timing(preset="immediate")
    cloud.emu.admin.force_state(cloud.registry(auto_name)["id"], "Running")

    # Without recovery the next run is refused: the killed one still holds the lock.
    assert "locked" in stack.up(expect_failure=True).output

    # README, "When a CI job was killed", as written.
    stack.run(["cancel", "--yes"])
    stack.run(["refresh", "--clear-pending-creates", "--yes"])
    stack.extra_env["IONOSCR_ADOPT_EXISTING"] = "true"
    stack.run(["up", "--yes"])
    del stack.extra_env["IONOSCR_ADOPT_EXISTING"]

    outputs = stack.outputs()
    assert outputs["auto_name"] == auto_name  # the same derived name, not a new one
    auto_token = next(t["name"] for t in cloud.registry(auto_name)["tokens"] if t["name"] != "ci")
    named_token = next(
        t["name"] for t in cloud.registry("ci-killed-named")["tokens"] if t["name"] != "ci"
    )
    assert_recovered(
        stack,
        cloud,
        {"ci-killed-named": sorted(["ci", named_token]), auto_name: sorted(["ci", auto_token])},
    )


def test_auto_named_resources_need_no_switch_and_get_the_same_name(
    ci_stack: Callable[[str], PulumiStack], cloud: Cloud
) -> None:
    stack = ci_stack(AUTO_ONLY)
    cloud.emu.admin.set_timing(**HOLD)
    job = start_up(stack)
    try:
        [registry] = wait_for(cloud.registries, "the registry's POST")
    finally:
        kill_job(job)
    cloud.emu.admin.set_timing(preset="immediate")
    cloud.emu.admin.force_state(registry["id"], "Running")

    stack.run(["cancel", "--yes"])
    stack.run(["refresh", "--clear-pending-creates", "--yes"])
    result = stack.run(["up", "--yes"])  # no IONOSCR_ADOPT_EXISTING: the names are ours

    assert "adopted the existing registry" in result.output
    assert stack.outputs()["main_name"] == registry["name"]
    [token] = cloud.registry(registry["name"])["tokens"]
    assert_recovered(stack, cloud, {registry["name"]: [token["name"]]})
