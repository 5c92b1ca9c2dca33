"""The state file is written atomically: a failure mid-write leaves the previous file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pulumi_ionoscr.emulator._state import Actor, Backend
from pulumi_ionoscr.emulator._store import StateFileError, StateStore

ALICE = Actor(tenant="user:alice", user="alice@example.com", user_id="u-alice")


def _create(backend: Backend, name: str) -> None:
    backend.create_registry(ALICE, {"properties": {"name": name, "location": "de/fra"}})


def test_failed_replace_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state.json"
    backend = Backend()
    store = StateStore(path, backend)
    _create(backend, "first")
    assert store.save_if_changed() is True
    assert store.save_if_changed() is False  # nothing changed since
    before = path.read_text()

    _create(backend, "second")

    def crash(src: str, dst: str) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        store.save_if_changed()
    monkeypatch.undo()
    assert path.read_text() == before  # old complete file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]  # temp file removed
    assert store.save_if_changed() is True  # retried on the next change check
    names = [r["name"] for r in json.loads(path.read_text())["registries"]]
    assert sorted(names) == ["first", "second"]


def test_load_restores_and_rejects_garbage(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    backend = Backend()
    _create(backend, "kept")
    StateStore(path, backend).save_if_changed()
    fresh = Backend()
    assert StateStore(path, fresh).load() is True
    assert fresh.name_in_use("kept")
    assert StateStore(tmp_path / "missing.json", Backend()).load() is False
    path.write_text(json.dumps({"version": 99}))
    with pytest.raises(StateFileError):
        StateStore(path, Backend()).load()
