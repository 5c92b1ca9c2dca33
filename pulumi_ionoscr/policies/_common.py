"""What every ionoscr policy shares: type tokens, unknown handling, config with defaults, messages.

Nothing here starts a server. The rules themselves live in `pulumi_ionoscr._validation`; this
module only adapts what the analyzer hands a policy (proxied props, float numbers, config without
defaults) to those rules.
"""

from __future__ import annotations

import copy
import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi.output import Unknown
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy.proxy import (  # the proxies are private: see `plain`
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    _DictProxy,
    _ListProxy,
)
from pulumi_policy.secret import Secret, _DictSecretsProxy, _ListSecretsProxy

__all__ = [
    "REGISTRY_TYPE",
    "REPOSITORY_TYPE",
    "TOKEN_TYPE",
    "UNKNOWN_VALUES",
    "PolicyConfigError",
    "ResourceCheck",
    "Target",
    "config_with_defaults",
    "contains_unknown",
    "describe",
    "is_unknown",
    "matches_any",
    "plain",
    "resource_policy",
    "schema",
    "stack_name",
]

REGISTRY_TYPE = "pulumi-python:dynamic/ionoscr:Registry"
TOKEN_TYPE = "pulumi-python:dynamic/ionoscr:RegistryToken"
REPOSITORY_TYPE = "pulumi-python:dynamic/ionoscr:Repository"

_KIND = {REGISTRY_TYPE: "Registry", TOKEN_TYPE: "RegistryToken", REPOSITORY_TYPE: "Repository"}

