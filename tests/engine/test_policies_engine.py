"""The ready policy pack (as `python -m pulumi_ionoscr.policies init` writes it, in its own venv)
under the real engine: `pulumi preview --policy-pack DIR` blocks a mandatory violation, only
warns on an advisory one, and `--policy-pack-config` changes the outcome; `pulumi up` with the
pack never lets a blocked resource reach the API."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from _harness import CommandResult
from _scenarios import (  # noqa: F401  (fixtures)
    Cloud,
    RegistrySpec,
    StackFactory,
    TokenSpec,
    _cloud,
    _emulator_process,
    fleet_program,
    ionoscr_stack,
)

pytestmark = pytest.mark.engine

LEAST_PRIVILEGE = "ionoscr-token-least-privilege"
GC_SCHEDULE = "ionoscr-registry-gc-schedule"


def _config(tmp_path: Path, name: str, config: dict[str, object]) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(config))
    return path


def _reported(result: CommandResult, policy: str, level: str) -> bool:
    """Whether the output lists `policy` at enforcement `level` (`[mandatory]`/`[advisory]`)."""
    return any(policy in line and f"[{level}]" in line for line in result.output.splitlines())


def test_policy_pack_enforces_and_is_configurable(
    inline_stack: StackFactory, cloud: Cloud, ionoscr_policy_pack: Path, tmp_path: Path
) -> None:
    soon = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=90)).strftime("%Y-%m-%d")
    ci = TokenSpec("ci", "ci-push", expiry_date=f"{soon}T00:00:00Z")
    registry = RegistrySpec("main", "engine-policy", tokens=[ci], repositories=["app"])
    stack = ionoscr_stack(inline_stack, cloud, fleet_program([registry]), project="engine-policies")
    pack = [ionoscr_policy_pack]

    # Compliant: no policy is reported.
    clean = stack.preview(policy_packs=pack)
    assert "ionoscr-" not in clean.output, clean.describe()

    # Mandatory: push on every repository blocks the preview, naming the policy and the fix.
    ci.scopes = [{"name": "*", "actions": ["pull", "push"]}]
    blocked = stack.preview(policy_packs=pack, expect_failure=True)
    assert _reported(blocked, LEAST_PRIVILEGE, "mandatory"), blocked.describe()
    assert "Fix:" in blocked.output

    # ... and `pulumi up` refuses it too: the token never reaches the API.
    stack.up(policy_packs=pack, expect_failure=True)
    assert not any(reg["tokens"] for reg in cloud.registries())
    assert not any(
        r["method"] == "POST" and r["path"].endswith("/tokens") for r in cloud.requests()
    )

    # Config allows wildcard push: the same program passes.
    allowed = _config(tmp_path, "allow-wildcard", {LEAST_PRIVILEGE: {"allowWildcardPush": True}})
    passed = stack.preview(policy_packs=pack, policy_pack_configs=[allowed])
    assert not _reported(passed, LEAST_PRIVILEGE, "mandatory"), passed.describe()

    # Advisory: no garbage-collection schedule only warns.
    ci.scopes = [{"name": "app", "actions": ["pull", "push"]}]
    registry.gc_days = None
    warned = stack.preview(policy_packs=pack)
    assert _reported(warned, GC_SCHEDULE, "advisory"), warned.describe()
    assert "garbage_collection_schedule" in warned.output

    # Config makes it mandatory: now it blocks.
    strict = _config(tmp_path, "strict-gc", {GC_SCHEDULE: "mandatory"})
    escalated = stack.preview(policy_packs=pack, policy_pack_configs=[strict], expect_failure=True)
    assert _reported(escalated, GC_SCHEDULE, "mandatory"), escalated.describe()
