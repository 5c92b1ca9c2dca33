"""Smoke tests that prove the engine harness: a tiny dynamic provider and a trivial policy pack
under the real Pulumi CLI (local file backend, passphrase secrets)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from _harness import PulumiCli, PulumiStack
from _smoke_provider import TYPE_TOKEN, Thing

pytestmark = pytest.mark.engine

StackFactory = Callable[..., PulumiStack]


def _things(stack: PulumiStack) -> list[dict[str, Any]]:
    return [r for r in stack.resources() if r["type"] == TYPE_TOKEN]


def test_cli_reports_its_version(pulumi_cli: PulumiCli) -> None:
    assert pulumi_cli.version.startswith("v3.")
    assert (pulumi_cli.bin_dir / "pulumi-resource-pulumi-python").exists()
    assert (pulumi_cli.bin_dir / "pulumi-language-python").exists()


def test_dynamic_provider_lifecycle(inline_stack: StackFactory, tmp_path: Path) -> None:
    store = tmp_path / "store"

    def program() -> None:
        thing = Thing("one", store_dir=str(store), label="hello", size=3)
        pulumi.export("label", thing.label)
        pulumi.export("thing_id", thing.thing_id)
        pulumi.export("token", thing.token)

    stack = inline_stack(program, project="engine-smoke")

    # up creates the resource through the provider process.
    stack.up()
    records = list(store.glob("*.json"))
    assert len(records) == 1
    created = json.loads(records[0].read_text())
    assert created["label"] == "hello"

    outputs = stack.outputs()
    assert outputs["label"] == "hello"
    assert outputs["thing_id"] == created["thing_id"]
    assert outputs["token"] == "[secret]"
    assert stack.outputs(show_secrets=True)["token"] == created["token"]

    # The secret output is ciphertext in the state, and nowhere in plain text.
    state = stack.export()
    things = [r for r in state.json["deployment"]["resources"] if r["type"] == TYPE_TOKEN]
    assert len(things) == 1
    token = things[0]["outputs"]["token"]
    assert isinstance(token, dict) and "ciphertext" in token, token
    assert created["token"] not in state.stdout
    # The provider is pickled by reference: small, names the importable module.
    assert "__provider" in things[0]["inputs"]

    # preview right after up: no changes (the CLI itself fails otherwise).
    stack.preview(expect_no_changes=True)

    # refresh reads the resource back without drift.
    stack.refresh(expect_no_changes=True)

    # destroy removes the resource through the provider.
    stack.destroy()
    assert list(store.glob("*.json")) == []
    assert _things(stack) == []


def test_secret_config_is_ciphertext(inline_stack: StackFactory) -> None:
    def program() -> None:
        config = pulumi.Config()
        pulumi.export("plain", config.require("plain"))
        pulumi.export("hidden", config.require_secret("hidden"))

    stack = inline_stack(
        program,
        project="engine-config",
        config={"plain": "visible"},
        secret_config={"hidden": "s3cr3t-value"},
    )
    stack_file = stack.work_dir / f"Pulumi.{stack.stack}.yaml"
    assert "s3cr3t-value" not in stack_file.read_text()
    stack.up()
    assert stack.outputs() == {"plain": "visible", "hidden": "[secret]"}
    assert "s3cr3t-value" not in stack.export().stdout
    assert stack.outputs(show_secrets=True)["hidden"] == "s3cr3t-value"


@pytest.mark.parametrize("mode", ["language-host", "inline"])
def test_directory_project(
    directory_stack: StackFactory, pulumi_cli: PulumiCli, tmp_path: Path, mode: str
) -> None:
    """A project directory (Pulumi.yaml + __main__.py) as examples/ has them: `pulumi up` runs
    it through the Python language host, or its __main__.py runs inline in this process."""
    if mode == "language-host" and not pulumi_cli.has_language_host:
        pytest.skip("no pulumi-language-python beside the CLI")
    project = tmp_path / "src"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: engine-dir\nruntime: python\n")
    (project / "__main__.py").write_text(
        textwrap.dedent(
            """
            import pulumi
            from _smoke_provider import Thing

            config = pulumi.Config()
            thing = Thing("from-dir", store_dir=config.require("store"), label="dir")
            pulumi.export("label", thing.label)
            """
        )
    )
    store = tmp_path / "store"
    stack = directory_stack(project, mode=mode, config={"store": str(store)})
    assert stack.mode == mode
    assert not (project / "Pulumi.dev.yaml").exists()  # the source tree stays untouched
    stack.up()
    assert stack.outputs() == {"label": "dir"}
    assert len(list(store.glob("*.json"))) == 1
    stack.preview(expect_no_changes=True)
    stack.destroy()
    assert list(store.glob("*.json")) == []


POLICY_PACK_MAIN = """
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def no_forbidden_label(args, report_violation):
    if args.resource_type == "{token}" and args.props.get("label") == "forbidden":
        report_violation("label 'forbidden' is not allowed")


PolicyPack(
    name="engine-smoke-pack",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[
        ResourceValidationPolicy(
            name="no-forbidden-label",
            description="Things must not be labelled 'forbidden'.",
            validate=no_forbidden_label,
        ),
    ],
)
"""


def _write_policy_pack(directory: Path) -> Path:
    directory.mkdir(parents=True)
    (directory / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (directory / "__main__.py").write_text(
        textwrap.dedent(POLICY_PACK_MAIN).replace("{token}", TYPE_TOKEN)
    )
    return directory


def test_mandatory_policy_blocks_preview(inline_stack: StackFactory, tmp_path: Path) -> None:
    pack = _write_policy_pack(tmp_path / "pack")
    store = tmp_path / "store"
    label = {"value": "fine"}

    def program() -> None:
        Thing("guarded", store_dir=str(store), label=label["value"])

    stack = inline_stack(program, project="engine-policy")

    ok = stack.preview(policy_packs=[pack])
    assert "no-forbidden-label" not in ok.output

    label["value"] = "forbidden"
    blocked = stack.preview(policy_packs=[pack], expect_failure=True)
    assert "no-forbidden-label" in blocked.output
    assert "label 'forbidden' is not allowed" in blocked.output
    assert "mandatory" in blocked.output.lower()

    # Advisory through --policy-pack-config: the same violation only warns.
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"no-forbidden-label": "advisory"}))
    warned = stack.preview(policy_packs=[pack], policy_pack_configs=[config])
    assert "label 'forbidden' is not allowed" in warned.output
    assert "advisory" in warned.output.lower()
    # Nothing was created by any of the previews.
    assert not store.exists() or list(store.glob("*.json")) == []


@pytest.mark.parametrize("mode", ["language-host", "inline"])
def test_program_error_is_reported(
    directory_stack: StackFactory, pulumi_cli: PulumiCli, tmp_path: Path, mode: str
) -> None:
    """A program that raises fails `pulumi up` with its message, instead of hanging."""
    if mode == "language-host" and not pulumi_cli.has_language_host:
        pytest.skip("no pulumi-language-python beside the CLI")
    project = tmp_path / "src"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: engine-error\nruntime: python\n")
    (project / "__main__.py").write_text("raise ValueError('boom from the program')\n")
    stack = directory_stack(project, mode=mode)
    failed = stack.up(expect_failure=True)
    assert "boom from the program" in failed.output
