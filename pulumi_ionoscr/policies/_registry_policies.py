"""Policies on `Registry` resources: name, location, vulnerability scanning, garbage collection
and the API allow list. Each applies the rule from `pulumi_ionoscr._validation` the provider's
`check` applies, plus what the organisation configures on top."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

from .. import _validation as rules
from .._exceptions import ValidationError
from ._common import (
    REGISTRY_TYPE,
    PolicyConfigError,
    Target,
    contains_unknown,
    is_unknown,
    matches_any,
    resource_policy,
    stack_name,
)

__all__ = [
    "registry_allow_list",
    "registry_gc_schedule",
    "registry_location",
    "registry_name",
    "registry_vulnerability_scanning",
]

# A stand-in for the random suffix of a derived name (`derive_registry_name`), used only to show
# and check the shape of a name the provider will generate from `name_prefix`.
_SAMPLE_SUFFIX = "x0x0x0x"


# --------------------------------------------------------------------------------------------
# 1. name


def _check_name(target: Target, config: Mapping[str, Any]) -> Iterator[str]:
    props = target.props
    name = props.get("name")
    prefix: str = config["prefix"]
    try:
        pattern = re.compile(config["pattern"]) if config["pattern"] else None
    except re.error as error:
        raise PolicyConfigError(
            f"policy 'ionoscr-registry-name' config 'pattern' is not a regular expression: {error}"
        ) from None
    if is_unknown(name):
        return
    if name is None:
        # The provider derives `<name_prefix>-<random>`; check the part that is fixed.
        name_prefix = props.get("name_prefix")
        if not isinstance(name_prefix, str) or is_unknown(name_prefix):
            return
        try:
            sample = rules.derive_registry_name(name_prefix, _SAMPLE_SUFFIX)
        except ValidationError:
            return
        shown = f"derived from name_prefix {name_prefix!r} (e.g. {sample!r})"
        fix = "set `name` explicitly or rename the resource"
        if prefix and not sample.startswith(prefix):
            yield (
                f"{target.subject}: the registry name {shown} does not start with the required "
                f"prefix {prefix!r}. Fix: {fix} so the name starts with {prefix!r}."
            )
        if pattern is not None and not pattern.fullmatch(sample):
            yield (
                f"{target.subject}: the registry name {shown} does not match the required "
                f"pattern {pattern.pattern!r}. Fix: {fix} to a name matching it."
            )
        return
    try:
        rules.registry_name(name)
    except ValidationError as error:
        yield (
            f"{target.subject}: `name` = {name!r} {error.rule}. Fix: use 3-63 lowercase letters, "
            "digits and '-', starting with a letter and ending with a letter or digit (the name "
            "becomes the registry hostname)."
        )
        return
    if prefix and not name.startswith(prefix):
        yield (
            f"{target.subject}: `name` = {name!r} does not start with the required prefix "
            f"{prefix!r}. Fix: rename it to {prefix + name!r} or similar (a rename replaces the "
            "registry)."
        )
    if pattern is not None and not pattern.fullmatch(name):
        yield (
            f"{target.subject}: `name` = {name!r} does not match the required pattern "
            f"{pattern.pattern!r}. Fix: choose a name that matches it (a rename replaces the "
            "registry)."
        )


registry_name: ResourceValidationPolicy = resource_policy(
    name="ionoscr-registry-name",
    description=(
        "Registry names are valid DNS labels (3-63 lowercase letters, digits, '-') and follow "
        "the organisation's prefix or pattern."
    ),
    resource_type=REGISTRY_TYPE,
    enforcement_level=EnforcementLevel.MANDATORY,
    config={
        "prefix": {
            "type": "string",
            "default": "",
            "description": "Every registry name must start with this (empty: no requirement).",
        },
        "pattern": {
            "type": "string",
            "default": "",
            "description": (
                "A Python regular expression every registry name must match in full, on top of "
                "the service's rule (empty: no requirement)."
            ),
        },
    },
    remediation=(
        "Rename the registry (this replaces it): lowercase letters, digits and '-', starting with "
        "a letter, 3-63 characters, with the configured prefix/pattern."
    ),
    check=_check_name,
)


# --------------------------------------------------------------------------------------------
# 2. location


def _check_location(target: Target, config: Mapping[str, Any]) -> Iterator[str]:
    location = target.props.get("location")
    allowed: list[str] = config["allowedLocations"]
    if location is None or contains_unknown(location):
        return  # a missing location is the provider's (required input) error
    try:
        rules.location_id(location, allowed)
    except ValidationError as error:
        choices = ", ".join(sorted({a.strip().lower() for a in allowed}))
        yield (
            f"{target.subject}: `location` = {location!r} {error.rule}. Fix: set location to one "
            f"of {choices} (a move replaces the registry), or add it to allowedLocations in this "
            "policy's config."
        )


registry_location: ResourceValidationPolicy = resource_policy(
    name="ionoscr-registry-location",
    description="Registries are created only in the allowed IONOS locations.",
    resource_type=REGISTRY_TYPE,
    enforcement_level=EnforcementLevel.MANDATORY,
    config={
        "allowedLocations": {
            "type": "array",
            "items": {"type": "string", "pattern": rules.LOCATION_PATTERN},
            "minItems": 1,
            "default": list(rules.KNOWN_LOCATIONS),
            "description": (
                "Location ids a registry may use, e.g. de/fra (default: the locations the "
                "Container Registry service offers)."
            ),
        },
    },
    remediation="Set `location` to one of the allowed location ids (e.g. de/fra).",
    check=_check_location,
)


# --------------------------------------------------------------------------------------------
# 3. vulnerability scanning


def _check_scanning(target: Target, config: Mapping[str, Any]) -> Iterator[str]:
    value = target.props.get("vulnerability_scanning")
    require: str = config["require"]
    if is_unknown(value):
        return
    if value is None:
        wanted = {"enabled": "True", "disabled": "False"}.get(require, "True or False")
        yield (
            f"{target.subject}: `vulnerability_scanning` is not set, so the service default "
            "applies (scanning is a paid add-on and cannot be switched off once on). "
            f"Fix: set vulnerability_scanning={wanted} explicitly."
        )
        return
    try:
        scanning = rules.vulnerability_scanning(value)
    except ValidationError as error:
        yield (
            f"{target.subject}: `vulnerability_scanning` = {value!r} {error.rule}. "
            "Fix: set it to True or False."
        )
        return
    if require == "enabled" and not scanning:
        yield (
            f"{target.subject}: `vulnerability_scanning` = False, but this organisation requires "
            "scanning. Fix: set vulnerability_scanning=True."
        )
    if require == "disabled" and scanning:
        yield (
            f"{target.subject}: `vulnerability_scanning` = True, but this organisation does not "
            "allow the paid scanning add-on. Fix: set vulnerability_scanning=False (for an "
            "existing registry with scanning on this replaces it)."
        )


registry_vulnerability_scanning: ResourceValidationPolicy = resource_policy(
    name="ionoscr-registry-vulnerability-scanning",
    description=(
        "Vulnerability scanning (a paid add-on that cannot be switched off once on) is set "
        "explicitly, and to the organisation's choice when one is configured."
    ),
    resource_type=REGISTRY_TYPE,
    enforcement_level=EnforcementLevel.ADVISORY,
    config={
        "require": {
            "type": "string",
            "enum": ["explicit", "enabled", "disabled"],
            "default": "explicit",
            "description": (
                "explicit: any explicit True/False; enabled: must be True; disabled: must be False."
            ),
        },
    },
    remediation="Set `vulnerability_scanning` to True or False on every registry.",
    check=_check_scanning,
)


# --------------------------------------------------------------------------------------------
# 4. garbage collection


def _check_gc(target: Target, config: Mapping[str, Any]) -> Iterator[str]:
    schedule = target.props.get("garbage_collection_schedule")
    min_days: int = config["minDaysPerWeek"]
    example = "{'days': ['Sunday'], 'time': '02:00:00+00:00'}"
    if contains_unknown(schedule):
        return
    if schedule is None:
        yield (
            f"{target.subject}: `garbage_collection_schedule` is not set, so untagged and "
            "deleted artifacts keep using (paid) storage. Fix: set garbage_collection_schedule="
            f"{example} (the registry is read-only while it collects; pick a quiet time)."
        )
        return
    try:
        normal = rules.gc_schedule(schedule)
    except ValidationError as error:
        yield (
            f"{target.subject}: `{error.field}` = {error.value!r} {error.rule}. "
            f"Fix: use a schedule like {example}."
        )
        return
    if len(normal["days"]) < min_days:
        yield (
            f"{target.subject}: `garbage_collection_schedule.days` = {normal['days']!r} runs on "
            f"{len(normal['days'])} day(s) a week; at least {min_days} are required. Fix: add "
            "days to the schedule."
        )


registry_gc_schedule: ResourceValidationPolicy = resource_policy(
    name="ionoscr-registry-gc-schedule",
    description="Registries collect garbage on a schedule.",
    resource_type=REGISTRY_TYPE,
    enforcement_level=EnforcementLevel.ADVISORY,
    config={
        "minDaysPerWeek": {
            "type": "integer",
            "minimum": 1,
            "maximum": 7,
            "default": 1,
            "description": "The schedule must run on at least this many weekdays.",
        },
    },
    remediation=(
        "Set `garbage_collection_schedule` with the weekdays and UTC time at which the registry "
        "may be read-only while it collects garbage."
    ),
    check=_check_gc,
)


# --------------------------------------------------------------------------------------------
# 5. API allow list


def _check_allow_list(target: Target, config: Mapping[str, Any]) -> Iterator[str]:
    entries = target.props.get("api_subnet_allow_list")
    stacks: list[str] = config["requireNonEmptyForStacks"]
    if is_unknown(entries):
        return
    if isinstance(entries, list):
        for index, entry in enumerate(entries):
            if isinstance(entry, str) and not is_unknown(entry) and rules.is_allow_all(entry):
                yield (
                    f"{target.subject}: `api_subnet_allow_list[{index}]` = {entry!r} admits "
                    "every address, which defeats the allow list. Fix: list only the networks "
                    "that manage the registry, e.g. '203.0.113.0/24'."
                )
    stack = stack_name(target.urn)
    if stack is not None and matches_any(stack, stacks) and not entries:
        yield (
            f"{target.subject}: `api_subnet_allow_list` = {entries!r} leaves the registry's "
            f"management API open to every address, and stack {stack!r} requires a non-empty "
            "allow list. Fix: set api_subnet_allow_list to the networks that manage the "
            "registry, e.g. ['203.0.113.0/24']."
        )


registry_allow_list: ResourceValidationPolicy = resource_policy(
    name="ionoscr-registry-api-allow-list",
    description=(
        "The registry API allow list has no allow-all entry (0.0.0.0/0, ::/0), and is non-empty "
        "in the stacks named in config."
    ),
    resource_type=REGISTRY_TYPE,
    enforcement_level=EnforcementLevel.MANDATORY,
    config={
        "requireNonEmptyForStacks": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": (
                "Stack names (or fnmatch patterns such as 'prod*') in which every registry needs "
                "a non-empty api_subnet_allow_list."
            ),
        },
    },
    remediation=(
        "Replace allow-all entries with the CIDRs that need the registry API; in the listed "
        "stacks, set a non-empty `api_subnet_allow_list`."
    ),
    check=_check_allow_list,
)
