"""Fixtures of the variant tests: the shared emulator switched to one variant value."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pulumi_ionoscr.emulator import RunningEmulator
from pulumi_ionoscr.emulator._variants import VARIANTS

#: Every (variant, value) the emulator offers, default included.
ALL_VALUES = [(v.name, value) for v in VARIANTS.values() for value in v.choices]
#: Every value that is not its variant's default: the matrix the providers must pass.
OTHER_VALUES = [(name, value) for name, value in ALL_VALUES if value != VARIANTS[name].default]


def value_id(pair: tuple[str, str]) -> str:
    return f"{pair[0]}={pair[1]}"


@pytest.fixture
def api(ionoscr_emulator: RunningEmulator) -> Iterator[httpx.Client]:
    """The management API with Basic credentials (contract 31)."""
    with httpx.Client(
        base_url=ionoscr_emulator.base_url,
        auth=("alice@example.com", "secret"),
        headers={"X-Contract-Number": "31"},
        timeout=30,
    ) as client:
        yield client


@pytest.fixture
def bearer_api(ionoscr_emulator: RunningEmulator) -> Iterator[httpx.Client]:
    """The management API with a Bearer token, in the same contract as `api`."""
    with httpx.Client(
        base_url=ionoscr_emulator.base_url,
        headers={"Authorization": "Bearer any-token", "X-Contract-Number": "31"},
        timeout=30,
    ) as client:
        yield client
