"""The CI examples run: the commands are read from `examples/ci/github-actions.yml` and
`examples/ci/gitlab-ci.yml` (not copied) and run in bash, in a repository laid out as the
files assume, with the built wheel, against the emulator: a pull request's (merge request's)
preview with the policy pack, then the main branch's `up` and its no-change preview.

What the test stands in for: the CI's secret store (environment variables), the runner's
Python (the interpreter this venv was made from, which cannot import pulumi), and the step
that installs the Pulumi CLI (the CLI the engine tier uses goes on PATH instead)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from _harness import REPO_ROOT, PulumiCli

from pulumi_ionoscr.emulator import RunningEmulator

from ..conftest import Dist

pytestmark = pytest.mark.engine

WORKFLOWS = REPO_ROOT / "examples" / "ci"
# The GitHub step the test replaces with this machine's CLI, and GitLab's lines that do the same.
CLI_STEP = "Install the Pulumi CLI"
CLI_LINES = ("curl -fsSL https://get.pulumi.com | sh", 'export PATH="$HOME/.pulumi/bin:$PATH"')
STEP_TIMEOUT = 900


@dataclass(frozen=True)
class Command:
    """One thing CI runs: a GitHub step or a GitLab job, as a bash script."""

    name: str
    script: str
    cwd: str  # relative to the repository


# ---- reading the workflows --------------------------------------------------------------------


def _github_condition(expression: str, context: Mapping[str, str]) -> bool:
    """`a == 'x' && b == 'y'` over `github.*` values (all the example uses)."""
    results = []
    for clause in expression.split("&&"):
        left, right = (part.strip() for part in clause.split("=="))
        results.append(context[left] == right.strip("'"))
    return all(results)


def github_commands(context: Mapping[str, str]) -> tuple[list[Command], list[str]]:
    """The `run:` steps GitHub would run for this event, and the steps the test skips."""
    workflow = yaml.safe_load((WORKFLOWS / "github-actions.yml").read_text())
    defaults = workflow["defaults"]["run"]
    assert defaults["shell"] == "bash"
    [job] = workflow["jobs"].values()
    commands, skipped = [], []
    for step in job["steps"]:
        if "if" in step and not _github_condition(step["if"], context):
            continue
        if "uses" in step or step.get("name") == CLI_STEP:
            skipped.append(step.get("name") or step["uses"].split("@")[0])
            continue
        assert "${{" not in step["run"], "expressions in run: are a script injection risk"
        cwd = step.get("working-directory", defaults["working-directory"])
        commands.append(Command(step["name"], step["run"], cwd))
    return commands, skipped


def github_env(secrets: Mapping[str, str]) -> dict[str, str]:
    """The workflow's `env:`, with `${{ secrets.X }}` / `${{ vars.X }}` from `secrets`."""
    workflow = yaml.safe_load((WORKFLOWS / "github-actions.yml").read_text())
    env = {}
    for key, value in workflow["env"].items():
        found = re.fullmatch(r"\$\{\{ (?:secrets|vars)\.(\w+) \}\}", str(value))
        env[key] = secrets[found[1]] if found else str(value)
    return env


def _gitlab_rule(expression: str, context: Mapping[str, str]) -> bool:
    left, right = (part.strip() for part in expression.split("=="))

    def value(term: str) -> str:
        return context[term[1:]] if term.startswith("$") else term.strip("\"'")

    return value(left) == value(right)


def gitlab_commands(context: Mapping[str, str]) -> tuple[list[Command], list[str]]:
    """The jobs GitLab would run for this pipeline, each as one script (GitLab runs a job's
    before_script and script in one shell, stopping at the first failing line)."""
    pipeline = yaml.safe_load((WORKFLOWS / "gitlab-ci.yml").read_text())
    commands, skipped = [], []
    for name in ("preview", "deploy"):
        job = pipeline[name]
        if not any(_gitlab_rule(rule["if"], context) for rule in job["rules"]):
            continue
        lines = pipeline[job["extends"]]["before_script"] + job["script"]
        skipped += [line for line in lines if line in CLI_LINES]
        script = "\n".join(line for line in lines if line not in CLI_LINES)
        commands.append(Command(name, script, "."))
    return commands, skipped


def gitlab_variables() -> dict[str, str]:
    pipeline = yaml.safe_load((WORKFLOWS / "gitlab-ci.yml").read_text())
    return {k: str(v) for k, v in pipeline["variables"].items()}


# ---- the repository and the runner --------------------------------------------------------------


def _repository(root: Path, wheel: Path, program: str) -> Path:
    """A user's repository as the workflows assume it: infra/ and the wheel in wheels/."""
    (root / "wheels").mkdir(parents=True)
    shutil.copy(wheel, root / "wheels" / wheel.name)
    infra = root / "infra"
    infra.mkdir()
    (infra / "Pulumi.yaml").write_text(
        "name: infra\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n"
    )
    (infra / "requirements.txt").write_text(f"../wheels/{wheel.name}\n")
    shutil.copy(REPO_ROOT / "examples" / program / "__main__.py", infra / "__main__.py")
    return root


def _runner_python(root: Path) -> Path:
    """`python`/`python3` as setup-python or the python image give them: a plain interpreter."""
    bin_dir = root / "runner-bin"
    bin_dir.mkdir()
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    for name in ("python", "python3"):
        (bin_dir / name).symlink_to(base)
    return bin_dir


