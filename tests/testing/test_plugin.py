"""The pytest plugin the package registers: a user's tests get `ionoscr_emulator` with no
conftest.py, and without the emulator extra an unrelated test suite still runs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

USER_TESTS = """
import httpx

def test_uses_the_emulator(ionoscr_emulator):
    answer = httpx.get(ionoscr_emulator.base_url + "/locations", auth=("user", "pass"))
    assert answer.status_code == 200

def test_unrelated():
    assert 1 + 1 == 2
"""

# What importing starlette looks like where the emulator extra is not installed.
NO_STARLETTE = 'raise ModuleNotFoundError("No module named \'starlette\'", name="starlette")\n'


def _pytest(directory: Path, *extra_path: Path) -> subprocess.CompletedProcess[str]:
    (directory / "test_user.py").write_text(textwrap.dedent(USER_TESTS))
    env_path = ":".join(str(p) for p in extra_path)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": "/usr/bin:/bin", **({"PYTHONPATH": env_path} if env_path else {})},
    )


def test_a_users_tests_get_the_fixture_without_a_conftest(tmp_path: Path) -> None:
    done = _pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_without_the_emulator_extra_only_the_fixture_fails(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    (shadow / "starlette").mkdir(parents=True)
    (shadow / "starlette" / "__init__.py").write_text(NO_STARLETTE)
    project = tmp_path / "project"
    project.mkdir()
    done = _pytest(project, shadow)
    assert "1 passed" in done.stdout and "1 error" in done.stdout, done.stdout + done.stderr
    assert "install pulumi-ionoscr[emulator]" in done.stdout


def test_the_plugin_is_registered_for_this_session(pytestconfig: pytest.Config) -> None:
    plugin = pytestconfig.pluginmanager.get_plugin("ionoscr")
    assert plugin is not None and plugin.__name__ == "pulumi_ionoscr.testing._pytest_plugin"


def test_importing_the_package_does_not_import_testing() -> None:
    probe = "import sys, pulumi_ionoscr; print('pulumi_ionoscr.testing' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "False"
