"""examples/policies under Pulumi mocks, its inputs fed to the ionoscr policies the way the
analyzer would: exactly the violations its README promises, and none mandatory with
relaxed-policy-config.json."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import jsonschema
import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

from pulumi_ionoscr.policies import POLICIES
from tests.policies._support import run_resource
from tests.policies.test_config_schemas import cli_schema

from ._support import EXAMPLES, REGISTRY, TOKEN, ProgramRun, run_example

RESOURCE_POLICIES = [p for p in POLICIES if isinstance(p, ResourceValidationPolicy)]
RELAXED = json.loads((EXAMPLES / "policies" / "relaxed-policy-config.json").read_text())

Violation = tuple[str, str, str]  # (policy, resource name, enforcement level)


def _level(policy: ResourceValidationPolicy, entry: Any) -> str:
    """The enforcement level a --policy-pack-config entry gives `policy`."""
    default = policy.enforcement_level or EnforcementLevel.ADVISORY
    if isinstance(entry, str):
        return entry
    if isinstance(entry, Mapping):
        return str(entry.get("enforcementLevel", default.value))
    return str(default.value)


def violations(run: ProgramRun, config: Mapping[str, Any] | None = None) -> list[Violation]:
    config = config or {}
    found = []
    for policy in RESOURCE_POLICIES:
        entry = config.get(policy.name)
        level = _level(policy, entry)
        if level == "disabled":
            continue
        properties = dict(entry) if isinstance(entry, Mapping) else None
        for reg in run.registrations:
            messages = run_resource(
                policy, reg.inputs, properties, resource_type=reg.type, name=reg.name
            )
            found += [(policy.name, reg.name, level) for _ in messages]
    return sorted(found)


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> ProgramRun:
    return run_example("policies", monkeypatch=monkeypatch)


def test_the_program_holds_what_the_policies_object_to(run: ProgramRun) -> None:
    registry, token = run.one(REGISTRY, "open"), run.one(TOKEN, "everything")
    assert registry.inputs["api_subnet_allow_list"] == ["0.0.0.0/0"]
    assert registry.inputs.get("garbage_collection_schedule") is None
    assert registry.inputs.get("vulnerability_scanning") is None
    assert token.inputs["scopes"] == [
        {"name": "*", "actions": ["pull", "push", "delete"], "type": "repository"}
    ]
    assert token.inputs.get("expiry_date") is None
    assert "password" in token.additional_secret_outputs


def test_default_config_blocks_four_times_and_warns_twice(run: ProgramRun) -> None:
    assert violations(run) == [
        ("ionoscr-registry-api-allow-list", "open", "mandatory"),
        ("ionoscr-registry-gc-schedule", "open", "advisory"),
        ("ionoscr-registry-vulnerability-scanning", "open", "advisory"),
        ("ionoscr-token-expiry", "everything", "mandatory"),
        ("ionoscr-token-least-privilege", "everything", "mandatory"),  # wildcard push
        ("ionoscr-token-least-privilege", "everything", "mandatory"),  # delete
    ]


def test_relaxed_config_only_warns(run: ProgramRun) -> None:
    assert violations(run, RELAXED) == [
        ("ionoscr-registry-api-allow-list", "open", "advisory"),
        ("ionoscr-registry-vulnerability-scanning", "open", "advisory"),
        ("ionoscr-token-expiry", "everything", "advisory"),
    ]


def test_relaxed_config_is_what_the_cli_accepts() -> None:
    by_name = {p.name: p for p in POLICIES}
    for name, entry in RELAXED.items():
        if isinstance(entry, str):
            assert entry in {"advisory", "mandatory", "remediate", "disabled"}
        else:
            jsonschema.validate(entry, cli_schema(by_name[name]))
