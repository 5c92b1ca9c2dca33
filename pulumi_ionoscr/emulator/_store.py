"""State file: load at start, write atomically after every change.

A write goes to a temporary file in the same directory, is flushed and fsync'ed, then
`os.replace`d over the state file (and the directory is fsync'ed), so a crash at any point
leaves either the old or the new complete file, never a torn one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from pathlib import Path

from ._state import Backend

__all__ = ["StateFileError", "StateStore"]


class StateFileError(RuntimeError):
    """The state file exists but cannot be used."""


class StateStore:
    def __init__(self, path: str | os.PathLike[str], backend: Backend) -> None:
        self.path = Path(path)
        self.backend = backend
        self._saved_version = -1
        self._lock = threading.Lock()

    def load(self) -> bool:
        """Load the file if it exists. Returns whether something was loaded."""
        if not self.path.exists():
            return False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.backend.load_json(data)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StateFileError(f"cannot load state file {self.path}: {exc}") from exc
        self._saved_version = self.backend.version
        return True

    def save_if_changed(self) -> bool:
        with self._lock:
            with self.backend.locked():
                version = self.backend.version
                if version == self._saved_version:
                    return False
                data = self.backend.to_json()
            self._write(json.dumps(data, separators=(",", ":"), sort_keys=True))
            self._saved_version = version
            return True

    def _write(self, text: str) -> None:
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
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
