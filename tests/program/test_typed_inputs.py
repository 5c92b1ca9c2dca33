"""Every form the typed signatures promise reaches the engine as the same plain inputs: `...Args`
classes or their `...ArgsDict` dicts, options second in the keyword form, and `pulumi.Input`s
(Outputs) wherever a value goes, also inside `TokenScope` and as a whole schedule."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

import pulumi_ionoscr as cr

from .test_registry_program import RecordingMocks

REGISTRY_ID = "2f1a3f0e-6a53-4c55-9b5f-0f5a3b2f3c11"


@pytest.fixture
def mocks() -> RecordingMocks:
    recorder = RecordingMocks()
    pulumi.runtime.set_mocks(recorder, preview=False)
    return recorder


def _sent(mocks: RecordingMocks, name: str) -> dict[str, Any]:
    """What resource `name` sent the engine (its inputs, without the pickled provider)."""
    [args] = [a for a in mocks.resources if a.name == name]
    return {k: v for k, v in args.inputs.items() if k != "__provider"}


def _after(mocks: RecordingMocks, *resources: pulumi.CustomResource) -> pulumi.Output[None]:
    """An Output that resolves once every resource is registered."""
    return pulumi.Output.all(*(r.id for r in resources)).apply(lambda _: None)


SCHEDULE = {"days": ["Saturday", "Sunday"], "time": "02:30"}


@pulumi.runtime.test
def test_args_classes_dicts_and_keywords_send_the_same_inputs(mocks: RecordingMocks) -> Any:
    schedule = cr.GarbageCollectionSchedule(days=["Saturday", "Sunday"], time="02:30")
    by_class = cr.Registry(
        "a", cr.RegistryArgs(location="de/fra", garbage_collection_schedule=schedule)
    )
    by_dict = cr.Registry("b", {"location": "de/fra", "garbage_collection_schedule": SCHEDULE})
    by_keywords = cr.Registry("c", None, location="de/fra", garbage_collection_schedule=SCHEDULE)
    as_args = cr.Registry("d", args={"location": "de/fra", "garbage_collection_schedule": schedule})

    def verify(_: None) -> None:
        sent = [_sent(mocks, n) for n in "abcd"]
        for inputs in sent:
            assert inputs["location"] == "de/fra"
            assert inputs["garbage_collection_schedule"] == SCHEDULE
            inputs.pop("name_prefix")
        assert sent[0] == sent[1] == sent[2] == sent[3]

    return _after(mocks, by_class, by_dict, by_keywords, as_args).apply(verify)


@pulumi.runtime.test
def test_options_go_second_in_the_keyword_form(mocks: RecordingMocks) -> Any:
    parent = cr.Registry("parent", location="de/fra")
    child = cr.Repository(
        "child", pulumi.ResourceOptions(parent=parent), registry_id=REGISTRY_ID, name="app"
    )
    token = cr.RegistryToken(
        "token",
        {"registry_id": REGISTRY_ID, "scopes": [{"name": "app", "actions": ["pull"]}]},
        pulumi.ResourceOptions(parent=parent),
    )

    def verify(urns: list[str]) -> None:
        assert _sent(mocks, "child") == {"registry_id": REGISTRY_ID, "name": "app"}
        assert _sent(mocks, "token")["scopes"] == [{"name": "app", "actions": ["pull"]}]
        # The options arrived: both are children of the registry.
        assert all("ionoscr:Registry$" in urn for urn in urns), urns

    return pulumi.Output.all(child.urn, token.urn).apply(verify)


@pulumi.runtime.test
def test_outputs_inside_input_types_and_as_whole_values(mocks: RecordingMocks) -> Any:
    reg = cr.Registry(
        "reg",
        location=pulumi.Output.from_input("de/fra"),
        garbage_collection_schedule=pulumi.Output.from_input(
            cr.GarbageCollectionSchedule(days=pulumi.Output.from_input(["sat"]), time="02:30")
        ),
        timeouts=pulumi.Output.from_input(cr.Timeouts(create="30m")),
    )
    token = cr.RegistryToken(
        "ci",
        registry_id=REGISTRY_ID,
        scopes=[
            cr.TokenScope(name=pulumi.Output.from_input("app"), actions=["push"]),
            pulumi.Output.from_input(cr.TokenScope(name="*", actions=["pull"])),
        ],
    )

    def verify(_: None) -> None:
        assert _sent(mocks, "reg")["garbage_collection_schedule"] == {
            "days": ["sat"],
            "time": "02:30",
        }
        assert _sent(mocks, "reg")["timeouts"] == {"create": "30m"}
        assert _sent(mocks, "ci")["scopes"] == [
            {"name": "app", "actions": ["push"], "type": "repository"},
            {"name": "*", "actions": ["pull"], "type": "repository"},
        ]

    return _after(mocks, reg, token).apply(verify)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: cr.Registry("x", cr.RegistryArgs(location="de/fra"), location="de/txl"),
            "either args",
        ),
        (
            lambda: cr.Registry("x", {"location": "de/fra"}, args={"location": "de/fra"}),
            "given twice",
        ),
        (
            lambda: cr.Registry(
                "x", pulumi.ResourceOptions(), opts=pulumi.ResourceOptions(), location="de/fra"
            ),
            "options given twice",
        ),
        (lambda: cr.Registry("x", locaton="de/fra"), "locaton"),
        (lambda: cr.Repository("x", {"registry_id": REGISTRY_ID}), "name"),
        (
            lambda: cr.RegistryToken("x", {"registry_id": REGISTRY_ID}, "not options"),
            "ResourceOptions",
        ),
    ],
)
def test_wrong_arguments_name_what_is_wrong(call: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call()
