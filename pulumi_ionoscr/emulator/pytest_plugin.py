"""pytest fixtures for the emulator.

Use it with `pytest_plugins = ["pulumi_ionoscr.emulator.pytest_plugin"]` in a top-level
conftest.py (or import the fixtures into a conftest). Fixtures:

* `ionoscr_emulator` (function scope): a `RunningEmulator`, reset before the test (empty state,
  empty request log, startup timing and faults). One server is shared by the whole session.
* `ionoscr_emulator_session` (session scope): the shared server itself, not reset.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._server import RunningEmulator, run_emulator

__all__ = ["ionoscr_emulator", "ionoscr_emulator_session"]


@pytest.fixture(scope="session")
def ionoscr_emulator_session() -> Iterator[RunningEmulator]:
    with run_emulator() as running:
        yield running


@pytest.fixture
def ionoscr_emulator(ionoscr_emulator_session: RunningEmulator) -> RunningEmulator:
    ionoscr_emulator_session.admin.reset()
    return ionoscr_emulator_session
