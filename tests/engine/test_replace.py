"""Replacement under the real engine: renaming a token or a registry deletes the old one before
creating the new one (names are unique), leaves nothing behind, and switching vulnerability
scanning off is previewed as a replacement with the provider's reason shown."""

from __future__ import annotations

import re

import pytest
from _scenarios import (  # noqa: F401  (fixtures)
    Cloud,
    PulumiStack,
    RegistrySpec,
    StackFactory,
    TokenSpec,
    _cloud,
    _emulator_process,
    assert_order,
    declared,
    fleet_program,
    ionoscr_stack,
)

pytestmark = pytest.mark.engine


def _writes(cloud: Cloud, collection: str) -> list[str]:
    """`DELETE` and `POST` requests on `collection` (`registries` or `tokens`), in order."""
    pattern = re.compile(rf"/{collection}(/[^/]+)?$")
    return [
        r["method"]
        for r in cloud.requests()
        if r["method"] in ("DELETE", "POST") and pattern.search(r["path"])
    ]


def _up_replacing(stack: PulumiStack, cloud: Cloud, collection: str) -> None:
    """`pulumi up` that must replace one `collection` item delete-before-create."""
    cloud.emu.admin.clear_requests()
    result = stack.up()
    assert_order(result, "deleting original", "creating replacement")
    writes = _writes(cloud, collection)
    assert "DELETE" in writes and "POST" in writes, writes
    assert writes.index("DELETE") < writes.index("POST"), writes


def test_rename_replaces_delete_before_create(inline_stack: StackFactory, cloud: Cloud) -> None:
    ci = TokenSpec("ci", "ci-push")
    registry = RegistrySpec(
        "main",
        "engine-replace-a",
        tokens=[ci, TokenSpec("pull", "cluster-pull", scopes=[{"name": "*", "actions": ["pull"]}])],
        vulnerability_scanning=True,
    )
    fleet = [registry]
    stack = ionoscr_stack(inline_stack, cloud, fleet_program(fleet), project="engine-replace")
    stack.up()
    first = stack.outputs(show_secrets=True)

    # Token rename: only that token is replaced; its new password works, the old one is gone.
    ci.name = "ci-push-2"
    _up_replacing(stack, cloud, "tokens")
    assert cloud.holdings() == declared(fleet)
    second = stack.outputs(show_secrets=True)
    assert second["main_id"] == first["main_id"]
    assert second["pull_password"] == first["pull_password"]
    assert cloud.login_status("ci-push-2", second["ci_password"]) == 200
    assert cloud.login_status("ci-push", first["ci_password"]) == 401

    # Registry rename: the registry (and its tokens, whose registry_id changes) are replaced.
    registry.name = "engine-replace-b"
    _up_replacing(stack, cloud, "registries")
    assert cloud.holdings() == declared(fleet)
    third = stack.outputs(show_secrets=True)
    assert third["main_id"] != first["main_id"]
    assert third["main_hostname"].startswith("engine-replace-b.")
    for resource, username in (("ci", "ci-push-2"), ("pull", "cluster-pull")):
        assert cloud.login_status(username, third[f"{resource}_password"]) == 200
    stack.preview(expect_no_changes=True)

    # Scanning off: previewed as a replacement, and the provider's notice says why.
    registry.vulnerability_scanning = False
    preview = stack.preview(diff=True)
    # The engine passes the provider's stderr through to its own stderr (not as a diagnostic
    # of the resource), so a user sees the line in the terminal.
    assert "vulnerability scanning cannot be switched off" in preview.stderr, preview.describe()
    assert "+-pulumi-python:dynamic/ionoscr:Registry: (replace)" in preview.stdout
    assert re.search(r"~ vulnerability_scanning\s*: true => false", preview.stdout)
    assert cloud.holdings() == declared(fleet)  # a preview changes nothing