@dataclass
class Runner:
    repo: Path
    env: dict[str, str]

    def run(self, command: Command) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command.script],
            cwd=self.repo / command.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
            check=False,
        )

    def run_all(self, commands: list[Command]) -> str:
        printed = []
        for command in commands:
            done = self.run(command)
            assert done.returncode == 0, f"{command.name}:\n{done.stdout}\n{done.stderr}"
            printed.append(done.stdout + done.stderr)
        return "\n".join(printed)

    def pulumi(self, *args: str) -> None:
        subprocess.run(
            ["pulumi", *args, "--yes", "--non-interactive"],
            cwd=self.repo / "infra",
            env=self.env,
            check=True,
            capture_output=True,
            timeout=STEP_TIMEOUT,
        )


def _runner(
    tmp_path: Path,
    cli: PulumiCli,
    emulator: RunningEmulator,
    wheel: Path,
    program: str,
    ci_env: Mapping[str, str],
) -> Runner:
    repo = _repository(tmp_path / "repo", wheel, program)
    runner_bin = _runner_python(tmp_path)
    env = {
        "HOME": str(tmp_path / "home"),
        "PATH": os.pathsep.join([str(cli.bin_dir), str(runner_bin), "/usr/bin", "/bin"]),
        "PULUMI_HOME": str(tmp_path / "pulumi-home"),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        # Not in a real CI: the providers talk to the emulator instead of the IONOS API.
        "IONOSCR_ENDPOINT": emulator.base_url,
        **{k: v for k, v in os.environ.items() if k.startswith(("PIP_", "LANG", "LC_"))},
        **ci_env,
    }
    return Runner(repo, env)


# The CI secret store and variables.
SECRETS = {"IONOS_TOKEN": "ci-token", "PULUMI_CONFIG_PASSPHRASE": "ci-passphrase"}


def _secrets(tmp_path: Path) -> dict[str, str]:
    backend = tmp_path / "state"
    backend.mkdir()
    return {**SECRETS, "PULUMI_BACKEND_URL": backend.as_uri()}


# ---- the tests ---------------------------------------------------------------------------------


def test_github_actions_preview_on_pull_requests_and_up_on_main(
    pulumi_cli: PulumiCli, ionoscr_emulator: RunningEmulator, built_dist: Dist, tmp_path: Path
) -> None:
    summary, github_path = tmp_path / "summary.md", tmp_path / "github-path"
    ci_env = {
        **github_env(_secrets(tmp_path)),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_PATH": str(github_path),
    }
    runner = _runner(tmp_path, pulumi_cli, ionoscr_emulator, built_dist.wheel, "quickstart", ci_env)

    pull_request = {"github.event_name": "pull_request", "github.ref": "refs/pull/7/merge"}
    commands, skipped = github_commands(pull_request)
    assert skipped == ["actions/checkout", "actions/setup-python", CLI_STEP]
    assert [c.name for c in commands][-1] == "Preview with the policy pack"
    printed = runner.run_all(commands)
    assert "ionoscr-token-scopes-declared" in printed  # the pack ran (an advisory finding)
    assert "pulumi-python:dynamic/ionoscr:Registry" in summary.read_text()
    assert ionoscr_emulator.admin.registries() == []  # a preview changes nothing

    main = {"github.event_name": "push", "github.ref": "refs/heads/main"}
    commands, _ = github_commands(main)
    assert [c.name for c in commands][-2:] == ["Deploy", "Check that nothing is left to change"]
    runner.run_all(commands)
    assert len(ionoscr_emulator.admin.registries()) == 1
    runner.pulumi("destroy")
    assert ionoscr_emulator.admin.registries() == []


def test_github_actions_pull_request_fails_on_a_policy_violation(
    pulumi_cli: PulumiCli, ionoscr_emulator: RunningEmulator, built_dist: Dist, tmp_path: Path
) -> None:
    ci_env = {
        **github_env(_secrets(tmp_path)),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_PATH": str(tmp_path / "github-path"),
    }
    runner = _runner(tmp_path, pulumi_cli, ionoscr_emulator, built_dist.wheel, "policies", ci_env)
    *setup, preview = github_commands({"github.event_name": "pull_request", "github.ref": ""})[0]
    runner.run_all(setup)
    failed = runner.run(preview)
    assert failed.returncode != 0
    assert "mandatory" in failed.stdout + failed.stderr


def test_gitlab_merge_request_preview_then_deploy(
    pulumi_cli: PulumiCli, ionoscr_emulator: RunningEmulator, built_dist: Dist, tmp_path: Path
) -> None:
    ci_env = {**gitlab_variables(), **_secrets(tmp_path)}
    runner = _runner(tmp_path, pulumi_cli, ionoscr_emulator, built_dist.wheel, "quickstart", ci_env)
    merge_request = {
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_COMMIT_BRANCH": "",
        "CI_DEFAULT_BRANCH": "main",
    }
    jobs, skipped = gitlab_commands(merge_request)
    assert [j.name for j in jobs] == ["preview"] and skipped == list(CLI_LINES)
    assert "ionoscr-token-scopes-declared" in runner.run_all(jobs)
    assert ionoscr_emulator.admin.registries() == []

    default_branch = {
        "CI_PIPELINE_SOURCE": "push",
        "CI_COMMIT_BRANCH": "main",
        "CI_DEFAULT_BRANCH": "main",
    }
    jobs, _ = gitlab_commands(default_branch)
    assert [j.name for j in jobs] == ["deploy"]
    runner.run_all(jobs)
    assert len(ionoscr_emulator.admin.registries()) == 1
    runner.pulumi("destroy")
    assert ionoscr_emulator.admin.registries() == []
