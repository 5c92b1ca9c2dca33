"""Errors and input checks of the management API (no HTTP, no state).

`ApiProblem(status, code, message)` is every API error; the HTTP layer renders it as the API
error body `{"httpStatus": N, "messages": [{"errorCode": ..., "message": ...}]}`. The checks
name the offending field by its wire name, the rule and the value.

Patterns are matched with `fullmatch` and ASCII classes only: `$` would accept a trailing
newline and `\\d` / `str.isdigit()` accept non-ASCII digits such as `²` or `٣`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from ._limits import (
    MAX_DIGEST_LENGTH,
    MAX_INT_PARAM_DIGITS,
    MAX_JSON_DEPTH,
    MAX_REPOSITORY_NAME_LENGTH,
)

__all__ = [
    "DIGEST_RE",
    "REGISTRY_NAME_RE",
    "REPOSITORY_NAME_RE",
    "TOKEN_NAME_RE",
    "UUID_RE",
    "ApiProblem",
    "JsonInputError",
    "bad_request",
    "check_count",
    "check_digest",
    "check_length",
    "check_registry_name",
    "check_repository_name",
    "check_uuid",
    "conflict",
    "expect_bool",
    "expect_list",
    "expect_object",
    "expect_str",
    "format_datetime_rfc3339",
    "format_millis",
    "format_time",
    "int_field",
    "loads_json",
    "no_unknown",
    "not_found",
    "num_field",
    "opt_int",
    "parse_bool_param",
    "parse_datetime",
    "parse_int_param",
    "require",
    "type_name",
]

REGISTRY_NAME_RE = re.compile(r"[a-z][-a-z0-9]{1,61}[a-z0-9]")
TOKEN_NAME_RE = re.compile(r"[A-Za-z][-A-Za-z0-9]{0,61}[A-Za-z0-9]")
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# OCI distribution repository name grammar (path components separated by "/").
REPOSITORY_NAME_RE = re.compile(
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
)
DIGEST_RE = re.compile(r"[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")
_DATETIME_RE = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ](?P<hm>[0-9]{2}:[0-9]{2})"
    r"(?::(?P<s>[0-9]{2})(?:\.(?P<frac>[0-9]+))?)?(?P<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_INT_RE = re.compile(rf"-?[0-9]{{1,{MAX_INT_PARAM_DIGITS}}}")


# --------------------------------------------------------------------------------------------
# errors


class ApiProblem(Exception):
    """An API error: HTTP status, error code and a human readable message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {
            "httpStatus": self.status,
            "messages": [{"errorCode": self.code, "message": self.message}],
        }


def bad_request(message: str, code: str = "validation-failed") -> ApiProblem:
    return ApiProblem(400, code, message)


def not_found(message: str) -> ApiProblem:
    return ApiProblem(404, "not-found", message)


def conflict(message: str) -> ApiProblem:
    return ApiProblem(409, "conflict", message)


# --------------------------------------------------------------------------------------------
# time


def format_time(ts: float, style: str = "seconds-Z") -> str:
    """A date-time the server writes, in the `timestamp-format` variant's style: by default
    `YYYY-MM-DDTHH:MM:SSZ`, the way the real API prints metadata dates."""
    dt = datetime.fromtimestamp(ts, tz=timezone.utc)
    if style == "millis-Z":
        return format_millis(dt) + "Z"
    if style == "offset":
        return dt.isoformat(timespec="microseconds")
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: str) -> datetime:
    """Parse an RFC 3339 date-time (with `Z` or an offset) into UTC. Raises ValueError, also
    for dates that leave the representable range once converted (`9999-12-31T23:59:59-23:59`)."""
    m = _DATETIME_RE.fullmatch(value)
    if not m:
        raise ValueError(value)
    offset = m.group("offset")
    # Python 3.10's fromisoformat accepts only 0, 3 or 6 fraction digits: normalise to 6.
    frac = f".{(m.group('frac') + '000000')[:6]}" if m.group("frac") else ""
    text = (
        f"{m.group('date')}T{m.group('hm')}:{m.group('s') or '00'}{frac}"
        f"{'+00:00' if offset in ('Z', 'z') else offset}"
    )
    try:
        return datetime.fromisoformat(text).astimezone(timezone.utc)
    except OverflowError:
        raise ValueError(f"{value}: out of range") from None


