"""The `Registry` resource and its dynamic provider (check and diff here; the API work is in
`_operations.registry`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, DiffResult, Resource

from . import _validation as rules
from ._exceptions import IonosCrError
from ._provider import (
    Operations,
    ProviderBase,
    check_result,
    contains_unknown,
    derived_name,
    notice,
    plain,
    resource_args,
    with_secret_outputs,
)

__all__ = [
    "GarbageCollectionSchedule",
    "Registry",
    "RegistryArgs",
    "RegistryProvider",
    "Timeouts",
    "field_changed",
]

# Inputs the provider keeps (normalised) in the state; everything else in `news` is an output.
_INPUT_KEYS = (
    "name",
    "name_prefix",
    "location",
    "garbage_collection_schedule",
    "vulnerability_scanning",
    "api_subnet_allow_list",
    "timeouts",
    "adopt_existing",
)
_REPLACE_KEYS = ("name", "location")
_UPDATE_KEYS = ("garbage_collection_schedule", "vulnerability_scanning", "api_subnet_allow_list")


@dataclass
class GarbageCollectionSchedule:
    """When the registry collects garbage (it is read-only meanwhile). Times are UTC."""

    days: Sequence[str]
    time: str


@dataclass
class Timeouts:
    """How long create, update and delete may wait for the registry: seconds or "20m", "1h"."""

    create: str | float | None = None
    update: str | float | None = None
    delete: str | float | None = None


@dataclass
class RegistryArgs:
    """Inputs of a `Registry`."""

    location: pulumi.Input[str]
    name: pulumi.Input[str] | None = None
    garbage_collection_schedule: GarbageCollectionSchedule | Mapping[str, Any] | None = None
    vulnerability_scanning: pulumi.Input[bool] | None = None
    api_subnet_allow_list: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    timeouts: Timeouts | Mapping[str, Any] | None = None
    adopt_existing: bool = False


def _registry_rules(allowed_locations: Sequence[str] | None) -> dict[str, rules.Rule]:
    return {
        "name": rules.registry_name,
        "location": lambda v: rules.location_id(v, allowed_locations),
        "garbage_collection_schedule": rules.gc_schedule,
        "vulnerability_scanning": rules.vulnerability_scanning,
        "api_subnet_allow_list": rules.api_subnet_allow_list,
        "timeouts": rules.timeouts,
    }


def field_changed(key: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    """Whether an updatable input differs, in the sense the API gives it."""
    new = news.get(key)
    if new is None and key == "vulnerability_scanning":
        return False  # "as the registry has it"
    if key == "api_subnet_allow_list":
        # Dropping the list clears it; the API may write entries back in another form.
        return not rules.same_allow_list(olds.get(key), new)
    return bool(olds.get(key) != new)


class RegistryProvider(ProviderBase):
    """Create, read, diff, update and delete IONOS container registries."""

    @staticmethod
    def operations() -> Operations:
        from ._operations import registry  # the provider process, on its first API call

        return registry

    # ---- check / diff (no API calls unless a new location must be confirmed) -----------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        news = {k: plain(news[k]) for k in _INPUT_KEYS if k in news}
        if news.get("name") is None and news.get("name_prefix"):
            news["name"] = derived_name(_olds, news["name_prefix"], rules.derive_registry_name)
        return check_result(
            news,
            _registry_rules(self._locations_if_new(_olds, news)),
            required=("name", "location"),
        )

    def _locations_if_new(
        self, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> list[str] | None:
        """The service's location list, fetched only when the location is new to this resource."""
        location = news.get("location")
        if not isinstance(location, str) or contains_unknown(location):
            return None
        if olds.get("location") == location.strip().lower():
            return None
        try:
            with self.client() as client:
                return client.list_locations() or None
        except IonosCrError:
            return None  # no credentials or no answer at preview: format check only

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [k for k in _REPLACE_KEYS if olds.get(k) != news.get(k)]
        changed = [k for k in _UPDATE_KEYS if field_changed(k, olds, news)]
        if olds.get("vulnerability_scanning") and news.get("vulnerability_scanning") is False:
            replaces.append("vulnerability_scanning")
            notice(
                f"registry {olds.get('name')}: vulnerability scanning cannot be switched off "
                "once on (IONOS rule); turning it off replaces the registry"
            )
        return DiffResult(
            changes=bool(replaces or changed),
            replaces=replaces,
            stables=["registry_id"],
            delete_before_replace=True,  # names are globally unique
        )


class Registry(Resource, module="ionoscr", name="Registry"):
    """An IONOS Cloud container registry, ready to push to once created.

    `Registry(resource_name, args=RegistryArgs(...), opts=...)` or with the inputs as keyword
    arguments. When `name` is omitted a valid one is derived from `resource_name` plus a random
    suffix, chosen once and kept.
    """

    registry_id: pulumi.Output[str]
    name: pulumi.Output[str]
    location: pulumi.Output[str]
    hostname: pulumi.Output[str]
    state: pulumi.Output[str]
    storage_bytes: pulumi.Output[int]
    created_date: pulumi.Output[str]
    garbage_collection_schedule: pulumi.Output[dict[str, Any] | None]
    vulnerability_scanning: pulumi.Output[bool]
    api_subnet_allow_list: pulumi.Output[list[str] | None]

    def __init__(
        self,
        resource_name: str,
        args: RegistryArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        args = resource_args(RegistryArgs, args, kwargs)
        props: dict[str, Any] = {k: plain(v) for k, v in vars(args).items()}
        if args.name is None:
            props["name_prefix"] = resource_name
        props.update(
            dict.fromkeys(("registry_id", "hostname", "state", "storage_bytes", "created_date"))
        )
        opts = with_secret_outputs(opts, ["hostname"])
        super().__init__(RegistryProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> Registry:
        """Look up an existing registry by its UUID (read-only in this program)."""
        merged = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        return Registry(resource_name, RegistryArgs(location=""), merged)
