"""`parallel_providers`: more registries waiting for `Running` at once than the one dynamic
provider process allows (four), under the real engine.

The emulator never makes a registry `Running` by itself here: a watcher does, and only once no
new registry has appeared for a while (or all of them have). So the most registries the
emulator ever holds not yet `Running` is exactly how many creates were waiting together, read
from the emulator's state, not from timing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pytest
from _scenarios import StackFactory

import pulumi_ionoscr as cr
from pulumi_ionoscr.emulator import RunningEmulator, run_emulator

pytestmark = pytest.mark.engine

REGISTRIES = 6
# How long the watcher lets the set of waiting registries stay unchanged before it makes them
# `Running` (when fewer than all are waiting): far longer than starting a provider process.
SETTLE_SECONDS = 10.0
PROVIDER_TYPE = "pulumi:providers:pulumi-python"


@dataclass
class Watcher:
    """Makes waiting registries `Running` once all are waiting or none has come for a while,
    and remembers the most that waited at once."""

    emu: RunningEmulator
    most_waiting: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        seen: set[str] = set()
        changed = time.monotonic()
        while not self._stop.wait(0.1):
            waiting = {r["id"] for r in self.emu.admin.registries() if r["state"] != "Running"}
            if waiting - seen:
                changed = time.monotonic()
            seen = waiting
            self.most_waiting = max(self.most_waiting, len(waiting))
            settled = time.monotonic() - changed > SETTLE_SECONDS
            if waiting and (len(waiting) == REGISTRIES or settled):
                for registry_id in waiting:
                    self.emu.admin.force_state(registry_id, "Running")

    def stop(self) -> None:
        self._stop.set()


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    """Registries stay `Provisioning` until the watcher says otherwise."""
    timing = {"preset": "default", "create_seconds": 3600, "create_reads": 0}
    with run_emulator(subprocess=True, timing=timing) as emu:
        yield emu


def _up_watched(stack: Any, emu: RunningEmulator) -> int:
    """`pulumi up` (engine parallelism above the registry count on any machine); the most
    registries that waited for `Running` at once."""
    watcher = Watcher(emu)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        stack.up(extra_args=["--parallel", str(4 * REGISTRIES)])
    finally:
        watcher.stop()
        thread.join()
    return watcher.most_waiting


def test_parallel_providers_wait_for_more_than_four_registries_at_once(
    inline_stack: StackFactory, emulator: RunningEmulator
) -> None:
    setting = {"providers": 0}

    def program() -> None:
        count = setting["providers"]
        providers = cr.parallel_providers(count) if count else []
        for index in range(REGISTRIES):
            provider = providers[index % count] if providers else None
            registry = cr.Registry(
                f"r{index}",
                name=f"engine-parallel-{index}",
                location="de/fra",
                opts=pulumi.ResourceOptions(provider=provider),
            )
            pulumi.export(f"r{index}", registry.id)

    stack = inline_stack(
        program,
        project="engine-parallel",
        env={"IONOSCR_ENDPOINT": "", "IONOS_TOKEN": ""},  # only the stack config reaches them
        config={"ionoscr:endpoint": emulator.base_url},
        secret_config={"ionoscr:token": "engine-parallel-credential"},
    )

    # The default provider: its four workers are the limit.
    assert _up_watched(stack, emulator) == 4
    ids = stack.outputs()

    # Moving existing registries onto parallel providers changes nothing in IONOS.
    setting["providers"] = 2
    emulator.admin.clear_requests()
    stack.up()
    writes = [r for r in emulator.admin.requests() if r["method"] in ("POST", "PATCH", "DELETE")]
    assert writes == []
    assert stack.outputs() == ids
    stack.preview(expect_no_changes=True)

    # From nothing: two provider processes, all six registries wait together.
    stack.destroy()
    assert emulator.admin.registries() == []
    assert _up_watched(stack, emulator) == REGISTRIES
    shards = [r for r in stack.resources() if r["type"] == PROVIDER_TYPE and "ionoscr-" in r["urn"]]
    assert len(shards) == 2
    for shard in shards:
        assert "ciphertext" in shard["inputs"]["ionoscr:token"]
        assert shard["inputs"]["ionoscr:endpoint"] == emulator.base_url
