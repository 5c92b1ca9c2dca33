"""`IonosCrMocks`: Pulumi mocks that check inputs and answer as this package's providers do.

The textbook `pulumi.runtime.Mocks` echoes the inputs back: a registry's `hostname` and a
token's `password` are then None, a pull secret built from `docker_config_json` is empty, and
nothing checks the inputs. These mocks run each resource's inputs through its provider's own
`check` (the rules `pulumi preview` applies: a bad location or scope fails the unit test with
the same message) and fill in the outputs the provider would: ids, the hostname made from the
name and location, usernames, passwords and a docker config for the registry's hostname.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi.runtime
from pulumi.dynamic import CheckFailure, CheckResult, ResourceProvider

from .. import _validation as rules
from .._exceptions import CheckFailedError
from .._registry import RegistryProvider
from .._repository import RepositoryProvider, repository_id
from .._token import RegistryTokenProvider

__all__ = ["IonosCrMocks", "MockedResource", "reveal"]

REGISTRY = "pulumi-python:dynamic/ionoscr:Registry"
TOKEN = "pulumi-python:dynamic/ionoscr:RegistryToken"
REPOSITORY = "pulumi-python:dynamic/ionoscr:Repository"

# How Pulumi's wire format marks a secret value: {_SIG_KEY: _SECRET_SIG, "value": ...}. The engine
# hands dynamic providers plain values (they do not accept secrets); mocks get the envelopes.
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

# Ids are UUIDs, as the API's are (a token's registry_id must be one), derived from names so a
# test sees the same ids in every run.
_ID_NAMESPACE = uuid.UUID("6f1d3f0c-2b7e-4c55-9a43-1f0e5c3d2b10")


@dataclass(frozen=True)
class MockedResource:
    """One resource the program declared (or read with `.get`) and what the mocks answered:
    `inputs` as the provider's check normalised them, `outputs` as the engine hands them back."""

    type: str
    name: str
    id: str
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]


class _OfflineRegistryProvider(RegistryProvider):
    """The registry provider's check with a fixed location list instead of `GET /locations`."""

    def __init__(self, locations: Sequence[str]) -> None:
        self._locations = list(locations)

    def _locations_if_new(
        self, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[list[str] | None, list[CheckFailure]]:
        return self._locations, []


def reveal(value: Any) -> Any:
    """`value` with every secret envelope replaced by what it holds, at any depth."""
    if isinstance(value, Mapping):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            return reveal(value.get("value"))
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, "/".join(parts)))


def _hostname(name: str, location: str) -> str:
    """`<name>.cr.<country>-<city>.ionos.com`, the form IONOS gives registry hostnames."""
    return f"{name}.cr.{location.replace('/', '-')}.ionos.com"


