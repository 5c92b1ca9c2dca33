"""The `Registry` resource and its dynamic provider (check and diff here; the API work is in
`_operations.registry`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, DiffResult, Resource
from typing_extensions import NotRequired, TypedDict

from . import _validation as rules
from ._exceptions import ApiError, ConfigurationError, IonosCrError
from ._provider import (
    Operations,
    ProviderBase,
    auto_name_inputs,
    check_result,
    contains_unknown,
    derived_name,
    notice,
    plain,
    resource_args,
    switch_failures,
    with_secret_outputs,
)

__all__ = [
    "GarbageCollectionSchedule",
    "GarbageCollectionScheduleDict",
    "GarbageCollectionScheduleOutput",
    "Registry",
    "RegistryArgs",
    "RegistryArgsDict",
    "RegistryProvider",
    "Timeouts",
    "TimeoutsDict",
    "field_changed",
]

# Inputs the provider keeps (normalised) in the state; everything else in `news` is an output.
_INPUT_KEYS = (
    "name",
    "name_prefix",
    "name_scope",
    "location",
    "garbage_collection_schedule",
    "vulnerability_scanning",
    "api_subnet_allow_list",
    "timeouts",
    "adopt_existing",
)
_REPLACE_KEYS = ("name", "location")
# Endpoint -> the locations its `GET /locations` listed, once per provider process: a location
# confirmed for one registry needs no call for the next.
_CONFIRMED_LOCATIONS: dict[str, list[str]] = {}
_UPDATE_KEYS = ("garbage_collection_schedule", "vulnerability_scanning", "api_subnet_allow_list")


@dataclass
class GarbageCollectionSchedule:
    """When the registry collects garbage (it is read-only meanwhile). Times are UTC unless they
    carry an offset, which converts time and days to UTC: Monday 01:00+02:00 is stored as
    Sunday 23:00 UTC.

    `days`: weekday names in any case, full or three letters (`"sat"`), any order. `time`:
    `"02:30"`, `"02:30:00Z"` or `"02:30:00+00:00"`."""

    days: pulumi.Input[Sequence[pulumi.Input[str]]]
    time: pulumi.Input[str]


class GarbageCollectionScheduleDict(TypedDict):
    """`GarbageCollectionSchedule` as a dict."""

    days: pulumi.Input[Sequence[pulumi.Input[str]]]
    time: pulumi.Input[str]


class GarbageCollectionScheduleOutput(TypedDict):
    """What `Registry.garbage_collection_schedule` holds: days as the API names them, Monday
    first; the time as `HH:MM:SS+00:00`."""

    days: list[str]
    time: str


@dataclass
class Timeouts:
    """How long create, update and delete may wait for the registry: seconds or "20m", "1h"."""

    create: pulumi.Input[str | float] | None = None
    update: pulumi.Input[str | float] | None = None
    delete: pulumi.Input[str | float] | None = None


class TimeoutsDict(TypedDict, total=False):
    """`Timeouts` as a dict."""

    create: pulumi.Input[str | float] | None
    update: pulumi.Input[str | float] | None
    delete: pulumi.Input[str | float] | None


@dataclass
class RegistryArgs:
    """Inputs of a `Registry` (see the keyword arguments of `Registry`)."""

    location: pulumi.Input[str]
    name: pulumi.Input[str] | None = None
    garbage_collection_schedule: (
        pulumi.Input[GarbageCollectionSchedule | GarbageCollectionScheduleDict] | None
    ) = None
    vulnerability_scanning: pulumi.Input[bool] | None = None
    api_subnet_allow_list: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    timeouts: pulumi.Input[Timeouts | TimeoutsDict] | None = None
    adopt_existing: pulumi.Input[bool] = False


class RegistryArgsDict(TypedDict):
    """`RegistryArgs` as a dict: `Registry("main", {"location": "de/fra"})`."""

    location: pulumi.Input[str]
    name: NotRequired[pulumi.Input[str] | None]
    garbage_collection_schedule: NotRequired[
        pulumi.Input[GarbageCollectionSchedule | GarbageCollectionScheduleDict] | None
    ]
    vulnerability_scanning: NotRequired[pulumi.Input[bool] | None]
    api_subnet_allow_list: NotRequired[pulumi.Input[Sequence[pulumi.Input[str]]] | None]
    timeouts: NotRequired[pulumi.Input[Timeouts | TimeoutsDict] | None]
    adopt_existing: NotRequired[pulumi.Input[bool]]


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

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        news = {k: plain(news[k]) for k in _INPUT_KEYS if k in news}
        if news.get("name") is None and news.get("name_prefix"):
            news["name"] = derived_name(olds, news, rules.derive_registry_name, self.account)
        allowed, failures = self._locations_if_new(olds, news)
        return check_result(
            news,
            _registry_rules(allowed),
            required=("name", "location"),
            extra_failures=[*failures, *switch_failures()],
        )

    def _locations_if_new(
        self, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[list[str] | None, list[CheckFailure]]:
        """The service's locations when the location is new to this resource, and a failure
        when the API refuses the credentials (so a preview with broken credentials fails).
        Without credentials or an answer within CHECK_SECONDS the preview goes on with a
        warning, checking the location's format only."""
        location = news.get("location")
        if not isinstance(location, str) or contains_unknown(location):
            return None, []
        if olds.get("location") == location.strip().lower():
            return None, []
        unchecked = (
            f"registry {news.get('name')}: location {location!r} checked for its format only"
        )
        try:
            settings = self.settings()
        except ConfigurationError:
            notice(f"{unchecked}: no IONOS credentials (ionoscr:token or IONOS_TOKEN, ...)")
            return None, []
        endpoint = settings.endpoint
        if endpoint not in _CONFIRMED_LOCATIONS:
            try:
                with self.check_client(settings) as client:
                    _CONFIRMED_LOCATIONS[endpoint] = client.list_locations()
            except ApiError as error:
                if error.status in (401, 403):
                    return None, [CheckFailure("location", f"cannot check the location: {error}")]
                notice(f"{unchecked}: {error}")
                return None, []
            except IonosCrError as error:
                notice(f"{unchecked}: {error}")
                return None, []
        return _CONFIRMED_LOCATIONS[endpoint] or None, []

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
    arguments. When `name` is omitted a valid one is derived from `resource_name` plus a suffix
    fixed by the organization, project, stack, resource name and IONOS account, chosen once
    and kept.
    """

    registry_id: pulumi.Output[str]
    name: pulumi.Output[str]
    location: pulumi.Output[str]
    hostname: pulumi.Output[str]
    state: pulumi.Output[str]
    storage_bytes: pulumi.Output[int]
    created_date: pulumi.Output[str]
    if TYPE_CHECKING:
        garbage_collection_schedule: pulumi.Output[GarbageCollectionScheduleOutput | None]
    else:  # Pulumi reads these at run time and knows no TypedDict: the value is a plain dict
        garbage_collection_schedule: pulumi.Output[dict[str, Any] | None]
    vulnerability_scanning: pulumi.Output[bool]
    api_subnet_allow_list: pulumi.Output[list[str] | None]
    # True for a registry this program only reads (`Registry.get`), which its stack does not own.
    looked_up: bool = False

    @overload
    def __init__(
        self,
        resource_name: str,
        args: RegistryArgs | RegistryArgsDict,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        location: pulumi.Input[str],
        name: pulumi.Input[str] | None = None,
        garbage_collection_schedule: (
            pulumi.Input[GarbageCollectionSchedule | GarbageCollectionScheduleDict] | None
        ) = None,
        vulnerability_scanning: pulumi.Input[bool] | None = None,
        api_subnet_allow_list: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        timeouts: pulumi.Input[Timeouts | TimeoutsDict] | None = None,
        adopt_existing: pulumi.Input[bool] = False,
    ) -> None:
        """A registry in `location` (e.g. `"de/fra"`).

        `name`: 3-63 characters `^[a-z][-a-z0-9]{1,61}[a-z0-9]$`, unique across IONOS;
        derived from `resource_name` when omitted. `garbage_collection_schedule`: when garbage
        is collected. `vulnerability_scanning`: the paid add-on (off unless True; switching it
        off again replaces the registry). `api_subnet_allow_list`: at most 25 addresses or
        CIDRs that may use the registry's API (`[]`: anyone). `timeouts`: how long create,
        update and delete wait. `adopt_existing`: take over a registry of yours with this name.
        """

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        inputs, opts = resource_args(RegistryArgs, args, kwargs)
        props: dict[str, Any] = {k: plain(v) for k, v in vars(inputs).items()}
        if inputs.name is None:
            props.update(auto_name_inputs(resource_name))
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
        registry = Registry(resource_name, RegistryArgs(location=""), merged)
        registry.looked_up = True
        return registry
