"""RegistryProvider driven directly against the emulator over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_ionoscr._client import IonosCrClient
from pulumi_ionoscr._exceptions import IonosCrError
from pulumi_ionoscr._models import RegistryCreate, RegistryPatch, WeeklySchedule
from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr.emulator import RunningEmulator

from ..conftest import TEST_PASSWORD


def checked(provider: RegistryProvider, news: dict[str, Any], olds: dict[str, Any] | None = None):
    result = provider.check(olds or {}, news)
    assert not result.failures, [f.reason for f in result.failures]
    return result.inputs


def test_create_waits_for_running_and_hostname(api_env: RunningEmulator) -> None:
    provider = RegistryProvider()
    inputs = checked(provider, {"name": "acme-prod", "location": "de/fra"})
    created = provider.create(inputs)
    assert created.outs["state"] == "Running"
    assert created.outs["hostname"] == "acme-prod.cr.de-fra.ionos.com"
    assert created.outs["vulnerability_scanning"] is False
    [live] = api_env.admin.registries()
    assert live["id"] == created.id


def test_check_reports_every_bad_field(api_env: RunningEmulator) -> None:
    result = RegistryProvider().check(
        {},
        {
            "name": "Bad_Name",
            "location": "xx/yyy",
            "garbage_collection_schedule": {"days": ["Funday"], "time": "25:00"},
            "api_subnet_allow_list": ["not-an-ip"],
        },
    )
    by_field = {f.property: f.reason for f in result.failures}
    assert set(by_field) == {
        "name",
        "location",
        "garbage_collection_schedule",
        "api_subnet_allow_list",
    }
    assert "Bad_Name" in by_field["name"]
    assert "xx/yyy" in by_field["location"]
    assert "not-an-ip" in by_field["api_subnet_allow_list"]


def test_same_schedule_written_differently_is_no_diff(api_env: RunningEmulator) -> None:
    provider = RegistryProvider()
    inputs = checked(
        provider,
        {
            "name": "sched",
            "location": "de/fra",
            "garbage_collection_schedule": {"days": ["Saturday", "Sunday"], "time": "02:30"},
        },
    )
    created = provider.create(inputs)
    for days, time in [
        (["sunday", "saturday"], "02:30:00Z"),
        (["Sat", "Sun"], "02:30:00+00:00"),
    ]:
        news = checked(
            provider,
            {**inputs, "garbage_collection_schedule": {"days": days, "time": time}},
            created.outs,
        )
        assert provider.diff(created.id, created.outs, news).changes is False
    refreshed = provider.read(created.id, created.outs)
    assert provider.diff(created.id, refreshed.outs, inputs).changes is False


def test_derived_name_is_kept_on_later_checks(api_env: RunningEmulator) -> None:
    provider = RegistryProvider()
    first = checked(provider, {"name_prefix": "My Registry", "location": "de/fra"})
    assert first["name"].startswith("my-registry-")
    second = checked(provider, {"name_prefix": "My Registry", "location": "de/fra"}, first)
    assert second["name"] == first["name"]


def test_failed_state_fails_fast_and_leaves_nothing(api_env: RunningEmulator) -> None:
    api_env.admin.set_timing(create_reads=1000, create_seconds=0)
    provider = RegistryProvider()
    inputs = checked(provider, {"name": "doomed", "location": "de/fra", "timeouts": {"create": 30}})

    import threading

    def fail_soon() -> None:
        import time

        for _ in range(200):
            regs = api_env.admin.registries()
            if regs:
                api_env.admin.force_state(regs[0]["id"], "Failed")
                return
            time.sleep(0.02)

    threading.Thread(target=fail_soon).start()
    with pytest.raises(IonosCrError, match="Failed"):
        provider.create(inputs)


def _registry_posts(emulator: RunningEmulator) -> int:
    return sum(
        1
        for r in emulator.admin.requests()
        if r["method"] == "POST" and r["path"].endswith("/registries")
    )


def test_slow_registry_is_waited_for(api_env: RunningEmulator) -> None:
    api_env.admin.set_timing(create_reads=6, create_seconds=0)
    provider = RegistryProvider()
    created = provider.create(checked(provider, {"name": "slowpoke", "location": "de/txl"}))
    assert created.outs["state"] == "Running"
    assert created.outs["hostname"] == "slowpoke.cr.de-txl.ionos.com"
    reads = [r for r in api_env.admin.requests() if r["method"] == "GET"]
    assert len(reads) >= 6


@pytest.mark.parametrize("mode", ["503", "drop"])
def test_lost_create_answer_adopts_the_registry_it_made(
    api_env: RunningEmulator, mode: str
) -> None:
    api_env.admin.set_faults(
        lost_response_rate=1.0, lost_modes=[mode], methods=["POST"], path_pattern="registries$"
    )
    provider = RegistryProvider()
    created = provider.create(checked(provider, {"name": "lost-post", "location": "de/fra"}))
    [live] = api_env.admin.registries()
    assert created.id == live["id"]
    assert created.outs["state"] == "Running"
    assert _registry_posts(api_env) == 1


def test_name_taken_before_create_fails_clearly_without_changes(
    api_env: RunningEmulator, client: IonosCrClient
) -> None:
    client.create_registry(RegistryCreate(name="someone-elses", location="de/fra"))
    api_env.admin.clear_requests()
    provider = RegistryProvider()
    with pytest.raises(IonosCrError, match="already in use") as raised:
        provider.create(checked(provider, {"name": "someone-elses", "location": "de/fra"}))
    assert "adopt_existing" in str(raised.value)
    assert _registry_posts(api_env) == 0


def test_adopt_existing_takes_over_and_applies_inputs(
    api_env: RunningEmulator, client: IonosCrClient
) -> None:
    existing = client.create_registry(RegistryCreate(name="legacy", location="de/fra"))
    provider = RegistryProvider()
    inputs = checked(
        provider,
        {
            "name": "legacy",
            "location": "de/fra",
            "adopt_existing": True,
            "api_subnet_allow_list": ["203.0.113.7"],
        },
    )
    created = provider.create(inputs)
    assert created.id == existing.id
    assert client.get_registry(existing.id).properties.api_subnet_allow_list == ["203.0.113.7"]
    assert len(api_env.admin.registries()) == 1


def test_update_patches_only_what_changed_and_clears_allow_list(
    api_env: RunningEmulator, client: IonosCrClient
) -> None:
    provider = RegistryProvider()
    inputs = checked(
        provider, {"name": "upd", "location": "de/fra", "api_subnet_allow_list": ["10.0.0.0/8"]}
    )
    created = provider.create(inputs)
    news = checked(provider, {"name": "upd", "location": "de/fra"}, inputs)
    assert provider.diff(created.id, created.outs, news).changes is True
    api_env.admin.clear_requests()
    updated = provider.update(created.id, created.outs, news)
    patches = [r for r in api_env.admin.requests() if r["method"] == "PATCH"]
    assert len(patches) == 1
    assert updated.outs["api_subnet_allow_list"] in (None, [])
    assert client.get_registry(created.id).properties.api_subnet_allow_list in (None, [])


def test_turning_scanning_off_replaces_and_on_updates(api_env: RunningEmulator) -> None:
    provider = RegistryProvider()
    inputs = checked(
        provider, {"name": "scan", "location": "de/fra", "vulnerability_scanning": True}
    )
    created = provider.create(inputs)
    off = provider.diff(created.id, created.outs, {**inputs, "vulnerability_scanning": False})
    assert off.replaces == ["vulnerability_scanning"] and off.delete_before_replace
    unset = provider.diff(created.id, created.outs, {**inputs, "vulnerability_scanning": None})
    assert unset.changes is False  # omitted means "as the registry has it"


def test_location_or_name_change_replaces_delete_first(api_env: RunningEmulator) -> None:
    provider = RegistryProvider()
    inputs = checked(provider, {"name": "moving", "location": "de/fra"})
    created = provider.create(inputs)
    diff = provider.diff(created.id, created.outs, {**inputs, "location": "es/vit"})
    assert diff.replaces == ["location"] and diff.delete_before_replace is True


def test_read_and_delete_of_a_vanished_registry(
    api_env: RunningEmulator, client: IonosCrClient
) -> None:
    provider = RegistryProvider()
    created = provider.create(checked(provider, {"name": "vanish", "location": "de/fra"}))
    client.delete_registry(created.id)
    for _ in range(5):  # the emulator completes deletion after a few reads
        result = provider.read(created.id, created.outs)
        if result.id is None:
            break
    assert result.id is None and result.outs == {}
    provider.delete(created.id, created.outs)  # 404 on DELETE is success


def test_refresh_reports_drift_as_inputs(api_env: RunningEmulator, client: IonosCrClient) -> None:
    provider = RegistryProvider()
    inputs = checked(provider, {"name": "drifty", "location": "de/fra"})
    created = provider.create(inputs)
    client.patch_registry(created.id, RegistryPatch(api_subnet_allow_list=["198.51.100.1"]))
    refreshed = provider.read(created.id, created.outs)
    assert refreshed.inputs["api_subnet_allow_list"] == ["198.51.100.1"]
    assert provider.diff(created.id, refreshed.outs, inputs).changes is True


def test_errors_never_show_credentials(api_env: RunningEmulator) -> None:
    provider = RegistryProvider()
    with pytest.raises(IonosCrError) as raised:
        provider.create({"name": "bad-loc", "location": "zz/zzz"})
    assert TEST_PASSWORD not in str(raised.value)
    assert "zz/zzz" in str(raised.value)


def test_an_omitted_schedule_is_left_as_the_registry_has_it(
    api_env: RunningEmulator, client: IonosCrClient
) -> None:
    """A program without a schedule does not manage it (the API may set its own); reading a
    registry without any state (Registry.get) still shows it."""
    provider = RegistryProvider()
    inputs = checked(provider, {"name": "unscheduled", "location": "de/fra"})
    created = provider.create(inputs)
    schedule = WeeklySchedule(days=["Friday"], time="03:00:00+00:00")
    client.patch_registry(created.id, RegistryPatch(garbage_collection_schedule=schedule))
    refreshed = provider.read(created.id, created.outs)
    assert refreshed.outs["garbage_collection_schedule"] is None
    assert provider.diff(created.id, refreshed.outs, inputs).changes is False
    looked_up = provider.read(created.id, {})
    assert looked_up.outs["garbage_collection_schedule"] == {
        "days": ["Friday"],
        "time": "03:00:00+00:00",
    }
