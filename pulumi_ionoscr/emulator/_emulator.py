"""`Emulator`: one emulator instance (backend, data plane, faults, request log, state file)."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from ._faults import FaultInjector
from ._oci_state import Distribution
from ._options import EmulatorOptions
from ._state import Backend
from ._store import StateStore

__all__ = ["MAX_LOG", "Emulator"]

#: Request-log entries kept (the oldest are dropped).
MAX_LOG = 100_000


class Emulator:
    """One emulator: backend, faults, request log, optional state file."""

    def __init__(self, options: EmulatorOptions, *, clock: Callable[[], float] = time.time) -> None:
        self.options = options
        self.backend: Backend = Backend(
            locations=options.locations,
            timing=copy.deepcopy(options.timing),
            clock=clock,
            variants=options.chosen_variants(),
        )
        self.faults: FaultInjector = FaultInjector(copy.deepcopy(options.faults))
        self.distribution: Distribution = Distribution(self.backend)
        self.requests: list[dict[str, Any]] = []
        self.store: StateStore | None = None
        if options.state_file:
            self.store = StateStore(options.state_file, self.backend)
            self.store.load()

    def reset(self) -> None:
        """Empty state and request log; timing, faults and variants back to the startup
        options."""
        self.backend.reset()
        self.distribution.uploads.clear()
        self.distribution.bearers.clear()
        self.backend.timing = copy.deepcopy(self.options.timing)
        self.backend.variants = self.options.chosen_variants()
        self.faults.configure(copy.deepcopy(self.options.faults))
        self.requests.clear()

    def persist(self) -> None:
        """Write the state file now if anything changed (blocking; used at shutdown)."""
        if self.store is not None:
            self.store.save_if_changed()

    async def make_durable(self) -> None:
        """Return once every change made so far is in the state file (no-op without one).
        Called before any response starts, so an answer never reports an unsaved change."""
        if self.store is not None:
            await self.store.flush()

    def record(self, entry: dict[str, Any]) -> None:
        self.requests.append(entry)
        if len(self.requests) > MAX_LOG:
            del self.requests[: len(self.requests) - MAX_LOG]
