"""Build the arguments the analyzer hands a policy, and collect what the policy reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy

from pulumi_ionoscr.policies import REGISTRY_TYPE, REPOSITORY_TYPE, TOKEN_TYPE

# What the engine sends for a value it does not know yet (for values of any type).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

STACK = "dev"
PROJECT = "shop"


def urn(resource_type: str, name: str, stack: str = STACK) -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{resource_type}::{name}"


def options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def registry_props(**overrides: Any) -> dict[str, Any]:
    """A Registry's props as the analyzer sees them: inputs after check, outputs as None, and
    the pickled provider (the engine drops `__provider` before Analyze; keep it to be safe)."""
    props: dict[str, Any] = {
        "__provider": "gASVsAAAAAAAAACMF3B1bHVtaV9pb25vc2NyLl9yZWdpc3RyeQ==",
        "name": "shop-main",
        "location": "de/fra",
        "garbage_collection_schedule": {"days": ["Sunday"], "time": "02:00:00+00:00"},
        "vulnerability_scanning": False,
        "api_subnet_allow_list": ["203.0.113.0/24"],
        "timeouts": None,
        "adopt_existing": False,
        "registry_id": None,
        "hostname": None,
        "state": None,
    }
    props.update(overrides)
    return props


def token_props(**overrides: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "registry_id": "0f6a0d77-0000-4000-8000-000000000001",
        "name": "ci-push",
        "scopes": [{"name": "app", "actions": ["pull", "push"], "type": "repository"}],
        "expiry_date": None,
        "status": "enabled",
        "rotation_triggers": None,
        "password": None,
    }
    props.update(overrides)
    return props


def run_resource(
    policy: Policy,
    props: Mapping[str, Any],
    config: Mapping[str, Any] | None = None,
    *,
    resource_type: str | None = None,
    name: str = "main",
    stack: str = STACK,
) -> list[str]:
    """Run a resource policy's validate the way the analyzer does (props behind the SDK's
    unknown-checking proxy) and return the messages it reported."""
    assert isinstance(policy, ResourceValidationPolicy)
    if resource_type is None:
        resource_type = REGISTRY_TYPE if "location" in props else TOKEN_TYPE
    messages: list[str] = []
    args = ResourceValidationArgs(
        resource_type,
        unknown_checking_proxy(dict(props)),
        urn(resource_type, name, stack),
        name,
        options(),
        None,
        dict(config) if config is not None else None,
    )

    def report(message: str, urn: str | None = None) -> None:
        messages.append(message)

    result = policy.validate(args, report)
    assert result is None  # our policies are synchronous
    return messages


def resource(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    property_dependencies: Mapping[str, Sequence[PolicyResource]] | None = None,
) -> PolicyResource:
    deps = {k: list(v) for k, v in (property_dependencies or {}).items()}
    flat = [d for v in deps.values() for d in v]
    return PolicyResource(
        resource_type,
        unknown_checking_proxy(dict(props)),
        urn(resource_type, name),
        name,
        options(),
        None,
        None,
        flat,
        deps,
    )


def registry(name: str, registry_id: str, **props: Any) -> PolicyResource:
    return resource(
        REGISTRY_TYPE, name, registry_props(name=name, registry_id=registry_id, **props)
    )


def repository(name: str, registry_id: str, *, dep: PolicyResource | None = None) -> PolicyResource:
    return resource(
        REPOSITORY_TYPE,
        name.replace("/", "-"),
        {"registry_id": registry_id, "name": name},
        property_dependencies={"registry_id": [dep]} if dep is not None else None,
    )


def token(
    name: str,
    registry_id: str,
    scopes: list[dict[str, Any]] | str,
    *,
    dep: PolicyResource | None = None,
) -> PolicyResource:
    return resource(
        TOKEN_TYPE,
        name,
        token_props(name=name, registry_id=registry_id, scopes=scopes),
        property_dependencies={"registry_id": [dep]} if dep is not None else None,
    )


def run_stack(
    policy: Policy,
    resources: Sequence[PolicyResource],
    config: Mapping[str, Any] | None = None,
) -> list[tuple[str, str | None]]:
    """Run a stack policy; return (message, urn) for each violation."""
    assert isinstance(policy, StackValidationPolicy)
    reported: list[tuple[str, str | None]] = []
    args = StackValidationArgs(list(resources), dict(config) if config is not None else None)

    def report(message: str, urn: str | None = None) -> None:
        reported.append((message, urn))

    assert policy.validate(args, report) is None
    return reported
