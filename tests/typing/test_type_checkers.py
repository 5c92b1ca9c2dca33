"""mypy and pyright, run as a user runs them, on two programs: `programs/mistakes.py` (each line
marked `# mistake` must be reported, and nothing else) and `programs/correct.py` (every
documented form; must be clean). Both where the package is this checkout and where it is
installed from its wheel, with the programs outside the repository."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = Path(__file__).resolve().parent / "programs"
MISTAKES = PROGRAMS / "mistakes.py"
CORRECT = PROGRAMS / "correct.py"
BIN = Path(sys.executable).parent


def _marked_lines() -> set[int]:
    lines = MISTAKES.read_text().splitlines()
    return {number for number, line in enumerate(lines, 1) if re.search(r"#\s*mistake\b", line)}


@dataclass(frozen=True)
class Site:
    """Where the checkers run and how they find pulumi_ionoscr."""

    cwd: Path
    programs: Path
    env: dict[str, str]

    def run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args,
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )


@pytest.fixture(scope="module", params=["checkout", "wheel"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Site:
    if request.param == "checkout":
        # From the checkout's root, where `pulumi_ionoscr` is importable to both checkers.
        return Site(REPO_ROOT, PROGRAMS, dict(os.environ))
    root = tmp_path_factory.mktemp("user")
    installed = root / "site-packages"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(installed),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    assert (installed / "pulumi_ionoscr" / "py.typed").is_file()
    programs = root / "programs"
    shutil.copytree(PROGRAMS, programs)
    paths = {"MYPYPATH": str(installed), "PYTHONPATH": str(installed)}
    return Site(root, programs, {**os.environ, **paths})


@pytest.fixture(scope="module")
def mypy_errors(
    site: Site, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[tuple[int, str]]]:
    """{file name: [(line, message), ...]} of every mypy error."""
    cache = tmp_path_factory.mktemp("mypy-cache")
    done = site.run(
        [
            str(BIN / "mypy"),
            "--strict",
            "--config-file=",
            "--cache-dir",
            str(cache),
            str(site.programs),
        ]
    )
    found: dict[str, list[tuple[int, str]]] = {MISTAKES.name: [], CORRECT.name: []}
    pattern = r"^(?P<file>[^\s:]+):(?P<line>\d+): error: (?P<message>.*)$"
    for match in re.finditer(pattern, done.stdout, re.M):
        error = (int(match["line"]), match["message"])
        found.setdefault(Path(match["file"]).name, []).append(error)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return found


@pytest.fixture(scope="module")
def pyright_errors(site: Site) -> dict[str, list[int]]:
    done = site.run(
        [str(BIN / "pyright"), "--outputjson", "--pythonpath", sys.executable, str(site.programs)]
    )
    report = json.loads(done.stdout)
    found: dict[str, list[int]] = {MISTAKES.name: [], CORRECT.name: []}
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            line = diagnostic["range"]["start"]["line"] + 1
            found.setdefault(Path(diagnostic["file"]).name, []).append(line)
    return found


def test_the_mistakes_program_marks_mistakes() -> None:
    assert len(_marked_lines()) >= 15


def _mistakes_mypy_reports(errors: list[tuple[int, str]]) -> list[int]:
    """The lines of `errors`, a line once per mistake: mypy reports a misspelt keyword to an
    overloaded function as two errors from one diagnostic, "Unexpected keyword argument" and
    then "No overload variant" (for every overloaded function, generated SDKs' too)."""
    lines = []
    for index, (line, message) in enumerate(errors):
        previous = errors[index - 1] if index else (0, "")
        pair = previous[0] == line and previous[1].startswith("Unexpected keyword argument")
        if not (pair and message.startswith("No overload variant")):
            lines.append(line)
    return lines


def test_mypy_reports_each_mistake_once_and_nothing_else(
    mypy_errors: dict[str, list[tuple[int, str]]],
) -> None:
    assert sorted(_mistakes_mypy_reports(mypy_errors[MISTAKES.name])) == sorted(_marked_lines())


def test_mypy_finds_the_correct_program_clean(
    mypy_errors: dict[str, list[tuple[int, str]]],
) -> None:
    assert mypy_errors[CORRECT.name] == []
    assert set(mypy_errors) == {MISTAKES.name, CORRECT.name}  # nothing in the package either


def test_pyright_reports_each_mistake_once(pyright_errors: dict[str, list[int]]) -> None:
    assert sorted(pyright_errors[MISTAKES.name]) == sorted(_marked_lines())


def test_pyright_finds_the_correct_program_clean(pyright_errors: dict[str, list[int]]) -> None:
    assert pyright_errors[CORRECT.name] == []
    assert set(pyright_errors) == {MISTAKES.name, CORRECT.name}


def test_type_completeness_of_the_public_interface(tmp_path: Path) -> None:
    """`pyright --verifytypes`: the share of public symbols whose types are known. What stays
    unknown is inherited from the Pulumi SDK (subclasses of `pulumi.dynamic.Resource` and
    `pulumi.runtime.Mocks`)."""
    done = subprocess.run(
        [
            str(BIN / "pyright"),
            "--outputjson",
            "--pythonpath",
            sys.executable,
            "--verifytypes",
            "pulumi_ionoscr",
            "--ignoreexternal",
        ],
        # An editable install is an import hook pyright cannot follow: name the checkout.
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    report = json.loads(done.stdout)["typeCompleteness"]
    assert report["packageName"] == "pulumi_ionoscr"
    assert report["completenessScore"] >= 0.94, report["completenessScore"]
