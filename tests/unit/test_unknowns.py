"""At preview the engine hands check `Unknown` values: never a failure, never a crash."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import ResourceProvider
from pulumi.output import Unknown

from pulumi_ionoscr._provider import UNKNOWN, contains_unknown
from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr._repository import RepositoryProvider
from pulumi_ionoscr._token import RegistryTokenProvider

CASES: list[tuple[ResourceProvider, dict[str, Any]]] = [
    (RegistryProvider(), {"name": Unknown(), "location": Unknown()}),
    (
        RegistryTokenProvider(),
        {
            "registry_id": Unknown(),
            "name": "ci",
            "scopes": [{"name": Unknown(), "actions": ["pull"]}],
        },
    ),
    (RepositoryProvider(), {"registry_id": Unknown(), "name": "team/app"}),
]


@pytest.mark.parametrize(("provider", "news"), CASES, ids=lambda c: type(c).__name__)
def test_unknown_inputs_pass_check_unvalidated(
    provider: ResourceProvider, news: dict[str, Any]
) -> None:
    result = provider.check({}, news)
    assert result.failures == []
    assert any(isinstance(v, Unknown) or contains_unknown(v) for v in result.inputs.values())


def test_sentinel_and_nested_unknowns_are_recognised() -> None:
    assert contains_unknown(UNKNOWN)
    assert contains_unknown({"a": [1, {"b": Unknown()}]})
    assert not contains_unknown({"a": [1, {"b": "known"}]})
