"""The rules every pulumi-ionoscr input obeys: one place, used by the providers' `check` (so
`pulumi preview` fails early) and by the policy pack.

Every rule is a pure function ``rule(value, *, field=...) -> normalised value``. It either returns
the value in its *normal form* or raises `ValidationError(field, rule, value)`, whose message names
the input (``field``, the snake_case Pulumi input name, with ``.attr`` / ``[index]`` for nested
parts), the rule and the offending value. No I/O, no clock except where a rule takes ``now``.

Normal forms are what keep Pulumi diffs stable: the same intent written two ways normalises to
the same value, so a provider that stores normalised inputs never shows a spurious change.

==========================  ====================================================================
input                       normal form
==========================  ====================================================================
registry ``name``           unchanged (must already be valid: lowercase DNS label, 3-63 chars)
token ``name``              unchanged (letters of both cases, digits, ``-``; 2-63 chars)
``location``                stripped, lowercased (``" DE/FRA "`` -> ``"de/fra"``)
schedule ``days``           API capitalisation, deduplicated, Monday..Sunday order, in UTC: a time
                            whose offset moves it across midnight moves the days with it
schedule ``time``           ``HH:MM:SS+00:00`` in UTC (other offsets are converted to UTC)
``api_subnet_allow_list``   each entry stripped but otherwise verbatim (the API reads entries back
                            as written); order kept; exact duplicates rejected. Two lists that
                            admit the same networks are the same (`same_allow_list`)
``scopes``                  ``{name, actions, type}`` dicts; actions lowercase, deduplicated, in
                            pull, push, delete order; type lowercase, default ``repository``;
                            list sorted by (type, name)
``expiry_date``             ``YYYY-MM-DDTHH:MM:SSZ`` in UTC, fraction of a second dropped; None
                            (never expires) stays None
``status``                  ``enabled`` | ``disabled``, lowercase
repository ``name``         unchanged (OCI distribution grammar, at most 256 chars)
``vulnerability_scanning``  the bool itself
==========================  ====================================================================
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import ipaddress
import re
import secrets
import string
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from ._exceptions import ValidationError

__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "KNOWN_LOCATIONS",
    "LOCATION_PATTERN",
    "MAX_ALLOW_LIST_ENTRIES",
    "REGISTRY_NAME_PATTERN",
    "REPOSITORY_COMPONENT_PATTERN",
    "REPOSITORY_NAME_MAX",
    "SCOPE_ACTIONS",
    "TOKEN_NAME_PATTERN",
    "WEEKDAYS",
    "Rule",
    "api_subnet_allow_list",
    "derive_registry_name",
    "derive_token_name",
    "duration_seconds",
    "expiry_date",
    "gc_schedule",
    "is_allow_all",
    "location_id",
    "random_suffix",
    "registry_id",
    "registry_name",
    "repository_name",
    "rotation_triggers",
    "same_allow_list",
    "same_instant",
    "schedule_days",
    "schedule_in_utc",
    "schedule_time",
    "stable_suffix",
    "timeout_seconds",
    "timeouts",
    "token_name",
    "token_scopes",
    "token_status",
    "validate_fields",
    "vulnerability_scanning",
]

#: Container Registry locations evidenced in IONOS documentation and tools. The authoritative list
#: is served by ``GET /locations``; pass it as ``allowed`` to `location_id` when you have it.
KNOWN_LOCATIONS: tuple[str, ...] = ("de/fra", "de/txl", "es/vit")

#: The API's ``Day`` enum, in canonical order.
WEEKDAYS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)

#: Token scope actions, in canonical order.
SCOPE_ACTIONS: tuple[str, ...] = ("pull", "push", "delete")

MAX_ALLOW_LIST_ENTRIES = 25

REGISTRY_NAME_PATTERN = r"^[a-z][-a-z0-9]{1,61}[a-z0-9]$"
TOKEN_NAME_PATTERN = r"^[A-Za-z][-A-Za-z0-9]{0,61}[A-Za-z0-9]$"
LOCATION_PATTERN = r"^[a-z]{2}/[a-z]{3}$"
REPOSITORY_COMPONENT_PATTERN = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
REPOSITORY_NAME_MAX = 256

_REGISTRY_NAME_RE = re.compile(REGISTRY_NAME_PATTERN)
_TOKEN_NAME_RE = re.compile(TOKEN_NAME_PATTERN)
_LOCATION_RE = re.compile(LOCATION_PATTERN)
_REPOSITORY_COMPONENT_RE = re.compile(REPOSITORY_COMPONENT_PATTERN)
_SCOPE_TYPE_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
_TIME_RE = re.compile(
    r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.(?P<frac>\d+))?)?"
    r"(?P<tz>[Zz]|[+-]\d{2}:?\d{2})?$"
)
_DATE_RE = re.compile(r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})$")
_DATETIME_RE = re.compile(
    r"^(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[Tt ]"
    r"(?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})(?:\.(?P<frac>\d+))?"
    r"(?P<tz>[Zz]|[+-]\d{2}:\d{2})?$"
)
# Address or CIDR as people write them: no netmask notation, no IPv6 zone ids.
_NETWORK_TEXT_RE = re.compile(r"^[0-9A-Fa-f:.]+(?:/\d{1,3})?$")

_DAY_LOOKUP: dict[str, str] = {
    **{day.lower(): day for day in WEEKDAYS},
    **{day[:3].lower(): day for day in WEEKDAYS},
}
_TIME_RULE = (
    "must be a UTC time of day such as 01:30:00+00:00 (HH:MM or HH:MM:SS, optionally with Z or "
    "an offset like +02:00, which converts time and days to UTC)"
)
_EXPIRY_RULE = (
    "must be an RFC 3339 date-time with a UTC offset (e.g. 2030-01-31T12:00:00Z), a date "
    "YYYY-MM-DD (midnight UTC), or a timezone-aware datetime"
)
_UTC = _dt.timezone.utc
_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits

#: What `validate_fields` applies: a one-argument rule (use a lambda or functools.partial to
#: bind extra arguments). Annotate rule tables as ``dict[str, Rule]`` for mypy.
Rule = Callable[[Any], Any]


# --------------------------------------------------------------------------------------------
# helpers


def _require_str(value: object, field: str, what: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a string ({what})", value)
    return value


def _require_list(value: object, field: str, what: str) -> Sequence[object]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise ValidationError(field, f"must be a list ({what})", value)
    return value


def _attr(obj: object, key: str) -> tuple[bool, object]:
    """(present, value) of `key` in a mapping or attribute of an object."""
    if isinstance(obj, Mapping):
        return (key in obj, obj.get(key))
    if hasattr(obj, key):
        return (True, getattr(obj, key))
    return (False, None)


def _name_problem(value: str, *, lower_only: bool, min_len: int, max_len: int) -> str | None:
    """A human description of why `value` is not a valid name, or None."""
    if len(value) < min_len:
        return f"is {len(value)} characters long, needs at least {min_len}"
    if len(value) > max_len:
        return f"is {len(value)} characters long, at most {max_len} are allowed"
    if lower_only and any(c.isupper() for c in value):
        return "contains uppercase letters, only lowercase is allowed"
    allowed = string.ascii_lowercase + string.digits + "-"
    if not lower_only:
        allowed += string.ascii_uppercase
    bad = sorted({c for c in value if c not in allowed})
    if bad:
        return "contains characters that are not allowed: " + " ".join(repr(c) for c in bad)
    if not value[0].isalpha():
        return f"starts with {value[0]!r}, must start with a letter"
    if not value[-1].isalnum():
        return f"ends with {value[-1]!r}, must end with a letter or digit"
    return None


def _check_name(
    value: object, field: str, pattern: re.Pattern[str], kind: str, lower_only: bool
) -> str:
    text = _require_str(value, field, f"{kind} matching {pattern.pattern}")
    if pattern.fullmatch(text):
        return text
    min_len = 3 if lower_only else 2
    problem = _name_problem(text, lower_only=lower_only, min_len=min_len, max_len=63)
    rule = f"{kind}s must match {pattern.pattern}"
    raise ValidationError(field, f"{problem}; {rule}" if problem else rule, value)


# --------------------------------------------------------------------------------------------
# names


def registry_name(value: object, *, field: str = "name") -> str:
    """A registry name: a DNS label, ``^[a-z][-a-z0-9]{1,61}[a-z0-9]$`` (3-63 characters).

    Not normalised (no lowercasing): the name is immutable and becomes the registry hostname, so
    it is taken exactly as written or rejected.
    """
    return _check_name(value, field, _REGISTRY_NAME_RE, "registry name", lower_only=True)


def token_name(value: object, *, field: str = "name") -> str:
    """A token name: ``^[A-Za-z][-A-Za-z0-9]{0,61}[A-Za-z0-9]$`` (2-63 characters, both cases).

    Not normalised: the name is immutable and becomes the token's username.
    """
    return _check_name(value, field, _TOKEN_NAME_RE, "token name", lower_only=False)


def repository_name(value: object, *, field: str = "name") -> str:
    """A repository name in the OCI distribution grammar: ``/``-separated components, each
    ``[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*``, at most 256 characters in all. Not normalised.
    """
    rule = (
        f"repository names are '/'-separated components matching {REPOSITORY_COMPONENT_PATTERN},"
        f" at most {REPOSITORY_NAME_MAX} characters"
    )
    text = _require_str(value, field, rule)
    if not text:
        raise ValidationError(field, f"must not be empty; {rule}", value)
    if len(text) > REPOSITORY_NAME_MAX:
        raise ValidationError(field, f"is {len(text)} characters long; {rule}", value)
    if any(c.isupper() for c in text):
        raise ValidationError(
            field, f"contains uppercase letters, only lowercase is allowed; {rule}", value
        )
    for index, component in enumerate(text.split("/")):
        if not component:
            raise ValidationError(
                field,
                f"has an empty path component (leading, trailing or double '/'); {rule}",
                value,
            )
        if not _REPOSITORY_COMPONENT_RE.fullmatch(component):
            raise ValidationError(
                field, f"path component {index} ({component!r}) is not valid; {rule}", value
            )
    return text


def _slug(resource_name: str, allowed: str) -> str:
    # Fold accents (café -> cafe), map everything else outside `allowed` to '-', collapse.
    folded = unicodedata.normalize("NFKD", resource_name)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    slug = "".join(c if c in allowed else "-" for c in folded)
    return re.sub(r"-+", "-", slug).strip("-")


def _derive(resource_name: str, suffix: str, *, allowed: str, prefix: str) -> str:
    if not suffix or any(c not in allowed or c == "-" for c in suffix) or len(suffix) > 32:
        raise ValidationError(
            "suffix", "must be 1-32 letters or digits (e.g. from random_suffix())", suffix
        )
    base = _slug(resource_name, allowed)
    if not base or not base[0].isalpha():
        base = f"{prefix}-{base}" if base else prefix
    base = base[: 63 - len(suffix) - 1].rstrip("-")
    return f"{base}-{suffix}"


def derive_registry_name(resource_name: str, suffix: str) -> str:
    """A valid registry name made from a Pulumi resource name and a suffix: lowercased, accents
    folded, other characters replaced by ``-`` (runs collapsed), prefixed with ``r-`` unless it
    starts with a letter, truncated so that ``<base>-<suffix>`` fits in 63 characters.

    ``derive_registry_name("My_Registry", "x7k2q9a") == "my-registry-x7k2q9a"``
    """
    name = _derive(
        resource_name.lower(),
        suffix.lower(),
        allowed=string.ascii_lowercase + string.digits + "-",
        prefix="r",
    )
    return registry_name(name)


def derive_token_name(resource_name: str, suffix: str) -> str:
    """A valid token name made from a Pulumi resource name and a suffix, like
    `derive_registry_name` but keeping letter case and prefixing ``t-`` when needed."""
    name = _derive(
        resource_name,
        suffix,
        allowed=string.ascii_letters + string.digits + "-",
        prefix="t",
    )
    return token_name(name)


def random_suffix(length: int = 7) -> str:
    """``length`` random lowercase letters and digits (from `secrets`), for auto-naming."""
    if length < 1:
        raise ValueError("length must be at least 1")
    return "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(length))


def stable_suffix(*parts: str, length: int = 7) -> str:
    """``length`` lowercase letters and digits fixed by ``parts`` (from their SHA-256), for
    auto-naming: the same parts give the same suffix on every attempt, different parts a
    different one but for a chance of one in 36**length."""
    if length < 1:
        raise ValueError("length must be at least 1")
    number = int.from_bytes(hashlib.sha256("\0".join(parts).encode()).digest(), "big")
    chars = []
    for _ in range(length):
        number, index = divmod(number, len(_SUFFIX_ALPHABET))
        chars.append(_SUFFIX_ALPHABET[index])
    return "".join(chars)


# --------------------------------------------------------------------------------------------
# registry inputs


def location_id(
    value: object, allowed: Collection[str] | None = None, *, field: str = "location"
) -> str:
    """A location id ``<country>/<city>`` (``^[a-z]{2}/[a-z]{3}$``), e.g. ``de/fra``.

    Normalised by stripping whitespace and lowercasing. When ``allowed`` is given (e.g. the ids
    from ``GET /locations``, or `KNOWN_LOCATIONS`) the id must also be one of them.
    """
    rule = f"must be a location id like 'de/fra' matching {LOCATION_PATTERN}"
    text = _require_str(value, field, rule).strip().lower()
    if not _LOCATION_RE.fullmatch(text):
        raise ValidationError(field, rule, value)
    if allowed is not None:
        choices = sorted({a.strip().lower() for a in allowed})
        if text not in choices:
            raise ValidationError(
                field, "must be one of the available locations: " + ", ".join(choices), value
            )
    return text


def schedule_days(value: object, *, field: str = "garbage_collection_schedule.days") -> list[str]:
    """Garbage-collection days: a non-empty list of English weekday names, any case, full or
    three-letter (``mon``). Normalised to the API's capitalisation (``Monday``), deduplicated and
    sorted Monday..Sunday (the API does not keep the order it was given)."""
    rule = "weekday names Monday..Sunday (or Mon..Sun), at least one"
    days = _require_list(value, field, rule)
    if not days:
        raise ValidationError(field, f"must not be empty: a schedule needs {rule}", value)
    seen: set[str] = set()
    for index, day in enumerate(days):
        key = day.strip().lower() if isinstance(day, str) else None
        if key is None or key not in _DAY_LOOKUP:
            raise ValidationError(
                f"{field}[{index}]", "must be a weekday name Monday..Sunday (or Mon..Sun)", day
            )
        seen.add(_DAY_LOOKUP[key])
    return [day for day in WEEKDAYS if day in seen]


def _offset_minutes(tz: str | None) -> int:
    if tz is None or tz in ("Z", "z"):
        return 0
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise ValueError(tz)
    total = hours * 60 + minutes
    return -total if tz[0] == "-" else total


def schedule_time(value: object, *, field: str = "garbage_collection_schedule.time") -> str:
    """Garbage-collection time of day, normalised to UTC ``HH:MM:SS+00:00``.

    Accepts ``HH:MM`` or ``HH:MM:SS`` (hour may be one digit), optionally followed by ``Z``,
    ``+00:00``, ``+0000``, ``-00:00`` or any other offset; a non-zero offset is converted to UTC
    (``03:30+02:00`` -> ``01:30:00+00:00``). No offset means UTC, as the API defines the field.
    A fraction of a second is accepted only if it is zero (``01:00:00.000Z``). A `datetime.time`
    is accepted too (naive = UTC; aware is converted). The time of day alone: in a schedule,
    `gc_schedule` also moves the days when the conversion crosses midnight.
    """
    return schedule_in_utc(value, field=field)[0]


def schedule_in_utc(
    value: object, *, field: str = "garbage_collection_schedule.time"
) -> tuple[str, int]:
    """`schedule_time` and the days the conversion to UTC moved it: -1 when the UTC time is on
    the day before (``01:00+02:00`` is ``23:00`` UTC the day before), +1 the day after
    (``23:00-02:00`` is ``01:00`` UTC the next day), else 0."""
    if isinstance(value, _dt.time):
        if value.microsecond:
            raise ValidationError(field, "must have whole seconds; " + _TIME_RULE, value)
        offset = value.utcoffset()
        minutes = 0 if offset is None else int(offset.total_seconds()) // 60
        h, m, s = value.hour, value.minute, value.second
    else:
        text = _require_str(value, field, _TIME_RULE).strip()
        match = _TIME_RE.fullmatch(text)
        if not match:
            raise ValidationError(field, _TIME_RULE, value)
        h, m, s = int(match["h"]), int(match["m"]), int(match["s"] or 0)
        if h > 23 or m > 59 or s > 59:
            raise ValidationError(
                field, "hours must be 00-23, minutes and seconds 00-59; " + _TIME_RULE, value
            )
        if match["frac"] and match["frac"].strip("0"):
            raise ValidationError(field, "must have whole seconds; " + _TIME_RULE, value)
        try:
            minutes = _offset_minutes(match["tz"])
        except ValueError:
            raise ValidationError(
                field, "has an invalid UTC offset; " + _TIME_RULE, value
            ) from None
    day_shift, total = divmod(h * 3600 + m * 60 + s - minutes * 60, 86400)
    clock = f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}+00:00"
    return clock, day_shift


def gc_schedule(value: object, *, field: str = "garbage_collection_schedule") -> dict[str, Any]:
    """A garbage-collection schedule ``{days, time}`` (a mapping or an object with ``days`` and
    ``time`` attributes), both required, normalised by `schedule_days` and `schedule_time`:
    ``{"days": ["Monday", ...], "time": "HH:MM:SS+00:00"}``, all in UTC. A time whose offset
    moves it across midnight moves every day with it, so the schedule runs at the same moments:
    ``Monday 01:00+02:00`` is ``Sunday 23:00`` UTC, ``Sunday 23:00-02:00`` is ``Monday 01:00``
    UTC."""
    if value is None or isinstance(value, (str, bytes, int, float, list, tuple)):
        raise ValidationError(field, "must be an object with 'days' and 'time'", value)
    if isinstance(value, Mapping):
        unknown = sorted(str(k) for k in value if k not in ("days", "time"))
        if unknown:
            raise ValidationError(
                field, "has unknown keys " + ", ".join(unknown) + "; only 'days' and 'time'", value
            )
    items: dict[str, Any] = {}
    for key, need in (("days", "weekday names"), ("time", "a time of day such as 01:30:00+00:00")):
        present, items[key] = _attr(value, key)
        if not present or items[key] is None:
            raise ValidationError(f"{field}.{key}", f"is required ({need})", items[key])
    days = schedule_days(items["days"], field=f"{field}.days")
    clock, day_shift = schedule_in_utc(items["time"], field=f"{field}.time")
    moved = {WEEKDAYS[(WEEKDAYS.index(day) + day_shift) % 7] for day in days}
    return {"days": [day for day in WEEKDAYS if day in moved], "time": clock}


def api_subnet_allow_list(value: object, *, field: str = "api_subnet_allow_list") -> list[str]:
    """The registry's API allow list: at most 25 IPv4/IPv6 addresses or CIDRs.

    Entries are stripped but otherwise kept as written (the API reads them back verbatim, host
    bits and all: ``192.168.0.167/24`` stays). Order is kept. Exact duplicates are rejected rather
    than silently dropped, so the list sent is the list written. An empty list means "no
    restriction".
    """
    rule = f"IPv4/IPv6 addresses or CIDRs, at most {MAX_ALLOW_LIST_ENTRIES}"
    entries = _require_list(value, field, rule)
    if len(entries) > MAX_ALLOW_LIST_ENTRIES:
        raise ValidationError(
            field,
            f"has {len(entries)} entries, at most {MAX_ALLOW_LIST_ENTRIES} are allowed",
            value,
        )
    result: list[str] = []
    for index, entry in enumerate(entries):
        where = f"{field}[{index}]"
        entry_rule = "must be an IPv4/IPv6 address or CIDR such as 203.0.113.0/24 or 2001:db8::/32"
        text = _require_str(entry, where, entry_rule).strip()
        if not _NETWORK_TEXT_RE.fullmatch(text):
            raise ValidationError(where, entry_rule, entry)
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ValidationError(where, entry_rule, entry) from None
        if text in result:
            raise ValidationError(
                where, f"duplicates {field}[{result.index(text)}]; each entry once", entry
            )
        result.append(text)
    return result


def same_allow_list(a: object, b: object) -> bool:
    """Whether two allow lists admit the same networks, however the API writes them back:
    ``203.0.113.7`` and ``203.0.113.7/32``, ``192.168.0.167/24`` and ``192.168.0.0/24``, in any
    order. None and ``[]`` (no restriction) are the same. Lists with an entry that does not
    parse are compared as they are."""

    def networks(value: object) -> frozenset[object] | None:
        if value is None:
            return frozenset()
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            return None
        try:
            return frozenset(ipaddress.ip_network(str(e).strip(), strict=False) for e in value)
        except ValueError:
            return None

    left, right = networks(a), networks(b)
    if left is None or right is None:
        return a == b
    return left == right


def is_allow_all(entry: str) -> bool:
    """True if an allow-list entry matches every address (prefix length 0: ``0.0.0.0/0``,
    ``::/0``). False for anything else, including unparsable text."""
    try:
        return ipaddress.ip_network(entry.strip(), strict=False).prefixlen == 0
    except (ValueError, AttributeError):
        return False


def vulnerability_scanning(value: object, *, field: str = "vulnerability_scanning") -> bool:
    """Whether vulnerability scanning (a paid add-on) is on: must be a real bool (not 0/1 or
    "true")."""
    if not isinstance(value, bool):
        raise ValidationError(field, "must be true or false", value)
    return value


# --------------------------------------------------------------------------------------------
# token inputs


def token_status(value: object, *, field: str = "status") -> str:
    """Token status ``enabled`` or ``disabled``, any case, normalised to lowercase."""
    rule = "must be 'enabled' or 'disabled'"
    text = _require_str(value, field, rule).strip().lower()
    if text not in ("enabled", "disabled"):
        raise ValidationError(field, rule, value)
    return text


def _scope_actions(value: object, field: str) -> list[str]:
    rule = "a non-empty list of pull, push, delete"
    actions = _require_list(value, field, rule)
    if not actions:
        raise ValidationError(field, f"must not be empty; {rule}", value)
    seen: set[str] = set()
    for index, action in enumerate(actions):
        key = action.strip().lower() if isinstance(action, str) else None
        if key not in SCOPE_ACTIONS:
            raise ValidationError(f"{field}[{index}]", "must be one of pull, push, delete", action)
        seen.add(key)
    return [a for a in SCOPE_ACTIONS if a in seen]


def _scope(value: object, field: str) -> dict[str, Any]:
    if value is None or isinstance(value, (str, bytes, int, float, list, tuple)):
        raise ValidationError(
            field, "must be an object with name, actions and optional type", value
        )
    if isinstance(value, Mapping):
        unknown = sorted(str(k) for k in value if k not in ("name", "actions", "type"))
        if unknown:
            raise ValidationError(
                field,
                "has unknown keys " + ", ".join(unknown) + "; a scope has name, actions, type",
                value,
            )
    present, name = _attr(value, "name")
    name_rule = "must be a non-empty repository name or pattern such as 'app' or '*'"
    if not present or not isinstance(name, str) or not name.strip():
        raise ValidationError(f"{field}.name", name_rule, name)
    present, actions = _attr(value, "actions")
    if not present:
        raise ValidationError(f"{field}.actions", "is required (pull, push, delete)", None)
    _, kind = _attr(value, "type")
    type_rule = "must be a scope type such as 'repository' or 'registry'"
    if kind is None:
        kind = "repository"
    if not isinstance(kind, str) or not _SCOPE_TYPE_RE.fullmatch(kind.strip().lower()):
        raise ValidationError(f"{field}.type", type_rule, kind)
    return {
        "name": name.strip(),
        "actions": _scope_actions(actions, f"{field}.actions"),
        "type": kind.strip().lower(),
    }


def token_scopes(value: object, *, field: str = "scopes") -> list[dict[str, Any]]:
    """Token scopes: a list of ``{name, actions, type}`` (mappings or objects with those
    attributes). ``name``: non-empty (repository name or wildcard, stripped); ``actions``:
    non-empty subset of pull/push/delete, any case -> lowercase, deduplicated, in pull, push,
    delete order; ``type``: default ``repository``, any lowercase identifier (the API stores what
    it is given), lowercased. Two scopes with the same name and type are rejected (merge their
    actions). The list is sorted by (type, name) so its order never causes a diff. An empty
    list is allowed."""
    scopes = _require_list(value, field, "of {name, actions, type} objects")
    result: list[dict[str, Any]] = []
    first_seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(scopes):
        scope = _scope(item, f"{field}[{index}]")
        key = (scope["type"], scope["name"])
        if key in first_seen:
            raise ValidationError(
                f"{field}[{index}]",
                f"duplicates {field}[{first_seen[key]}] (same name and type); merge their actions",
                item,
            )
        first_seen[key] = index
        result.append(scope)
    return sorted(result, key=lambda s: (s["type"], s["name"]))


def _parse_instant(value: object, field: str) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        if value.utcoffset() is None:
            raise ValidationError(
                field,
                "must be timezone-aware (a naive datetime is ambiguous); " + _EXPIRY_RULE,
                value,
            )
        try:
            return value.astimezone(_UTC).replace(microsecond=0)
        except OverflowError:
            raise ValidationError(field, "is out of range; " + _EXPIRY_RULE, value) from None
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day, tzinfo=_UTC)
    text = _require_str(value, field, _EXPIRY_RULE).strip()
    date = _DATE_RE.fullmatch(text)
    match = _DATETIME_RE.fullmatch(text)
    if not date and not match:
        raise ValidationError(field, _EXPIRY_RULE, value)
    if match and match["tz"] is None:
        raise ValidationError(
            field, "needs a UTC offset such as Z or +01:00; " + _EXPIRY_RULE, value
        )
    # Only ValueError/OverflowError from datetime itself below (ValidationError is a ValueError,
    # so none is raised inside this block).
    try:
        if date:
            return _dt.datetime(int(date["y"]), int(date["mo"]), int(date["d"]), tzinfo=_UTC)
        assert match is not None
        offset = _dt.timedelta(minutes=_offset_minutes(match["tz"]))
        return _dt.datetime(
            int(match["y"]),
            int(match["mo"]),
            int(match["d"]),
            int(match["h"]),
            int(match["mi"]),
            int(match["s"]),
            tzinfo=_dt.timezone(offset),
        ).astimezone(_UTC)
    except (ValueError, OverflowError):
        pass
    raise ValidationError(field, "is not a valid date or time; " + _EXPIRY_RULE, value)


def expiry_date(
    value: object,
    *,
    now: _dt.datetime | None = None,
    allow_past: bool = False,
    field: str = "expiry_date",
) -> str | None:
    """A token expiry, normalised to UTC ``YYYY-MM-DDTHH:MM:SSZ``; None (never expires) stays None.

    Accepts RFC 3339 strings with ``Z`` or an offset (``T`` or space separator, with or without a
    fraction of a second, which is dropped), ``YYYY-MM-DD`` (midnight UTC), a `datetime.date`
    (midnight UTC) and a timezone-aware `datetime`. Naive datetimes and strings without an offset
    are rejected as ambiguous. Instants at or before ``now`` (default: the current time) are
    rejected unless ``allow_past`` (for re-checking a value that was accepted before and has
    since passed, or for reading back what the API stores).
    """
    if value is None:
        return None
    instant = _parse_instant(value, field)
    if not allow_past:
        current = now if now is not None else _dt.datetime.now(_UTC)
        if current.utcoffset() is None:
            raise TypeError("now must be a timezone-aware datetime")
        if instant <= current:
            raise ValidationError(
                field,
                "must be in the future (it is "
                + instant.strftime("%Y-%m-%dT%H:%M:%SZ")
                + "; omit it for a token that never expires)",
                value,
            )
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def same_instant(a: object, b: object) -> bool:
    """Whether two expiry values mean the same instant to the second (``2030-01-01T00:00:00Z``,
    ``2030-01-01T01:00:00.000+01:00`` and ``2030-01-01`` all do). None equals only None. Values
    that do not parse are compared as they are."""
    if a is None or b is None:
        return a is None and b is None
    try:
        return expiry_date(a, allow_past=True) == expiry_date(b, allow_past=True)
    except ValidationError:
        return a == b


# --------------------------------------------------------------------------------------------
# references between resources

_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def registry_id(value: object, *, field: str = "registry_id") -> str:
    """A registry's id as the API issues it (a UUID), e.g. `Registry.id`."""
    if not isinstance(value, str) or not _UUID_RE.match(value.strip()):
        raise ValidationError(
            field, "must be the id of a registry (a UUID, e.g. Registry.id)", value
        )
    return value.strip()


def rotation_triggers(value: object, *, field: str = "rotation_triggers") -> dict[str, Any]:
    """Free-form values whose change means "issue a new credential"."""
    if not isinstance(value, Mapping):
        raise ValidationError(field, "must be a mapping such as {'quarter': '2027Q1'}", value)
    return dict(value)


# --------------------------------------------------------------------------------------------
# timeouts

#: How long create, update and delete wait by default (seconds).
DEFAULT_TIMEOUT_SECONDS = 20 * 60
TIMEOUT_OPERATIONS = ("create", "update", "delete")
_DURATION_RE = re.compile(r"^\s*(?:(?P<h>\d+)h)?\s*(?:(?P<m>\d+)m)?\s*(?:(?P<s>\d+)s)?\s*$")
_DURATION_RULE = 'must be a positive number of seconds or a duration like "90s", "20m", "1h30m"'


def duration_seconds(value: object, *, field: str = "timeouts") -> float:
    """A positive duration in seconds from a number or a ``1h30m20s``-style string."""
    if isinstance(value, bool):
        raise ValidationError(field, _DURATION_RULE, value)
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION_RE.match(value)) and value.strip():
        seconds = float(
            int(match["h"] or 0) * 3600 + int(match["m"] or 0) * 60 + int(match["s"] or 0)
        )
    else:
        raise ValidationError(field, _DURATION_RULE, value)
    if seconds <= 0:
        raise ValidationError(field, _DURATION_RULE, value)
    return seconds


