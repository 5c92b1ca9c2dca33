"""State and rules of the emulated IONOS Container Registry (no HTTP here).

This module is the emulator's *backend*, in the sense moto uses the word: plain Python objects
holding every tenant's registries, tokens, repositories and artifacts, plus the rules the real
API applies to them (validation, uniqueness, the registry lifecycle, one-time passwords).
The HTTP layer (`_app.py`) only parses requests, calls these methods and renders the results.

Every rule comes from the API reference; where the reference is UNCERTAIN and a client could
tell, the answer is a variant (`_variants.py`, read here as `self.variants["name"]`), whose
default is the choice written in `docs/emulator.md`.

Errors are raised as `ApiProblem(status, code, message)`; the HTTP layer renders them as the
API error body `{"httpStatus": N, "messages": [{"errorCode": ..., "message": ...}]}`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from typing import Any, TypeVar

from ._checks import (
    TOKEN_NAME_RE,
    ApiProblem,
    bad_request,
    check_count,
    check_digest,
    check_length,
    check_registry_name,
    check_repository_name,
    check_uuid,
    conflict,
    expect_bool,
    expect_list,
    expect_object,
    expect_str,
    format_datetime_rfc3339,
    format_millis,
    format_time,
    int_field,
    no_unknown,
    not_found,
    num_field,
    opt_int,
    parse_bool_param,
    parse_datetime,
    parse_int_param,
    require,
)
from ._limits import (
    DEFAULT_PAGE_LIMIT,
    GENEROUS,
    MAX_ALLOW_LIST,
    MAX_PAGE_LIMIT,
    MAX_VULNERABILITY_ID_LENGTH,
    STRICT,
    Limits,
)
from ._variants import Variants
from ._vulns import (
    SEVERITY_RANK,
    Advisory,
    builtin_catalogue,
    parse_advisory,
    scans_on_push,
    scans_when_enabled,
    seeded_findings,
    select,
    severity_matches,
    summarize,
)

__all__ = [
    "DAYS",
    "DEFAULT_LOCATIONS",
    "Actor",
    "ApiProblem",
    "Artifact",
    "Backend",
    "Registry",
    "Repository",
    "Schedule",
    "Scope",
    "Timing",
    "Token",
    "format_time",
    "parse_datetime",
]

DEFAULT_LOCATIONS: tuple[str, ...] = ("de/fra", "de/txl", "es/vit")

#: The `Day` enum, exact case, in calendar order.
DAYS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)

SCHEDULE_TIME_RE = re.compile(
    r"(?P<hms>([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])(?P<frac>\.[0-9]+)?"
    r"(?P<offset>Z|z|[+-][0-9]{2}:[0-9]{2})?"
)

TOKEN_STATUSES = ("enabled", "disabled")

REPOSITORY_ORDER_BY = (
    "-lastPush",
    "-lastPull",
    "-artifactCount",
    "-pullCount",
    "-pushCount",
    "name",
    "lastPush",
    "lastPull",
    "artifactCount",
    "pullCount",
    "pushCount",
)
_ARTIFACT_KEYS = (
    "lastPush",
    "lastPull",
    "lastScan",
    "pullCount",
    "pushCount",
    "vulnMaxSeverity",
    "vulnTotalScore",
    "vulnTotalCount",
    "vulnFixableCount",
)
ARTIFACT_ORDER_BY = tuple(f"-{k}" for k in _ARTIFACT_KEYS) + _ARTIFACT_KEYS
_REGISTRY_ARTIFACT_KEYS = (
    "pullCount",
    "pushCount",
    "lastPush",
    "lastPull",
    "lastScan",
    "vulnTotalCount",
    "vulnFixableCount",
)
REGISTRY_ARTIFACT_ORDER_BY = (
    tuple(f"-{k}" for k in _REGISTRY_ARTIFACT_KEYS) + _REGISTRY_ARTIFACT_KEYS
)

#: Artifact summary fields an admin seed may give instead of vulnerabilities.
_SUMMARY_FIELDS = ("vulnMaxSeverity", "vulnTotalScore", "vulnTotalCount", "vulnFixableCount")
_SEED_FIELDS = ("digest", "tags", "mediaType", "pushCount", "pullCount", "size", "vulnerabilities")

STATE_NEW = "New"
STATE_WAITING = "WaitingForStorage"
STATE_RUNNING = "Running"
STATE_DELETING = "Deleting"

STATE_FILE_VERSION = 1

T = TypeVar("T")


# --------------------------------------------------------------------------------------------
# records


@dataclass
class Actor:
    """Who is calling: the tenant partition and the identity written into metadata."""

    tenant: str
    user: str
    user_id: str
    #: Authenticated with Basic credentials (variant `basic-auth-newer-endpoints`).
    basic: bool = False


@dataclass
class Schedule:
    days: list[str]
    time: str

    def to_wire(self) -> dict[str, Any]:
        return {"days": list(self.days), "time": self.time}


@dataclass
class Scope:
    name: str
    type: str
    actions: list[str]

    def to_wire(self) -> dict[str, Any]:
        return {"actions": list(self.actions), "name": self.name, "type": self.type}


@dataclass
class Transition:
    """A pending asynchronous change of a registry."""

    kind: str  # "create" | "update" | "delete"
    started_at: float
    reads: int = 0
    seconds: float = 0.0
    reads_needed: int = 0


@dataclass
class Artifact:
    digest: str
    media_type: str
    tags: list[str] = field(default_factory=list)
    push_count: int = 0
    pull_count: int = 0
    last_pushed_at: float | None = None
    last_pulled_at: float | None = None
    last_scanned_at: float | None = None
    vuln_max_severity: str | None = None
    vuln_total_score: float | None = None
    vuln_total_count: int | None = None
    vuln_fixable_count: int | None = None
    size: int = 0
    blobs: list[str] = field(default_factory=list)
    #: Ids of the advisories the last scan found; None = never scanned.
    vulnerabilities: list[str] | None = None


@dataclass
class Repository:
    name: str
    created_at: float
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    push_count: int = 0
    pull_count: int = 0
    last_pushed_at: float | None = None
    last_pulled_at: float | None = None
    last_severity: str | None = None
    # OCI data plane: tag -> digest, and manifests (digest -> raw bytes, base64 in state files).
    tags: dict[str, str] = field(default_factory=dict)
    manifests: dict[str, str] = field(default_factory=dict)
    blobs: list[str] = field(default_factory=list)


@dataclass
class Token:
    id: str
    registry_id: str
    name: str
    status: str
    expiry_date: str | None
    scopes: list[Scope] | None
    password_hash: str
    created_by: str
    created_by_user_id: str
    created_at: float
    modified_by: str | None = None
    modified_by_user_id: str | None = None
    modified_at: float | None = None

    def expired(self, now: float) -> bool:
        if self.expiry_date is None:
            return False
        try:
            return parse_datetime(self.expiry_date).timestamp() <= now
        except ValueError:
            return False


@dataclass
class Registry:
    id: str
    tenant: str
    name: str
    location: str
    schedule: Schedule | None
    vulnerability_scanning: bool
    vulnerability_properties: dict[str, Any] | None
    allow_list: list[str]
    created_by: str
    created_by_user_id: str
    created_at: float
    state: str = STATE_NEW
    hostname: str = ""
    storage_bytes: int = 0
    storage_updated_at: float | None = None
    modified_by: str | None = None
    modified_by_user_id: str | None = None
    modified_at: float | None = None
    pending: Transition | None = None
    tokens: dict[str, Token] = field(default_factory=dict)
    repositories: dict[str, Repository] = field(default_factory=dict)


@dataclass
class Timing:
    """How long the asynchronous parts of the registry lifecycle take.

    A transition completes once at least `*_seconds` have passed AND the registry has been
    observed (GET by id, a list containing it, HEAD /names/{name}) at least `*_reads` times
    since the change. The defaults make the lifecycle visible without costing wall time:
    POST answers `New`, the first GET shows `WaitingForStorage` (hostname `""`), the second
    `Running` with the hostname; PATCH/PUT answer `Updating` and the next read is `Running`;
    a deleted registry reads once as `Deleting`, then 404. An update or delete that needs
    neither time nor reads is complete in the answer to the change itself; POST answers `New`
    whatever the timing (with none, the next observation shows `Running`). (What the states
    are called and when the hostname appears are variants: `update-state`, `hostname-at`,
    `delete-visibility`.)
    """

    create_seconds: float = 0.0
    create_reads: int = 2
    update_seconds: float = 0.0
    update_reads: int = 1
    delete_seconds: float = 0.0
    delete_reads: int = 2

    @classmethod
    def immediate(cls) -> Timing:
        """Everything done by the first read after the change (no intermediate states seen)."""
        return cls(
            create_seconds=0.0,
            create_reads=1,
            update_seconds=0.0,
            update_reads=0,
            delete_seconds=0.0,
            delete_reads=0,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base: Timing | None = None) -> Timing:
        """Build from JSON; omitted fields keep `base`'s values. Raises ApiProblem."""
        if "preset" in data:
            preset = data["preset"]
            if preset == "immediate":
                result = cls.immediate()
            elif preset == "default":
                result = cls()
            else:
                raise bad_request("preset: must be 'immediate' or 'default'")
        else:
            result = cls(**asdict(base)) if base is not None else cls()
        allowed = {f.name for f in fields(cls)} | {"preset"}
        no_unknown(data, allowed, "")
        for key, value in data.items():
            if key == "preset":
                continue
            if key.endswith("_seconds"):
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    raise bad_request(f"{key}: expected a number >= 0")
                setattr(result, key, float(value))
            else:
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise bad_request(f"{key}: expected an integer >= 0")
                setattr(result, key, value)
        return result

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------------------------
# list helpers


