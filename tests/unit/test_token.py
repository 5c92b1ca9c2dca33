"""RegistryToken without an API: diff rules, the docker config, and what the resource sends."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pulumi
import pytest

from pulumi_ionoscr._exceptions import IonosCrError
from pulumi_ionoscr._operations.token import docker_config_json
from pulumi_ionoscr._token import (
    RegistryToken,
    RegistryTokenArgs,
    RegistryTokenProvider,
    TokenScope,
)

from ..program.test_registry_program import RecordingMocks

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
OLDS: dict[str, Any] = {
    "registry_id": "r1",
    "name": "ci",
    "scopes": [{"name": "app", "actions": ["pull"], "type": "repository"}],
    "expiry_date": "2030-01-01T00:00:00Z",
    "status": "enabled",
    "rotation_triggers": None,
    "password": "kept",
}


def diff(**news: Any) -> tuple[bool, list[str]]:
    result = RegistryTokenProvider().diff("r1/t1", OLDS, {**OLDS, **news})
    return bool(result.changes), list(result.replaces or [])


def test_docker_config_json_is_what_docker_and_kubernetes_read() -> None:
    config = json.loads(docker_config_json("acme.cr.de-fra.ionos.com", "ci", "p:ss"))
    entry = config["auths"]["acme.cr.de-fra.ionos.com"]
    assert entry["username"] == "ci" and entry["password"] == "p:ss"
    assert base64.b64decode(entry["auth"]) == b"ci:p:ss"


@pytest.mark.parametrize(
    ("news", "expected"),
    [
        ({}, (False, [])),
        ({"rotation_triggers": {}}, (False, [])),  # None and {} mean the same
        ({"rotation_triggers": {"q": "1"}}, (True, ["rotation_triggers"])),
        ({"registry_id": "r2"}, (True, ["registry_id"])),
        ({"status": None}, (False, [])),  # the API's default
        ({"status": "disabled"}, (True, [])),
        ({"expiry_date": "2030-01-01T01:00:00+01:00"}, (False, [])),
        ({"expiry_date": None}, (True, [])),
        ({"scopes": [{"name": "app", "actions": ["PULL", "pull"]}]}, (False, [])),
        ({"scopes": UNKNOWN}, (True, [])),
    ],
)
def test_diff_without_api_calls(news: dict[str, Any], expected: tuple[bool, list[str]]) -> None:
    assert diff(**news) == expected


def test_patch_sends_only_what_changed_and_null_to_clear_the_expiry() -> None:
    from pulumi_ionoscr._operations.token import _patch_for

    assert _patch_for(OLDS, OLDS).body() == {}
    assert _patch_for(OLDS, {**OLDS, "expiry_date": None}).body() == {"expiryDate": None}
    assert _patch_for(OLDS, {**OLDS, "scopes": []}).body() == {"scopes": []}


def test_resource_id_names_registry_and_token() -> None:
    with pytest.raises(IonosCrError, match="not of the form"):
        RegistryTokenProvider().delete("just-a-token-id", {})


@pytest.fixture
def mocks() -> RecordingMocks:
    recorder = RecordingMocks()
    pulumi.runtime.set_mocks(recorder, preview=False)
    return recorder


@pulumi.runtime.test
def test_program_sends_type_token_and_plain_inputs(mocks: RecordingMocks) -> Any:
    token = RegistryToken(
        "ci",
        registry_id="r1",
        scopes=[TokenScope(name="app", actions=["pull", "push"])],
        expiry_date=dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc),
        rotation_triggers={"quarter": "2027Q1"},
    )

    def verify(values: list[Any]) -> None:
        [args] = mocks.resources
        assert args.typ == "pulumi-python:dynamic/ionoscr:RegistryToken"
        assert args.inputs["name_prefix"] == "ci"  # name derived by the provider's check
        assert args.inputs["scopes"] == [
            {"name": "app", "actions": ["pull", "push"], "type": "repository"}
        ]
        assert args.inputs["expiry_date"] == "2030-01-01T00:00:00+00:00"
        assert values == ["ci-id"]

    return pulumi.Output.all(token.id).apply(verify)


def test_credentials_are_declared_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mocks ignore additional_secret_outputs, so check what the resource asks the engine."""
    seen: dict[str, Any] = {}

    def spy(self: Any, provider: Any, name: str, props: Any, opts: Any = None) -> None:
        seen["opts"] = opts
        raise RuntimeError("stop before registering")

    monkeypatch.setattr(pulumi.dynamic.Resource, "__init__", spy)
    with pytest.raises(RuntimeError, match="stop"):
        RegistryToken("t", registry_id="r1", opts=pulumi.ResourceOptions(protect=True))
    assert seen["opts"].additional_secret_outputs == ["username", "password", "docker_config_json"]
    assert seen["opts"].protect is True
    with pytest.raises(TypeError, match="either args"):
        RegistryToken("x", RegistryTokenArgs(registry_id="r1"), name="y")
