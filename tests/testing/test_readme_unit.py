"""README's unit tests under mocks, run as a user's test suite (the code is read from README)."""

from __future__ import annotations

from pathlib import Path

from .readme import run_pytest, section_files, write_project


def test_readme_shows_a_project_and_both_test_styles() -> None:
    assert set(section_files()) == {
        "infra/Pulumi.yaml",
        "infra/__main__.py",
        "tests/test_unit.py",
        "tests/test_emulator.py",
    }


def test_readme_unit_tests_pass(tmp_path: Path) -> None:
    done = run_pytest(write_project(tmp_path), "tests/test_unit.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
