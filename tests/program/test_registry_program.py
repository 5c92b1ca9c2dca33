"""A Pulumi program under `pulumi.runtime.set_mocks`: what the engine would receive."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

import pulumi_ionoscr as cr


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append(args)
        return f"{args.name}-id", {**args.inputs, "hostname": "mock.cr.de-fra.ionos.com"}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


@pytest.fixture
def mocks() -> RecordingMocks:
    recorder = RecordingMocks()
    pulumi.runtime.set_mocks(recorder, preview=False)
    return recorder


@pulumi.runtime.test
def test_registry_program_sends_type_token_and_inputs(mocks: RecordingMocks) -> Any:
    reg = cr.Registry(
        "main",
        location="de/fra",
        garbage_collection_schedule=cr.GarbageCollectionSchedule(days=["Sunday"], time="02:30"),
        api_subnet_allow_list=["203.0.113.0/24"],
    )

    def verify(values: list[Any]) -> None:
        [args] = mocks.resources
        assert args.typ == "pulumi-python:dynamic/ionoscr:Registry"
        assert args.inputs["location"] == "de/fra"
        assert args.inputs["name_prefix"] == "main"  # name derived by the provider's check
        assert args.inputs["garbage_collection_schedule"] == {"days": ["Sunday"], "time": "02:30"}
        assert "__provider" in args.inputs
        assert values[0] == "main-id"

    return pulumi.Output.all(reg.id, reg.hostname).apply(verify)


def test_args_and_keywords_are_exclusive() -> None:
    with pytest.raises(TypeError, match="either args"):
        cr.Registry("x", cr.RegistryArgs(location="de/fra"), location="de/txl")


def test_hostname_is_declared_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mocks ignore additional_secret_outputs, so check what the resource asks the engine."""
    seen: dict[str, Any] = {}

    def spy(self: Any, provider: Any, name: str, props: Any, opts: Any = None) -> None:
        seen["opts"] = opts
        raise RuntimeError("stop before registering")

    monkeypatch.setattr(pulumi.dynamic.Resource, "__init__", spy)
    with pytest.raises(RuntimeError, match="stop"):
        cr.Registry("y", location="de/fra", opts=pulumi.ResourceOptions(protect=True))
    assert seen["opts"].additional_secret_outputs == ["hostname"]
    assert seen["opts"].protect is True  # the user's options survive the merge
