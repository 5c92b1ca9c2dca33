"""The variant matrix: every provider is correct under every plausible answer of the API.

For each value of each variant that is not its default (one at a time), the provider-level
lifecycles of what the variant touches run against the emulator switched to that value
(through the `ionoscr_variants` marker of the pytest fixture), with the client's page size
cut to a few items so that every list spans pages. The defaults are covered by the rest of
the suite.
"""

from __future__ import annotations

import pytest

from pulumi_ionoscr.emulator import RunningEmulator
from pulumi_ionoscr.emulator._variants import VARIANTS

from ._lifecycles import LIFECYCLES, PAGE, Lifecycle, World, use_token_credentials
from .conftest import OTHER_VALUES


def lifecycles_for(variant: str) -> list[Lifecycle]:
    surfaces = [s.strip() for s in VARIANTS[variant].surface.split(",")]
    found: list[Lifecycle] = []
    for surface in surfaces:
        for lifecycle in LIFECYCLES[surface]:
            if lifecycle not in found:
                found.append(lifecycle)
    return found


MATRIX = [
    pytest.param(
        name,
        value,
        lifecycle,
        id=f"{lifecycle.__name__.removesuffix('_lifecycle')}[{name}={value}]",
        marks=pytest.mark.ionoscr_variants(f"{name}={value}"),
    )
    for name, value in OTHER_VALUES
    for lifecycle in lifecycles_for(name)
]


def test_every_surface_has_a_lifecycle() -> None:
    for name in VARIANTS:
        assert lifecycles_for(name), name


@pytest.mark.parametrize(("name", "value", "lifecycle"), MATRIX)
def test_providers_under_variant(
    name: str,
    value: str,
    lifecycle: Lifecycle,
    ionoscr_emulator: RunningEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert ionoscr_emulator.admin.variants()[name] == value  # the marker switched it
    use_token_credentials(monkeypatch, ionoscr_emulator)
    # Short pages: every list the providers read spans several of them.
    monkeypatch.setattr("pulumi_ionoscr._client._PAGE_SIZE", PAGE)
    lifecycle(World(ionoscr_emulator, name, value))