class IonosCrMocks(pulumi.runtime.Mocks):
    """Mocks for `pulumi.runtime.set_mocks` that behave like pulumi-ionoscr's providers::

        pulumi.runtime.set_mocks(IonosCrMocks(), preview=False)

    * Inputs go through the provider's `check`: a bad input raises `CheckFailedError` (also a
      `ValueError`) from the test, naming the input, the rule and the value. `locations` is
      the location list the check accepts (the providers ask the API; default: the known
      ones).
    * Outputs are what the provider returns: `Registry`: a UUID id (also `registry_id`), the
      name (derived from the resource name when omitted, as the provider does), `hostname`
      `<name>.cr.<country>-<city>.ionos.com`, state `Running`, vulnerability scanning off
      unless asked for. `RegistryToken`: id `<registry id>/<token id>`, `username` = name, a
      `password` (derived from the token's id: stable across runs) and `docker_config_json`
      for the registry's hostname. `Repository`: id `<registry id>/<name>`, `url`, nothing
      pushed yet.
    * `Registry.get(...)`, `RegistryToken.get(...)`, `Repository.get(...)` return what this
      program declared under that id, else a stand-in (a registry `existing-<id prefix>`).
    * Other resource types get `<name>-id` and their inputs back: subclass and override
      `new_resource` for more, calling `super().new_resource(args)` for ours.

    Secrecy is not modelled: mocks never see `additional_secret_outputs`. `resources` lists
    what the program declared, in order.
    """

    def __init__(self, *, locations: Collection[str] = rules.KNOWN_LOCATIONS) -> None:
        self.locations: tuple[str, ...] = tuple(locations)
        self.resources: list[MockedResource] = []
        self._outputs: dict[str, dict[str, Any]] = {}  # by id, for reads and token hostnames

    # ---- pulumi.runtime.Mocks -----------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        inputs = {k: reveal(v) for k, v in args.inputs.items() if k != "__provider"}
        answer = {REGISTRY: self._registry, TOKEN: self._token, REPOSITORY: self._repository}
        if args.typ not in answer:
            return f"{args.name}-id", inputs
        if args.resource_id:
            id_, outputs = args.resource_id, self._read(args.typ, args.resource_id)
        else:
            checked = self._check(args.typ, args.name, inputs)
            id_, outputs = answer[args.typ](checked)
            inputs = checked
        self._outputs[id_] = outputs
        self.resources.append(MockedResource(args.typ, args.name, id_, inputs, outputs))
        return id_, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []

    # ---- check --------------------------------------------------------------------------------

    def _provider(self, typ: str) -> ResourceProvider:
        if typ == REGISTRY:
            return _OfflineRegistryProvider(self.locations)
        return RegistryTokenProvider() if typ == TOKEN else RepositoryProvider()

    def _check(self, typ: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        result: CheckResult = self._provider(typ).check({}, inputs)
        if result.failures:
            kind = typ.rsplit(":", 1)[-1]
            failures = [(f.property, f.reason) for f in result.failures]
            raise CheckFailedError(f"{kind} {name!r}", failures)
        return dict(result.inputs or {})

    # ---- answers ------------------------------------------------------------------------------

    def _registry(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        registry_id = _uuid("registry", inputs["name"])
        return registry_id, {
            **inputs,
            "registry_id": registry_id,
            "hostname": _hostname(inputs["name"], inputs["location"]),
            "state": "Running",
            "storage_bytes": 0,
            "created_date": _now(),
            "garbage_collection_schedule": inputs.get("garbage_collection_schedule"),
            "vulnerability_scanning": bool(inputs.get("vulnerability_scanning")),
            "api_subnet_allow_list": inputs.get("api_subnet_allow_list"),
        }

    def _registry_hostname(self, registry_id: str) -> str:
        known = self._outputs.get(registry_id) or self._read(REGISTRY, registry_id)
        return str(known["hostname"])

    def _token(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        from .._operations.token import docker_config_json  # the provider's own document

        registry_id, name = inputs["registry_id"], inputs["name"]
        token_id = _uuid("token", registry_id, name)
        password = hashlib.sha256(f"password/{token_id}".encode()).hexdigest()[:40]
        hostname = self._registry_hostname(registry_id)
        return f"{registry_id}/{token_id}", {
            **inputs,
            "expiry_date": inputs.get("expiry_date"),
            "token_id": token_id,
            "username": name,
            "password": password,
            "docker_config_json": docker_config_json(hostname, name, password),
        }

    def _repository(self, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        registry_id, name = inputs["registry_id"], inputs["name"]
        return repository_id(registry_id, name), {
            "registry_id": registry_id,
            "name": name,
            "url": f"{self._registry_hostname(registry_id)}/{name}",
            "exists": False,
            "artifact_count": 0,
            "push_count": 0,
            "pull_count": 0,
            "last_pushed_at": None,
            "last_severity": None,
        }

    def _read(self, typ: str, id_: str) -> dict[str, Any]:
        """What a `.get(id)` finds: the resource declared under that id, else a stand-in."""
        if id_ in self._outputs:
            return self._outputs[id_]
        if typ == REGISTRY:
            name = f"existing-{id_[:8].lower()}"
            location = self.locations[0] if self.locations else "de/fra"
            return self._registry({"name": name, "location": location})[1] | {"registry_id": id_}
        registry_id, _, rest = id_.partition("/")
        if typ == TOKEN:
            inputs = {"registry_id": registry_id, "name": "existing", "scopes": []}
            outputs = self._token(inputs)[1]
            # As the provider reads it: the API never shows a password again.
            return outputs | {"token_id": rest, "password": "", "docker_config_json": ""}
        return self._repository({"registry_id": registry_id, "name": rest})[1]


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
