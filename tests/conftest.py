"""Fixtures shared by every test tier: a configured environment, a client and the built
distributions. The emulator fixtures come from the package's own pytest plugin (entry point
`pytest11`), as for users."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pulumi_ionoscr._client import IonosCrClient
from pulumi_ionoscr._config import ClientSettings, RetryPolicy
from pulumi_ionoscr.emulator import RunningEmulator

REPO_ROOT = Path(__file__).resolve().parents[1]

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


@dataclass(frozen=True)
class Dist:
    """What `python -m build` makes of this checkout."""

    sdist: Path
    wheel: Path


@pytest.fixture(scope="session")
def built_dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """The sdist and wheel of this checkout, built once per session with `python -m build` (the
    sdist first, the wheel from it, as an index would get them)."""
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO_ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, f"python -m build failed:\n{built.stdout}\n{built.stderr}"
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return Dist(sdist=sdist, wheel=wheel)
