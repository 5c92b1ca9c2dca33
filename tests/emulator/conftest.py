"""Fixtures for the emulator's own tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pulumi_ionoscr.emulator import RunningEmulator

# `ionoscr_emulator` comes from pulumi_ionoscr.emulator.pytest_plugin, which the top-level
# tests/conftest.py registers.


@pytest.fixture
def api(ionoscr_emulator: RunningEmulator) -> Iterator[httpx.Client]:
    """An httpx client on the API base URL with Basic credentials (tenant 'alice')."""
    with httpx.Client(
        base_url=ionoscr_emulator.base_url, auth=("alice@example.com", "secret"), timeout=30
    ) as client:
        yield client