#: Every sentinel the engine (or the policy SDK) uses for a value not known during preview. The
#: engine sends the string one for values of any type.
UNKNOWN_VALUES: frozenset[str] = frozenset(
    {
        UNKNOWN_STRING_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


class PolicyConfigError(ValueError):
    """A policy's config does not fit its schema (the CLI validates; the Python SDK does not)."""


# --------------------------------------------------------------------------------------------
# props


def plain(value: Any) -> Any:
    """`value` as plain dicts and lists, with unknown sentinels left in place as strings.

    The analyzer wraps props in proxies that raise `UnknownValueError` on reading an unknown
    value; the SDK turns that into an advisory "can't run policy during preview" diagnostic.
    Reading through the proxies' ``__target`` instead lets a policy skip unknowns silently.
    (The proxy classes are private to pulumi-policy; tests pin this behaviour.)
    """
    if isinstance(value, _PROXIES):
        value = value["__target"]
    if isinstance(value, Secret):
        return plain(value.value)
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


_PROXIES = (_DictProxy, _ListProxy, _DictSecretsProxy, _ListSecretsProxy)


def is_unknown(value: object) -> bool:
    """Whether `value` itself is unknown: a sentinel string (what the analyzer receives) or a
    `pulumi.output.Unknown` (what `pulumi.runtime.rpc` deserialises unknowns to)."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value in UNKNOWN_VALUES)


def contains_unknown(value: object) -> bool:
    """Whether `value` (plain data, see `plain`) is or holds an unknown anywhere."""
    if isinstance(value, (str, Unknown)):
        return is_unknown(value)
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


# --------------------------------------------------------------------------------------------
# config


def schema(properties: dict[str, dict[str, Any]]) -> PolicyConfigSchema:
    """A `PolicyConfigSchema`; every property must carry a ``default`` (applied by
    `config_with_defaults`, since the Python SDK does not apply schema defaults)."""
    for key, spec in properties.items():
        if "default" not in spec:
            raise AssertionError(f"config property {key!r} needs a default")
    return PolicyConfigSchema(properties=properties)


def config_with_defaults(
    policy_name: str, config_schema: PolicyConfigSchema, given: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The policy's config: `given` (as the analyzer passes it, possibly empty, numbers as
    floats) over the schema's defaults, checked against the schema's types.

    Keys the schema does not know (including ``enforcementLevel``) are ignored.
    """
    raw = dict(given or {})
    result: dict[str, Any] = {}
    for key, spec in config_schema.properties.items():
        value = raw.get(key)
        if value is None:
            value = copy.deepcopy(spec["default"])
        result[key] = _coerce(policy_name, key, spec, plain(value))
    return result


def _coerce(policy: str, key: str, spec: Mapping[str, Any], value: Any) -> Any:
    kind = spec.get("type")
    where = f"policy {policy!r} config {key!r}"
    if kind == "integer":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise PolicyConfigError(f"{where} must be an integer (got {value!r})")
        if "minimum" in spec and value < spec["minimum"]:
            raise PolicyConfigError(f"{where} must be at least {spec['minimum']} (got {value})")
        if "maximum" in spec and value > spec["maximum"]:
            raise PolicyConfigError(f"{where} must be at most {spec['maximum']} (got {value})")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise PolicyConfigError(f"{where} must be true or false (got {value!r})")
        return value
    if kind == "string":
        if not isinstance(value, str):
            raise PolicyConfigError(f"{where} must be a string (got {value!r})")
        if "enum" in spec and value not in spec["enum"]:
            choices = ", ".join(spec["enum"])
            raise PolicyConfigError(f"{where} must be one of {choices} (got {value!r})")
        return value
    if kind == "array":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PolicyConfigError(f"{where} must be a list of strings (got {value!r})")
        if len(value) < spec.get("minItems", 0):
            raise PolicyConfigError(
                f"{where} needs at least {spec['minItems']} entries (got {value!r})"
            )
        pattern = spec.get("items", {}).get("pattern")
        for item in value:
            if pattern and not re.search(pattern, item):
                raise PolicyConfigError(f"{where} entry {item!r} does not match {pattern}")
        return value
    raise AssertionError(f"unsupported schema type {kind!r} for {where}")


# --------------------------------------------------------------------------------------------
# naming things in messages


def describe(resource_type: str, urn: str, props: Mapping[str, Any]) -> str:
    """``Registry 'acme-main' (urn:pulumi:...)``: kind, the name it has or will have, URN."""
    kind = _KIND.get(resource_type, resource_type)
    name = props.get("name")
    if not isinstance(name, str) or is_unknown(name):
        name = props.get("name_prefix")
    if isinstance(name, str) and not is_unknown(name):
        return f"{kind} {name!r} ({urn})"
    return f"{kind} {urn}"


def stack_name(urn: str) -> str | None:
    """The stack of a URN ``urn:pulumi:<stack>::<project>::...``, else ``$PULUMI_STACK``."""
    if urn.startswith("urn:pulumi:"):
        stack = urn[len("urn:pulumi:") :].split("::", 1)[0]
        if stack:
            return stack
    return os.environ.get("PULUMI_STACK") or None


def matches_any(name: str, patterns: Iterable[str]) -> bool:
    """Whether `name` equals or glob-matches (``fnmatch``, case-sensitive) one of `patterns`."""
    return any(name == p or fnmatch.fnmatchcase(name, p) for p in patterns)


# --------------------------------------------------------------------------------------------
# resource policies from check functions


@dataclass(frozen=True)
class Target:
    """The resource a resource policy looks at, with its props made plain (`plain`)."""

    resource_type: str
    urn: str
    name: str
    props: Mapping[str, Any]

    @property
    def subject(self) -> str:
        return describe(self.resource_type, self.urn, self.props)


#: A resource check: yields one message per violation.
ResourceCheck = Callable[[Target, Mapping[str, Any]], Iterable[str]]


def resource_policy(
    *,
    name: str,
    description: str,
    resource_type: str,
    enforcement_level: EnforcementLevel,
    config: dict[str, dict[str, Any]],
    remediation: str,
    check: ResourceCheck,
) -> ResourceValidationPolicy:
    """A `ResourceValidationPolicy` for one type token that runs `check` with the config (defaults
    applied) and reports each message it yields."""
    config_schema = schema(config)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type != resource_type:
            return
        settings = config_with_defaults(name, config_schema, args.get_config())
        target = Target(args.resource_type, args.urn, args.name, plain(args.props))
        for message in check(target, settings):
            report_violation(message, None)

    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=enforcement_level,
        config_schema=config_schema,
        remediation_steps=remediation,
    )
