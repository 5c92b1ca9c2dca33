"""The `Registry` resource and its dynamic provider."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from . import _validation as rules
from ._client import IonosCrClient
from ._exceptions import ApiError, IonosCrError, NotFoundError, TransportError
from ._models import (
    Registry as RegistryModel,
)
from ._models import (
    RegistryCreate,
    RegistryFeatures,
    RegistryPatch,
    VulnerabilityScanning,
    WeeklySchedule,
)
from ._provider import (
    ProviderBase,
    check_result,
    contains_unknown,
    derived_name,
    notice,
    plain,
    resource_args,
    wait_until,
    with_secret_outputs,
)

__all__ = ["GarbageCollectionSchedule", "Registry", "RegistryArgs", "RegistryProvider", "Timeouts"]

_FAILED_STATES = ("failed", "failed_suspended", "failed_updating", "failed_destroying", "error")
# A POST that failed before anything was created is simply tried again (a lost answer is
# adopted at once, so only plain failures use this up): 3 was too few under 10% 503s.
_CREATE_ATTEMPTS = 8

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


def _live_inputs(reg: RegistryModel, previous: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs that describe `reg` as it is, keeping what only the program knows."""
    schedule = reg.properties.garbage_collection_schedule
    allow_list = reg.properties.api_subnet_allow_list or []
    scanning = reg.vulnerability_scanning
    return {
        **{k: previous[k] for k in ("name_prefix", "timeouts", "adopt_existing") if k in previous},
        "name": reg.properties.name,
        "location": reg.properties.location,
        "garbage_collection_schedule": (
            rules.gc_schedule({"days": schedule.days, "time": schedule.time})
            if schedule and schedule.days
            else None
        ),
        # None means "as the registry has it": keep it None unless the live value says otherwise.
        "vulnerability_scanning": (
            scanning if previous.get("vulnerability_scanning") is not None or scanning else None
        ),
        "api_subnet_allow_list": (
            allow_list if allow_list or previous.get("api_subnet_allow_list") is not None else None
        ),
    }


def _outputs(reg: RegistryModel, inputs: Mapping[str, Any]) -> dict[str, Any]:
    usage = reg.properties.storage_usage
    return {
        **_live_inputs(reg, inputs),
        "registry_id": reg.id,
        "hostname": reg.properties.hostname,
        "state": reg.state,
        "storage_bytes": usage.bytes if usage else 0,
        "created_date": reg.metadata.created_date,
        "vulnerability_scanning": reg.vulnerability_scanning,
    }


def registry_failure(reg: RegistryModel) -> str | None:
    state = reg.state
    return f"registry entered state {state!r}" if state.lower() in _FAILED_STATES else None


def _is_ready(reg: RegistryModel) -> bool:
    return reg.state.lower() == "running" and bool(reg.properties.hostname)


