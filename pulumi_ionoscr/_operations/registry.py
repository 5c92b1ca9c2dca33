"""Registries against the API: create (waiting until ready), read, update, delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from .. import _validation as rules
from .._client import IonosCrClient
from .._config import ADOPT_EXISTING_ENV, adopt_existing_requested
from .._exceptions import ApiError, IonosCrError, NotFoundError, TransportError, ValidationError
from .._models import (
    Registry as RegistryModel,
)
from .._models import (
    RegistryCreate,
    RegistryFeatures,
    RegistryPatch,
    VulnerabilityScanning,
    WeeklySchedule,
)
from .._provider import Connect, is_derived, notice, wait_until
from .._registry import field_changed

__all__ = ["create", "delete", "is_ready", "read", "registry_failure", "update"]

_FAILED_STATES = ("failed", "failed_suspended", "failed_updating", "failed_destroying", "error")
# A POST that failed before anything was created is simply tried again (a lost answer is
# adopted at once, so only plain failures use this up): 3 was too few under 10% 503s.
_CREATE_ATTEMPTS = 8
# Inputs only the program knows: a read carries them over from the previous state.
_PROGRAM_KEYS = ("name_prefix", "name_scope", "timeouts", "adopt_existing")


def _live_schedule(reg: RegistryModel, previous: Mapping[str, Any]) -> dict[str, Any] | None:
    """The live schedule, when the program manages one. A program without a schedule leaves
    it as the registry has it: the API may fill in its own default and keep it after a PATCH
    with null, which must not read as a change forever. (Without any previous state, as for
    `Registry.get`, the live schedule is shown.)"""
    schedule = reg.properties.garbage_collection_schedule
    managed = previous.get("garbage_collection_schedule") is not None or not previous.get("name")
    if not (schedule and schedule.days and managed):
        return None
    live = {"days": schedule.days, "time": schedule.time}
    try:
        return rules.gc_schedule(live)
    except ValidationError:
        return live  # something our rules do not know: show it as it is (it will diff)


def _live_inputs(reg: RegistryModel, previous: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs that describe `reg` as it is, keeping what only the program knows."""
    allow_list = reg.properties.api_subnet_allow_list or []
    declared_list = previous.get("api_subnet_allow_list")
    if declared_list is not None and rules.same_allow_list(declared_list, allow_list):
        allow_list = list(declared_list)  # the API's spelling of the same networks
    scanning = reg.vulnerability_scanning
    return {
        **{k: previous[k] for k in _PROGRAM_KEYS if k in previous},
        "name": reg.properties.name,
        "location": reg.properties.location,
        "garbage_collection_schedule": _live_schedule(reg, previous),
        # None means "as the registry has it": keep it None unless the live value says otherwise.
        "vulnerability_scanning": (
            scanning if previous.get("vulnerability_scanning") is not None or scanning else None
        ),
        "api_subnet_allow_list": (allow_list if allow_list or declared_list is not None else None),
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


def is_ready(reg: RegistryModel) -> bool:
    """Running, with its hostname: what may be used (tokens created, images pushed)."""
    return reg.state.lower() == "running" and bool(reg.properties.hostname)


# ---- create ---------------------------------------------------------------------------------


def create(connect: Connect, props: dict[str, Any]) -> CreateResult:
    timeout = rules.timeout_seconds(props.get("timeouts"), "create")
    with connect() as client:
        reg, created = _post_or_adopt(client, props)
        try:
            reg = _wait_ready(client, reg.id, timeout, "creating")
        except IonosCrError as error:
            if not created:
                raise
            raise _undo_create(client, reg.id, props["name"], error) from None
        return CreateResult(reg.id, _outputs(reg, props))


def _post_or_adopt(client: IonosCrClient, props: Mapping[str, Any]) -> tuple[RegistryModel, bool]:
    """The registry, and whether this call created it (else it adopted one of the account's).

    A name in use is adopted when the user asked for it (`adopt_existing`, or
    IONOSCR_ADOPT_EXISTING for one run) or when the provider derived it: a derived name is
    unique to this resource of this stack and account, so only an earlier attempt of the same
    create (a killed run) can have taken it."""
    name = props["name"]
    if not client.name_in_use(name):
        return _post(client, props), True
    switch = adopt_existing_requested()
    if not (props.get("adopt_existing") or switch or is_derived(props)):
        raise IonosCrError(_in_use_message(name))
    found = _find_by_name(client, name)
    if found is None:
        raise IonosCrError(
            f"registry name {name!r} is in use by another IONOS account (registry names are "
            "unique across all customers): choose another name"
        )
    why = (
        "adopt_existing"
        if props.get("adopt_existing")
        else ADOPT_EXISTING_ENV
        if switch
        else "its name was derived for this resource"
    )
    notice(f"registry {name}: adopted the existing registry {found.id} ({why})")
    return _adopt(client, found, props), False


def _in_use_message(name: str) -> str:
    return (
        f"registry name {name!r} is already in use (names are unique across all IONOS "
        "customers). If the registry is yours, adopt it: set adopt_existing=True, or for one run "
        f"`{ADOPT_EXISTING_ENV}=true pulumi up --yes` (after a killed run first `pulumi cancel "
        "--yes` and `pulumi refresh --clear-pending-creates --yes`); otherwise choose another name"
    )


def _post(client: IonosCrClient, props: Mapping[str, Any]) -> RegistryModel:
    name = props["name"]
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


def _adopt(client: IonosCrClient, found: RegistryModel, props: Mapping[str, Any]) -> RegistryModel:
    if found.properties.location != props["location"]:
        raise IonosCrError(
            f"cannot adopt registry {props['name']!r}: it is in {found.properties.location!r}, "
            f"not {props['location']!r}; set location={found.properties.location!r} or choose "
            "another name"
        )
    if found.vulnerability_scanning and props.get("vulnerability_scanning") is False:
        # Whether IONOS refuses `enabled: false` or silently keeps scanning on (which would
        # make the next up replace the adopted registry), asking is never right.
        raise IonosCrError(
            f"cannot adopt registry {props['name']!r}: it has vulnerability scanning on, which"
            " cannot be switched off; set vulnerability_scanning=True (or leave it out) to adopt"
            " it as it is"
        )
    patch = _patch_for(_live_inputs(found, props), props)
    return client.patch_registry(found.id, patch) if patch.body() else found


def _wait_ready(
    client: IonosCrClient, registry_id: str, timeout: float, what: str
) -> RegistryModel:
    return wait_until(
        lambda: client.get_registry(registry_id),
        done=is_ready,
        failed=registry_failure,
        timeout=timeout,
        what=f"{what} registry {registry_id}",
    )


def _undo_create(
    client: IonosCrClient, registry_id: str, name: str, error: IonosCrError
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


# ---- read / update / delete -------------------------------------------------------------------


def read(connect: Connect, id_: str, props: dict[str, Any]) -> ReadResult:
    with connect() as client:
        try:
            reg = client.get_registry(id_)
        except NotFoundError:
            return ReadResult(None, {})
    return ReadResult(id_, _outputs(reg, props), _live_inputs(reg, props))


def update(connect: Connect, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
    timeout = rules.timeout_seconds(news.get("timeouts"), "update")
    with connect() as client:
        patch = _patch_for(olds, news)
        if patch.body():
            client.patch_registry(id_, patch)
        reg = _wait_ready(client, id_, timeout, "updating")
    return UpdateResult(_outputs(reg, news))


def delete(connect: Connect, id_: str, props: dict[str, Any]) -> None:
    timeout = rules.timeout_seconds(props.get("timeouts"), "delete")
    with connect() as client:
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
    if field_changed("garbage_collection_schedule", olds, news):
        patch.garbage_collection_schedule = _schedule(news.get("garbage_collection_schedule"))
    if field_changed("vulnerability_scanning", olds, news):
        patch.features = _features(bool(news["vulnerability_scanning"]))
    if field_changed("api_subnet_allow_list", olds, news):
        patch.api_subnet_allow_list = list(news.get("api_subnet_allow_list") or [])
    return patch
