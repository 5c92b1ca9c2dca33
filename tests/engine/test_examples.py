"""Every project in `examples/` under the real engine, as a user runs it from its README:
`pulumi up` succeeds with the right outputs (secrets shown as `[secret]`), `pulumi preview`
right after has nothing to do, and `pulumi destroy` leaves the emulator as it found it.
Each runs in the `venv` its Pulumi.yaml declares (a link to the project's), without
`PULUMI_PYTHON_CMD`, and the policies example with the pack as `init` writes it."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from _harness import REPO_ROOT, PulumiCli, PulumiStack
from _scenarios import (  # noqa: F401  (fixtures)
    Cloud,
    StackFactory,
    _cloud,
    _emulator_process,
    ionoscr_stack,
)

pytestmark = pytest.mark.engine

EXAMPLES_DIR = REPO_ROOT / "examples"
EXAMPLES = sorted(p.parent.name for p in EXAMPLES_DIR.glob("*/Pulumi.yaml"))
# Variants of an example with config from its README: "<example>+<variant>".
VARIANTS = ["ci-tokens+kubernetes"]

# Output names that carry a hostname or a credential: always shown as [secret].
SECRET_MARKERS = ("hostname", "username", "password", "docker_config_json")

Outputs = dict[str, Any]


@dataclass
class Run:
    """One example's run: the stack, the emulator, and what the setup made outside Pulumi."""

    stack: PulumiStack
    cloud: Cloud
    policy_pack: Path  # the pack as `python -m pulumi_ionoscr.policies init` writes it
    made_outside: dict[str, str] = field(default_factory=dict)  # registry name -> id


@dataclass
class ExampleCase:
    """What an example needs before `pulumi up` (config, registries made outside Pulumi) and
    what a user must see afterwards."""

    check_outputs: Callable[[Run, Outputs, Outputs], None]
    # Registries to create through the API first, and config built from their ids.
    outside: tuple[str, ...] = ()
    config: Callable[[Run], dict[str, str]] = lambda _run: {}
    # Registries the emulator holds after `pulumi destroy` (default: none).
    after_destroy: Callable[[Run], set[str]] = lambda _run: set()
    extra: Callable[[Run], None] | None = None
    # Why this variant cannot run here (None: it can).
    unavailable: Callable[[PulumiCli], str | None] = lambda _cli: None


def _create_outside(cloud: Cloud, name: str) -> str:
    """A registry made as another tool would (plain API calls), waited for until Running."""
    with cloud.api() as api:
        answer = api.post("registries", json={"properties": {"name": name, "location": "de/fra"}})
        answer.raise_for_status()
        registry_id: str = answer.json()["id"]
        for _ in range(50):
            if api.get(f"registries/{registry_id}").json()["metadata"]["state"] == "Running":
                return registry_id
    raise AssertionError(f"registry {name} made outside Pulumi never became Running")


def _only_registry(run: Run) -> dict[str, Any]:
    registries = run.cloud.registries()
    assert len(registries) == 1, registries
    return registries[0]


def _assert_docker_config(doc: str, hostname: str, username: str, password: str) -> None:
    entry = json.loads(doc)["auths"][hostname]
    assert (entry["username"], entry["password"]) == (username, password)


def _years_ahead(value: str, days: int) -> None:
    expiry = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    ahead = expiry - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(days=days - 2) < ahead <= dt.timedelta(days=days + 1), value


# --------------------------------------------------------------------- per example


def _quickstart(run: Run, shown: Outputs, revealed: Outputs) -> None:
    registry = _only_registry(run)
    assert shown["registry_id"] == registry["id"]
    assert [t["name"] for t in registry["tokens"]] == [revealed["token_username"]]
    assert revealed["hostname"] == registry["hostname"]
    _years_ahead(shown["token_expiry"], 365)
    assert run.cloud.login_status(revealed["token_username"], revealed["token_password"]) == 200
    _assert_docker_config(
        revealed["docker_config_json"],
        registry["hostname"],
        revealed["token_username"],
        revealed["token_password"],
    )


def _ci_tokens(run: Run, shown: Outputs, revealed: Outputs) -> None:
    registry = _only_registry(run)
    assert shown["registry_id"] == registry["id"]
    assert revealed["registry_hostname"] == registry["hostname"]
    assert len(registry["tokens"]) == 2
    assert run.cloud.login_status(revealed["ci_username"], revealed["ci_password"]) == 200
    pull = json.loads(revealed["cluster_docker_config_json"])["auths"][registry["hostname"]]
    assert pull["username"] != revealed["ci_username"]
    assert run.cloud.login_status(pull["username"], pull["password"]) == 200
    scopes = {t["name"]: t["scopes"] for t in registry["tokens"]}
    assert scopes[pull["username"]] == [{"name": "app", "type": "repository", "actions": ["pull"]}]
    assert dt.date.fromisoformat(shown["tokens_expire"][:10]) > dt.date.today()


def _policies(run: Run, shown: Outputs, revealed: Outputs) -> None:
    registry = _only_registry(run)
    assert shown["registry_id"] == registry["id"]
    assert run.cloud.login_status(registry["tokens"][0]["name"], revealed["token_password"]) == 200


