"""The sdist and wheel as an index would get them: `twine check` passes, both carry the
Apache-2.0 LICENSE, the policy pack and the plugin marker, and the metadata says what users and
tools need (licence, Python versions, classifiers, links)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

from ..conftest import REPO_ROOT, Dist

PACK = ["PulumiPolicy.yaml", "__main__.py", ".gitignore"]


def test_twine_check_passes(built_dist: Dist) -> None:
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "twine",
            "check",
            "--strict",
            str(built_dist.sdist),
            str(built_dist.wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2, checked.stdout


def test_the_wheel_carries_licence_pack_and_plugin_marker(built_dist: Dist) -> None:
    with zipfile.ZipFile(built_dist.wheel) as wheel:
        names = set(wheel.namelist())
        (info,) = {n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")}
        assert wheel.read(f"{info}/licenses/LICENSE") == (REPO_ROOT / "LICENSE").read_bytes()
        for name in PACK:
            packed = wheel.read(f"pulumi_ionoscr/policies/pack/{name}")
            assert packed == (REPO_ROOT / "policies" / "ionoscr" / name).read_bytes(), name
        assert {"pulumi_ionoscr/pulumi-plugin.json", "pulumi_ionoscr/py.typed"} <= names
        metadata = Parser().parsestr(wheel.read(f"{info}/METADATA").decode())
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata["Requires-Python"] == ">=3.10"
    classifiers = metadata.get_all("Classifier") or []
    assert "Programming Language :: Python :: 3.10" in classifiers
    assert "Typing :: Typed" in classifiers
    assert len(metadata.get_all("Project-URL") or []) >= 1
    assert "policy" in (metadata.get_all("Provides-Extra") or [])


def test_the_sdist_carries_licence_pack_and_plugin_marker(built_dist: Dist) -> None:
    with tarfile.open(built_dist.sdist) as sdist:
        names = {Path(*Path(n).parts[1:]).as_posix() for n in sdist.getnames()}
    assert "LICENSE" in names
    assert {f"pulumi_ionoscr/policies/pack/{name}" for name in PACK} <= names
    assert "pulumi_ionoscr/pulumi-plugin.json" in names
    assert "Apache License" in (REPO_ROOT / "LICENSE").read_text()
