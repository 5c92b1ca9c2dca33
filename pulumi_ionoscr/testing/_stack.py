"""`emulator_stack()`: your own Pulumi project, run by the real engine against the emulator,
through Pulumi's Automation API, in a throwaway local backend::

    from pulumi_ionoscr.testing import emulator_stack

    def test_infrastructure(ionoscr_emulator):
        with emulator_stack("infra", ionoscr_emulator) as stack:
            outputs = stack.up().outputs
            assert outputs["registry_name"].value == "acme-images"
            stack.preview(expect_no_changes=True)
        # destroyed, the stack removed, the project directory as it was

It needs the Pulumi CLI (with its Python language host, as Pulumi's installer provides it):
`pulumi` on PATH, or its path as `pulumi_cli=` or in `IONOSCR_PULUMI_CLI`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

from pulumi import automation as auto

__all__ = ["CLI_ENV", "emulator_stack"]

#: Where `emulator_stack` looks for the Pulumi CLI when `pulumi_cli` is not given.
CLI_ENV = "IONOSCR_PULUMI_CLI"

# The throwaway backend's secrets are encrypted with this (it is deleted afterwards).
_PASSPHRASE = "pulumi-ionoscr-emulator-stack"
# Any token does for the emulator; a real one must never be sent there.
_EMULATOR_TOKEN = "emulator-token"


class _Endpoint(Protocol):
    @property
    def base_url(self) -> str: ...


def _command(pulumi_cli: str | os.PathLike[str] | None) -> tuple[auto.PulumiCommand, Path | None]:
    """The CLI to run and the directory it is in (its plugins sit beside it)."""
    chosen = pulumi_cli or os.environ.get(CLI_ENV)
    if not chosen:
        found = shutil.which("pulumi")
        if found is None:
            raise FileNotFoundError(
                f"no Pulumi CLI: install it (https://www.pulumi.com/docs/install/), or pass "
                f"pulumi_cli= or set {CLI_ENV} to the path of the `pulumi` executable"
            )
        return auto.PulumiCommand(), Path(found).parent
    path = Path(chosen).expanduser()
    binary = path / "pulumi" if path.is_dir() else path
    if not binary.is_file():
        raise FileNotFoundError(f"no Pulumi CLI at {binary}")
    if binary.parent.name != "bin":  # PulumiCommand wants <root>/bin/pulumi
        raise ValueError(f"expected the CLI as <directory>/bin/pulumi, got {binary}")
    return auto.PulumiCommand(root=str(binary.parent.parent)), binary.parent


@contextlib.contextmanager
def emulator_stack(
    work_dir: str | os.PathLike[str],
    emulator: _Endpoint | str,
    *,
    stack_name: str = "emulator",
    config: Mapping[str, str | auto.ConfigValue] | None = None,
    pulumi_cli: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    destroy: bool = True,
) -> Iterator[auto.Stack]:
    """An Automation API `Stack` of the Pulumi project in `work_dir`, pointed at `emulator`
    (the `ionoscr_emulator` fixture, a `RunningEmulator`, or its `base_url`).

    The stack lives in a local backend in a temporary directory (your Pulumi login and your
    stacks are never touched), with `ionoscr:endpoint` set to the emulator and a dummy
    `ionoscr:token`, plus `config` (`{"myproject:size": "small"}`; wrap secrets as
    `auto.ConfigValue(value, secret=True)`). Use it as you would any Automation API stack:
    `up()`, `preview(expect_no_changes=True)`, `refresh()`, `outputs()`, `destroy()`.

    On leaving: whatever the stack still holds is destroyed (unless `destroy=False`), the stack
    is removed, and `Pulumi.<stack_name>.yaml` in `work_dir` is put back as it was (or removed).

    The program runs under the project's `runtime` settings (`virtualenv: venv` if it names
    one), otherwise with the Python running this, whose directory goes first on PATH. `env`
    adds environment variables for the CLI and the program.
    """
    project = Path(work_dir).resolve()
    endpoint = emulator if isinstance(emulator, str) else emulator.base_url
    command, cli_dir = _command(pulumi_cli)
    settings_file = project / f"Pulumi.{stack_name}.yaml"
    settings_before = settings_file.read_bytes() if settings_file.exists() else None
    backend = Path(tempfile.mkdtemp(prefix="ionoscr-emulator-stack-"))
    path = [str(Path(sys.executable).parent), *([str(cli_dir)] if cli_dir else [])]
    env_vars = {
        "PULUMI_BACKEND_URL": backend.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": _PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PATH": os.pathsep.join([*path, os.environ.get("PATH", "")]),
        **(env or {}),
    }
    options = auto.LocalWorkspaceOptions(
        work_dir=str(project), env_vars=env_vars, pulumi_command=command
    )
    stack: auto.Stack | None = None
    try:
        stack = auto.create_stack(stack_name, work_dir=str(project), opts=options)
        stack.set_all_config(
            {
                "ionoscr:endpoint": auto.ConfigValue(endpoint),
                "ionoscr:token": auto.ConfigValue(_EMULATOR_TOKEN, secret=True),
                **{
                    key: value if isinstance(value, auto.ConfigValue) else auto.ConfigValue(value)
                    for key, value in (config or {}).items()
                },
            }
        )
        yield stack
    except BaseException:
        # The test's own failure is the one to see: clean up as far as possible, quietly.
        with contextlib.suppress(Exception):
            _remove(stack, stack_name, destroy)
        raise
    else:
        _remove(stack, stack_name, destroy)
    finally:
        if settings_before is None:
            settings_file.unlink(missing_ok=True)
        else:
            settings_file.write_bytes(settings_before)
        shutil.rmtree(backend, ignore_errors=True)


def _remove(stack: auto.Stack | None, stack_name: str, destroy: bool) -> None:
    if stack is None:
        return
    if destroy:
        stack.destroy()
    stack.workspace.remove_stack(stack_name, preserve_config=True)