def format_millis(dt: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SS.mmm` of `dt` as it is (no zone: the caller writes it)."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{dt.microsecond // 1000:03d}"


def format_datetime_rfc3339(dt: datetime) -> str:
    """UTC, `Z`, fraction trimmed of trailing zeros (Go's RFC3339Nano)."""
    utc = dt.astimezone(timezone.utc)  # parse_datetime's results are in range
    base = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        base += "." + f"{utc.microsecond:06d}".rstrip("0")
    return base + "Z"


# --------------------------------------------------------------------------------------------
# input checking helpers (field paths use the wire names so messages name the field)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def expect_object(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request(f"{path}: expected an object, got {type_name(value)}")
    return value


def expect_str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise bad_request(f"{path}: expected a string, got {type_name(value)}")
    return value


def expect_bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise bad_request(f"{path}: expected a boolean, got {type_name(value)}")
    return value


def check_length(text: str, maximum: int, path: str) -> str:
    if len(text) > maximum:
        raise bad_request(
            f"{path}: {len(text)} characters, at most {maximum} are allowed", "too-long"
        )
    return text


def check_count(items: list[Any], maximum: int, path: str) -> list[Any]:
    if len(items) > maximum:
        raise bad_request(
            f"{path}: {len(items)} entries, at most {maximum} are allowed", "too-many-entries"
        )
    return items


def expect_list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise bad_request(f"{path}: expected an array, got {type_name(value)}")
    return value


def no_unknown(obj: Mapping[str, Any], allowed: Iterable[str], path: str) -> None:
    allowed_set = set(allowed)
    for key in obj:
        if key not in allowed_set:
            where = f"{path}.{key}" if path else key
            raise bad_request(
                f"{where}: unknown field (allowed: {', '.join(sorted(allowed_set))})",
                "unknown-field",
            )


def require(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in obj or obj[key] is None:
        where = f"{path}.{key}" if path else key
        raise bad_request(f"{where}: required field is missing", "missing-field")
    return obj[key]


def check_uuid(value: str, field_name: str) -> str:
    if not UUID_RE.fullmatch(value):
        raise bad_request(f"{field_name}: {value!r} is not a UUID", "malformed-id")
    return value.lower()


def check_registry_name(value: Any, path: str = "name") -> str:
    name = expect_str(value, path)
    if not REGISTRY_NAME_RE.fullmatch(name):
        raise bad_request(
            f"{path}: {name!r} is not a valid registry name (3-63 characters a-z, 0-9 and '-',"
            " starting with a letter and ending with a letter or digit)",
            "invalid-name",
        )
    return name


def check_repository_name(value: str, path: str = "repositoryName") -> str:
    too_long = len(value) > MAX_REPOSITORY_NAME_LENGTH
    if not value or too_long or not REPOSITORY_NAME_RE.fullmatch(value):
        raise bad_request(
            f"{path}: {value!r} is not a valid repository name (lowercase path components"
            " separated by '/', at most 256 characters)",
            "invalid-repository-name",
        )
    return value


def check_digest(value: str, path: str = "digest") -> str:
    if not value or len(value) > MAX_DIGEST_LENGTH or not DIGEST_RE.fullmatch(value):
        raise bad_request(f"{path}: {value!r} is not a valid digest", "invalid-digest")
    return value


# --------------------------------------------------------------------------------------------
# records


def parse_int_param(value: str | None, name: str, default: int, lo: int, hi: int | None) -> int:
    if value is None or value == "":
        return default
    if not _INT_RE.fullmatch(value):
        raise bad_request(
            f"{name}: expected an integer (ASCII digits), got {value!r}", "invalid-parameter"
        )
    number = int(value)
    if number < lo or (hi is not None and number > hi):
        bound = f"between {lo} and {hi}" if hi is not None else f">= {lo}"
        raise bad_request(f"{name}: must be {bound}, got {number}", "invalid-parameter")
    return number


def parse_bool_param(value: str | None, name: str) -> bool | None:
    """A boolean query parameter as the SDKs send it (`true` / `false`); None if absent."""
    if value is None or value == "":
        return None
    if value not in ("true", "false"):
        raise bad_request(f"{name}: expected true or false, got {value!r}", "invalid-parameter")
    return value == "true"


def int_field(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise bad_request(f"{path}: expected an integer >= 0, got {type_name(value)}")
    return value


def opt_int(value: Any, path: str) -> int | None:
    return None if value is None else int_field(value, path)


def num_field(value: Any, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request(f"{path}: expected a number, got {type_name(value)}")
    return float(value)


# --------------------------------------------------------------------------------------------
# JSON documents


class JsonInputError(ValueError):
    """A JSON document that is malformed, nested too deeply or holds non-finite numbers."""


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonInputError(f"number {text[:40]!r} is out of range")
    return value


def _no_constant(name: str) -> Any:
    raise JsonInputError(f"{name} is not JSON")


def _depth(value: Any) -> int:
    """Nesting depth of a parsed document (iterative: no recursion to exhaust)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            deepest = max(deepest, level)
            stack.extend((v, level + 1) for v in node)
    return deepest


def loads_json(raw: bytes | str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads`, bounded: nesting over `max_depth`, `NaN`/`Infinity`, numbers out of
    range and malformed text all raise `JsonInputError` (never `RecursionError`)."""
    try:
        value = json.loads(raw, parse_float=_finite_float, parse_constant=_no_constant)
    except RecursionError:
        raise JsonInputError(f"nested deeper than {max_depth} levels") from None
    except JsonInputError:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise JsonInputError(str(exc)) from None
    if _depth(value) > max_depth:
        raise JsonInputError(f"nested deeper than {max_depth} levels")
    return value
