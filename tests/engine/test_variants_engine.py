"""One stack under the real engine with every UNCERTAIN answer switched at once: an emulator
started with a non-default value of every variant runs up, a no-op preview, an in-place
update, a refresh and destroy, with no perpetual diff, no replacement and nothing left over.
(tests/variants proves each value on its own, at the provider level.)"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator

import httpx
import pytest
from _scenarios import (
    REGISTRY_TYPE,
    TOKEN_TYPE,
    Cloud,
    RegistrySpec,
    StackFactory,
    TokenSpec,
    declared,
    fleet_program,
    ionoscr_stack,
    plain_outputs,
    state_resources,
)

from pulumi_ionoscr.emulator import RunningEmulator, run_emulator
from pulumi_ionoscr.emulator._variants import VARIANTS

from ..variants._lifecycles import push_image

pytestmark = pytest.mark.engine

#: One non-default value per variant: the last one listed, except where another is the harder
#: case for this stack. `hostname-at=post` with `token-before-running=refused-409` is the pair
#: that once made tokens fail; under `repository-path=single-segment` no multi-segment
#: repository can be purged at all, so destroy would rightly fail.
COMBINED = {
    **{name: variant.choices[-1] for name, variant in VARIANTS.items()},
    "hostname-at": "post",
    "repository-path": "raw-only",
}


@pytest.fixture(scope="module")
def variant_emulator() -> Iterator[RunningEmulator]:
    # Default (read-driven) timing: transitional states are seen without costing wall time.
    with run_emulator(subprocess=True, variants=COMBINED) as emu:
        yield emu


@pytest.fixture
def cloud(variant_emulator: RunningEmulator) -> Cloud:
    variant_emulator.admin.reset()
    return Cloud(emu=variant_emulator, credential="engine-variants-" + secrets.token_hex(8))


def push(cloud: Cloud, docker_config_json: str, repository: str) -> None:
    """Push one image with the credentials a RegistryToken hands out."""
    [entry] = json.loads(docker_config_json)["auths"].values()
    auth = {"Authorization": f"Basic {entry['auth']}"}
    with httpx.Client(base_url=cloud.emu.origin, headers=auth, timeout=30) as oci:
        assert push_image(oci, repository, "v1") == 201


def test_every_variant_has_a_non_default_value_in_the_run() -> None:
    assert set(COMBINED) == set(VARIANTS)
    assert all(COMBINED[name] != variant.default for name, variant in VARIANTS.items())


def test_stack_lifecycle_with_every_variant_at_once(
    inline_stack: StackFactory, cloud: Cloud
) -> None:
    main = RegistrySpec(
        "main",
        "engine-variants",
        tokens=[
            TokenSpec(
                "ci",
                "ci-push",
                scopes=[{"name": "team/*", "actions": ["pull", "push"]}],
                expiry_date="2030-01-01T00:00:00Z",
            ),
            TokenSpec("pull", "cluster-pull", scopes=[{"name": "*", "actions": ["pull"]}]),
        ],
        allow_list=["203.0.113.7", "192.168.0.167/24"],
        repositories=["team/app", "solo"],
    )
    bare = RegistrySpec("bare", "engine-variants-bare", gc_days=None, allow_list=None)
    fleet = [main, bare]
    stack = ionoscr_stack(inline_stack, cloud, fleet_program(fleet), project="engine-variants")

    assert cloud.emu.admin.variants() == COMBINED
    stack.up()
    assert cloud.holdings() == declared(fleet)
    first = stack.outputs(show_secrets=True)
    assert first["main_hostname"] == "engine-variants.cr.de-fra.ionos.com"
    ids = {r["urn"]: r["id"] for r in state_resources(stack, REGISTRY_TYPE)}
    stack.preview(expect_no_changes=True)

    # An image pushed with the token's credentials shows up on refresh, then nothing changes.
    push(cloud, first["ci_docker_config_json"], "team/app")
    stack.refresh()
    assert first["main_repo0_url"] == "engine-variants.cr.de-fra.ionos.com/team/app"
    stack.preview(expect_no_changes=True)

    # In place: a new schedule and allow list, a disabled token with another expiry.
    main.gc_days, main.gc_time = ["Monday"], "04:00"
    main.allow_list = ["198.51.100.0/24"]
    ci = main.tokens[0]
    ci.status, ci.expiry_date = "disabled", "2031-06-01T00:00:00Z"
    result = stack.up()
    assert "replace" not in result.stdout, result.describe()
    assert {r["urn"]: r["id"] for r in state_resources(stack, REGISTRY_TYPE)} == ids
    after = stack.outputs(show_secrets=True)
    assert after["ci_password"] == first["ci_password"]
    tokens = plain_outputs(stack, TOKEN_TYPE)
    assert tokens["ci-push"]["status"] == "disabled"
    assert tokens["ci-push"]["expiry_date"] == "2031-06-01T00:00:00Z"
    live = cloud.get(f"registries/{first['main_id']}")["properties"]
    assert live["garbageCollectionSchedule"]["days"] == ["Monday"]
    stack.preview(expect_no_changes=True)
    stack.refresh(expect_no_changes=True)
    stack.preview(expect_no_changes=True)

    stack.destroy()
    assert cloud.registries() == []
    assert state_resources(stack, REGISTRY_TYPE) == []
