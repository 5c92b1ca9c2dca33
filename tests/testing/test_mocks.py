"""`pulumi_ionoscr.testing.IonosCrMocks`: the providers' checks run on every input, and the
outputs are the providers' outputs (compared with the real providers against the emulator)."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pulumi
import pytest

import pulumi_ionoscr as cr
from pulumi_ionoscr import _validation as rules
from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr._repository import RepositoryProvider
from pulumi_ionoscr._token import RegistryTokenProvider
from pulumi_ionoscr.emulator import RunningEmulator
from pulumi_ionoscr.testing import CheckFailedError, IonosCrMocks, MockedResource


@pytest.fixture
def mocks() -> IonosCrMocks:
    answering = IonosCrMocks()
    pulumi.runtime.set_mocks(answering, preview=False)
    return answering


def _declare() -> tuple[cr.Registry, cr.RegistryToken, cr.Repository]:
    registry = cr.Registry(
        "images",
        name="acme-images",
        location="DE/FRA",
        garbage_collection_schedule={"days": ["sun", "Sat"], "time": "02:30"},
    )
    token = cr.RegistryToken(
        "ci",
        registry_id=registry.registry_id,
        scopes=[cr.TokenScope(name="team/app", actions=["push", "PULL"])],
        expiry_date="2099-06-01",
    )
    repository = cr.Repository("app", registry_id=registry.registry_id, name="team/app")
    return registry, token, repository


@pulumi.runtime.test
def test_outputs_are_filled_in_as_the_providers_fill_them(mocks: IonosCrMocks) -> Any:
    registry, token, repository = _declare()

    def verify(values: list[Any]) -> None:
        registry_id, hostname, schedule, username, password, config, url, token_id = values
        assert uuid.UUID(registry_id)
        assert hostname == "acme-images.cr.de-fra.ionos.com"
        assert schedule == {"days": ["Saturday", "Sunday"], "time": "02:30:00+00:00"}
        assert username == "ci-" + username.removeprefix("ci-") and len(password) >= 20
        auth = base64.b64encode(f"{username}:{password}".encode()).decode()
        assert json.loads(config) == {
            "auths": {hostname: {"username": username, "password": password, "auth": auth}}
        }
        assert url == f"{hostname}/team/app"
        assert token_id == f"{registry_id}/{token_id.split('/')[1]}"

    return pulumi.Output.all(
        registry.registry_id,
        registry.hostname,
        registry.garbage_collection_schedule,
        token.username,
        token.password,
        token.docker_config_json,
        repository.url,
        token.id,
    ).apply(verify)


@pulumi.runtime.test
def test_inputs_are_normalised_and_recorded(mocks: IonosCrMocks) -> Any:
    declared = _declare()

    def verify(_: Any) -> None:
        recorded = {r.name: r for r in mocks.resources}
        assert {(r.type.rsplit(":", 1)[-1], name) for name, r in recorded.items()} == {
            ("Registry", "images"),
            ("RegistryToken", "ci"),
            ("Repository", "app"),
        }
        assert isinstance(recorded["ci"], MockedResource)
        assert recorded["ci"].inputs["scopes"] == [
            {"name": "team/app", "actions": ["pull", "push"], "type": "repository"}
        ]
        assert recorded["ci"].inputs["expiry_date"] == "2099-06-01T00:00:00Z"
        assert recorded["images"].inputs["location"] == "de/fra"

    return pulumi.Output.all(*(r.id for r in declared)).apply(verify)


@pulumi.runtime.test
def test_names_are_derived_like_the_providers_derive_them(mocks: IonosCrMocks) -> Any:
    registry = cr.Registry("Team Images", location="de/txl")

    def verify(values: list[str]) -> None:
        name, hostname = values
        assert name.startswith("team-images-") and rules.registry_name(name) == name
        assert hostname == f"{name}.cr.de-txl.ionos.com"

    return pulumi.Output.all(registry.name, registry.hostname).apply(verify)


@pytest.mark.parametrize(
    ("declare", "failure"),
    [
        (lambda: cr.Registry("r", location="de/xyz"), "location: must be one of the available"),
        (lambda: cr.Registry("r", location="de/fra", name="Bad_Name"), "name:"),
        (
            lambda: cr.RegistryToken(
                "t", registry_id=str(uuid.uuid4()), scopes=[{"name": "a", "actions": ["pul"]}]
            ),
            "scopes[0].actions[0]: must be one of pull, push, delete (got 'pul')",
        ),
        (
            lambda: cr.RegistryToken("t", registry_id="my-registry"),
            "registry_id: must be the id of a registry",
        ),
        (
            lambda: cr.RegistryToken("t", registry_id=str(uuid.uuid4()), expiry_date="2001-01-01"),
            "expiry_date",
        ),
        (lambda: cr.Repository("p", registry_id=str(uuid.uuid4()), name="Team/App"), "name:"),
    ],
)
def test_a_bad_input_fails_the_test_like_a_preview(
    mocks: IonosCrMocks, declare: Any, failure: str
) -> None:
    @pulumi.runtime.test
    def program() -> None:
        declare()

    with pytest.raises(CheckFailedError) as caught:
        program()
    assert failure in str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert caught.value.failures and mocks.resources == []


def test_locations_are_the_ones_given() -> None:
    pulumi.runtime.set_mocks(IonosCrMocks(locations=["de/fra"]), preview=False)

    @pulumi.runtime.test
    def program() -> None:
        cr.Registry("r", location="de/txl")

    with pytest.raises(CheckFailedError, match="must be one of the available locations: de/fra"):
        program()


@pulumi.runtime.test
def test_get_returns_what_the_program_declared_or_a_stand_in(mocks: IonosCrMocks) -> Any:
    registry, _, _ = _declare()
    foreign = "2f1a3f0e-6a53-4c55-9b5f-0f5a3b2f3c11"

    def read(registry_id: str) -> pulumi.Output[Any]:
        again = cr.Registry.get("again", registry_id)
        other = cr.Registry.get("other", foreign)
        token = cr.RegistryToken.get("old", f"{foreign}/5b0d4d3a-2222-4c55-9b5f-0f5a3b2f3c11")
        return pulumi.Output.all(again.hostname, other.registry_id, other.name, token.password)

    def verify(values: list[Any]) -> None:
        hostname, other_id, other_name, password = values
        assert hostname == "acme-images.cr.de-fra.ionos.com"
        assert other_id == foreign and other_name == "existing-2f1a3f0e"
        assert password == ""  # the API shows a password once; a read never has it

    return registry.registry_id.apply(read).apply(verify)


@pulumi.runtime.test
def test_other_resource_types_get_their_inputs_back(mocks: IonosCrMocks) -> Any:
    import pulumi_kubernetes as k8s

    registry, token, _ = _declare()
    secret = k8s.core.v1.Secret(
        "regcred",
        type="kubernetes.io/dockerconfigjson",
        string_data={".dockerconfigjson": token.docker_config_json},
    )

    def verify(values: list[Any]) -> None:
        data, hostname = values
        assert hostname in json.loads(data[".dockerconfigjson"])["auths"]

    return pulumi.Output.all(secret.string_data, registry.hostname).apply(verify)


# ---- the same answers as the real providers --------------------------------------------------

REGISTRY_INPUTS = {
    "name": "acme-images",
    "location": "de/fra",
    "garbage_collection_schedule": {"days": ["Saturday"], "time": "02:30"},
}


def _mocked(typ: str, name: str, inputs: dict[str, Any], mocks: IonosCrMocks) -> dict[str, Any]:
    args = pulumi.runtime.MockResourceArgs(typ, name, inputs, "", "", True)
    return mocks.new_resource(args)[1]


def test_outputs_have_the_real_providers_keys_and_forms(api_env: RunningEmulator) -> None:
    mocks = IonosCrMocks()
    checked = RegistryProvider().check({}, REGISTRY_INPUTS).inputs
    real_registry = RegistryProvider().create(checked).outs
    mocked_registry = _mocked(
        "pulumi-python:dynamic/ionoscr:Registry", "images", REGISTRY_INPUTS, mocks
    )
    assert set(mocked_registry) == set(real_registry)
    same = (
        "name",
        "location",
        "hostname",
        "state",
        "garbage_collection_schedule",
        "vulnerability_scanning",
    )
    assert {k: mocked_registry[k] for k in same} == {k: real_registry[k] for k in same}

    token_inputs = {
        "registry_id": real_registry["registry_id"],
        "name": "ci",
        "scopes": [{"name": "*", "actions": ["pull"]}],
    }
    real_token = (
        RegistryTokenProvider().create(RegistryTokenProvider().check({}, token_inputs).inputs).outs
    )
    mocked_token = _mocked(
        "pulumi-python:dynamic/ionoscr:RegistryToken",
        "ci",
        {**token_inputs, "registry_id": mocked_registry["registry_id"]},
        mocks,
    )
    assert set(mocked_token) == set(real_token)
    assert mocked_token["username"] == real_token["username"] == "ci"
    for outs in (real_token, mocked_token):
        [(host, entry)] = json.loads(outs["docker_config_json"])["auths"].items()
        assert host == "acme-images.cr.de-fra.ionos.com"
        assert entry["password"] == outs["password"]

    repo_inputs = {"registry_id": real_registry["registry_id"], "name": "team/app"}
    real_repo = RepositoryProvider().create(repo_inputs).outs
    mocked_repo = _mocked(
        "pulumi-python:dynamic/ionoscr:Repository",
        "app",
        {**repo_inputs, "registry_id": mocked_registry["registry_id"]},
        mocks,
    )
    assert {k: v for k, v in mocked_repo.items() if k != "registry_id"} == {
        k: v for k, v in real_repo.items() if k != "registry_id"
    }


@pulumi.runtime.test
def test_secret_inputs_are_checked_as_the_values_they_hold(mocks: IonosCrMocks) -> Any:
    """The engine hands dynamic providers plain values; mocks see secret envelopes."""
    registry = cr.Registry(
        "images",
        location=pulumi.Output.secret("de/txl"),
        garbage_collection_schedule={"days": pulumi.Output.secret(["sat"]), "time": "01:00"},
    )

    def verify(hostname: str) -> None:
        assert hostname.endswith(".cr.de-txl.ionos.com")
        [recorded] = mocks.resources
        assert recorded.inputs["garbage_collection_schedule"]["days"] == ["Saturday"]

    return registry.hostname.apply(verify)