class RegistryProvider(ProviderBase):
    """Create, read, diff, update and delete IONOS container registries."""

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
        changed = [k for k in _UPDATE_KEYS if self._field_changed(k, olds, news)]
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

    @staticmethod
    def _field_changed(key: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
        new = news.get(key)
        if new is None and key == "vulnerability_scanning":
            return False  # "as the registry has it"
        if new is None and key == "api_subnet_allow_list":
            return bool(olds.get(key))  # dropping the list clears it
        return bool(olds.get(key) != new)

    # ---- create -------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        timeout = rules.timeout_seconds(props.get("timeouts"), "create")
        with self.client() as client:
            if props.get("adopt_existing"):
                reg = self._adopt(client, props)
            else:
                reg = self._post(client, props)
            try:
                reg = self._wait_ready(client, reg.id, timeout, "creating")
            except IonosCrError as error:
                raise self._undo_create(client, reg.id, props["name"], error) from None
            return CreateResult(reg.id, _outputs(reg, props))

    def _post(self, client: IonosCrClient, props: Mapping[str, Any]) -> RegistryModel:
        name = props["name"]
        if client.name_in_use(name):
            raise IonosCrError(
                f"registry name {name!r} is already in use (names are unique across all IONOS "
                "customers). Choose another name, or set adopt_existing=True to take over a "
                "registry of yours with this name."
            )
        spec = _create_spec(props)
        for attempt in range(1, _CREATE_ATTEMPTS + 1):
            try:
                return client.create_registry(spec)
            except (ApiError, TransportError) as error:
                if not error.may_have_committed:
                    raise
                # The name was free before the POST: a registry now holding it is ours.
                found = _find_by_name(client, name)
                if found is not None:
                    notice(f"registry {name}: create answer was lost; adopted {found.id}")
                    return found
                if attempt == _CREATE_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _adopt(self, client: IonosCrClient, props: Mapping[str, Any]) -> RegistryModel:
        found = _find_by_name(client, props["name"])
        if found is None:
            return self._post(client, props)
        if found.properties.location != props["location"]:
            raise IonosCrError(
                f"adopt_existing: registry {props['name']!r} is in "
                f"{found.properties.location!r}, not {props['location']!r}"
            )
        patch = _patch_for(_live_inputs(found, props), props)
        return client.patch_registry(found.id, patch) if patch.body() else found

    def _wait_ready(
        self, client: IonosCrClient, registry_id: str, timeout: float, what: str
    ) -> RegistryModel:
        return wait_until(
            lambda: client.get_registry(registry_id),
            done=_is_ready,
            failed=registry_failure,
            timeout=timeout,
            what=f"{what} registry {registry_id}",
        )

    def _undo_create(
        self, client: IonosCrClient, registry_id: str, name: str, error: IonosCrError
    ) -> IonosCrError:
        """A registry that never became ready is deleted, so no orphan is left behind."""
        try:
            client.delete_registry(registry_id)
        except NotFoundError:
            pass
        except IonosCrError as cleanup:
            return IonosCrError(
                f"{error}; deleting the unfinished registry {name} ({registry_id}) also failed "
                f"({cleanup}): delete it by hand"
            )
        return IonosCrError(f"{error}; the unfinished registry {name} was deleted")

    # ---- read / update / delete ---------------------------------------------------------------

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.client() as client:
            try:
                reg = client.get_registry(id_)
            except NotFoundError:
                return ReadResult(None, {})
        return ReadResult(id_, _outputs(reg, props), _live_inputs(reg, props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        timeout = rules.timeout_seconds(news.get("timeouts"), "update")
        with self.client() as client:
            patch = _patch_for(olds, news)
            if patch.body():
                client.patch_registry(id_, patch)
            reg = self._wait_ready(client, id_, timeout, "updating")
        return UpdateResult(_outputs(reg, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        timeout = rules.timeout_seconds(props.get("timeouts"), "delete")
        with self.client() as client:
            try:
                client.delete_registry(id_)
            except NotFoundError:
                return
            wait_until(
                lambda: _gone(client, id_),
                done=bool,
                timeout=timeout,
                what=f"deleting registry {id_}",
            )


def _gone(client: IonosCrClient, registry_id: str) -> bool:
    try:
        client.get_registry(registry_id)
    except NotFoundError:
        return True
    return False


def _find_by_name(client: IonosCrClient, name: str) -> RegistryModel | None:
    return next((r for r in client.list_registries(name) if r.properties.name == name), None)


def _schedule(value: Mapping[str, Any] | None) -> WeeklySchedule | None:
    return WeeklySchedule(days=value["days"], time=value["time"]) if value else None


def _features(enabled: bool) -> RegistryFeatures:
    return RegistryFeatures(vulnerability_scanning=VulnerabilityScanning(enabled=enabled))


def _create_spec(props: Mapping[str, Any]) -> RegistryCreate:
    spec = RegistryCreate(
        name=props["name"],
        location=props["location"],
        # Paid add-on: on only when asked for (the API would switch it on by default).
        features=_features(bool(props.get("vulnerability_scanning"))),
    )
    if props.get("garbage_collection_schedule"):
        spec.garbage_collection_schedule = _schedule(props["garbage_collection_schedule"])
    if props.get("api_subnet_allow_list") is not None:
        spec.api_subnet_allow_list = list(props["api_subnet_allow_list"])
    return spec


def _patch_for(olds: Mapping[str, Any], news: Mapping[str, Any]) -> RegistryPatch:
    """Only what changed; a removed schedule is sent as null, a removed allow list as []."""
    patch = RegistryPatch()
    if RegistryProvider._field_changed("garbage_collection_schedule", olds, news):
        patch.garbage_collection_schedule = _schedule(news.get("garbage_collection_schedule"))
    if RegistryProvider._field_changed("vulnerability_scanning", olds, news):
        patch.features = _features(bool(news["vulnerability_scanning"]))
    if RegistryProvider._field_changed("api_subnet_allow_list", olds, news):
        patch.api_subnet_allow_list = list(news.get("api_subnet_allow_list") or [])
    return patch


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
