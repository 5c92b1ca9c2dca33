"""With `--state-file`, a 2xx means the change is on disk: an emulator killed with SIGKILL
under concurrent writes loses no acknowledged write, and the temporary files an interrupted
write leaves are removed at the next start."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from pathlib import Path

import httpx

from pulumi_ionoscr.emulator import run_emulator
from pulumi_ionoscr.emulator._state import Actor, Backend
from pulumi_ionoscr.emulator._store import StateStore

ROUNDS = 4
WRITERS = 6
AUTH = ("alice@example.com", "secret")


def _writer(base_url: str, label: str, stop: threading.Event, acked: list[tuple[str, str]]) -> None:
    """Create registries and tokens until the server dies; record every acknowledged one."""
    with httpx.Client(base_url=base_url, auth=AUTH, timeout=10) as client:
        n = 0
        while not stop.is_set():
            try:
                r = client.post(
                    "/registries",
                    json={"properties": {"name": f"{label}-{n}", "location": "de/fra"}},
                )
                if r.status_code != 201:
                    continue
                rid = r.json()["id"]
                acked.append(("registry", rid))
                t = client.post(f"/registries/{rid}/tokens", json={"properties": {"name": "ci"}})
                if t.status_code == 201:
                    acked.append(("token", t.json()["id"]))
            except httpx.HTTPError:
                return  # killed: whatever was not answered was not acknowledged
            finally:
                n += 1


def _stored(state: dict[str, object]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for reg in state["registries"]:  # type: ignore[attr-defined]
        found.add(("registry", reg["id"]))
        found.update(("token", t["id"]) for t in reg["tokens"])
    return found


def test_kill_9_under_concurrent_writes_loses_no_acknowledged_write(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    acked: list[tuple[str, str]] = []
    rng = random.Random(13)
    for round_no in range(ROUNDS):
        with run_emulator(subprocess=True, state_file=state_file) as emu:
            assert emu.process is not None
            assert not list(tmp_path.glob(".state.json.*.tmp"))  # cleaned at start
            missing = set(acked) - _stored(emu.admin.state())
            assert not missing, f"round {round_no}: acknowledged writes lost: {missing}"
            stop = threading.Event()
            writers = [
                threading.Thread(
                    target=_writer, args=(emu.base_url, f"r{round_no}-w{i}", stop, acked)
                )
                for i in range(WRITERS)
            ]
            before = len(acked)
            for w in writers:
                w.start()
            deadline = time.monotonic() + 30
            while len(acked) - before < 20 and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.2))  # die at a random point of the write stream
            os.kill(emu.process.pid, signal.SIGKILL)
            emu.process.wait()
            stop.set()
            for w in writers:
                w.join(timeout=30)
            assert len(acked) - before >= 20, "the writers never got going"
    with run_emulator(subprocess=True, state_file=state_file) as emu:
        assert set(acked) <= _stored(emu.admin.state())
        assert not list(tmp_path.glob(".state.json.*.tmp"))


def test_stale_temp_files_are_removed_at_start(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    backend = Backend()
    backend.create_registry(
        Actor("user:alice", "alice@example.com", "u-alice"),
        {"properties": {"name": "kept", "location": "de/fra"}},
    )
    StateStore(state_file, backend).save_if_changed()
    stale = tmp_path / ".state.json.abc123.tmp"
    stale.write_text('{"torn": ')
    unrelated = tmp_path / ".other.json.abc123.tmp"
    unrelated.write_text("not ours")
    loaded = Backend()
    assert StateStore(state_file, loaded).load()
    assert loaded.name_in_use("kept")
    assert not stale.exists()
    assert unrelated.exists()  # another file's temporaries are not ours to delete
