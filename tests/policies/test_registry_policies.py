"""The Registry policies: passing and violating inputs, config overrides, defaults, unknowns."""

from __future__ import annotations

import pytest

from pulumi_ionoscr import _validation as rules
from pulumi_ionoscr.policies import (
    PolicyConfigError,
    registry_allow_list,
    registry_gc_schedule,
    registry_location,
    registry_name,
    registry_vulnerability_scanning,
)

from ._support import UNKNOWN, registry_props, run_resource

REGISTRY_POLICIES = [
    registry_name,
    registry_location,
    registry_vulnerability_scanning,
    registry_gc_schedule,
    registry_allow_list,
]


@pytest.mark.parametrize("policy", REGISTRY_POLICIES, ids=lambda p: p.name)
def test_a_well_configured_registry_passes_every_policy(policy):
    assert run_resource(policy, registry_props()) == []


@pytest.mark.parametrize("policy", REGISTRY_POLICIES, ids=lambda p: p.name)
def test_unknown_values_are_never_violations(policy):
    props = registry_props(
        name=UNKNOWN,
        location=UNKNOWN,
        garbage_collection_schedule=UNKNOWN,
        vulnerability_scanning=UNKNOWN,
        api_subnet_allow_list=UNKNOWN,
    )
    # Even with the strictest config: nothing known, nothing reported (and no exception from
    # the SDK's unknown-checking proxy, which would become a "can't run policy" diagnostic).
    strict = {
        "prefix": "acme-",
        "pattern": "^acme-[a-z]+$",
        "require": "enabled",
        "minDaysPerWeek": 7,
        "requireNonEmptyForStacks": ["*"],
    }
    assert run_resource(policy, props, strict) == []


@pytest.mark.parametrize("policy", REGISTRY_POLICIES, ids=lambda p: p.name)
def test_other_resource_types_are_ignored(policy):
    props = registry_props(name="BAD", location="us/nyc", vulnerability_scanning=None)
    assert run_resource(policy, props, resource_type="aws:s3/bucket:Bucket") == []


# ---- 1. name -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Shop", "uppercase"),
        ("ab", "at least 3"),
        ("shop_main", "'_'"),
        ("9shop", "must start with a letter"),
        ("shop-", "must end with a letter or digit"),
        ("s" * 64, "at most 63"),
    ],
)
def test_invalid_names_violate_with_the_shared_rule_text(name, problem):
    [message] = run_resource(registry_name, registry_props(name=name))
    assert problem in message
    assert f"`name` = {name!r}" in message
    assert "urn:pulumi:dev::shop::pulumi-python:dynamic/ionoscr:Registry::main" in message
    assert "Fix:" in message
    # The very rule the provider's check applies says the same.
    with pytest.raises(rules.ValidationError) as error:
        rules.registry_name(name)
    assert error.value.rule in message


def test_required_prefix_and_pattern_from_config():
    config = {"prefix": "acme-", "pattern": r"acme-[a-z]+-(dev|prod)"}
    assert run_resource(registry_name, registry_props(name="acme-shop-prod"), config) == []
    [message] = run_resource(
        registry_name, registry_props(name="shop-prod"), config | {"pattern": ""}
    )
    assert "prefix 'acme-'" in message and "'acme-shop-prod'" in message
    [message] = run_resource(registry_name, registry_props(name="acme-shop-qa"), config)
    assert "pattern" in message and "acme-[a-z]+-(dev|prod)" in message
    # Without config nothing beyond the service rule applies.
    assert run_resource(registry_name, registry_props(name="shop-prod")) == []


def test_derived_names_are_checked_on_their_fixed_part():
    props = registry_props(name=None, name_prefix="shop")
    assert run_resource(registry_name, props) == []
    [message] = run_resource(registry_name, props, {"prefix": "acme-"})
    assert "name_prefix 'shop'" in message and "prefix 'acme-'" in message
    assert (
        run_resource(
            registry_name, registry_props(name=None, name_prefix="acme-shop"), {"prefix": "acme-"}
        )
        == []
    )
    # A prefix that is not known yet says nothing.
    assert (
        run_resource(registry_name, registry_props(name=None, name_prefix=UNKNOWN), {"prefix": "x"})
        == []
    )


def test_a_pattern_that_is_not_a_regex_is_a_config_error():
    with pytest.raises(PolicyConfigError, match="pattern"):
        run_resource(registry_name, registry_props(), {"pattern": "("})


# ---- 2. location -------------------------------------------------------------------------


def test_location_defaults_to_the_service_locations():
    for location in rules.KNOWN_LOCATIONS:
        assert run_resource(registry_location, registry_props(location=location)) == []
    # Raw user spelling: normalised by the shared rule before comparing.
    assert run_resource(registry_location, registry_props(location=" DE/FRA ")) == []
    [message] = run_resource(registry_location, registry_props(location="us/nyc"))
    assert "`location` = 'us/nyc'" in message
    assert "de/fra, de/txl, es/vit" in message


