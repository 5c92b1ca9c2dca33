"""Every policy's config schema: a valid JSON schema whose defaults validate, agreeing with the
config the policies apply in code (the Python SDK applies neither schema nor defaults)."""

from __future__ import annotations

import copy

import jsonschema
import pytest

from pulumi_ionoscr.policies import POLICIES, PolicyConfigError, config_with_defaults

BY_NAME = {p.name: p for p in POLICIES}

# policy -> (valid configs, invalid configs), as they would be written in a
# --policy-pack-config file (one policy's entry each).
SAMPLES: dict[str, tuple[list[dict], list[dict]]] = {
    "ionoscr-registry-name": (
        [{}, {"prefix": "acme-"}, {"pattern": "^acme-.*$", "enforcementLevel": "advisory"}],
        [{"prefix": 3}, {"pattern": ["a"]}],
    ),
    "ionoscr-registry-location": (
        [{}, {"allowedLocations": ["de/fra"]}, {"allowedLocations": ["de/fra", "fr/par"]}],
        [
            {"allowedLocations": []},
            {"allowedLocations": ["Frankfurt"]},
            {"allowedLocations": "de/fra"},
        ],
    ),
    "ionoscr-registry-vulnerability-scanning": (
        [{}, {"require": "enabled"}, {"require": "disabled"}, {"require": "explicit"}],
        [{"require": "on"}, {"require": True}],
    ),
    "ionoscr-registry-gc-schedule": (
        [{}, {"minDaysPerWeek": 1}, {"minDaysPerWeek": 7}],
        [
            {"minDaysPerWeek": 0},
            {"minDaysPerWeek": 8},
            {"minDaysPerWeek": 2.5},
            {"minDaysPerWeek": "2"},
        ],
    ),
    "ionoscr-registry-api-allow-list": (
        [{}, {"requireNonEmptyForStacks": ["prod", "prod-*"]}],
        [{"requireNonEmptyForStacks": "prod"}, {"requireNonEmptyForStacks": [1]}],
    ),
    "ionoscr-token-expiry": (
        [{}, {"maxDays": 90}, {"maxDays": 1, "requireExpiry": False}],
        [{"maxDays": 0}, {"maxDays": "90"}, {"requireExpiry": "yes"}, {"maxDays": 1.5}],
    ),
    "ionoscr-token-least-privilege": (
        [{}, {"allowWildcardPush": True}, {"deleteAllowedOn": ["*"]}],
        [{"allowWildcardPush": "true"}, {"deleteAllowedOn": "app"}],
    ),
    "ionoscr-token-scopes-declared": (
        [{}, {"allowWildcard": False}, {"externalRepositories": ["cache/*"]}],
        [{"allowWildcard": 1}, {"externalRepositories": [None]}],
    ),
    "ionoscr-tokens-per-registry": (
        [{}, {"maxTokensPerRegistry": 1}, {"maxTokensPerRegistry": 50}],
        [{"maxTokensPerRegistry": 0}, {"maxTokensPerRegistry": "5"}],
    ),
}

ENFORCEMENT_LEVEL = {"type": "string", "enum": ["advisory", "mandatory", "remediate", "disabled"]}


def cli_schema(policy) -> dict:
    """The schema the CLI validates a policy's config against: the policy's properties in an
    object, plus the `enforcementLevel` property the CLI injects."""
    schema = policy.config_schema
    properties = {**copy.deepcopy(schema.properties), "enforcementLevel": ENFORCEMENT_LEVEL}
    result = {"type": "object", "properties": properties}
    if schema.required:
        result["required"] = schema.required
    return result


def test_every_policy_has_samples():
    assert set(SAMPLES) == set(BY_NAME)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_schema_is_valid_and_every_property_has_a_valid_default(name):
    policy = BY_NAME[name]
    schema = cli_schema(policy)
    jsonschema.Draft7Validator.check_schema(schema)
    defaults = {k: v["default"] for k, v in policy.config_schema.properties.items()}
    assert defaults, "every policy is configurable"
    jsonschema.validate(defaults, schema)
    for key, spec in policy.config_schema.properties.items():
        assert spec.get("description"), f"{name}.{key} needs a description"


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_code_applies_the_schema_defaults_when_config_is_absent(name):
    policy = BY_NAME[name]
    defaults = {k: v["default"] for k, v in policy.config_schema.properties.items()}
    assert config_with_defaults(name, policy.config_schema, None) == defaults
    assert config_with_defaults(name, policy.config_schema, {}) == defaults
    # What the analyzer passes when only the enforcement level was configured.
    assert (
        config_with_defaults(name, policy.config_schema, {"enforcementLevel": "advisory"})
        == defaults
    )


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_valid_samples_pass_the_schema_and_the_code(name):
    policy = BY_NAME[name]
    for sample in SAMPLES[name][0]:
        jsonschema.validate(sample, cli_schema(policy))
        applied = config_with_defaults(name, policy.config_schema, sample)
        for key, value in sample.items():
            if key != "enforcementLevel":
                assert applied[key] == value


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_invalid_samples_fail_the_schema_and_the_code(name):
    policy = BY_NAME[name]
    for sample in SAMPLES[name][1]:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(sample, cli_schema(policy))
        with pytest.raises(PolicyConfigError, match=name):
            config_with_defaults(name, policy.config_schema, sample)


def test_numbers_arrive_as_floats_and_become_ints():
    policy = BY_NAME["ionoscr-token-expiry"]
    applied = config_with_defaults(policy.name, policy.config_schema, {"maxDays": 90.0})
    assert applied["maxDays"] == 90 and isinstance(applied["maxDays"], int)


def test_defaults_are_not_shared_between_calls():
    policy = BY_NAME["ionoscr-registry-location"]
    first = config_with_defaults(policy.name, policy.config_schema, None)
    first["allowedLocations"].append("xx/yyy")
    again = config_with_defaults(policy.name, policy.config_schema, None)
    assert "xx/yyy" not in again["allowedLocations"]


def test_the_documented_policy_pack_config_is_valid():
    import json
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "policies.md").read_text()
    [block] = re.findall(r"```json\n(.*?)```", text, flags=re.S)
    config = json.loads(block)
    assert set(config) <= set(BY_NAME)
    for name, entry in config.items():
        schema = cli_schema(BY_NAME[name])
        if isinstance(entry, str):
            jsonschema.validate({"enforcementLevel": entry}, schema)
            continue
        jsonschema.validate(entry, schema)
        config_with_defaults(name, BY_NAME[name].config_schema, entry)
