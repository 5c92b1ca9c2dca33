"""Garbage-collection schedules keep their meaning under the real engine: for every weekday,
a time whose UTC offset crosses midnight (forwards and backwards) reaches IONOS as the UTC day
and time of the same moment, and the stack then shows no change."""

from __future__ import annotations

import pytest
from _scenarios import (  # noqa: F401  (fixtures)
    Cloud,
    RegistrySpec,
    StackFactory,
    _cloud,
    _emulator_process,
    fleet_program,
    ionoscr_stack,
)

from pulumi_ionoscr._validation import WEEKDAYS

pytestmark = pytest.mark.engine


def live_schedules(cloud: Cloud) -> dict[str, tuple[list[str], str]]:
    """Registry name -> (days, time) as the API reads them back."""
    found = {}
    for registry in cloud.registries():
        schedule = cloud.get(f"registries/{registry['id']}")["properties"][
            "garbageCollectionSchedule"
        ]
        found[registry["name"]] = (schedule["days"], schedule["time"])
    return found


def test_every_weekday_moves_with_an_offset_across_midnight(
    inline_stack: StackFactory, cloud: Cloud
) -> None:
    fleet = [
        RegistrySpec(f"gc{i}", f"engine-gc-{day.lower()}", gc_days=[day], gc_time="01:00+02:00")
        for i, day in enumerate(WEEKDAYS)
    ]
    stack = ionoscr_stack(inline_stack, cloud, fleet_program(fleet), project="engine-gc")
    stack.up()
    # 01:00 at UTC+02:00 is 23:00 UTC the day before.
    assert live_schedules(cloud) == {
        spec.name: ([WEEKDAYS[i - 1]], "23:00:00+00:00") for i, spec in enumerate(fleet)
    }
    stack.preview(expect_no_changes=True)

    for spec in fleet:
        spec.gc_time = "23:00-02:00"
    stack.up()
    # 23:00 at UTC-02:00 is 01:00 UTC the next day.
    assert live_schedules(cloud) == {
        spec.name: ([WEEKDAYS[(i + 1) % 7]], "01:00:00+00:00") for i, spec in enumerate(fleet)
    }
    stack.refresh(expect_no_changes=True)
    stack.preview(expect_no_changes=True)