def test_location_allowed_list_from_config():
    config = {"allowedLocations": ["de/fra"]}
    assert run_resource(registry_location, registry_props(location="de/fra"), config) == []
    [message] = run_resource(registry_location, registry_props(location="es/vit"), config)
    assert "'es/vit'" in message and "de/fra" in message and "allowedLocations" in message
    # A location outside the built-in list can be allowed.
    config = {"allowedLocations": ["fr/par", "de/fra"]}
    assert run_resource(registry_location, registry_props(location="fr/par"), config) == []


def test_malformed_location_violates():
    [message] = run_resource(registry_location, registry_props(location="frankfurt"))
    assert "'frankfurt'" in message and "like 'de/fra'" in message


# ---- 3. vulnerability scanning -----------------------------------------------------------


def test_scanning_must_be_explicit_by_default():
    [message] = run_resource(
        registry_vulnerability_scanning, registry_props(vulnerability_scanning=None)
    )
    assert "`vulnerability_scanning` is not set" in message
    assert "vulnerability_scanning=True or False" in message
    for value in (True, False):
        assert (
            run_resource(
                registry_vulnerability_scanning, registry_props(vulnerability_scanning=value)
            )
            == []
        )


@pytest.mark.parametrize(
    ("require", "value", "violates"),
    [
        ("enabled", True, False),
        ("enabled", False, True),
        ("enabled", None, True),
        ("disabled", False, False),
        ("disabled", True, True),
        ("disabled", None, True),
        ("explicit", None, True),
    ],
)
def test_scanning_required_on_or_off_by_config(require, value, violates):
    messages = run_resource(
        registry_vulnerability_scanning,
        registry_props(vulnerability_scanning=value),
        {"require": require},
    )
    assert bool(messages) is violates, messages
    if value is None and require != "explicit":
        wanted = "True" if require == "enabled" else "False"
        assert f"vulnerability_scanning={wanted} explicitly" in messages[0]


def test_scanning_must_be_a_real_bool():
    [message] = run_resource(
        registry_vulnerability_scanning, registry_props(vulnerability_scanning="yes")
    )
    assert "'yes'" in message and "true or false" in message


# ---- 4. garbage collection ---------------------------------------------------------------


def test_missing_schedule_is_reported():
    [message] = run_resource(registry_gc_schedule, registry_props(garbage_collection_schedule=None))
    assert "`garbage_collection_schedule` is not set" in message and "Fix:" in message


def test_raw_schedule_spellings_pass_and_invalid_ones_name_the_field():
    raw = {"days": ["sun", "WED"], "time": "2:00"}
    assert run_resource(registry_gc_schedule, registry_props(garbage_collection_schedule=raw)) == []
    bad = {"days": ["Someday"], "time": "02:00"}
    [message] = run_resource(registry_gc_schedule, registry_props(garbage_collection_schedule=bad))
    assert "garbage_collection_schedule.days[0]" in message and "'Someday'" in message


def test_minimum_days_per_week_from_config():
    schedule = {"days": ["Sunday", "Wednesday"], "time": "02:00:00+00:00"}
    props = registry_props(garbage_collection_schedule=schedule)
    assert run_resource(registry_gc_schedule, props, {"minDaysPerWeek": 2}) == []
    [message] = run_resource(registry_gc_schedule, props, {"minDaysPerWeek": 3.0})  # floats
    assert "2 day(s) a week; at least 3" in message


def test_a_partly_unknown_schedule_is_skipped():
    schedule = {"days": ["Sunday"], "time": UNKNOWN}
    props = registry_props(garbage_collection_schedule=schedule)
    assert run_resource(registry_gc_schedule, props, {"minDaysPerWeek": 7}) == []


# ---- 5. API allow list -------------------------------------------------------------------


@pytest.mark.parametrize("entry", ["0.0.0.0/0", "::/0", " 0.0.0.0/0 ", "10.1.2.3/0"])
def test_allow_all_entries_violate(entry):
    props = registry_props(api_subnet_allow_list=["203.0.113.0/24", entry])
    [message] = run_resource(registry_allow_list, props)
    assert f"`api_subnet_allow_list[1]` = {entry!r}" in message
    assert "admits every address" in message


def test_an_empty_list_is_fine_unless_the_stack_requires_one():
    for empty in (None, []):
        props = registry_props(api_subnet_allow_list=empty)
        assert run_resource(registry_allow_list, props) == []
        assert (
            run_resource(registry_allow_list, props, {"requireNonEmptyForStacks": ["prod"]}) == []
        )
        [message] = run_resource(
            registry_allow_list, props, {"requireNonEmptyForStacks": ["prod*"]}, stack="prod-eu"
        )
        assert "stack 'prod-eu' requires a non-empty allow list" in message
    props = registry_props(api_subnet_allow_list=["203.0.113.0/24"])
    assert run_resource(registry_allow_list, props, {"requireNonEmptyForStacks": ["*"]}) == []


def test_unknown_entries_are_skipped_but_known_ones_checked():
    props = registry_props(api_subnet_allow_list=[UNKNOWN, "0.0.0.0/0"])
    [message] = run_resource(registry_allow_list, props, {"requireNonEmptyForStacks": ["dev"]})
    assert "[1]" in message
    props = registry_props(api_subnet_allow_list=[UNKNOWN])
    assert run_resource(registry_allow_list, props, {"requireNonEmptyForStacks": ["dev"]}) == []
