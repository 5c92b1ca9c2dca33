"""The `Repository` resource class as a Pulumi program sees it (mocked engine)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from pulumi_ionoscr._repository import Repository, RepositoryArgs

REGISTRY_ID = "2f1a3f0e-6a53-4c55-9b5f-0f5a3b2f3c11"


class _Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.registered.append(args)
        outs = {**args.inputs, "exists": False, "artifact_count": 0, "url": "h/app"}
        return f"{args.inputs['registry_id']}/{args.inputs['name']}", outs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        return {}, []


@pytest.fixture
def mocks() -> _Mocks:
    mocks = _Mocks()
    pulumi.runtime.set_mocks(mocks, preview=False)
    return mocks


@pulumi.runtime.test
def test_type_token_inputs_and_outputs(mocks: _Mocks) -> pulumi.Output[Any]:
    repo = Repository("app", registry_id=REGISTRY_ID, name="team/app")

    def verify(values: list[Any]) -> None:
        [registered] = mocks.registered
        assert registered.typ == "pulumi-python:dynamic/ionoscr:Repository"
        assert registered.inputs["registry_id"] == REGISTRY_ID
        assert registered.inputs["name"] == "team/app"
        assert values == [f"{REGISTRY_ID}/team/app", "team/app", False, 0, "h/app"]

    return pulumi.Output.all(repo.id, repo.name, repo.exists, repo.artifact_count, repo.url).apply(
        verify
    )


def test_args_and_keywords_are_exclusive() -> None:
    with pytest.raises(TypeError, match="not both"):
        Repository("app", RepositoryArgs(registry_id=REGISTRY_ID, name="app"), name="other")
