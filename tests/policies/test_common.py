"""Shared policy plumbing: reading proxied props without tripping on unknowns, naming things."""

from __future__ import annotations

import pytest
from pulumi.output import Unknown
from pulumi_policy import ResourceValidationArgs
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from pulumi_ionoscr.policies import REGISTRY_TYPE, TOKEN_TYPE, plain
from pulumi_ionoscr.policies._common import contains_unknown, describe, is_unknown, stack_name

from ._support import UNKNOWN, options

SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def test_the_sdk_proxy_raises_on_unknowns_and_plain_does_not():
    wire = {"name": UNKNOWN, "scopes": [{"name": UNKNOWN, "actions": ["pull"]}], "n": 1.0}
    proxied = unknown_checking_proxy(deserialize_properties(wire))
    with pytest.raises(UnknownValueError):
        proxied["name"]
    with pytest.raises(UnknownValueError):
        proxied["scopes"][0]["name"]
    assert plain(proxied) == wire
    assert isinstance(plain(proxied)["scopes"], list)


def test_plain_unwraps_secrets_and_leaves_plain_data_alone():
    wire = {"password": {**SECRET_SIG, "value": "hunter2"}, "tags": ["a"]}
    assert plain(unknown_checking_proxy(deserialize_properties(wire))) == {
        "password": "hunter2",
        "tags": ["a"],
    }
    secrets = deserialize_properties(wire, proxy_secrets=True)  # what Remediate builds
    assert plain(secrets) == {"password": "hunter2", "tags": ["a"]}
    data = {"a": [1, {"b": (2, 3)}]}
    assert plain(data) == {"a": [1, {"b": [2, 3]}]}


def test_unknown_detection_covers_every_sentinel_and_nesting():
    assert is_unknown(UNKNOWN)
    assert is_unknown("1c4a061d-8072-4f0a-a4cb-0ff528b18fe7")  # the boolean one
    assert not is_unknown("de/fra")
    assert contains_unknown({"days": ["Sunday"], "time": UNKNOWN})
    assert contains_unknown([[UNKNOWN]])
    assert not contains_unknown({"days": ["Sunday"], "time": "02:00"})
    # How pulumi.runtime.rpc (e.g. a dynamic provider's check) represents unknowns.
    assert is_unknown(Unknown()) and contains_unknown({"a": [Unknown()]})


def test_messages_name_the_resource_by_name_or_prefix_and_urn():
    urn = "urn:pulumi:dev::shop::pulumi-python:dynamic/ionoscr:Registry::main"
    assert describe(REGISTRY_TYPE, urn, {"name": "shop-main"}) == f"Registry 'shop-main' ({urn})"
    assert describe(REGISTRY_TYPE, urn, {"name": None, "name_prefix": "main"}) == (
        f"Registry 'main' ({urn})"
    )
    assert describe(TOKEN_TYPE, urn, {"name": UNKNOWN}) == f"RegistryToken {urn}"


def test_stack_name_from_the_urn_else_the_environment(monkeypatch):
    assert stack_name("urn:pulumi:prod-eu::shop::t::n") == "prod-eu"
    monkeypatch.setenv("PULUMI_STACK", "staging")
    assert stack_name("not-a-urn") == "staging"
    monkeypatch.delenv("PULUMI_STACK")
    assert stack_name("not-a-urn") is None


def test_importing_the_policies_starts_no_server():
    import subprocess
    import sys

    code = (
        "import threading, pulumi_ionoscr.policies as p;"
        "assert len(p.all_policies()) == 9;"
        "assert threading.active_count() == 1, threading.enumerate();"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"  # PolicyPack would print a port and block instead


def test_validate_accepts_unproxied_props_too():
    from pulumi_ionoscr.policies import registry_location

    messages: list[str] = []
    args = ResourceValidationArgs(
        REGISTRY_TYPE, {"location": "us/nyc"}, "urn:pulumi:d::p::t::n", "n", options(), None
    )
    registry_location.validate(args, lambda m, u=None: messages.append(m))
    assert len(messages) == 1
