"""Run an example program from `examples/` under Pulumi mocks and record what it asks for.

Mocks never start a provider or a plugin, so this works for the Kubernetes part of `ci-tokens`
too. Besides the inputs the mocks see (type token, name, inputs, read id), a recording monitor
keeps the resource options that travel to the engine and that `Mocks` never sees:
`additional_secret_outputs`, `ignore_changes`, `retain_on_delete`.

The answers are the package's own `pulumi_ionoscr.testing.IonosCrMocks` (every input checked
by the providers' rules; outputs as the providers give them), so the examples are also run
the way README tells users to test their programs. The docker config the tests compare with
is built here independently of the package.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import logging
import runpy
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pulumi
import pulumi.runtime
import pytest
from google.protobuf import json_format
from pulumi.runtime.mocks import MockMonitor

from pulumi_ionoscr.testing import IonosCrMocks
from pulumi_ionoscr.testing._mocks import reveal

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

REGISTRY = "pulumi-python:dynamic/ionoscr:Registry"
TOKEN = "pulumi-python:dynamic/ionoscr:RegistryToken"
REPOSITORY = "pulumi-python:dynamic/ionoscr:Repository"
K8S_SECRET = "kubernetes:core/v1:Secret"

# How Pulumi's wire format marks a secret value: {SIG_KEY: SECRET_SIG, "value": ...}.
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def existing_registry_name(registry_id: str) -> str:
    """What `Registry.get` finds under an id the program did not declare (IonosCrMocks)."""
    return f"existing-{registry_id[:8]}"


def docker_config(hostname: str, username: str, password: str) -> dict[str, Any]:
    """What a docker config for one registry must hold (written from the Docker docs)."""
    auth = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"auths": {hostname: {"username": username, "password": password, "auth": auth}}}


@dataclass
class Registration:
    """One resource the program registered (or read)."""

    type: str
    name: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    read_id: str | None = None
    additional_secret_outputs: list[str] = field(default_factory=list)
    ignore_changes: list[str] = field(default_factory=list)
    retain_on_delete: bool = False
    # Top-level inputs sent to the engine as secrets (or holding one).
    secret_inputs: set[str] = field(default_factory=set)


@dataclass
class ProgramRun:
    registrations: list[Registration]
    exports: dict[str, Any]  # name -> value, as `pulumi stack output --show-secrets` shows
    logs: list[str]  # what the program logged at info level and above

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str, name: str) -> Registration:
        [found] = [r for r in self.of_type(type_) if r.name == name]
        return found


class _ExampleMocks(IonosCrMocks):
    def __init__(self) -> None:
        super().__init__()
        # (args, inputs as the program sent them, outputs) per registered or read resource
        self.created: list[tuple[pulumi.runtime.MockResourceArgs, dict[str, Any], dict[str, Any]]]
        self.created = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = {k: reveal(v) for k, v in args.inputs.items() if k != "__provider"}
        id_, outputs = super().new_resource(args)
        self.created.append((args, inputs, outputs))
        return id_, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        raise AssertionError(f"the examples make no provider calls (got {args.token})")


class _RecordingMonitor(MockMonitor):
    """Keeps the resource options of each registration, which `Mocks` never sees."""

    def __init__(self, mocks: _ExampleMocks) -> None:
        super().__init__(mocks)
        self.options: dict[tuple[str, str], dict[str, Any]] = {}

    def RegisterResource(self, request: Any) -> Any:
        inputs = json_format.MessageToDict(request.object)
        self.options[(request.type, request.name)] = {
            "additional_secret_outputs": list(request.additionalSecretOutputs),
            "ignore_changes": list(request.ignoreChanges),
            "retain_on_delete": bool(request.retainOnDelete),
            "secret_inputs": {k for k, v in inputs.items() if _holds_secret(v)},
        }
        return super().RegisterResource(request)

    def ReadResource(self, request: Any) -> Any:
        self.options[(request.type, request.name)] = {
            "additional_secret_outputs": list(request.additionalSecretOutputs),
        }
        return super().ReadResource(request)


def _holds_secret(value: Any) -> bool:
    if isinstance(value, dict):
        return value.get(_SIG_KEY) == _SECRET_SIG or any(map(_holds_secret, value.values()))
    if isinstance(value, list):
        return any(map(_holds_secret, value))
    return False


def load_module(example: str, module: str) -> ModuleType:
    """`examples/<example>/<module>.py` as a module of its own (example directories are not
    packages, and two examples may have modules of the same name)."""
    name = f"examples_{example.replace('-', '_')}_{module}"
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / example / f"{module}.py")
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded  # dataclasses look their module up while the class is built
    spec.loader.exec_module(loaded)
    return loaded


class _ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)  # the SDK logs its own progress at DEBUG
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _importable(directory: Path) -> Iterator[None]:
    """The example directory on sys.path, as the language host puts it; its own modules are
    forgotten afterwards so the next example gets fresh ones."""
    before = set(sys.modules)
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        sys.path.remove(str(directory))
        for name in set(sys.modules) - before:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if module_file.startswith(str(directory)):
                del sys.modules[name]


def run_example(
    example: str,
    config: Mapping[str, Any] | None = None,
    *,
    monkeypatch: pytest.MonkeyPatch,
) -> ProgramRun:
    """Run `examples/<example>/__main__.py` under mocks as project `<example>`, stack `test`.

    `config` keys without a namespace get the project's (`location` -> `<example>:location`);
    values that are not strings are passed as JSON, as the CLI does.
    """
    directory = EXAMPLES / example
    mocks = _ExampleMocks()
    monitor = _RecordingMonitor(mocks)
    logger = logging.getLogger(f"pulumi-ionoscr.examples.{example}")
    logger.setLevel(logging.INFO)
    handler = _ListHandler()
    logger.addHandler(handler)
    pulumi.runtime.set_mocks(
        mocks, project=example, stack="test", preview=False, logger=logger, monitor=monitor
    )
    pulumi.runtime.set_all_config(
        {
            (key if ":" in key else f"{example}:{key}"): (
                value if isinstance(value, str) else json.dumps(value)
            )
            for key, value in (config or {}).items()
        }
    )
    exported: dict[str, pulumi.Output[Any]] = {}
    monkeypatch.setattr(pulumi, "export", lambda name, value: exported.setdefault(name, value))

    values: dict[str, Any] = {}

    async def collect() -> None:
        for name, output in exported.items():
            values[name] = await pulumi.Output.from_input(output).future()

    @pulumi.runtime.test
    def program() -> Any:
        with _importable(directory):
            runpy.run_path(str(directory / "__main__.py"), run_name="__main__")
        return collect()

    try:
        program()
    finally:
        logger.removeHandler(handler)
        pulumi.runtime.set_all_config({})

    registrations = []
    for args, inputs, outputs in mocks.created:
        options = monitor.options.get((args.typ, args.name), {})
        registrations.append(
            Registration(
                type=args.typ,
                name=args.name,
                inputs=inputs,
                outputs=outputs,
                read_id=args.resource_id or None,
                **options,
            )
        )
    return ProgramRun(registrations, values, handler.messages)
