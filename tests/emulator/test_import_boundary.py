"""The emulator is a test double written from the API reference: it must never import the
package's own client, models, validation or exceptions (else it would share their bugs)."""

from __future__ import annotations

import ast
from pathlib import Path

import pulumi_ionoscr.emulator as emulator_pkg

EMULATOR_DIR = Path(emulator_pkg.__file__).resolve().parent


def _violations(path: Path) -> list[str]:
    rel_parts = path.relative_to(EMULATOR_DIR).parts
    return _violations_in(path.read_text(encoding="utf-8"), path.name, len(rel_parts) - 1)


def _violations_in(source: str, name: str, depth_inside: int) -> list[str]:
    """depth_inside: how many sub-package levels below the emulator package the module is."""
    tree = ast.parse(source, filename=name)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                mod = alias.name
                if mod.startswith("pulumi_ionoscr") and not (
                    mod == "pulumi_ionoscr.emulator" or mod.startswith("pulumi_ionoscr.emulator.")
                ):
                    found.append(f"{name}:{node.lineno}: import {mod}")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0:
                if module == "pulumi_ionoscr" or (
                    module.startswith("pulumi_ionoscr.")
                    and not (
                        module == "pulumi_ionoscr.emulator"
                        or module.startswith("pulumi_ionoscr.emulator.")
                    )
                ):
                    found.append(f"{name}:{node.lineno}: from {module} import ...")
            elif node.level - 1 > depth_inside:
                # `from .. import x` from the emulator's top level reaches pulumi_ionoscr.
                found.append(f"{name}:{node.lineno}: from {'.' * node.level}{module} import ...")
    return found


def test_emulator_modules_exist() -> None:
    names = {p.name for p in EMULATOR_DIR.rglob("*.py")}
    assert {"_state.py", "_app.py", "_server.py", "_cli.py", "_faults.py"} <= names


def test_emulator_imports_nothing_else_from_the_package() -> None:
    problems = [v for p in sorted(EMULATOR_DIR.rglob("*.py")) for v in _violations(p)]
    assert problems == []


def test_checker_catches_forbidden_imports() -> None:
    # The check itself must be able to fail.
    samples = [
        "from pulumi_ionoscr._client import Client\n",
        "import pulumi_ionoscr._validation\n",
        "import pulumi_ionoscr\n",
        "from .. import _models\n",
        "from ..policies import x\n",
        "from pulumi_ionoscr import ValidationError\n",
        "def f():\n    from pulumi_ionoscr._models import Registry\n",
    ]
    for sample in samples:
        assert _violations_in(sample, "probe.py", 0), sample
    allowed = "from ._state import Backend\nimport pulumi_ionoscr.emulator._app\nimport httpx\n"
    assert _violations_in(allowed, "probe.py", 0) == []
    # One level down (an emulator sub-package), `..` is still inside the emulator.
    assert _violations_in("from .._state import Backend\n", "probe.py", 1) == []
