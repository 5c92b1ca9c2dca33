"""What a program sends for tokens and auto-named resources (under `pulumi.runtime.set_mocks`)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

import pulumi_ionoscr as cr

from .test_registry_program import RecordingMocks

HOSTNAME = "mock.cr.de-fra.ionos.com"


class RegistryMocks(RecordingMocks):
    """Registries come back with their id as `registry_id`, as the provider's outputs do."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        id_, outputs = super().new_resource(args)
        return id_, {**outputs, "registry_id": args.resource_id or id_}


@pytest.fixture
def mocks() -> RegistryMocks:
    recorder = RegistryMocks()
    pulumi.runtime.set_mocks(recorder, project="shop", stack="ci", preview=False)
    return recorder


@pulumi.runtime.test
def test_auto_named_resources_send_their_scope(mocks: RegistryMocks) -> Any:
    reg = cr.Registry("main", location="de/fra")
    token = cr.RegistryToken("ci", registry=reg)
    named = cr.Registry("named", name="explicit-name", location="de/fra")

    def verify(_: list[Any]) -> None:
        inputs = {args.name: args.inputs for args in mocks.resources}
        scope = f"{pulumi.get_organization()}/shop/ci"
        assert inputs["main"]["name_scope"] == scope and inputs["main"]["name_prefix"] == "main"
        assert inputs["ci"]["name_scope"] == scope and inputs["ci"]["name_prefix"] == "ci"
        assert "name_scope" not in inputs["named"] and "name_prefix" not in inputs["named"]

    return pulumi.Output.all(reg.id, token.id, named.id).apply(verify)


@pulumi.runtime.test
def test_token_takes_id_and_hostname_from_a_registry_resource(mocks: RegistryMocks) -> Any:
    reg = cr.Registry("main", location="de/fra")
    other = cr.Registry.get("other", "8f3e0b4e-5c1a-4d6f-9b2a-1e2d3c4b5a69")
    tokens = [
        cr.RegistryToken("from-resource", registry=reg),
        cr.RegistryToken("from-id-output", registry_id=reg.registry_id),
        cr.RegistryToken("from-lookup", registry_id=other.registry_id),
        cr.RegistryToken("from-literal", registry_id="8f3e0b4e-5c1a-4d6f-9b2a-1e2d3c4b5a69"),
    ]

    def verify(_: list[Any]) -> None:
        inputs = {args.name: args.inputs for args in mocks.resources}
        assert inputs["from-resource"]["registry_id"] == "main-id"
        assert inputs["from-resource"]["registry_hostname"] == HOSTNAME
        assert "registry_hostname" not in inputs["from-id-output"]
        owned = {name: inputs[name]["registry_owned"] for name in inputs if name.startswith("from")}
        assert owned == {
            "from-resource": True,
            "from-id-output": True,
            "from-lookup": False,
            "from-literal": False,
        }

    return pulumi.Output.all(*(t.id for t in tokens)).apply(verify)


def test_registry_and_registry_id_are_exclusive(mocks: RegistryMocks) -> None:
    reg = cr.Registry("main", location="de/fra")
    with pytest.raises(TypeError, match="registry or registry_id"):
        cr.RegistryToken("both", registry=reg, registry_id="r1")