@dataclass
class Page:
    items: list[Any]
    offset: int
    limit: int
    total: int
    next_token: str = ""


def _continue_token(offset: int) -> str:
    # Opaque, like the real API's base64 Kubernetes "continue" JSON.
    raw = json.dumps({"v": "meta.k8s.io/v1", "start": offset}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _continue_start(token: str) -> int | None:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        start = data["start"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    return start if isinstance(start, int) and not isinstance(start, bool) else None


def _hash_password(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# the backend


class Backend:
    """All tenants' state plus the API rules. Thread-safe (one lock, coarse)."""

    def __init__(
        self,
        *,
        locations: Sequence[str] = DEFAULT_LOCATIONS,
        timing: Timing | None = None,
        clock: Callable[[], float] = time.time,
        variants: Variants | None = None,
    ) -> None:
        if not locations:
            raise ValueError("at least one location is required")
        for loc in locations:
            if not re.fullmatch(r"[a-z]{2}/[a-z]{3}", loc):
                raise ValueError(f"location {loc!r} is not of the form 'cc/iata' (e.g. de/fra)")
        self.locations: list[str] = list(locations)
        self.timing: Timing = timing if timing is not None else Timing()
        self.clock = clock
        #: The answer to every UNCERTAIN point a client can observe (the admin API may change it).
        self.variants: Variants = variants if variants is not None else Variants()
        self.registries: dict[str, Registry] = {}
        #: Registries page tokens handed out under `registries-page-token=opaque` -> offset.
        self._page_tokens: dict[str, int] = {}
        self.lock: threading.RLock = threading.RLock()
        #: Incremented on every change, so a store knows when to write.
        self.version: int = 0
        self.blobs: dict[str, bytes] = {}
        self.advisories: dict[str, Advisory] = builtin_catalogue()
        #: Advisories defined through the admin API (persisted; shadow built-in ones).
        self.defined_advisories: dict[str, Advisory] = {}

    # -- bookkeeping ---------------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self.lock:
            yield

    def _changed(self) -> None:
        self.version += 1

    def reset(self) -> None:
        with self.lock:
            self.registries.clear()
            self.blobs.clear()
            self.defined_advisories.clear()
            self._page_tokens.clear()
            self._changed()

    @property
    def limits(self) -> Limits:
        return STRICT if self.variants["limits"] == "strict" else GENEROUS

    # -- lifecycle -----------------------------------------------------------------------------

    def _hostname(self, reg: Registry) -> str:
        country, city = reg.location.split("/", 1)
        return f"{reg.name}.cr.{country}-{city}.ionos.com"

    def _start(self, reg: Registry, kind: str) -> None:
        """Begin a `create`, `update` or `delete` transition (see `Timing`)."""
        t = self.timing
        now = self.clock()
        if kind == "create":
            reg.state = STATE_NEW
            reg.pending = Transition(kind, now, 0, t.create_seconds, t.create_reads)
            if self.variants["hostname-at"] == "post":
                reg.hostname = self._hostname(reg)
            return  # POST answers `New` whatever the timing
        if kind == "update":
            if self.variants["update-state"] == "none":
                reg.pending = None
                return
            reg.state = self.variants["update-state"]
            reg.pending = Transition(kind, now, 0, t.update_seconds, t.update_reads)
        else:
            if self.variants["delete-visibility"] == "deleting":
                reg.state = STATE_DELETING
            reg.pending = Transition(kind, now, 0, t.delete_seconds, t.delete_reads)
        self._advance(reg, read=False)  # one that takes neither time nor reads is over now

    @staticmethod
    def deleting(reg: Registry) -> bool:
        """Whether the registry is being deleted (whatever state it shows meanwhile)."""
        return reg.pending is not None and reg.pending.kind == "delete"

    def _advance(self, reg: Registry, *, read: bool) -> bool:
        """Move a pending transition on. Returns False if the registry is now gone."""
        tr = reg.pending
        if tr is None:
            if read and reg.state == STATE_RUNNING and not reg.hostname:
                # hostname-at=after-running: the read after the first Running allocates it.
                reg.hostname = self._hostname(reg)
                self._changed()
            return True
        if read:
            tr.reads += 1
            self._changed()
        elapsed = self.clock() - tr.started_at
        done = elapsed >= tr.seconds and tr.reads >= tr.reads_needed
        if tr.kind == "delete":
            if done:
                self._remove(reg)
                return False
            return True
        if done:
            self._set_running(reg)
            reg.pending = None
            self._changed()
        elif tr.kind == "create":
            # `New` for the first half of a timed wait, else until the first read.
            is_new = elapsed < tr.seconds / 2 if tr.seconds > 0 else tr.reads == 0
            new_state = STATE_NEW if is_new else STATE_WAITING
            if reg.state != new_state:
                reg.state = new_state
                if new_state == STATE_WAITING and self.variants["hostname-at"] == (
                    "waiting-for-storage"
                ):
                    reg.hostname = self._hostname(reg)
                self._changed()
        return True

    def _set_running(self, reg: Registry, *, forced: bool = False) -> None:
        reg.state = STATE_RUNNING
        if not reg.hostname and (forced or self.variants["hostname-at"] != "after-running"):
            reg.hostname = self._hostname(reg)
        if reg.storage_updated_at is None:
            reg.storage_updated_at = self.clock()

    def _remove(self, reg: Registry) -> None:
        self.registries.pop(reg.id, None)
        self.gc_blobs()
        self._changed()

    def gc_blobs(self) -> None:
        """Forget blobs no repository of any registry references any more."""
        used = {
            d
            for r in self.registries.values()
            for repo in r.repositories.values()
            for d in repo.blobs
        }
        for digest in [d for d in self.blobs if d not in used]:
            del self.blobs[digest]

    def find_token_by_credentials(
        self, username: str, password: str
    ) -> tuple[Registry, Token] | None:
        """The token (and its registry) with these data-plane credentials, if any.

        Token names are unique per registry only; the password tells registries apart.
        """
        digest = _hash_password(password)
        with self.lock:
            for reg in self.registries.values():
                for tok in reg.tokens.values():
                    if tok.name == username and secrets.compare_digest(tok.password_hash, digest):
                        return reg, tok
        return None

    def tick(self) -> None:
        """Complete the transitions whose time has come (time-driven, no read counted)."""
        with self.lock:
            for reg in list(self.registries.values()):
                if reg.pending is not None:
                    self._advance(reg, read=False)

    # -- lookups -------------------------------------------------------------------------------

    def _find(self, actor: Actor, registry_id: str, *, read: bool = False) -> Registry:
        rid = check_uuid(registry_id, "registryId")
        reg = self.registries.get(rid)
        if reg is None or reg.tenant != actor.tenant:
            raise not_found(f"registry {rid} not found")
        if not self._advance(reg, read=read):
            raise not_found(f"registry {rid} not found")
        return reg

    def _name_taken(self, name: str, *, exclude: str | None = None) -> bool:
        return any(r.name == name and r.id != exclude for r in self.registries.values())

    def _name_matches(self, name: str, needle: str) -> bool:
        """`filter.name` of registries and repositories (variant `filter-name`)."""
        rule = self.variants["filter-name"]
        if rule == "substring":
            return needle in name
        if rule == "exact":
            return name == needle
        if rule == "prefix":
            return name.startswith(needle)
        if rule == "ignored":
            return True
        return needle.lower() in name.lower()

    def _page(self, items: list[T], offset: int, limit: int) -> Page:
        """One page of a list, or every item when the server ignores paging (`list-paging`)."""
        if self.variants["list-paging"] == "ignored":
            return Page(items, offset, limit, len(items))
        return Page(items[offset : offset + limit], offset, limit, len(items))

    # -- locations and names -------------------------------------------------------------------

    def list_locations(self) -> list[str]:
        return list(self.locations)

    def name_in_use(self, name: str) -> bool:
        """HEAD /names/{name}: True = taken (200), False = free (404); 400 if invalid.

        Names are global: a name taken by any tenant is taken for everyone, and it stays taken
        until its registry is really gone (a deleting registry still holds it).
        """
        with self.lock:
            check_registry_name(name, "name")
            for reg in list(self.registries.values()):
                if reg.name == name:
                    return self._advance(reg, read=True)
            return False

    # -- registries ----------------------------------------------------------------------------

    def _parse_schedule(self, value: Any, path: str) -> Schedule:
        obj = expect_object(value, path)
        no_unknown(obj, ("days", "time"), path)
        days_raw = expect_list(require(obj, "days", path), f"{path}.days")
        days: list[str] = []
        for i, d in enumerate(days_raw):
            day = expect_str(d, f"{path}.days[{i}]")
            if day not in DAYS:
                raise bad_request(
                    f"{path}.days[{i}]: {day!r} is not one of {', '.join(DAYS)} (exact case)",
                    "invalid-day",
                )
            if day not in days:
                days.append(day)
        if not days and self.variants["empty-days"] == "refused":
            raise bad_request(f"{path}.days: at least one day is required", "invalid-day")
        time_text = expect_str(require(obj, "time", path), f"{path}.time")
        m = SCHEDULE_TIME_RE.fullmatch(time_text)
        if not m:
            raise bad_request(
                f"{path}.time: {time_text!r} is not a time of day HH:MM:SS (RFC 3339"
                " partial-time, UTC, e.g. 01:23:00+00:00)",
                "invalid-time",
            )
        offset = m.group("offset")
        if offset not in (None, "Z", "z", "+00:00", "-00:00"):
            raise bad_request(
                f"{path}.time: {time_text!r} must be in UTC (offset Z or +00:00)", "invalid-time"
            )
        order = self.variants["days-order"]
        if order == "reverse":  # turns the documented ["Saturday","Sunday"] into Sunday first
            days = [d for d in reversed(DAYS) if d in days]
        elif order == "calendar":
            days = [d for d in DAYS if d in days]
        time_of_day = f"{m.group('hms')}{m.group('frac') or ''}"
        echo = {
            "+00:00": time_of_day + "+00:00",
            "Z": time_of_day + "Z",
            "verbatim": time_text,
            "no-offset": time_of_day,
        }[self.variants["schedule-time-echo"]]
        return Schedule(days, echo)

    def _omitted_schedule(self) -> Schedule | None:
        """The schedule of a registry given none (variant `schedule-when-omitted`)."""
        default = self.variants["schedule-when-omitted"]
        if default == "empty":
            return Schedule([], "00:00:00+00:00")
        if default == "server-schedule":
            return Schedule(["Sunday"], "03:00:00+00:00")
        return None

    def _parse_allow_list(self, value: Any, path: str) -> list[str]:
        items = expect_list(value, path)
        if len(items) > MAX_ALLOW_LIST:
            raise bad_request(
                f"{path}: at most {MAX_ALLOW_LIST} entries are allowed, got {len(items)}",
                "too-many-entries",
            )
        result: list[str] = []
        for i, item in enumerate(items):
            text = expect_str(item, f"{path}[{i}]")
            try:
                ipaddress.ip_network(text, strict=False)
            except ValueError:
                raise bad_request(
                    f"{path}[{i}]: {text!r} is not an IPv4/IPv6 address or CIDR",
                    "invalid-cidr",
                ) from None
            result.append(text)
        echo = self.variants["allow-list-echo"]
        if echo == "canonical":
            return [str(ipaddress.ip_network(text, strict=False)) for text in result]
        return sorted(result) if echo == "sorted" else result

    @staticmethod
    def _parse_features(value: Any, path: str) -> tuple[bool | None, dict[str, Any] | None]:
        obj = expect_object(value, path)
        no_unknown(obj, ("vulnerabilityScanning",), path)
        if "vulnerabilityScanning" not in obj or obj["vulnerabilityScanning"] is None:
            return None, None
        vpath = f"{path}.vulnerabilityScanning"
        vs = expect_object(obj["vulnerabilityScanning"], vpath)
        no_unknown(vs, ("enabled", "properties"), vpath)
        enabled = expect_bool(require(vs, "enabled", vpath), f"{vpath}.enabled")
        props = vs.get("properties")
        if props is not None:
            props = expect_object(props, f"{vpath}.properties")
        return enabled, props

    def _parse_registry_properties(self, body: Any) -> dict[str, Any]:
        obj = expect_object(body, "body")
        no_unknown(obj, ("properties",), "")
        props = expect_object(require(obj, "properties", ""), "properties")
        no_unknown(
            props,
            ("name", "location", "garbageCollectionSchedule", "features", "apiSubnetAllowList"),
            "properties",
        )
        name = check_registry_name(require(props, "name", "properties"), "properties.name")
        location = expect_str(require(props, "location", "properties"), "properties.location")
        if location not in self.locations:
            raise bad_request(
                f"properties.location: {location!r} is not one of the available locations"
                f" ({', '.join(self.locations)})",
                "invalid-location",
            )
        # `given`: the optional fields the body sets (a merging PUT keeps the others).
        out: dict[str, Any] = {"name": name, "location": location, "given": set(props)}
        sched = props.get("garbageCollectionSchedule")
        out["schedule"] = (
            self._omitted_schedule()
            if sched is None
            else self._parse_schedule(sched, "properties.garbageCollectionSchedule")
        )
        feats = props.get("features")
        enabled, vprops = (
            (None, None) if feats is None else self._parse_features(feats, "properties.features")
        )
        out["scanning"] = enabled
        out["scanning_properties"] = vprops
        allow = props.get("apiSubnetAllowList")
        out["allow_list"] = (
            [] if allow is None else self._parse_allow_list(allow, "properties.apiSubnetAllowList")
        )
        return out

    def _check_name_free(self, name: str, exclude: str | None = None) -> None:
        if self._name_taken(name, exclude=exclude):
            status = int(self.variants["duplicate-name-status"])
            raise ApiProblem(
                status,
                "name-in-use",
                f"properties.name: registry name {name!r} is already in use"
                " (registry names are globally unique)",
            )

    def create_registry(
        self, actor: Actor, body: Any, *, registry_id: str | None = None
    ) -> Registry:
        with self.lock:
            self._settle_all()
            p = self._parse_registry_properties(body)
            self._check_name_free(p["name"])
            now = self.clock()
            reg = Registry(
                id=registry_id or str(uuid.uuid4()),
                tenant=actor.tenant,
                name=p["name"],
                location=p["location"],
                schedule=p["schedule"],
                vulnerability_scanning=True if p["scanning"] is None else p["scanning"],
                vulnerability_properties=p["scanning_properties"],
                allow_list=p["allow_list"],
                created_by=actor.user,
                created_by_user_id=actor.user_id,
                created_at=now,
            )
            self.registries[reg.id] = reg
            self._start(reg, "create")
            self._changed()
            return reg

    def _settle_all(self) -> None:
        for reg in list(self.registries.values()):
            if reg.pending is not None:
                self._advance(reg, read=False)

    def get_registry(self, actor: Actor, registry_id: str) -> Registry:
        with self.lock:
            return self._find(actor, registry_id, read=True)

    def list_registries(
        self,
        actor: Actor,
        *,
        name_filter: str | None = None,
        limit: str | None = None,
        page_token: str | None = None,
    ) -> Page:
        """Variants: `filter-name`, `registries-order`, `registries-page-token`, `list-paging`."""
        with self.lock:
            lim = parse_int_param(limit, "limit", DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT)
            start = self._page_start(page_token) if page_token else 0
            self._settle_all()
            by_name = self.variants["registries-order"] == "name"
            mine = sorted(
                (r for r in self.registries.values() if r.tenant == actor.tenant),
                key=lambda r: (r.name if by_name else r.created_at, r.id),
            )
            if name_filter:
                mine = [r for r in mine if self._name_matches(r.name, name_filter)]
            page = self._page(mine, start, lim)
            page.items = [reg for reg in page.items if self._advance(reg, read=True)]
            if self.variants["list-paging"] == "honoured" and start + lim < len(mine):
                page.next_token = self._page_token(start + lim)
            return page

    def _page_token(self, offset: int) -> str:
        """`pagination.token` of the next page (variant `registries-page-token`)."""
        shape = self.variants["registries-page-token"]
        if shape == "offset":
            return str(offset)
        if shape == "opaque":
            token = secrets.token_hex(16)
            self._page_tokens[token] = offset
            return token
        return _continue_token(offset)

    def _page_start(self, token: str) -> int:
        shape = self.variants["registries-page-token"]
        if shape == "offset":
            start = int(token) if re.fullmatch(r"[0-9]{1,9}", token) else None
        elif shape == "opaque":
            start = self._page_tokens.get(token)
        else:
            start = _continue_start(token)
        if start is None or start < 0:
            raise bad_request(
                f"pagination.token: {token!r} is not a valid pagination token", "invalid-parameter"
            )
        return start

    def replace_registry(self, actor: Actor, registry_id: str, body: Any) -> tuple[Registry, bool]:
        """PUT: create (with the client's id) or replace. Returns (registry, created)."""
        with self.lock:
            rid = check_uuid(registry_id, "registryId")
            self._settle_all()
            existing = self.registries.get(rid)
            if existing is None:
                if self.variants["put-unknown-id"] == "404":
                    raise not_found(f"registry {rid} not found")
                return self.create_registry(actor, body, registry_id=rid), True
            if existing.tenant != actor.tenant:
                # The id exists in another tenant: never reveal it, never overwrite it.
                raise conflict(f"registryId: {rid} cannot be used")
            reg = existing
            p = self._parse_registry_properties(body)
            if self.deleting(reg):
                raise conflict(f"registry {rid} is being deleted")
            if p["name"] != reg.name:
                raise bad_request(
                    f"properties.name: the name cannot be changed ({reg.name!r} -> {p['name']!r})",
                    "immutable-field",
                )
            if p["location"] != reg.location:
                raise bad_request(
                    f"properties.location: the location cannot be changed ({reg.location!r} ->"
                    f" {p['location']!r})",
                    "immutable-field",
                )
            scanning = p["scanning"]
            if scanning is False and reg.vulnerability_scanning:
                self._refuse_scanning_off("properties.features")
            # A replacing PUT resets what it leaves out (schedule removed, allow list cleared),
            # or with `put-semantics=merge` keeps it; scanning cannot be switched off either way.
            merge = self.variants["put-semantics"] == "merge"
            if not merge or "garbageCollectionSchedule" in p["given"]:
                reg.schedule = p["schedule"]
            if not merge or "apiSubnetAllowList" in p["given"]:
                reg.allow_list = p["allow_list"]
            if scanning is not None:
                self._set_scanning(reg, scanning or reg.vulnerability_scanning)
            if p["scanning_properties"] is not None:
                reg.vulnerability_properties = p["scanning_properties"]
            self._touch(reg, actor)
            self._start(reg, "update")
            self._changed()
            return reg, False

    def _refuse_scanning_off(self, path: str) -> None:
        """`enabled: false` on a registry that scans: refused, or ignored (`scanning-off`)."""
        answer = self.variants["scanning-off"]
        if answer == "ignored":
            return
        raise ApiProblem(
            int(answer),
            "feature-cannot-be-disabled",
            f"{path}.vulnerabilityScanning.enabled: vulnerability scanning cannot be switched off"
            " once enabled",
        )

    def _set_scanning(self, reg: Registry, enabled: bool) -> None:
        switched_on = enabled and not reg.vulnerability_scanning
        reg.vulnerability_scanning = enabled
        if switched_on and scans_when_enabled(self.variants["scan-timing"]):
            now = self.clock()
            for repo in reg.repositories.values():
                for art in repo.artifacts.values():
                    if art.last_scanned_at is None:
                        self.scan_pushed(reg, art, now)  # scanning is on by now
                self._update_last_severity(repo)

    def _touch(self, reg: Registry, actor: Actor) -> None:
        reg.modified_by = actor.user
        reg.modified_by_user_id = actor.user_id
        reg.modified_at = self.clock()

    def patch_registry(self, actor: Actor, registry_id: str, body: Any) -> Registry:
        with self.lock:
            obj = expect_object(body, "body")
            if "properties" in obj:
                raise bad_request(
                    "properties: PATCH takes the bare object (garbageCollectionSchedule, features,"
                    " apiSubnetAllowList), not a 'properties' wrapper",
                    "unknown-field",
                )
            no_unknown(obj, ("garbageCollectionSchedule", "features", "apiSubnetAllowList"), "")
            reg = self._find(actor, registry_id)
            if self.deleting(reg):
                raise conflict(f"registry {reg.id} is being deleted")
            schedule = reg.schedule
            if "garbageCollectionSchedule" in obj:
                value = obj["garbageCollectionSchedule"]
                # UNCERTAIN: explicit null removes the schedule (or restores the server's own).
                schedule = (
                    self._omitted_schedule()
                    if value is None
                    else self._parse_schedule(value, "garbageCollectionSchedule")
                )
            allow = reg.allow_list
            if "apiSubnetAllowList" in obj:
                value = obj["apiSubnetAllowList"]
                allow = [] if value is None else self._parse_allow_list(value, "apiSubnetAllowList")
            scanning = reg.vulnerability_scanning
            vprops = reg.vulnerability_properties
            if obj.get("features") is not None:
                enabled, props = self._parse_features(obj["features"], "features")
                if enabled is False and reg.vulnerability_scanning:
                    self._refuse_scanning_off("features")
                if enabled is not None:
                    scanning = enabled or reg.vulnerability_scanning
                if props is not None:
                    vprops = props
            reg.schedule = schedule
            reg.allow_list = allow
            self._set_scanning(reg, scanning)
            reg.vulnerability_properties = vprops
            self._touch(reg, actor)
            self._start(reg, "update")
            self._changed()
            return reg

    def delete_registry(self, actor: Actor, registry_id: str) -> None:
        with self.lock:
            reg = self._find(actor, registry_id)
            if self.deleting(reg):
                return
            repos = [r for r in reg.repositories.values() if r.artifacts]
            if (reg.tokens or repos) and self.variants["delete-with-contents"] == "refused":
                raise conflict(
                    f"registry {reg.id} still has {len(reg.tokens)} token(s) and"
                    f" {len(repos)} repositories: delete them first"
                )
            if self.variants["delete-visibility"] == "gone-at-once":
                self._remove(reg)
                return
            self._start(reg, "delete")
            self._changed()

    def force_state(self, registry_id: str, state: str) -> Registry:
        """Admin: put a registry into any state (e.g. `Failed`); cancels pending transitions."""
        with self.lock:
            rid = check_uuid(registry_id, "registryId")
            reg = self.registries.get(rid)
            if reg is None:
                raise not_found(f"registry {rid} not found")
            reg.pending = None
            if state == STATE_RUNNING:
                self._set_running(reg, forced=True)
            else:
                reg.state = state
            self._changed()
            return reg

    # -- tokens --------------------------------------------------------------------------------

    def _parse_scopes(self, value: Any, path: str) -> list[Scope]:
        limits = self.limits
        items = check_count(expect_list(value, path), limits.scopes_per_token, path)
        scopes: list[Scope] = []
        for i, item in enumerate(items):
            ipath = f"{path}[{i}]"
            obj = expect_object(item, ipath)
            no_unknown(obj, ("name", "type", "actions"), ipath)
            name = expect_str(require(obj, "name", ipath), f"{ipath}.name")
            check_length(name, limits.scope_name_length, f"{ipath}.name")
            typ = expect_str(require(obj, "type", ipath), f"{ipath}.type")
            check_length(typ, limits.scope_word_length, f"{ipath}.type")
            apath = f"{ipath}.actions"
            actions_raw = check_count(
                expect_list(require(obj, "actions", ipath), apath), limits.actions_per_scope, apath
            )
            actions = [
                check_length(
                    expect_str(a, f"{apath}[{j}]"), limits.scope_word_length, f"{apath}[{j}]"
                )
                for j, a in enumerate(actions_raw)
            ]
            if not name:
                raise bad_request(f"{ipath}.name: must not be empty")
            # Scope type and actions are stored as given (the real API accepts e.g. "backup").
            scopes.append(Scope(name, typ, actions))
        return scopes

    def _parse_expiry(self, value: Any, path: str) -> str | None:
        if value is None:
            return None
        text = expect_str(value, path)
        try:
            parsed = parse_datetime(text)
        except ValueError:
            raise bad_request(
                f"{path}: {text!r} is not an RFC 3339 date-time (e.g. 2030-01-01T00:00:00Z)",
                "invalid-date",
            ) from None
        if parsed.timestamp() <= self.clock() and self.variants["past-expiry"] == "refused":
            raise bad_request(f"{path}: {text!r} is in the past", "invalid-date")
        echo = self.variants["token-expiry-echo"]
        if echo == "verbatim":
            return text
        if echo == "Z":  # Go's RFC3339Nano
            return format_datetime_rfc3339(parsed)
        return format_millis(parsed) + ("Z" if echo == "Z-millis" else "+00:00")

    @staticmethod
    def _parse_status(value: Any, path: str) -> str:
        status = expect_str(value, path)
        if status not in TOKEN_STATUSES:
            raise bad_request(
                f"{path}: {status!r} is not one of enabled, disabled", "invalid-status"
            )
        return status

    def _parse_token_properties(self, body: Any) -> dict[str, Any]:
        obj = expect_object(body, "body")
        no_unknown(obj, ("properties",), "")
        props = expect_object(require(obj, "properties", ""), "properties")
        no_unknown(props, ("name", "expiryDate", "scopes", "status"), "properties")
        name = expect_str(require(props, "name", "properties"), "properties.name")
        if not TOKEN_NAME_RE.fullmatch(name):
            raise bad_request(
                f"properties.name: {name!r} is not a valid token name (2-63 characters letters,"
                " digits and '-', starting with a letter and ending with a letter or digit)",
                "invalid-name",
            )
        out: dict[str, Any] = {"name": name, "given": set(props)}
        out["expiry"] = self._parse_expiry(props.get("expiryDate"), "properties.expiryDate")
        scopes = props.get("scopes")
        out["scopes"] = None if scopes is None else self._parse_scopes(scopes, "properties.scopes")
        status = props.get("status")
        out["status"] = (
            "enabled" if status is None else self._parse_status(status, "properties.status")
        )
        return out

    def _find_token(self, reg: Registry, token_id: str) -> Token:
        tid = check_uuid(token_id, "tokenId")
        tok = reg.tokens.get(tid)
        if tok is None:
            raise not_found(f"token {tid} not found in registry {reg.id}")
        return tok

    def _new_token(
        self, actor: Actor, reg: Registry, p: Mapping[str, Any], token_id: str | None
    ) -> tuple[Token, str]:
        refusal = self.variants["token-before-running"]
        if refusal != "allowed" and reg.state != STATE_RUNNING:
            raise ApiProblem(
                int(refusal.removeprefix("refused-")),
                "registry-not-ready",
                f"registry {reg.id} is {reg.state}, not Running: tokens can be created once it"
                " is running",
            )
        if any(t.name == p["name"] for t in reg.tokens.values()):
            raise ApiProblem(
                int(self.variants["duplicate-token-status"]),
                "name-in-use",
                f"properties.name: a token named {p['name']!r} already exists in this registry",
            )
        if len(reg.tokens) >= self.limits.tokens_per_registry:
            raise ApiProblem(
                int(self.variants["quota-status"]),
                "quota-exceeded",
                f"registry {reg.id} already has {len(reg.tokens)} tokens, the most a registry"
                " can have",
            )
        password = secrets.token_urlsafe(30)
        tok = Token(
            id=token_id or str(uuid.uuid4()),
            registry_id=reg.id,
            name=p["name"],
            status=p["status"],
            expiry_date=p["expiry"],
            scopes=p["scopes"],
            password_hash=_hash_password(password),
            created_by=actor.user,
            created_by_user_id=actor.user_id,
            created_at=self.clock(),
        )
        reg.tokens[tok.id] = tok
        self._changed()
        return tok, password

    def create_token(self, actor: Actor, registry_id: str, body: Any) -> tuple[Token, str]:
        """POST: returns the token and its password (the only time it is ever shown)."""
        with self.lock:
            reg = self._find(actor, registry_id)
            p = self._parse_token_properties(body)
            return self._new_token(actor, reg, p, None)

    def get_token(self, actor: Actor, registry_id: str, token_id: str) -> Token:
        with self.lock:
            reg = self._find(actor, registry_id)
            return self._find_token(reg, token_id)

    def list_tokens(
        self, actor: Actor, registry_id: str, *, offset: str | None, limit: str | None
    ) -> Page:
        with self.lock:
            reg = self._find(actor, registry_id)
            off = parse_int_param(offset, "offset", 0, 0, None)
            lim = parse_int_param(limit, "limit", DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT)
            toks = sorted(reg.tokens.values(), key=lambda t: (t.created_at, t.id))
            return self._page(toks, off, lim)

    def replace_token(
        self, actor: Actor, registry_id: str, token_id: str, body: Any
    ) -> tuple[Token, str | None]:
        """PUT: create (password returned) or replace (password None -> shown as "")."""
        with self.lock:
            reg = self._find(actor, registry_id)
            tid = check_uuid(token_id, "tokenId")
            p = self._parse_token_properties(body)
            tok = reg.tokens.get(tid)
            if tok is None:
                if self.variants["put-unknown-id"] == "404":
                    raise not_found(f"token {tid} not found in registry {reg.id}")
                return self._new_token(actor, reg, p, tid)
            if p["name"] != tok.name:
                raise bad_request(
                    f"properties.name: the name cannot be changed ({tok.name!r} -> {p['name']!r})",
                    "immutable-field",
                )
            merge = self.variants["put-semantics"] == "merge"
            if not merge or "status" in p["given"]:
                tok.status = p["status"]
            if not merge or "expiryDate" in p["given"]:
                tok.expiry_date = p["expiry"]
            if not merge or "scopes" in p["given"]:
                tok.scopes = p["scopes"]
            self._touch_token(tok, actor)
            if self.variants["token-put-password"] == "new":
                password = secrets.token_urlsafe(30)
                tok.password_hash = _hash_password(password)
                return tok, password
            return tok, None

    def _touch_token(self, tok: Token, actor: Actor) -> None:
        tok.modified_by = actor.user
        tok.modified_by_user_id = actor.user_id
        tok.modified_at = self.clock()
        self._changed()

    def patch_token(self, actor: Actor, registry_id: str, token_id: str, body: Any) -> Token:
        with self.lock:
            obj = expect_object(body, "body")
            if "properties" in obj:
                raise bad_request(
                    "properties: PATCH takes the bare object (expiryDate, scopes, status), not a"
                    " 'properties' wrapper",
                    "unknown-field",
                )
            no_unknown(obj, ("expiryDate", "scopes", "status"), "")
            reg = self._find(actor, registry_id)
            tok = self._find_token(reg, token_id)
            status = tok.status
            if "status" in obj:
                if obj["status"] is None:
                    raise bad_request(
                        "status: must be enabled or disabled, not null", "invalid-status"
                    )
                status = self._parse_status(obj["status"], "status")
            expiry = tok.expiry_date
            if "expiryDate" in obj:
                expiry = self._parse_expiry(obj["expiryDate"], "expiryDate")
            scopes = tok.scopes
            if "scopes" in obj:
                scopes = (
                    None if obj["scopes"] is None else self._parse_scopes(obj["scopes"], "scopes")
                )
            tok.status, tok.expiry_date, tok.scopes = status, expiry, scopes
            self._touch_token(tok, actor)
            return tok

    def delete_token(self, actor: Actor, registry_id: str, token_id: str) -> None:
        with self.lock:
            reg = self._find(actor, registry_id)
            tok = self._find_token(reg, token_id)
            del reg.tokens[tok.id]
            self._changed()

    # -- repositories and artifacts ------------------------------------------------------------

    def _find_repo(self, reg: Registry, name: str) -> Repository:
        if len(name) > 256:
            raise bad_request(
                "repositoryName: longer than 256 characters", "invalid-repository-name"
            )
        repo = reg.repositories.get(name)
        if repo is None or not repo.artifacts:
            raise not_found(f"repository {name!r} not found in registry {reg.id}")
        return repo

    def list_repositories(
        self,
        actor: Actor,
        registry_id: str,
        *,
        offset: str | None = None,
        limit: str | None = None,
        order_by: str | None = None,
        name_filter: str | None = None,
        severity_filter: str | None = None,
    ) -> Page:
        with self.lock:
            reg = self._find(actor, registry_id)
            off = parse_int_param(offset, "offset", 0, 0, None)
            lim = parse_int_param(limit, "limit", DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT)
            order = order_by or "-lastPush"
            if order not in REPOSITORY_ORDER_BY:
                raise bad_request(
                    f"orderBy: {order!r} is not one of {', '.join(REPOSITORY_ORDER_BY)}",
                    "invalid-parameter",
                )
            repos = [r for r in reg.repositories.values() if r.artifacts]
            if name_filter:
                repos = [r for r in repos if self._name_matches(r.name, name_filter)]
            if severity_filter:
                rule = self.variants["severity-filter"]
                repos = [
                    r
                    for r in repos
                    if severity_matches(r.last_severity or "", severity_filter, rule)
                ]
            repos = _sort(repos, order, _repo_key)
            return self._page(repos, off, lim)

    def get_repository(self, actor: Actor, registry_id: str, name: str) -> Repository:
        with self.lock:
            reg = self._find(actor, registry_id)
            return self._find_repo(reg, name)

    def delete_repository(self, actor: Actor, registry_id: str, name: str) -> None:
        """Deletes all contents; afterwards nothing in it can be pulled. 404 for unknown."""
        with self.lock:
            reg = self._find(actor, registry_id)
            repo = self._find_repo(reg, name)
            del reg.repositories[repo.name]
            self.gc_blobs()
            self.recount_storage(reg)
            self._changed()

    def list_artifacts(
        self,
        actor: Actor,
        registry_id: str,
        repository: str | None,
        *,
        offset: str | None = None,
        limit: str | None = None,
        order_by: str | None = None,
        vulnerability_id: str | None = None,
    ) -> Page:
        """One repository's artifacts, or (repository None) the registry's."""
        with self.lock:
            reg = self._find(actor, registry_id)
            off = parse_int_param(offset, "offset", 0, 0, None)
            lim = parse_int_param(limit, "limit", DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT)
            allowed = ARTIFACT_ORDER_BY if repository is not None else REGISTRY_ARTIFACT_ORDER_BY
            order = order_by or ("-lastPush" if repository is not None else "-pullCount")
            if order not in allowed:
                raise bad_request(
                    f"orderBy: {order!r} is not one of {', '.join(allowed)}", "invalid-parameter"
                )
            pairs: list[tuple[str, Artifact]]
            if repository is not None:
                repo = self._find_repo(reg, repository)
                pairs = [(repo.name, a) for a in repo.artifacts.values()]
            else:
                pairs = [
                    (r.name, a) for r in reg.repositories.values() for a in r.artifacts.values()
                ]
                if vulnerability_id:
                    pairs = [p for p in pairs if vulnerability_id in (p[1].vulnerabilities or [])]
            pairs = _sort(pairs, order, lambda p, k: _artifact_key(p[1], k))
            return self._page(pairs, off, lim)

    def get_artifact(
        self, actor: Actor, registry_id: str, repository: str, digest: str
    ) -> Artifact:
        with self.lock:
            reg = self._find(actor, registry_id)
            repo = self._find_repo(reg, repository)
            if len(digest) > 128:
                raise bad_request("digest: longer than 128 characters", "invalid-digest")
            art = repo.artifacts.get(digest)
            if art is None:
                raise not_found(f"artifact {digest!r} not found in repository {repository!r}")
            return art

    def seed_repository(self, registry_id: str, body: Any) -> Repository:
        """Admin: create or extend a repository with artifacts, as if pushed."""
        with self.lock:
            reg = self._admin_registry(registry_id)
            obj = expect_object(body, "body")
            no_unknown(obj, ("name", "artifacts", "pullCount"), "")
            name = check_repository_name(expect_str(require(obj, "name", ""), "name"), "name")
            arts = expect_list(obj.get("artifacts", [{}]), "artifacts")
            if not arts:
                raise bad_request(
                    "artifacts: at least one artifact is needed (a repository"
                    " exists only once something was pushed)"
                )
            now = self.clock()
            repo = reg.repositories.setdefault(name, Repository(name=name, created_at=now))
            for i, raw in enumerate(arts):
                art = self._seed_artifact(reg, name, raw, f"artifacts[{i}]", now)
                for t in art.tags:
                    for other in repo.artifacts.values():
                        if t in other.tags:
                            other.tags.remove(t)
                    repo.tags[t] = art.digest
                repo.artifacts[art.digest] = art
                repo.push_count += art.push_count
                repo.pull_count += art.pull_count
                repo.last_pushed_at = now
                if art.pull_count:
                    repo.last_pulled_at = now
                repo.last_severity = art.vuln_max_severity
            if "pullCount" in obj:
                repo.pull_count = int_field(obj["pullCount"], "pullCount")
            self.recount_storage(reg)
            self._changed()
            return repo

    def _admin_registry(self, registry_id: str) -> Registry:
        rid = check_uuid(registry_id, "registryId")
        reg = self.registries.get(rid)
        if reg is None:
            raise not_found(f"registry {rid} not found")
        return reg

    def _seed_artifact(
        self, reg: Registry, repo_name: str, raw: Any, path: str, now: float
    ) -> Artifact:
        a = expect_object(raw, path)
        no_unknown(
            a,
            (*_SEED_FIELDS, *_SUMMARY_FIELDS),
            path,
        )
        digest = a.get("digest")
        if digest is None:
            salt = f"{reg.id}/{repo_name}/{path}/{now}/{secrets.token_hex(4)}"
            digest = "sha256:" + hashlib.sha256(salt.encode()).hexdigest()
        digest = check_digest(expect_str(digest, f"{path}.digest"), f"{path}.digest")
        tags = [
            expect_str(t, f"{path}.tags[{j}]")
            for j, t in enumerate(expect_list(a.get("tags", []), f"{path}.tags"))
        ]
        pull = int_field(a.get("pullCount", 0), f"{path}.pullCount")
        art = Artifact(
            digest=digest,
            media_type=expect_str(
                a.get("mediaType", "application/vnd.oci.image.manifest.v1+json"),
                f"{path}.mediaType",
            ),
            tags=tags,
            push_count=int_field(a.get("pushCount", 1), f"{path}.pushCount"),
            pull_count=pull,
            last_pushed_at=now,
            last_pulled_at=now if pull else None,
            size=int_field(a.get("size", 0), f"{path}.size"),
        )
        summary_given = [k for k in _SUMMARY_FIELDS if k in a]
        if "vulnerabilities" in a:
            if summary_given:
                raise bad_request(
                    f"{path}: give either vulnerabilities or {', '.join(summary_given)},"
                    " not both (the summary is computed from the vulnerabilities)"
                )
            findings = self._findings(a["vulnerabilities"], f"{path}.vulnerabilities", now)
            self._record_scan(art, findings, now)
        elif summary_given:
            # Display figures only, as given (no vulnerability records behind them).
            sev = a.get("vulnMaxSeverity")
            art.vuln_max_severity = (
                None if sev is None else expect_str(sev, f"{path}.vulnMaxSeverity").lower()
            )
            art.vuln_total_score = num_field(a.get("vulnTotalScore"), f"{path}.vulnTotalScore")
            art.vuln_total_count = opt_int(a.get("vulnTotalCount"), f"{path}.vulnTotalCount")
            art.vuln_fixable_count = opt_int(a.get("vulnFixableCount"), f"{path}.vulnFixableCount")
        else:
            self.scan_pushed(reg, art, now)
        return art

    # -- vulnerabilities -----------------------------------------------------------------------

    def advisory(self, vulnerability_id: str) -> Advisory | None:
        return self.defined_advisories.get(vulnerability_id) or self.advisories.get(
            vulnerability_id
        )

    def _record_scan(self, art: Artifact, findings: list[str], now: float) -> None:
        """Store a scan's findings and the artifact summary they imply."""
        known = [a for a in (self.advisory(v) for v in findings) if a is not None]
        summary = summarize(
            known,
            no_findings=self.variants["no-findings-severity"],
            score_style=self.variants["total-score"],
        )
        art.vulnerabilities = [a.id for a in known]
        art.last_scanned_at = now
        art.vuln_max_severity = summary.max_severity
        art.vuln_total_score = summary.total_score
        art.vuln_total_count = summary.total_count
        art.vuln_fixable_count = summary.fixable_count

    @staticmethod
    def _update_last_severity(repo: Repository) -> None:
        """`lastSeverity`: the max severity of the artifact last pushed (reference §7.1)."""
        if repo.artifacts:
            latest = max(repo.artifacts.values(), key=lambda a: a.last_pushed_at or 0.0)
            repo.last_severity = latest.vuln_max_severity

    def scan_pushed(self, reg: Registry, art: Artifact, now: float) -> None:
        """A pushed artifact: scanned (seeded, deterministic findings) when the registry scans;
        also what switching scanning on does to the unscanned ones (`scan-timing`)."""
        if scans_on_push(reg.vulnerability_scanning):
            self._record_scan(art, seeded_findings(art.digest, self.advisories), now)

    def _findings(self, value: Any, path: str, now: float) -> list[str]:
        """Admin: findings as ids of known advisories or advisory objects (which are added to
        the catalogue, replacing one with the same id)."""
        items = check_count(expect_list(value, path), MAX_PAGE_LIMIT, path)
        ids: list[str] = []
        for i, item in enumerate(items):
            ipath = f"{path}[{i}]"
            if isinstance(item, str):
                if self.advisory(item) is None:
                    raise bad_request(f"{ipath}: no vulnerability {item!r} is known", "unknown-id")
                vid = item
            else:
                adv = parse_advisory(item, ipath, now)
                self.defined_advisories[adv.id] = adv
                vid = adv.id
            if vid not in ids:
                ids.append(vid)
        return ids

    def set_vulnerabilities(self, registry_id: str, body: Any) -> tuple[str, Artifact]:
        """Admin: replace an artifact's findings (it counts as scanned now, whatever the
        registry's scanning setting). Returns (repository name, artifact)."""
        with self.lock:
            reg = self._admin_registry(registry_id)
            obj = expect_object(body, "body")
            no_unknown(obj, ("repository", "digest", "vulnerabilities"), "")
            name = expect_str(require(obj, "repository", ""), "repository")
            repo = self._find_repo(reg, name)
            digest = expect_str(require(obj, "digest", ""), "digest")
            art = repo.artifacts.get(digest)
            if art is None:
                raise not_found(f"artifact {digest!r} not found in repository {name!r}")
            now = self.clock()
            findings = self._findings(require(obj, "vulnerabilities", ""), "vulnerabilities", now)
            self._record_scan(art, findings, now)
            self._update_last_severity(repo)
            self._changed()
            return repo.name, art

    def list_artifact_vulnerabilities(
        self,
        actor: Actor,
        registry_id: str,
        repository: str,
        digest: str,
        *,
        offset: str | None = None,
        limit: str | None = None,
        order_by: str | None = None,
        severity: str | None = None,
        fixable: str | None = None,
    ) -> Page:
        with self.lock:
            art = self.get_artifact(actor, registry_id, repository, digest)
            off = parse_int_param(offset, "offset", 0, 0, None)
            lim = parse_int_param(limit, "limit", DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT)
            findings = [a for a in (self.advisory(v) for v in art.vulnerabilities or []) if a]
            chosen = select(
                findings,
                order_by=order_by,
                severity=severity or None,
                severity_rule=self.variants["severity-filter"],
                ties=self.variants["vulnerability-ties"],
                fixable=parse_bool_param(fixable, "filter.fixable"),
            )
            return self._page(chosen, off, lim)

    def get_vulnerability(self, actor: Actor, vulnerability_id: str) -> Advisory:
        """Advisories are public data: visible to every tenant, found or not in its images
        (or, with `vulnerability-visibility=found-only`, only those its artifacts have)."""
        if len(vulnerability_id) > MAX_VULNERABILITY_ID_LENGTH:
            raise bad_request(
                f"vulnerabilityId: longer than {MAX_VULNERABILITY_ID_LENGTH} characters",
                "invalid-parameter",
            )
        with self.lock:
            adv = self.advisory(vulnerability_id)
            if adv is not None and self.variants["vulnerability-visibility"] == "found-only":
                found = any(
                    vulnerability_id in (art.vulnerabilities or [])
                    for reg in self.registries.values()
                    if reg.tenant == actor.tenant
                    for repo in reg.repositories.values()
                    for art in repo.artifacts.values()
                )
                adv = adv if found else None
        if adv is None:
            raise not_found(f"vulnerability {vulnerability_id!r} not found")
        return adv

    def recount_storage(self, reg: Registry) -> None:
        digests: set[str] = set()
        total = 0
        for repo in reg.repositories.values():
            for art in repo.artifacts.values():
                total += art.size if not art.blobs else 0
                for b in art.blobs:
                    if b not in digests:
                        digests.add(b)
                        total += len(self.blobs.get(b, b""))
        reg.storage_bytes = total
        reg.storage_updated_at = self.clock()

    # -- admin views and persistence -----------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """Every tenant's registries, tokens and repositories (admin view; no passwords)."""
        with self.lock:
            regs = []
            for reg in sorted(self.registries.values(), key=lambda r: (r.created_at, r.id)):
                regs.append(
                    {
                        "id": reg.id,
                        "tenant": reg.tenant,
                        "name": reg.name,
                        "location": reg.location,
                        "state": reg.state,
                        "hostname": reg.hostname,
                        "pending": None if reg.pending is None else asdict(reg.pending),
                        "createdBy": reg.created_by,
                        "tokens": [
                            {
                                "id": t.id,
                                "name": t.name,
                                "status": t.status,
                                "expiryDate": t.expiry_date,
                                "scopes": None
                                if t.scopes is None
                                else [s.to_wire() for s in t.scopes],
                            }
                            for t in reg.tokens.values()
                        ],
                        "repositories": [
                            {
                                "name": r.name,
                                "pushCount": r.push_count,
                                "pullCount": r.pull_count,
                                "artifacts": [
                                    {
                                        "digest": a.digest,
                                        "tags": list(a.tags),
                                        "mediaType": a.media_type,
                                        "pushCount": a.push_count,
                                        "pullCount": a.pull_count,
                                        "vulnerabilities": a.vulnerabilities,
                                    }
                                    for a in r.artifacts.values()
                                ],
                            }
                            for r in reg.repositories.values()
                        ],
                    }
                )
            return {
                "registries": regs,
                "tenants": sorted({r.tenant for r in self.registries.values()}),
            }

    def to_json(self) -> dict[str, Any]:
        """Everything, for the state file (tokens keep only password hashes; blobs base64)."""
        with self.lock:
            return {
                "version": STATE_FILE_VERSION,
                "registries": [asdict(r) for r in self.registries.values()],
                "blobs": {d: base64.b64encode(b).decode() for d, b in self.blobs.items()},
                "advisories": [asdict(a) for a in self.defined_advisories.values()],
            }

    def load_json(self, data: Mapping[str, Any]) -> None:
        if data.get("version") != STATE_FILE_VERSION:
            raise ValueError(f"unsupported state file version {data.get('version')!r}")
        regs: dict[str, Registry] = {}
        for raw in data.get("registries", []):
            regs[raw["id"]] = _registry_from_dict(raw)
        blobs = {d: base64.b64decode(b) for d, b in data.get("blobs", {}).items()}
        defined = {raw["id"]: Advisory(**raw) for raw in data.get("advisories", [])}
        with self.lock:
            self.registries = regs
            self.blobs = blobs
            self.defined_advisories = defined
            self._changed()


def _sort(items: list[T], order: str, key: Callable[[T, str], Any]) -> list[T]:
    desc = order.startswith("-")
    k = order.lstrip("-")
    # None sorts last in both directions.
    present = [i for i in items if key(i, k) is not None]
    missing = [i for i in items if key(i, k) is None]
    present.sort(key=lambda i: key(i, k), reverse=desc)
    return present + missing


def _repo_key(repo: Repository, key: str) -> Any:
    return {
        "lastPush": repo.last_pushed_at,
        "lastPull": repo.last_pulled_at,
        "artifactCount": len(repo.artifacts),
        "pullCount": repo.pull_count,
        "pushCount": repo.push_count,
        "name": repo.name,
    }[key]


def _artifact_key(art: Artifact, key: str) -> Any:
    return {
        "lastPush": art.last_pushed_at,
        "lastPull": art.last_pulled_at,
        "lastScan": art.last_scanned_at,
        "pullCount": art.pull_count,
        "pushCount": art.push_count,
        "vulnMaxSeverity": None
        if art.vuln_max_severity is None
        else SEVERITY_RANK.get(art.vuln_max_severity, 0),
        "vulnTotalScore": art.vuln_total_score,
        "vulnTotalCount": art.vuln_total_count,
        "vulnFixableCount": art.vuln_fixable_count,
    }[key]


def _registry_from_dict(raw: Mapping[str, Any]) -> Registry:
    d = dict(raw)
    d["schedule"] = None if d.get("schedule") is None else Schedule(**d["schedule"])
    d["pending"] = None if d.get("pending") is None else Transition(**d["pending"])
    toks = {}
    for tid, t in d.get("tokens", {}).items():
        td = dict(t)
        td["scopes"] = None if td.get("scopes") is None else [Scope(**s) for s in td["scopes"]]
        toks[tid] = Token(**td)
    d["tokens"] = toks
    repos = {}
    for name, r in d.get("repositories", {}).items():
        rd = dict(r)
        rd["artifacts"] = {k: Artifact(**a) for k, a in rd.get("artifacts", {}).items()}
        repos[name] = Repository(**rd)
    d["repositories"] = repos
    return Registry(**d)