def _policies_with_pack(run: Run) -> None:
    """The README's claims: the pack fails the preview on four mandatory violations and warns
    on two advisory ones; the relaxed config lets it pass with three warnings."""
    pack = run.policy_pack
    blocked = run.stack.preview(policy_packs=[pack], expect_failure=True)
    lines = blocked.output.splitlines()
    for policy, level in (
        ("ionoscr-registry-api-allow-list", "mandatory"),
        ("ionoscr-token-expiry", "mandatory"),
        ("ionoscr-token-least-privilege", "mandatory"),
        ("ionoscr-registry-gc-schedule", "advisory"),
        ("ionoscr-registry-vulnerability-scanning", "advisory"),
    ):
        assert any(policy in line and f"[{level}]" in line for line in lines), (
            f"{policy} [{level}] not reported:\n{blocked.describe()}"
        )
    relaxed = run.stack.work_dir / "relaxed-policy-config.json"
    passed = run.stack.preview(policy_packs=[pack], policy_pack_configs=[relaxed])
    assert "[mandatory]" not in passed.output, passed.describe()
    assert "[advisory]" in passed.output, passed.describe()


def _adopt_existing(run: Run, shown: Outputs, revealed: Outputs) -> None:
    legacy, shared = run.made_outside["legacy-images"], run.made_outside["shared-images"]
    assert shown["adopted_registry_id"] == legacy
    assert shown["read_registry_name"] == "shared-images"
    assert shown["read_registry_state"] == "Running"
    held = {r["name"]: r for r in run.cloud.registries()}
    assert set(held) == {"legacy-images", "shared-images"}
    assert revealed["adopted_hostname"] == held["legacy-images"]["hostname"]
    assert revealed["read_hostname"] == held["shared-images"]["hostname"]
    # The adopted registry took the program's schedule; the read one is untouched.
    schedule = run.cloud.get(f"registries/{legacy}")["properties"]["garbageCollectionSchedule"]
    assert schedule["days"] == ["Sunday"] and schedule["time"].startswith("04:00")
    assert "garbageCollectionSchedule" not in run.cloud.get(f"registries/{shared}")["properties"]


CASES: dict[str, ExampleCase] = {
    "quickstart": ExampleCase(_quickstart),
    "ci-tokens": ExampleCase(_ci_tokens),
    "policies": ExampleCase(_policies, extra=_policies_with_pack),
    "adopt-existing": ExampleCase(
        _adopt_existing,
        outside=("legacy-images", "shared-images"),
        config=lambda run: {
            "adopt-existing:registryName": "legacy-images",
            "adopt-existing:readRegistryId": run.made_outside["shared-images"],
        },
        # README: destroy hands the adopted registry back, and never touches the read one.
        after_destroy=lambda _run: {"legacy-images", "shared-images"},
    ),
}


def _kubernetes_unavailable(cli: PulumiCli) -> str | None:
    has_plugin = (cli.bin_dir / "pulumi-resource-kubernetes").exists() or shutil.which(
        "pulumi-resource-kubernetes"
    )
    if not has_plugin or importlib.util.find_spec("pulumi_kubernetes") is None:
        return (
            "ci-tokens with ci-tokens:kubernetes=true needs pulumi-kubernetes and the "
            "pulumi-resource-kubernetes plugin and a cluster (README); none here. The Secret is "
            "covered under mocks by tests/examples"
        )
    return None


def _ci_tokens_kubernetes(run: Run, shown: Outputs, revealed: Outputs) -> None:
    assert shown["pull_secret_name"] == "ionoscr-pull"


CASES["ci-tokens+kubernetes"] = ExampleCase(
    _ci_tokens_kubernetes,
    config=lambda _run: {"ci-tokens:kubernetes": "true"},
    unavailable=_kubernetes_unavailable,
)


def _generic(run: Run, shown: Outputs, revealed: Outputs) -> None:
    """An example this file does not know yet: it must at least have outputs."""
    assert shown, "the example exports nothing"


@pytest.mark.parametrize("example", EXAMPLES + [v for v in VARIANTS if v.split("+")[0] in EXAMPLES])
def test_example(
    example: str,
    directory_stack: StackFactory,
    cloud: Cloud,
    pulumi_cli: PulumiCli,
    ionoscr_policy_pack: Path,
) -> None:
    case = CASES.get(example, ExampleCase(_generic))
    reason = case.unavailable(pulumi_cli)
    if reason is not None:
        pytest.skip(reason)
    made = {name: _create_outside(cloud, name) for name in case.outside}
    stack = ionoscr_stack(directory_stack, cloud, EXAMPLES_DIR / example.split("+")[0])
    run = Run(stack=stack, cloud=cloud, policy_pack=ionoscr_policy_pack, made_outside=made)
    for key, value in case.config(run).items():
        stack.config_set(key, value)

    stack.up()
    shown = stack.outputs()
    revealed = stack.outputs(show_secrets=True)
    for key, value in shown.items():
        if any(marker in key for marker in SECRET_MARKERS):
            assert value == "[secret]", f"output {key} is not a secret"
    case.check_outputs(run, shown, revealed)

    stack.preview(expect_no_changes=True)
    if case.extra is not None:
        case.extra(run)

    stack.destroy()
    assert {r["name"] for r in cloud.registries()} == case.after_destroy(run)
    assert not [r for r in stack.resources() if r["type"].startswith("pulumi-python:dynamic/")]


def test_examples_are_discovered() -> None:
    """The parametrization above is not silently empty."""
    assert {"quickstart", "ci-tokens", "policies", "adopt-existing"} <= set(EXAMPLES)
