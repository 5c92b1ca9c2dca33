"""Policies on `RegistryToken` resources: expiry and least privilege."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

from .. import _validation as rules
from .._exceptions import ValidationError
from ._common import (
    TOKEN_TYPE,
    Target,
    contains_unknown,
    is_unknown,
    matches_any,
    resource_policy,
)

__all__ = ["is_wildcard", "known_scopes", "token_expiry", "token_least_privilege"]

#: The clock the expiry policy compares against (replaceable in tests).
clock: Callable[[], _dt.datetime] = lambda: _dt.datetime.now(_dt.timezone.utc)  # noqa: E731


def is_wildcard(scope_name: str) -> bool:
    """Whether a scope name covers more than one repository (``*``, ``team/*``)."""
    return "*" in scope_name


def known_scopes(
    scopes: object,
) -> Iterator[tuple[int, dict[str, Any] | None, ValidationError | None]]:
    """``(index, normalised scope, error)`` for each scope without unknown parts, normalised by
    the shared `token_scopes` rule one at a time (so an unknown sibling does not hide it)."""
    if not isinstance(scopes, list):
        return
    for index, scope in enumerate(scopes):
        if contains_unknown(scope):
            continue
        try:
            (normal,) = rules.token_scopes([scope])
        except ValidationError as error:
            field = error.field.replace("scopes[0]", f"scopes[{index}]", 1)
            yield index, None, ValidationError(field, error.rule, error.value)
            continue
        yield index, normal, None


# --------------------------------------------------------------------------------------------
# 6. expiry


def _check_expiry(target: Target, config: Mapping[str, Any]) -> Iterator[str]:
    value = target.props.get("expiry_date")
    max_days: int = config["maxDays"]
    if is_unknown(value):
        return
    now = clock()
    latest = (now + _dt.timedelta(days=max_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if value is None:
        if config["requireExpiry"]:
            yield (
                f"{target.subject}: `expiry_date` is not set, so the token never expires. "
                f"Fix: set expiry_date at most {max_days} days ahead (no later than {latest}) and "
                "rotate the token before then."
            )
        return
    try:
        normal = rules.expiry_date(value, allow_past=True)
    except ValidationError as error:
        yield (
            f"{target.subject}: `expiry_date` = {value!r} {error.rule}. Fix: use a UTC date-time "
            f"such as {latest!r}."
        )
        return
    assert normal is not None
    instant = _dt.datetime.strptime(normal, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_dt.timezone.utc)
    if instant > now + _dt.timedelta(days=max_days):
        days = (instant - now).total_seconds() / 86400
        yield (
            f"{target.subject}: `expiry_date` = {value!r} is {days:.0f} days away; at most "
            f"{max_days} are allowed. Fix: set expiry_date no later than {latest} and rotate the "
            "token (e.g. with rotation_triggers)."
        )


token_expiry: ResourceValidationPolicy = resource_policy(
    name="ionoscr-token-expiry",
    description="Registry tokens expire, and no later than maxDays from now.",
    resource_type=TOKEN_TYPE,
    enforcement_level=EnforcementLevel.MANDATORY,
    config={
        "maxDays": {
            "type": "integer",
            "minimum": 1,
            "default": 365,
            "description": "The furthest a token's expiry_date may lie ahead, in days.",
        },
        "requireExpiry": {
            "type": "boolean",
            "default": True,
            "description": "Whether a token without expiry_date (never expires) is a violation.",
        },
    },
    remediation=("Set `expiry_date` within maxDays of today and rotate tokens before they expire."),
    check=_check_expiry,
)


# --------------------------------------------------------------------------------------------
# 7. least privilege


def _check_privilege(target: Target, config: Mapping[str, Any]) -> Iterator[str]:
    allow_wildcard_push: bool = config["allowWildcardPush"]
    delete_on: list[str] = config["deleteAllowedOn"]
    scopes = target.props.get("scopes")
    if is_unknown(scopes):
        return
    for index, scope, error in known_scopes(scopes):
        if error is not None:
            yield (
                f"{target.subject}: `{error.field}` = {error.value!r} {error.rule}. Fix: give "
                "each scope a repository name, actions from pull/push/delete and a type."
            )
            continue
        assert scope is not None
        name, actions = scope["name"], scope["actions"]
        where = f"`scopes[{index}]` (name {name!r}, actions {actions})"
        if "push" in actions and is_wildcard(name) and not allow_wildcard_push:
            yield (
                f"{target.subject}: {where} grants push on every repository matching {name!r}. "
                "Fix: give push only on named repositories (one scope per repository), or set "
                "allowWildcardPush: true in this policy's config."
            )
        if "delete" in actions and not matches_any(name, delete_on):
            allowed = (
                "only on " + ", ".join(repr(p) for p in delete_on)
                if delete_on
                else "on no repository"
            )
            yield (
                f"{target.subject}: {where} grants delete, which this organisation allows "
                f"{allowed} (deleteAllowedOn). Fix: drop 'delete' from the scope's actions, or "
                f"add {name!r} to deleteAllowedOn in this policy's config."
            )


token_least_privilege: ResourceValidationPolicy = resource_policy(
    name="ionoscr-token-least-privilege",
    description=(
        "Registry tokens get the least privilege: no push or delete on wildcard scopes, delete "
        "only on the repositories config allows."
    ),
    resource_type=TOKEN_TYPE,
    enforcement_level=EnforcementLevel.MANDATORY,
    config={
        "allowWildcardPush": {
            "type": "boolean",
            "default": False,
            "description": "Allow push on wildcard scopes such as '*' or 'team/*'.",
        },
        "deleteAllowedOn": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": (
                "Scope names (or fnmatch patterns) that may grant delete; '*' in this list "
                "allows delete everywhere, including on wildcard scopes. Default: nowhere."
            ),
        },
    },
    remediation=(
        "Scope tokens to named repositories with only the actions they need: pull for "
        "consumers, push for the pipeline that builds the image, delete only where allowed."
    ),
    check=_check_privilege,
)
