"""State file: load at start, write atomically after every change, before the answer.

A write goes to a temporary file in the same directory, is flushed and fsync'ed, then
`os.replace`d over the state file (and the directory is fsync'ed), so a crash at any point
leaves either the old or the new complete file, never a torn one. Temporary files a crash
left behind are removed at start.

Writes are grouped: while one write is in flight (in a worker thread, so the event loop keeps
serving), later changes wait for it and are then written together by one next write.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from ._state import Backend

__all__ = ["StateFileError", "StateStore"]


class StateFileError(RuntimeError):
    """The state file exists but cannot be used."""


class StateStore:
    def __init__(self, path: str | os.PathLike[str], backend: Backend) -> None:
        self.path: Path = Path(path)
        self.backend = backend
        self._saved_version = -1
        self._write_lock = threading.Lock()
        self._flush_lock = asyncio.Lock()

    @property
    def _temp_prefix(self) -> str:
        return f".{self.path.name}."

    def remove_stale_temp_files(self) -> list[Path]:
        """Delete the temporary files of writes a crash interrupted. Returns them."""
        directory = self.path.parent
        if not directory.is_dir():
            return []
        stale = [
            p
            for p in directory.iterdir()
            if p.name.startswith(self._temp_prefix) and p.name.endswith(".tmp")
        ]
        for p in stale:
            with contextlib.suppress(OSError):
                p.unlink()
        return stale

    def load(self) -> bool:
        """Load the file if it exists. Returns whether something was loaded."""
        self.remove_stale_temp_files()
        if not self.path.exists():
            return False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.backend.load_json(data)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StateFileError(f"cannot load state file {self.path}: {exc}") from exc
        self._saved_version = self.backend.version
        return True

    def _snapshot(self) -> tuple[int, dict[str, Any]] | None:
        """(version, JSON-able copy of the state), or None when already saved."""
        with self.backend.locked():
            version = self.backend.version
            if version <= self._saved_version:
                return None
            return version, self.backend.to_json()

    def _save(self, version: int, data: dict[str, Any]) -> bool:
        text = json.dumps(data, separators=(",", ":"), sort_keys=True)
        with self._write_lock:
            if version <= self._saved_version:
                return False  # a newer snapshot was written meanwhile
            self._write(text)
            self._saved_version = version
            return True

    def save_if_changed(self) -> bool:
        """Write now if anything changed (blocking)."""
        snapshot = self._snapshot()
        return snapshot is not None and self._save(*snapshot)

    async def flush(self) -> None:
        """Return once every change made before the call is on disk."""
        if self.backend.version <= self._saved_version:
            return
        async with self._flush_lock:
            snapshot = self._snapshot()  # taken on the event loop: consistent
            if snapshot is not None:
                await asyncio.to_thread(self._save, *snapshot)

    def _write(self, text: str) -> None:
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self._temp_prefix, suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        try:
            dir_fd = os.open(directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)
