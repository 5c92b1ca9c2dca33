"""Lookup functions inside a program run by the real engine: they read the stack's
configuration (no environment variables), and `get_registry_output` stays secret."""

from __future__ import annotations

import pulumi
import pytest
from _scenarios import (  # noqa: F401  (fixtures)
    Cloud,
    StackFactory,
    _cloud,
    _emulator_process,
    ionoscr_stack,
)

import pulumi_ionoscr as cr

pytestmark = pytest.mark.engine


def test_lookups_use_stack_config_inside_a_program(
    inline_stack: StackFactory, cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("IONOSCR_ENDPOINT", "IONOS_TOKEN", "IONOS_USERNAME", "IONOS_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    with cloud.api() as api:
        made = api.post(
            "registries", json={"properties": {"name": "looked-up", "location": "de/txl"}}
        )
        made.raise_for_status()
    registry_id = made.json()["id"]

    def program() -> None:
        pulumi.export("locations", cr.get_locations())
        pulumi.export("free", cr.is_name_available("never-made"))
        pulumi.export("taken", cr.is_name_available("looked-up"))
        info = cr.get_registry_output(name="looked-up")
        pulumi.export("found_id", info.apply(lambda r: r.id))
        pulumi.export("found_hostname", info.apply(lambda r: r.hostname))

    stack = ionoscr_stack(inline_stack, cloud, program)
    stack.up()
    outputs = stack.outputs(show_secrets=True)
    assert outputs["locations"] == ["de/fra", "de/txl", "es/vit"]
    assert outputs["free"] is True and outputs["taken"] is False
    assert outputs["found_id"] == registry_id
    assert outputs["found_hostname"] in ("", "looked-up.cr.de-txl.ionos.com")
    plain = stack.stack_output("found_hostname").stdout
    assert "[secret]" in plain and "looked-up.cr" not in plain