def timeouts(value: object, *, field: str = "timeouts") -> dict[str, float]:
    """``{create, update, delete}`` durations (any subset), normalised to seconds."""
    if not isinstance(value, Mapping):
        items = {k: getattr(value, k) for k in TIMEOUT_OPERATIONS if hasattr(value, k)}
        if not items and value is not None:
            raise ValidationError(field, "must map create/update/delete to durations", value)
        value = items
    normal: dict[str, float] = {}
    for key, item in value.items():
        if key not in TIMEOUT_OPERATIONS:
            raise ValidationError(f"{field}.{key}", "is not one of create, update, delete", item)
        if item is not None:
            normal[key] = duration_seconds(item, field=f"{field}.{key}")
    return normal


def timeout_seconds(value: object, operation: str) -> float:
    """The wait for `operation` from a (normalised) ``timeouts`` input, or the default."""
    configured = timeouts(value) if value else {}
    return configured.get(operation, DEFAULT_TIMEOUT_SECONDS)


# --------------------------------------------------------------------------------------------
# gathering


def validate_fields(
    inputs: Mapping[str, Any],
    rules: Mapping[str, Rule],
    *,
    skip: Callable[[Any], bool] | None = None,
) -> tuple[dict[str, Any], list[ValidationError]]:
    """Apply ``rules[key]`` to each ``inputs[key]`` that is present and not None; return a copy of
    ``inputs`` with normalised values and the errors (at most one per key). Keys without a rule,
    None values and values for which ``skip(value)`` is true (e.g. Pulumi unknowns at preview)
    are kept as they are. Required-ness is the caller's business.

    ``validate_fields(props, {"name": registry_name,
    "location": lambda v: location_id(v, KNOWN_LOCATIONS)})``
    """
    normalised = dict(inputs)
    errors: list[ValidationError] = []
    for key, rule in rules.items():
        value = inputs.get(key)
        if value is None or (skip is not None and skip(value)):
            continue
        try:
            normalised[key] = rule(value)
        except ValidationError as error:
            errors.append(error)
    return normalised, errors
