"""Local emulator of the IONOS Cloud Container Registry management API.

A test double written from the API reference (it never imports the rest of pulumi_ionoscr).
Start it with `run_emulator()` (a context manager), the `ionoscr-emulator` command, or the
pytest fixture `ionoscr_emulator` from `pulumi_ionoscr.emulator.pytest_plugin`.
"""

from __future__ import annotations

from ._admin import EmulatorAdmin
from ._app import build_app
from ._emulator import Emulator
from ._faults import FaultConfig
from ._options import EmulatorOptions
from ._server import RunningEmulator, run_emulator
from ._state import Backend, Timing

__all__ = [
    "Backend",
    "Emulator",
    "EmulatorAdmin",
    "EmulatorOptions",
    "FaultConfig",
    "RunningEmulator",
    "Timing",
    "build_app",
    "run_emulator",
]
