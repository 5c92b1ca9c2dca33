"""`python -m pulumi_ionoscr.policies init DIR`: the ready pack where a user wants it, with a
requirements.txt that installs the very pulumi-ionoscr they have; the repository's
`policies/ionoscr/` is exactly what the command writes."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import pytest
import yaml

import pulumi_ionoscr
from pulumi_ionoscr.policies import _init

REPO_ROOT = Path(__file__).resolve().parents[2]
REPO_PACK = REPO_ROOT / "policies" / "ionoscr"
WHEEL = "pulumi_ionoscr-0.1.0-py3-none-any.whl"


def _run(*args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, *(["-c", code] if code else ["-m", "pulumi_ionoscr.policies"])]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=120, check=False
    )


def _editable_checkout() -> Path | None:
    """The checkout the running pulumi-ionoscr is an editable install of, if it is one."""
    source = _init.requirement(REPO_PACK)
    return source.local_path if source.line.startswith("-e ") else None


def test_the_repository_pack_is_what_init_writes() -> None:
    if _editable_checkout() != REPO_ROOT:
        pytest.skip("pulumi-ionoscr is not an editable install of this checkout (make install)")
    expected = _init.pack_files(_init.requirement(REPO_PACK))
    ignored = {"venv", "__pycache__"}  # git-ignored: a developer's venv, bytecode of a run
    held = {p.name: p.read_bytes() for p in REPO_PACK.iterdir() if p.name not in ignored}
    assert held == expected
    # Inside the checkout the pack installs the checkout itself, by a path pip resolves from
    # the pack directory.
    assert expected["requirements.txt"] == b"-e ../..[policy]\n"


def test_the_pack_has_the_package_version() -> None:
    pack_yaml = resources.files("pulumi_ionoscr.policies") / "pack" / "PulumiPolicy.yaml"
    assert yaml.safe_load(pack_yaml.read_text())["version"] == pulumi_ionoscr.__version__


def test_init_writes_the_pack_and_says_what_comes_next(tmp_path: Path) -> None:
    pack = tmp_path / "my pack"
    result = _run("init", str(pack))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in pack.iterdir()) == sorted([*_init.PACK_FILES, _init.REQUIREMENTS])
    requirement = (pack / "requirements.txt").read_text()
    if _editable_checkout() == REPO_ROOT:  # outside the checkout: its absolute path
        assert requirement == f"-e {REPO_ROOT}[policy]\n"
    assert "'policy' extra" in result.stdout
    quoted = f"'{pack}'"
    assert (
        f"(cd {quoted} && python3 -m venv venv && venv/bin/pip install -r requirements.txt)"
        in result.stdout
    )
    assert f"pulumi preview --policy-pack {quoted}" in result.stdout


def test_init_keeps_a_changed_pack_unless_forced(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    assert _run("init", str(pack)).returncode == 0
    (pack / "venv").mkdir()
    (pack / "__main__.py").write_text("# my own pack\n")
    refused = _run("init", str(pack))
    assert refused.returncode == 1
    assert "already has __main__.py with other content" in refused.stderr
    assert "--force" in refused.stderr
    assert (pack / "__main__.py").read_text() == "# my own pack\n"
    forced = _run("init", str(pack), "--force")
    assert forced.returncode == 0, forced.stderr
    assert (pack / "__main__.py").read_bytes() == (REPO_PACK / "__main__.py").read_bytes()
    assert (pack / "venv").is_dir()  # never touched


def test_init_works_without_the_policy_extra(tmp_path: Path) -> None:
    """The command only copies files: pulumi-policy is not needed until the pack runs, and
    using the policies without it names the extra to install."""
    without_extra = "import sys; sys.modules['pulumi_policy'] = None\n"
    init = _run(
        str(tmp_path / "pack"),
        code=without_extra + "import runpy; sys.argv = ['x', 'init', sys.argv[1]];"
        " runpy.run_module('pulumi_ionoscr.policies', run_name='__main__')",
    )
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "pack" / "PulumiPolicy.yaml").is_file()
    use = _run(code=without_extra + "from pulumi_ionoscr.policies import build_pack")
    assert use.returncode == 1
    assert "pip install 'pulumi-ionoscr[policy]'" in use.stderr


class _Installed(metadata.Distribution):
    """A pulumi-ionoscr 0.1.0 installed with the given PEP 610 record (None: from an index)."""

    def __init__(self, direct_url: dict[str, Any] | None) -> None:
        self._direct_url = direct_url

    def read_text(self, filename: str) -> str | None:
        if filename == "METADATA":
            return "Metadata-Version: 2.1\nName: pulumi-ionoscr\nVersion: 0.1.0\n"
        if filename == "direct_url.json" and self._direct_url is not None:
            return json.dumps(self._direct_url)
        return "pip\n" if filename == "INSTALLER" else None

    def locate_file(self, path: Any) -> Path:
        return Path(str(path))


@pytest.mark.parametrize(
    ("direct_url", "pack_dir", "line"),
    [
        (None, "/home/u/pack", "pulumi-ionoscr[policy]==0.1.0"),
        (
            {
                "url": "file:///home/u/dist/pulumi_ionoscr-0.1.0-py3-none-any.whl",
                "archive_info": {},
            },
            "/home/u/pack",
            "pulumi-ionoscr[policy] @ file:///home/u/dist/pulumi_ionoscr-0.1.0-py3-none-any.whl",
        ),
        (
            {"url": "https://example.org/pulumi_ionoscr-0.1.0.tar.gz", "archive_info": {}},
            "/home/u/pack",
            "pulumi-ionoscr[policy] @ https://example.org/pulumi_ionoscr-0.1.0.tar.gz",
        ),
        (
            {"url": "file:///home/u/src/pulumi-ionoscr", "dir_info": {}},
            "/home/u/pack",
            "/home/u/src/pulumi-ionoscr[policy]",
        ),
        (
            {"url": "file:///home/u/src/pulumi-ionoscr", "dir_info": {"editable": True}},
            "/home/u/src/pulumi-ionoscr/deploy/pack",
            "-e ../..[policy]",
        ),
        (
            {
                "url": "https://example.org/pulumi-ionoscr.git",
                "vcs_info": {"vcs": "git", "commit_id": "0123abcd", "requested_revision": "main"},
            },
            "/home/u/pack",
            "pulumi-ionoscr[policy] @ git+https://example.org/pulumi-ionoscr.git@0123abcd",
        ),
    ],
    ids=["index", "wheel", "url", "directory", "editable-inside", "git"],
)
def test_requirements_install_the_same_pulumi_ionoscr(
    monkeypatch: pytest.MonkeyPatch, direct_url: dict[str, Any] | None, pack_dir: str, line: str
) -> None:
    monkeypatch.setattr(_init, "_installed", lambda: _Installed(direct_url))
    assert _init.requirement(Path(pack_dir)).line == line


def test_a_wheel_that_is_gone_is_pointed_out(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    wheel = tmp_path / "pulumi_ionoscr-0.1.0-py3-none-any.whl"  # installed from, then removed
    monkeypatch.setattr(
        _init, "_installed", lambda: _Installed({"url": wheel.as_uri(), "archive_info": {}})
    )
    assert _init.main(["init", str(tmp_path / "pack")]) == 0
    assert (tmp_path / "pack" / "requirements.txt").read_text() == (
        f"pulumi-ionoscr[policy] @ {wheel.as_uri()}\n"
    )
    assert f"Warning: {wheel} no longer exists" in capsys.readouterr().out
