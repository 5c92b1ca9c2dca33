"""Fixtures shared by every test tier: the emulator and a configured environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_ionoscr._client import IonosCrClient
from pulumi_ionoscr._config import ClientSettings, RetryPolicy
from pulumi_ionoscr.emulator import RunningEmulator

pytest_plugins = ["pulumi_ionoscr.emulator.pytest_plugin"]

# Credentials the tests use; the emulator accepts any by default. Distinctive on purpose, so
# a test can search state, logs and pickles for them.
TEST_USERNAME = "ci-user@example.com"
TEST_PASSWORD = "s3cr3t-Passw0rd-for-tests"

# Fast retries: tests must not sleep for the production backoff.
FAST_RETRY = RetryPolicy(max_attempts=8, base_delay=0.01, max_delay=0.05, deadline=20.0)


@pytest.fixture
def api_env(ionoscr_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> RunningEmulator:
    """Environment variables pointing providers at a fresh emulator."""
    monkeypatch.setenv("IONOSCR_ENDPOINT", ionoscr_emulator.base_url)
    monkeypatch.setenv("IONOS_USERNAME", TEST_USERNAME)
    monkeypatch.setenv("IONOS_PASSWORD", TEST_PASSWORD)
    monkeypatch.delenv("IONOS_TOKEN", raising=False)
    monkeypatch.delenv("IONOS_CONTRACT_NUMBER", raising=False)
    return ionoscr_emulator


@pytest.fixture
def client(api_env: RunningEmulator) -> Iterator[IonosCrClient]:
    settings = ClientSettings(
        endpoint=api_env.base_url,
        username=TEST_USERNAME,
        password=TEST_PASSWORD,
        retry=FAST_RETRY,
    )
    with IonosCrClient(settings) as c:
        yield c
