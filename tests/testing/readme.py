"""The files README's "Testing your infrastructure" section shows (each fenced block that starts
with a `# <path>` comment), written out as a user's project would hold them."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Testing your infrastructure"


def section_files() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    section = text[start : text.index("\n## ", start + len(SECTION))]
    files: dict[str, str] = {}
    for body in re.findall(r"^```\w+\n(.*?)^```$", section, re.S | re.M):
        named = re.fullmatch(r"# (\S+)", body.splitlines()[0])
        if named:
            files[named[1]] = body
    return files


def write_project(root: Path) -> Path:
    for name, body in section_files().items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(body, encoding="utf-8")
    return root


def run_pytest(
    project: Path, test_file: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """pytest on one of the README's test files, from the project's root, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test_file],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env=None if env is None else dict(env),
    )
