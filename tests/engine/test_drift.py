"""Drift under the real engine: changes made behind Pulumi's back through the API are seen by
`pulumi refresh` and undone by `pulumi up`; a token deleted behind its back is recreated."""

from __future__ import annotations

import pytest
from _scenarios import (  # noqa: F401  (fixtures)
    REGISTRY_TYPE,
    TOKEN_TYPE,
    Cloud,
    RegistrySpec,
    StackFactory,
    TokenSpec,
    _cloud,
    _emulator_process,
    declared,
    fleet_program,
    ionoscr_stack,
    plain_outputs,
)

pytestmark = pytest.mark.engine

DECLARED_ALLOW_LIST = ["203.0.113.0/24"]
FOREIGN_ALLOW_LIST = ["198.51.100.7/32", "192.0.2.0/24"]


def test_refresh_sees_drift_and_up_puts_it_back(inline_stack: StackFactory, cloud: Cloud) -> None:
    fleet = [
        RegistrySpec(
            "main",
            "engine-drift",
            tokens=[TokenSpec("ci", "ci-push"), TokenSpec("pull", "cluster-pull")],
            allow_list=list(DECLARED_ALLOW_LIST),
        )
    ]
    stack = ionoscr_stack(inline_stack, cloud, fleet_program(fleet), project="engine-drift")
    stack.up()
    before = stack.outputs(show_secrets=True)
    registry_id = before["main_id"]
    tokens = {t["name"]: t["id"] for t in cloud.registry("engine-drift")["tokens"]}
    assert cloud.login_status("ci-push", before["ci_password"]) == 200

    # Someone else changes the registry and disables a token.
    with cloud.api() as api:
        api.patch(
            f"registries/{registry_id}",
            json={
                "apiSubnetAllowList": FOREIGN_ALLOW_LIST,
                "garbageCollectionSchedule": {"days": ["Monday"], "time": "04:00:00"},
            },
        ).raise_for_status()
        api.patch(
            f"registries/{registry_id}/tokens/{tokens['ci-push']}", json={"status": "disabled"}
        ).raise_for_status()
    assert cloud.login_status("ci-push", before["ci_password"]) == 401

    # refresh reports both resources as changed and records the live values.
    refreshed = stack.refresh()
    assert "engine-drift" not in refreshed.stderr  # no error mentioning the registry
    for line in ("Registry main", "RegistryToken ci"):
        assert any(line in out and "updated" in out for out in refreshed.stdout.splitlines()), (
            f"refresh does not report {line!r} as updated:\n{refreshed.describe()}"
        )
    registry_state = plain_outputs(stack, REGISTRY_TYPE)["engine-drift"]
    assert registry_state["api_subnet_allow_list"] == FOREIGN_ALLOW_LIST
    assert registry_state["garbage_collection_schedule"]["days"] == ["Monday"]
    token_state = plain_outputs(stack, TOKEN_TYPE)
    assert token_state["ci-push"]["status"] == "disabled"
    assert token_state["cluster-pull"]["status"] == "enabled"
    # The password from create survives the refresh (the API only ever shows it once).
    assert token_state["ci-push"]["password"] == before["ci_password"]

    # preview shows the drift as an update back to the program; up applies it.
    preview = stack.preview(diff=True)
    assert "api_subnet_allow_list" in preview.stdout, preview.describe()
    stack.up()
    live = cloud.get(f"registries/{registry_id}")["properties"]
    assert live["apiSubnetAllowList"] == DECLARED_ALLOW_LIST
    schedule = live["garbageCollectionSchedule"]
    assert sorted(schedule["days"]) == ["Saturday", "Sunday"]
    assert schedule["time"].startswith("02:30:00")
    live_token = cloud.get(f"registries/{registry_id}/tokens/{tokens['ci-push']}")
    assert live_token["properties"]["status"] == "enabled"
    after = stack.outputs(show_secrets=True)
    assert after["ci_password"] == before["ci_password"]
    assert cloud.login_status("ci-push", after["ci_password"]) == 200
    stack.preview(expect_no_changes=True)

    # A token deleted behind Pulumi's back: refresh drops it, up creates it again.
    with cloud.api() as api:
        api.delete(f"registries/{registry_id}/tokens/{tokens['cluster-pull']}").raise_for_status()
    stack.refresh()
    assert "cluster-pull" not in plain_outputs(stack, TOKEN_TYPE)
    stack.up()
    assert cloud.holdings() == declared(fleet)
    recreated = stack.outputs(show_secrets=True)["pull_password"]
    assert recreated and recreated != before["pull_password"]
    assert plain_outputs(stack, TOKEN_TYPE)["cluster-pull"]["password"] == recreated
    assert cloud.login_status("cluster-pull", recreated) == 200
    assert cloud.login_status("cluster-pull", before["pull_password"]) == 401
    stack.preview(expect_no_changes=True)
