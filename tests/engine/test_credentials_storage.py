"""Where credentials end up, as README says: environment variables are never stored; stack
config is stored (encrypted) as the inputs of the default `pulumi-python` provider, and
`refresh`/`destroy` use that stored copy unless `--run-program` runs the program again, which
stores the config it ran with even when it fails (measured with CLI v3.276.0)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _harness import PulumiCli, PulumiStack
from _scenarios import program_directory

from pulumi_ionoscr.emulator import RunningEmulator, run_emulator

pytestmark = pytest.mark.engine

GOOD = "the-good-api-token-7d1f3a"
BAD = "a-revoked-api-token-9c4e2b"
PROGRAM = """
import pulumi_ionoscr as cr

cr.Registry("main", name="engine-credentials", location="de/fra")
"""
DEFAULT_PROVIDER = "pulumi:providers:pulumi-python"


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    """An emulator that accepts only the good token."""
    with run_emulator(tokens=[GOOD], timing={"preset": "immediate"}) as emu:
        yield emu


@pytest.fixture
def project_stack(pulumi_cli: PulumiCli, tmp_path: Path) -> Iterator[Callable[..., PulumiStack]]:
    """The program as a project directory (`--run-program` needs the language host)."""
    if not pulumi_cli.has_language_host:
        pytest.skip("needs the Python language host for `pulumi refresh --run-program`")
    made: list[PulumiStack] = []

    def make(**kwargs: object) -> PulumiStack:
        directory = program_directory(tmp_path, "engine-credentials", PROGRAM)
        stack = PulumiStack.from_directory(
            pulumi_cli, directory, mode="language-host", root=tmp_path / "stack", **kwargs
        )
        made.append(stack)
        return stack

    yield make
    for stack in made:
        stack.destroy(check=False)


def default_provider_inputs(stack: PulumiStack) -> dict[str, object]:
    provider = next(r for r in stack.resources() if r["type"] == DEFAULT_PROVIDER)
    inputs: dict[str, object] = provider.get("inputs") or {}
    return inputs


def test_environment_credentials_are_never_stored(
    project_stack: Callable[..., PulumiStack], emulator: RunningEmulator
) -> None:
    stack = project_stack(env={"IONOSCR_ENDPOINT": emulator.base_url, "IONOS_TOKEN": GOOD})
    stack.up()
    revealed = stack.export(show_secrets=True).stdout
    assert GOOD not in revealed and emulator.base_url not in revealed
    assert not any(key.startswith("ionoscr:") for key in default_provider_inputs(stack))

    # Read at every run: a revoked token fails the refresh at once, with what to fix.
    stack.extra_env["IONOS_TOKEN"] = BAD
    refresh = stack.refresh(expect_failure=True)
    assert "HTTP 401" in refresh.output and "the token from IONOS_TOKEN" in refresh.output
    stack.extra_env["IONOS_TOKEN"] = GOOD


def test_stack_config_credentials_are_stored_encrypted_and_used_by_refresh(
    project_stack: Callable[..., PulumiStack], emulator: RunningEmulator
) -> None:
    stack = project_stack(
        env={"IONOSCR_ENDPOINT": "", "IONOS_TOKEN": ""},
        config={"ionoscr:endpoint": emulator.base_url},
        secret_config={"ionoscr:token": GOOD},
    )
    stack.up()
    inputs = default_provider_inputs(stack)
    assert "ciphertext" in str(inputs["ionoscr:token"])  # stored, encrypted
    assert inputs["ionoscr:endpoint"] == emulator.base_url
    assert GOOD not in stack.export().stdout

    # A changed config: refresh goes on with the stored token and passes; --run-program uses
    # the new one and fails, saying which setting to fix.
    stack.config_set("ionoscr:token", BAD, secret=True)
    stack.refresh()
    failed = stack.refresh(extra_args=["--run-program"], expect_failure=True)
    assert "HTTP 401" in failed.output and "the token from ionoscr:token" in failed.output
    assert BAD not in failed.output
    # That run stored the bad token: with the config fixed, a plain destroy still uses it ...
    stack.config_set("ionoscr:token", GOOD, secret=True)
    assert "HTTP 401" in stack.destroy(expect_failure=True).output
    # ... and --run-program stores (and uses) the good one again.
    stack.destroy(extra_args=["--run-program"])
    assert emulator.admin.registries() == []
