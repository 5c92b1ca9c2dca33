"""`pulumi_ionoscr.testing` with the real engine: README's emulator test run as a user's test
suite, and what `emulator_stack` leaves behind (nothing) when a test fails halfway."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from _harness import PulumiCli

from pulumi_ionoscr.emulator import RunningEmulator
from pulumi_ionoscr.testing import CLI_ENV, emulator_stack

from ..testing.readme import run_pytest, write_project

pytestmark = pytest.mark.engine


def _engine_env(cli: PulumiCli, home: Path) -> dict[str, str]:
    """This machine's Pulumi: the CLI the engine tier uses, a throwaway Pulumi home, and the
    plugins running this interpreter (a user's install runs python3 or the project's venv)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    return {
        **env,
        CLI_ENV: str(cli.pulumi),
        "PULUMI_HOME": str(home),
        "PULUMI_PYTHON_CMD": sys.executable,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }


def test_readme_emulator_test_passes(pulumi_cli: PulumiCli, tmp_path: Path) -> None:
    project = write_project(tmp_path / "user")
    done = run_pytest(project, "tests/test_emulator.py", _engine_env(pulumi_cli, tmp_path / "h"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert sorted(p.name for p in (project / "infra").iterdir()) == ["Pulumi.yaml", "__main__.py"]


def test_a_failing_test_leaves_nothing_behind(
    pulumi_cli: PulumiCli,
    ionoscr_emulator: RunningEmulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in _engine_env(pulumi_cli, tmp_path / "home").items():
        monkeypatch.setenv(key, value)
    project = write_project(tmp_path / "user") / "infra"
    own_settings = "config:\n  infra:owner: platform-team\n"
    (project / "Pulumi.emulator.yaml").write_text(own_settings)

    failing = pytest.raises(RuntimeError, match="assertion in the test")
    with failing, emulator_stack(project, ionoscr_emulator) as stack:
        stack.up()
        assert stack.get_config("infra:owner").value == "platform-team"
        assert [r["name"] for r in ionoscr_emulator.admin.registries()] == ["acme-images"]
        raise RuntimeError("assertion in the test")

    assert ionoscr_emulator.admin.registries() == []
    assert (project / "Pulumi.emulator.yaml").read_text() == own_settings
