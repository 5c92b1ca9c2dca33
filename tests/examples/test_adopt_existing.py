"""examples/adopt-existing under Pulumi mocks, and its create_outside.py against the emulator."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pulumi_ionoscr.emulator import RunningEmulator

from ._support import EXAMPLES, REGISTRY, existing_registry_name, run_example


def test_without_config_it_manages_nothing_and_says_how(monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_example("adopt-existing", monkeypatch=monkeypatch)
    assert run.registrations == []
    assert run.exports == {}
    [message] = run.logs
    assert "adopt-existing:registryName" in message
    assert "adopt-existing:readRegistryId" in message


def test_adopts_the_named_registry_and_hands_it_back_on_destroy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = run_example("adopt-existing", {"registryName": "legacy-images"}, monkeypatch=monkeypatch)
    [adopted] = run.registrations
    assert (adopted.type, adopted.name, adopted.read_id) == (REGISTRY, "adopted", None)
    assert adopted.inputs["name"] == "legacy-images"
    assert adopted.inputs["location"] == "de/fra"
    assert adopted.inputs["adopt_existing"] is True
    assert adopted.inputs["garbage_collection_schedule"] == {"days": ["Sunday"], "time": "04:00"}
    # Scanning is left as the registry has it: switching it off would replace (delete) it.
    assert adopted.inputs.get("vulnerability_scanning") is None
    assert adopted.retain_on_delete is True
    assert "hostname" in adopted.additional_secret_outputs
    assert run.exports["adopted_registry_id"] == adopted.outputs["registry_id"]
    assert run.exports["adopted_hostname"] == adopted.outputs["hostname"]
    assert run.logs == []


def test_retain_on_delete_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_example(
        "adopt-existing",
        {"registryName": "legacy-images", "location": "es/vit", "retainOnDelete": "false"},
        monkeypatch=monkeypatch,
    )
    [adopted] = run.registrations
    assert adopted.retain_on_delete is False
    assert adopted.inputs["location"] == "es/vit"


def test_reads_a_registry_by_id_without_managing_it(monkeypatch: pytest.MonkeyPatch) -> None:
    registry_id = "7e3c52a9-7a4f-4c7f-9c57-0d7cbd9b0a11"
    run = run_example("adopt-existing", {"readRegistryId": registry_id}, monkeypatch=monkeypatch)
    [existing] = run.registrations
    assert (existing.type, existing.name, existing.read_id) == (REGISTRY, "existing", registry_id)
    assert "hostname" in existing.additional_secret_outputs
    assert run.exports["read_registry_name"] == existing_registry_name(registry_id)
    assert run.exports["read_registry_state"] == "Running"
    assert run.exports["read_hostname"] == existing.outputs["hostname"]


def test_create_outside_makes_a_running_registry(ionoscr_emulator: RunningEmulator) -> None:
    env = {
        **os.environ,
        "IONOSCR_ENDPOINT": ionoscr_emulator.base_url,
        "IONOS_TOKEN": "outside-pulumi",
    }
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "adopt-existing" / "create_outside.py"), "legacy-images"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    [registry] = ionoscr_emulator.admin.registries()
    assert done.stdout.strip() == registry["id"]
    assert (registry["name"], registry["location"], registry["state"]) == (
        "legacy-images",
        "de/fra",
        "Running",
    )
