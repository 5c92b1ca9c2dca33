"""What a CI gate sees when the API cannot be used: refused credentials fail the preview in one
line naming the settings to fix; an endpoint that never answers (a black hole) or refuses
connections (a closed port) gives a warning at preview and fails `up` after one bounded
attempt, naming the URL and where it was configured.

Each test prints how long the command took to fail (`pytest -s`); the bound is the harness
timeout, never an asserted wall time."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import pytest
from _harness import CommandResult, PulumiStack

import pulumi_ionoscr as cr
from pulumi_ionoscr.emulator import run_emulator

pytestmark = pytest.mark.engine

USER = "ci@example.com"
RIGHT_PASSWORD = "the-right-password-31"
WRONG_PASSWORD = "a-wrong-password-27"
# A hang guard only: commands that should fail in well under a minute.
COMMAND_TIMEOUT = 240.0


def program() -> None:
    cr.Registry("main", name="dead-endpoint", location="de/fra")


def timed(what: str, command: Callable[[], CommandResult]) -> CommandResult:
    started = time.monotonic()
    result = command()
    print(f"\n{what}: exit {result.returncode} after {time.monotonic() - started:.1f} s")
    return result


@pytest.fixture
def black_hole() -> Iterator[str]:
    """An endpoint that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield f"http://127.0.0.1:{server.getsockname()[1]}/containerregistries"


@pytest.fixture
def closed_port() -> str:
    """An endpoint on a port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/containerregistries"


def test_preview_with_a_wrong_password_fails_naming_the_settings(
    inline_stack: Callable[..., PulumiStack],
) -> None:
    with run_emulator(users={USER: RIGHT_PASSWORD}) as emu:
        env = {
            "IONOSCR_ENDPOINT": emu.base_url,
            "IONOS_USERNAME": USER,
            "IONOS_PASSWORD": WRONG_PASSWORD,
        }
        stack = inline_stack(program, project="engine-dead", env=env)
        stack.timeout = COMMAND_TIMEOUT
        preview = timed("preview, wrong password", lambda: stack.preview(expect_failure=True))
        assert emu.admin.registries() == []
    out = preview.output
    assert "HTTP 401" in out and f"the user '{USER}' from IONOS_USERNAME" in out
    assert "ionoscr:password" in out and "IONOS_PASSWORD" in out and "ionoscr:token" in out
    assert WRONG_PASSWORD not in out
    # One line each time the engine shows it, not spread over a traceback.
    lines = [line for line in out.splitlines() if "HTTP 401" in line]
    assert lines and all("IONOS_PASSWORD" in line and "ionoscr:token" in line for line in lines)


def test_black_hole_warns_at_preview_and_fails_up_naming_the_endpoint(
    inline_stack: Callable[..., PulumiStack], black_hole: str
) -> None:
    env = {"IONOSCR_ENDPOINT": black_hole, "IONOS_TOKEN": "t"}
    stack = inline_stack(program, project="engine-dead", env=env)
    stack.timeout = COMMAND_TIMEOUT
    preview = timed("preview, black hole", stack.preview)
    assert "checked for its format only" in preview.output
    assert black_hole in preview.output and "IONOSCR_ENDPOINT" in preview.output

    up = timed("up --skip-preview, black hole", lambda: stack.up(expect_failure=True))
    assert f"no answer from the IONOS API at {black_hole}" in up.output
    assert "no answer within 30s, endpoint from IONOSCR_ENDPOINT" in up.output
    assert "reachable from here" in up.output


def test_closed_port_fails_up_naming_the_endpoint_from_stack_config(
    inline_stack: Callable[..., PulumiStack], closed_port: str
) -> None:
    stack = inline_stack(
        program,
        project="engine-dead",
        env={"IONOSCR_ENDPOINT": "", "IONOS_TOKEN": "t"},
        config={"ionoscr:endpoint": closed_port},
    )
    stack.timeout = COMMAND_TIMEOUT
    preview = timed("preview, closed port", stack.preview)
    assert "checked for its format only" in preview.output and closed_port in preview.output

    up = timed("up --skip-preview, closed port", lambda: stack.up(expect_failure=True))
    assert f"no answer from the IONOS API at {closed_port}" in up.output
    assert "endpoint from ionoscr:endpoint" in up.output
