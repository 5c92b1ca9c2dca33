"""RegistryProvider driven directly against the emulator over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_ionoscr._exceptions import IonosCrError
from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr.emulator import RunningEmulator


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
