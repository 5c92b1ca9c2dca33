"""Fixtures for the data-plane tier: real pushes and pulls with oras-py against the emulator.

The emulator serves the OCI distribution API on its own origin (plain HTTP) and tells registries
apart by the token's credentials, so every client logs in with a registry token.
"""

from __future__ import annotations

import types
from pathlib import Path

import oras.client  # oras.decorator cannot be imported first (circular import)
import oras.decorator
import pytest

from pulumi_ionoscr._client import IonosCrClient
from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr.emulator import RunningEmulator

from ._oras import Registry


@pytest.fixture(autouse=True)
def _oras_without_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # A 403 without a WWW-Authenticate challenge (what the emulator answers to a scope denial)
    # makes oras retry five times, sleeping 3 s up to 83 s (131 s in all); several tests expect
    # such a denial, so only the waiting is skipped: the attempts still happen.
    monkeypatch.setattr(oras.decorator, "time", types.SimpleNamespace(sleep=lambda _s: None))


@pytest.fixture
def registry(client: IonosCrClient, api_env: RunningEmulator, tmp_path: Path) -> Registry:
    """A running registry named `acme`, seen from the data plane."""
    created = RegistryProvider().create({"name": "acme", "location": "de/fra"})
    assert created.id is not None
    return Registry(created.id, client, api_env.oci_host, tmp_path)
