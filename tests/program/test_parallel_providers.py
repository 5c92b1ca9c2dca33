"""`parallel_providers` in a program: what the engine is asked to start, and which config the
providers carry (that they run in processes of their own: tests/engine)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

import pulumi_ionoscr as cr

from .test_registry_program import RecordingMocks

CONFIG = {
    "ionoscr:endpoint": "http://127.0.0.1:9/containerregistries",
    "ionoscr:token": "program-test-credential",
    "other:setting": "not for us",
}


@pytest.fixture
def mocks() -> Iterator[RecordingMocks]:
    recorder = RecordingMocks()
    pulumi.runtime.set_mocks(recorder, preview=False)
    pulumi.runtime.set_all_config(CONFIG, secret_keys=["ionoscr:token"])
    yield recorder
    pulumi.runtime.set_all_config({})


@pulumi.runtime.test
def test_each_provider_is_one_pulumi_python_provider_with_the_ionoscr_config(
    mocks: RecordingMocks,
) -> Any:
    providers = cr.parallel_providers(3)
    registries = [
        cr.Registry(f"r{i}", location="de/fra", opts=pulumi.ResourceOptions(provider=p))
        for i, p in enumerate(providers)
    ]

    def verify(_: Any) -> None:
        made = [r for r in mocks.resources if r.typ == "pulumi:providers:pulumi-python"]
        assert sorted(r.name for r in made) == ["ionoscr-0", "ionoscr-1", "ionoscr-2"]
        for provider in made:
            assert set(provider.inputs) == {"ionoscr:endpoint", "ionoscr:token"}
            assert provider.inputs["ionoscr:endpoint"] == CONFIG["ionoscr:endpoint"]
        placed = [r.provider for r in mocks.resources if r.typ.endswith(":Registry")]
        assert len(placed) == 3 and all(placed)
        assert len(set(placed)) == 3  # one registry per provider

    return pulumi.Output.all(*(r.id for r in registries)).apply(verify)


@pulumi.runtime.test
def test_the_credential_goes_to_the_providers_as_a_secret(
    mocks: RecordingMocks, monkeypatch: pytest.MonkeyPatch
) -> Any:
    given: list[dict[str, Any]] = []
    original = pulumi.ProviderResource.__init__

    def recording(
        self: pulumi.ProviderResource, pkg: str, name: str, props: Any, opts: Any
    ) -> None:
        given.append(props)
        original(self, pkg, name, props, opts)

    monkeypatch.setattr(pulumi.ProviderResource, "__init__", recording)
    cr.parallel_providers(1)
    [props] = given
    assert props["ionoscr:endpoint"] == CONFIG["ionoscr:endpoint"]  # plain, as in stack config

    token = props["ionoscr:token"]
    assert isinstance(token, pulumi.Output)

    def verify(secret: bool) -> None:
        assert secret

    return pulumi.Output.from_input(token.is_secret()).apply(verify)


@pytest.mark.parametrize("count", [0, -1, 1.5, True, "2"])
def test_count_must_be_a_whole_number_of_one_or_more(count: Any) -> None:
    with pytest.raises(ValueError, match=r"count must be a whole number >= 1, got"):
        cr.parallel_providers(count)
