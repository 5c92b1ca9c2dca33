"""The pytest plugin pulumi-ionoscr registers (entry point `pytest11`, name `ionoscr`): the
emulator fixtures `ionoscr_emulator` and `ionoscr_emulator_session`, in every pytest session of
an environment where the package is installed, with no conftest.py line.

Without the `emulator` extra the fixtures exist but fail with what to install, so installing
pulumi-ionoscr never breaks an unrelated test suite.
"""

from __future__ import annotations

from typing import Any

import pytest

__all__ = ["ionoscr_emulator", "ionoscr_emulator_session"]

try:
    from ..emulator.pytest_plugin import (
        ionoscr_emulator,
        ionoscr_emulator_session,
    )

    # The hooks behind `--ionoscr-variant NAME=VALUE` and the `ionoscr_variants` marker.
    from ..emulator.pytest_plugin import pytest_addoption as pytest_addoption
    from ..emulator.pytest_plugin import pytest_configure as pytest_configure
except ModuleNotFoundError as missing:
    if missing.name not in ("starlette", "uvicorn"):
        raise
    _INSTALL = (
        f"the ionoscr_emulator fixture needs the emulator extra ({missing.name} is missing): "
        "install pulumi-ionoscr[emulator]"
    )

    @pytest.fixture(scope="session")
    def ionoscr_emulator_session() -> Any:
        """The shared emulator: unavailable without the `emulator` extra."""
        pytest.fail(_INSTALL, pytrace=False)

    @pytest.fixture
    def ionoscr_emulator(ionoscr_emulator_session: Any) -> Any:
        """A reset emulator: unavailable without the `emulator` extra."""
        return ionoscr_emulator_session
