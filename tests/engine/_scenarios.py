"""Shared pieces of the engine scenarios: an emulator in its own process, stacks configured
to reach it, a declarative "fleet" program, and views of what the emulator really holds.

Test modules import the fixtures they use (`from _scenarios import _cloud  # noqa: F401`),
since `tests/engine/conftest.py` is shared and stays minimal.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pulumi
import pytest
from _harness import CommandResult, Program, PulumiStack

import pulumi_ionoscr as cr
from pulumi_ionoscr.emulator import RunningEmulator, run_emulator

REGISTRY_TYPE = "pulumi-python:dynamic/ionoscr:Registry"
TOKEN_TYPE = "pulumi-python:dynamic/ionoscr:RegistryToken"

StackFactory = Callable[..., PulumiStack]


# --------------------------------------------------------------------- the emulator


@dataclass
class Cloud:
    """One emulator and the credential the stacks use (it selects the emulator's tenant).

    `api` is a plain httpx client of the management API with the same credential: what
    "someone else changing things behind Pulumi's back" looks like.
    """

    emu: RunningEmulator
    credential: str

    @property
    def base_url(self) -> str:
        return self.emu.base_url

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.emu.base_url + "/",
            headers={"Authorization": f"Bearer {self.credential}"},
            timeout=30.0,
        )

    def stack_config(self) -> dict[str, dict[str, str]]:
        """`config` and `secret_config` for a stack whose provider talks to this emulator."""
        return {
            "config": {"ionoscr:endpoint": self.emu.base_url},
            "secret_config": {"ionoscr:token": self.credential},
        }

    # ---- what the emulator holds ------------------------------------------------------------

    def registries(self) -> list[dict[str, Any]]:
        return self.emu.admin.registries()

    def holdings(self) -> dict[str, list[str]]:
        """Registry name -> sorted token names, for every registry the emulator holds.

        A duplicate registry name cannot exist (names are unique); a duplicate token name shows
        up as a repeated entry in the list.
        """
        return {
            reg["name"]: sorted(tok["name"] for tok in reg["tokens"]) for reg in self.registries()
        }

    def registry(self, name: str) -> dict[str, Any]:
        matches = [r for r in self.registries() if r["name"] == name]
        assert len(matches) == 1, f"expected one registry {name!r}, emulator has {matches}"
        return matches[0]

    def get(self, path: str) -> dict[str, Any]:
        with self.api() as api:
            response = api.get(path)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def login_status(self, username: str, password: str) -> int:
        """Status of `GET /v2/` on the data plane with the token's Basic credentials
        (200: the credentials are a live token; 401: unknown, disabled or expired)."""
        pair = base64.b64encode(f"{username}:{password}".encode()).decode()
        response = httpx.get(
            f"{self.emu.origin}/v2/", headers={"Authorization": f"Basic {pair}"}, timeout=30.0
        )
        return response.status_code

    def requests(self, *, method: str | None = None) -> list[dict[str, Any]]:
        log = self.emu.admin.requests()
        return [r for r in log if method is None or r["method"] == method]


@pytest.fixture(scope="module", name="emulator_process")
def _emulator_process() -> Iterator[RunningEmulator]:
    """An emulator in a child process (the engine's provider processes and an inline program
    in this process must not share one GIL with it), `immediate` lifecycle timing."""
    with run_emulator(subprocess=True, timing={"preset": "immediate"}) as emu:
        yield emu


@pytest.fixture(name="cloud")
def _cloud(emulator_process: RunningEmulator) -> Cloud:
    """The module's emulator, reset: no state, no faults, empty request log."""
    emulator_process.admin.reset()
    return Cloud(emu=emulator_process, credential="engine-cred-" + secrets.token_hex(12))


def ionoscr_stack(factory: StackFactory, cloud: Cloud, program: Program, **kwargs: Any) -> Any:
    """A stack from `inline_stack`/`directory_stack` whose provider is configured for `cloud`
    (endpoint as plain config, the credential as a secret)."""
    return factory(program, **cloud.stack_config(), **kwargs)


# --------------------------------------------------------------------- the fleet program


@dataclass
class TokenSpec:
    resource: str
    name: str
    scopes: list[dict[str, Any]] = field(
        default_factory=lambda: [{"name": "app", "actions": ["pull", "push"]}]
    )
    status: str = "enabled"
    expiry_date: str | None = "2030-01-01T00:00:00Z"


@dataclass
class RegistrySpec:
    resource: str
    name: str
    tokens: list[TokenSpec] = field(default_factory=list)
    location: str = "de/fra"
    allow_list: list[str] | None = field(default_factory=lambda: ["203.0.113.0/24"])
    gc_days: list[str] | None = field(default_factory=lambda: ["Saturday", "Sunday"])
    gc_time: str = "02:30"
    vulnerability_scanning: bool = False
    repositories: list[str] = field(default_factory=list)


def fleet_program(fleet: Sequence[RegistrySpec]) -> Program:
    """A program declaring `fleet` as it is when the program runs (tests mutate the specs
    between runs). Exports per registry `<resource>_name`/`_id`/`_hostname`, per token
    `<resource>_username`/`_password`/`_docker_config_json`, per repository
    `<registry resource>_repo<i>_url`."""

    def program() -> None:
        for spec in fleet:
            reg = cr.Registry(
                spec.resource,
                name=spec.name,
                location=spec.location,
                garbage_collection_schedule=(
                    None
                    if spec.gc_days is None
                    else cr.GarbageCollectionSchedule(days=list(spec.gc_days), time=spec.gc_time)
                ),
                vulnerability_scanning=spec.vulnerability_scanning,
                api_subnet_allow_list=spec.allow_list,
            )
            pulumi.export(f"{spec.resource}_name", reg.name)
            pulumi.export(f"{spec.resource}_id", reg.id)
            pulumi.export(f"{spec.resource}_hostname", reg.hostname)
            for i, repo_name in enumerate(spec.repositories):
                repo = cr.Repository(f"{spec.resource}-repo{i}", registry_id=reg.id, name=repo_name)
                pulumi.export(f"{spec.resource}_repo{i}_url", repo.url)
            for tok in spec.tokens:
                token = cr.RegistryToken(
                    tok.resource,
                    registry=reg,
                    name=tok.name,
                    scopes=[cr.TokenScope(**s) for s in tok.scopes],
                    status=tok.status,
                    expiry_date=tok.expiry_date,
                )
                pulumi.export(f"{tok.resource}_username", token.username)
                pulumi.export(f"{tok.resource}_password", token.password)
                pulumi.export(f"{tok.resource}_docker_config_json", token.docker_config_json)

    return program


def program_directory(parent: Path, project: str, source: str) -> Path:
    """A project directory (`Pulumi.yaml` + `__main__.py` holding `source`) under `parent`, for
    tests that run a program as CI does: `pulumi` in the directory, through the language host."""
    directory = parent / "program"
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text(f"name: {project}\nruntime: python\n")
    (directory / "__main__.py").write_text(source)
    return directory


def declared(fleet: Sequence[RegistrySpec]) -> dict[str, list[str]]:
    """What the emulator must hold for `fleet`, in the shape of `Cloud.holdings()`."""
    return {spec.name: sorted(t.name for t in spec.tokens) for spec in fleet}


# --------------------------------------------------------------------- the state


def state_resources(stack: PulumiStack, type_token: str) -> list[dict[str, Any]]:
    return [r for r in stack.resources() if r["type"] == type_token]


SECRET_SIG = "4dabf18193072939515e22adb298388d"  # marks a secret value in an exported state


def revealed(value: Any) -> Any:
    """`value` from a state exported with --show-secrets, secrets replaced by their values."""
    if isinstance(value, dict):
        if SECRET_SIG in value and "plaintext" in value:
            return revealed(json.loads(value["plaintext"]))
        return {k: revealed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [revealed(v) for v in value]
    return value


def revealed_resources(stack: PulumiStack) -> list[dict[str, Any]]:
    """The state's resources with every secret decrypted (`stack export --show-secrets`)."""
    state = stack.export(show_secrets=True).json
    return [revealed(r) for r in state["deployment"].get("resources") or []]


def plain_outputs(stack: PulumiStack, type_token: str) -> dict[str, dict[str, Any]]:
    """The decrypted outputs of every resource of `type_token`, keyed by its `name` output."""
    resources = revealed_resources(stack)
    return {r["outputs"]["name"]: r["outputs"] for r in resources if r["type"] == type_token}


def assert_order(result: CommandResult, first: str, then: str) -> None:
    """`first` appears in the command's output, and before `then`."""
    out = result.output
    assert first in out, f"{first!r} not in the output:\n{result.describe()}"
    assert then in out, f"{then!r} not in the output:\n{result.describe()}"
    assert out.index(first) < out.index(then), (
        f"expected {first!r} before {then!r}:\n{result.describe()}"
    )
