"""README's path for a pip user, end to end under the real engine: the built wheel installed
into a fresh venv of a project shaped like `pulumi new python`, the policy pack written by
`python -m pulumi_ionoscr.policies init` and its venv created by the command it prints, then
`pulumi up`, a no-op `preview`, `preview --policy-pack` and `destroy`, with no Python on PATH
that could import pulumi (nothing of this checkout or its venv is used)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from _harness import REPO_ROOT, PulumiCli, PulumiStack
from _scenarios import Cloud, _cloud, _emulator_process  # noqa: F401  (fixtures)

from ..conftest import Dist

pytestmark = pytest.mark.engine

PIP_TIMEOUT = 900


def _sh(command: str, *, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=PIP_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"$ {command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _user_stack(cli: PulumiCli, cloud: Cloud, tmp_path: Path, example: str) -> PulumiStack:
    """The user's project (an example's Pulumi.yaml and __main__.py, nothing else) whose
    declared venv is `tmp_path/venv`, the one the user installs the wheel into."""
    project = tmp_path / example
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO_ROOT / "examples" / example / name, project / name)
    return PulumiStack.from_directory(
        cli,
        project,
        root=tmp_path / f"{example}-stack",
        virtualenv=tmp_path / "venv",
        **cloud.stack_config(),
    )


def test_a_pip_user_gets_a_working_pack(
    pulumi_cli: PulumiCli, built_dist: Dist, cloud: Cloud, tmp_path: Path
) -> None:
    with _user_stack(pulumi_cli, cloud, tmp_path, "quickstart") as stack:
        env = stack.env()
        ambient = subprocess.run(
            ["bash", "-c", "python3 -c 'import pulumi'"], env=env, capture_output=True, check=False
        )
        if ambient.returncode == 0:
            pytest.skip("python3 on PATH can import pulumi here: the pack's venv proves nothing")
        _sh(
            f"python3 -m venv {tmp_path / 'venv'} && venv/bin/pip install {built_dist.wheel}",
            cwd=stack.work_dir,
            env=env,
        )

        # README: `venv/bin/python -m pulumi_ionoscr.policies init ionoscr-policies`, then the
        # two commands it prints.
        printed = _sh(
            "venv/bin/python -m pulumi_ionoscr.policies init ionoscr-policies",
            cwd=stack.work_dir,
            env=env,
        )
        commands = [line.strip() for line in printed.splitlines() if line.startswith("  ")]
        assert commands == [
            "(cd ionoscr-policies && python3 -m venv venv && venv/bin/pip install -r "
            "requirements.txt)",
            "pulumi preview --policy-pack ionoscr-policies",
        ], printed
        pack = stack.work_dir / "ionoscr-policies"
        assert (pack / "requirements.txt").read_text() == (
            f"pulumi-ionoscr[policy] @ {built_dist.wheel.as_uri()}\n"
        )
        _sh(commands[0], cwd=stack.work_dir, env=env)

        stack.up()
        assert len(cloud.registries()) == 1
        stack.preview(expect_no_changes=True)
        checked = stack.run(commands[1].split()[1:])
        assert "[advisory]  ionoscr-token-scopes-declared" in checked.output, checked.describe()
        stack.destroy()
        assert cloud.registries() == []

        # The same pack blocks a project that breaks the policies.
        with _user_stack(pulumi_cli, cloud, tmp_path, "policies") as broken:
            blocked = broken.preview(policy_packs=[pack], expect_failure=True)
            assert "[mandatory]  ionoscr-token-least-privilege" in blocked.output, (
                blocked.describe()
            )
