"""Fixtures for the engine tier: tests that drive the real Pulumi CLI.

Every test under ``tests/engine`` is marked ``engine``. The session fixture ``pulumi_cli`` runs
``scripts/install-pulumi.sh`` once (a cached build makes that take well under a second; a first
build from the Go module proxy takes minutes). When no CLI can be had, every engine test is
skipped with the same one-line reason.

Environment knobs:
  PULUMI_IONOSCR_ENGINE=skip      skip the engine tier without trying to bootstrap
  PULUMI_IONOSCR_ENGINE=require   fail (not skip) when no CLI can be had
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Make the helpers importable by plain name whatever pytest's import mode (the provider
# process gets the same directory on PYTHONPATH from the harness).
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from _harness import (  # noqa: E402
    CliUnavailable,
    Program,
    PulumiCli,
    PulumiStack,
    bootstrap_cli,
)

_ENGINE_DIR = Path(__file__).resolve().parent


def _quick_unavailable_reason() -> str | None:
    """Without Go and without a CLI on PATH or in the cache, say why (fast: never builds)."""
    if os.environ.get("PULUMI_IONOSCR_ENGINE", "").lower() == "skip":
        return "engine tests: disabled by PULUMI_IONOSCR_ENGINE=skip"
    if shutil.which("go") is not None:
        return None  # the session fixture may build one
    try:
        bootstrap_cli(build=False)
    except CliUnavailable:
        return (
            "engine tests: no Pulumi CLI >= 3.272 on PATH or in the cache, and no Go toolchain"
            " to build one (see docs/engine.md)"
        )
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    engine_items = []
    for item in items:
        if _ENGINE_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.engine)
        if item.get_closest_marker("engine") is not None:
            engine_items.append(item)
    if not engine_items or os.environ.get("PULUMI_IONOSCR_ENGINE", "").lower() == "require":
        return
    # Decided at collection, a skip is reported once per file with one reason.
    reason = _quick_unavailable_reason()
    if reason is not None:
        for item in engine_items:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def pulumi_cli() -> PulumiCli:
    """The Pulumi CLI (bootstrapped once per session), or a skip with one clear reason."""
    wanted = os.environ.get("PULUMI_IONOSCR_ENGINE", "").lower()
    if wanted == "skip":
        pytest.skip("engine tests: disabled by PULUMI_IONOSCR_ENGINE=skip")
    try:
        return bootstrap_cli()
    except CliUnavailable as exc:
        if wanted == "require":
            pytest.fail(f"engine tests: {exc}", pytrace=False)
        pytest.skip(f"engine tests: {exc}")


@pytest.fixture(autouse=True)
def _engine_needs_cli(request: pytest.FixtureRequest) -> None:
    """Engine-marked tests skip (one reason for all) when no CLI can be had."""
    if request.node.get_closest_marker("engine") is not None:
        request.getfixturevalue("pulumi_cli")


@pytest.fixture
def inline_stack(pulumi_cli: PulumiCli, tmp_path: Path) -> Iterator[Callable[..., PulumiStack]]:
    """Factory: ``inline_stack(program, project=..., config=..., secret_config=..., env=...)``.

    Stacks get their home and backend under the test's tmp_path; after the test any stack that
    still holds resources is destroyed (best effort) so nothing outlives the test.
    """
    made: list[PulumiStack] = []

    def make(program: Program, **kwargs: object) -> PulumiStack:
        root = tmp_path / f"stack{len(made)}"
        stack = PulumiStack.inline(pulumi_cli, program, root=root, **kwargs)
        made.append(stack)
        return stack

    yield make
    _teardown(made)


@pytest.fixture
def directory_stack(pulumi_cli: PulumiCli, tmp_path: Path) -> Iterator[Callable[..., PulumiStack]]:
    """Factory: ``directory_stack(path, mode="auto", config=..., secret_config=..., env=...)``
    for a project directory such as ``examples/quickstart`` (copied, never written to)."""
    made: list[PulumiStack] = []

    def make(directory: Path | str, **kwargs: object) -> PulumiStack:
        root = tmp_path / f"stack{len(made)}"
        stack = PulumiStack.from_directory(pulumi_cli, directory, root=root, **kwargs)
        made.append(stack)
        return stack

    yield make
    _teardown(made)


def _teardown(stacks: list[PulumiStack]) -> None:
    for stack in stacks:
        try:
            if stack.resources():
                stack.destroy(check=False)
        except Exception:  # best effort cleanup
            pass
