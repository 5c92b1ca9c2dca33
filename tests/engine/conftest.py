"""Fixtures for the engine tier: tests that drive the real Pulumi CLI.

Every test under ``tests/engine`` is marked ``engine``. When engine tests are selected,
``scripts/install-pulumi.sh`` runs once right after collection, outside any test's timeout (a
cached build takes well under a second; a first build from the Go module proxy takes minutes),
and the session fixture ``pulumi_cli`` hands out the result. When no CLI can be had, every
engine test is skipped with the same one-line reason.

The CLI comes with one Python language host (upstream's where its source is there, else the
project's); the session says which, once on the terminal after collection and again in the
summary.

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
from typing import Any

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
    init_policy_pack,
)

_ENGINE_DIR = Path(__file__).resolve().parent


_NO_CLI_REASON = (
    "no Pulumi CLI >= 3.272 on PATH or in the cache, and no Go toolchain to build one"
    " (see docs/engine.md)"
)


class _Bootstrap:
    """The session's one attempt to get a CLI: made after collection, outside any test's timeout."""

    done = False
    cli: PulumiCli | None = None
    reason: str | None = None

    @classmethod
    def run(cls, config: pytest.Config | None) -> None:
        if cls.done:
            return
        cls.done = True
        if os.environ.get("PULUMI_IONOSCR_ENGINE", "").lower() == "skip":
            cls.reason = "engine tests: disabled by PULUMI_IONOSCR_ENGINE=skip"
            return
        try:
            cls.cli = bootstrap_cli(build=False)  # PATH or cache: milliseconds
            return
        except CliUnavailable:
            pass
        if shutil.which("go") is None:
            cls.reason = f"engine tests: {_NO_CLI_REASON}"
            return
        reporter = config.pluginmanager.get_plugin("terminalreporter") if config else None
        if reporter is not None:
            reporter.write_line(
                "engine tests: building what the cache lacks with scripts/install-pulumi.sh"
                " (the Pulumi CLI: about 9 minutes on 2 cores; the upstream language host:"
                " seconds after it)"
            )
        try:
            cls.cli = bootstrap_cli()
        except CliUnavailable as exc:
            cls.reason = f"engine tests: {exc}"

    @classmethod
    def report(cls) -> str:
        """Which CLI and language host the engine tier runs under, or why it does not run."""
        if cls.cli is not None:
            return f"engine tier: {cls.cli.describe()}"
        return cls.reason or "engine tests: no CLI"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/engine `engine` (before `-m` selects)."""
    for item in items:
        if _ENGINE_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.engine)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Bootstrap once if engine tests were selected; without a CLI, skip them all with one
    reason (decided here, the skip is reported once per file)."""
    engine_items = [i for i in session.items if i.get_closest_marker("engine") is not None]
    if not engine_items:
        return
    _Bootstrap.run(session.config)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(_Bootstrap.report())
    if _Bootstrap.cli is not None:
        return
    if os.environ.get("PULUMI_IONOSCR_ENGINE", "").lower() == "require":
        return  # the pulumi_cli fixture fails each test instead
    for item in engine_items:
        item.add_marker(pytest.mark.skip(reason=_Bootstrap.reason or "engine tests: no CLI"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Repeat under the results which host the engine tier ran under."""
    if _Bootstrap.done:
        terminalreporter.write_line(_Bootstrap.report())


@pytest.fixture(scope="session")
def pulumi_cli() -> PulumiCli:
    """The Pulumi CLI (bootstrapped once per session), or a skip with one clear reason."""
    _Bootstrap.run(None)
    if _Bootstrap.cli is not None:
        return _Bootstrap.cli
    reason = _Bootstrap.reason or "engine tests: no CLI"
    if os.environ.get("PULUMI_IONOSCR_ENGINE", "").lower() == "require":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


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


@pytest.fixture(scope="session")
def ionoscr_policy_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ionoscr policy pack as ``python -m pulumi_ionoscr.policies init DIR`` writes it, its
    venv a link to this interpreter's (as ``ln -s`` in docs/policies.md)."""
    return init_policy_pack(tmp_path_factory.mktemp("policy-pack") / "ionoscr")


def _teardown(stacks: list[PulumiStack]) -> None:
    for stack in stacks:
        try:
            if stack.resources():
                stack.destroy(check=False)
        except Exception:  # best effort cleanup
            pass
