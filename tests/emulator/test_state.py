"""Rules of the emulated API, tested on the backend directly (no HTTP, fake clock)."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_ionoscr.emulator._state import (
    Actor,
    ApiProblem,
    Backend,
    Timing,
)
from pulumi_ionoscr.emulator._variants import Variants

ALICE = Actor(tenant="user:alice", user="alice@example.com", user_id="u-alice")
BOB = Actor(tenant="user:bob", user="bob@example.com", user_id="u-bob")


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def reg_body(name: str = "demo", location: str = "de/fra", **props: Any) -> dict[str, Any]:
    return {"properties": {"name": name, "location": location, **props}}


def token_body(name: str = "ci", **props: Any) -> dict[str, Any]:
    return {"properties": {"name": name, **props}}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def backend(clock: FakeClock) -> Backend:
    return Backend(clock=clock)


def problem(excinfo: pytest.ExceptionInfo[ApiProblem]) -> tuple[int, str]:
    return excinfo.value.status, excinfo.value.message


# -- lifecycle ---------------------------------------------------------------------------------


def test_default_lifecycle_is_read_driven(backend: Backend) -> None:
    reg = backend.create_registry(ALICE, reg_body())
    assert (reg.state, reg.hostname) == ("New", "")
    first = backend.get_registry(ALICE, reg.id)
    assert (first.state, first.hostname) == ("WaitingForStorage", "")
    second = backend.get_registry(ALICE, reg.id)
    assert (second.state, second.hostname) == ("Running", "demo.cr.de-fra.ionos.com")


def test_time_driven_lifecycle(clock: FakeClock) -> None:
    backend = Backend(clock=clock, timing=Timing(create_seconds=10, create_reads=0))
    reg = backend.create_registry(ALICE, reg_body(location="es/vit"))
    assert backend.get_registry(ALICE, reg.id).state == "New"
    clock.now += 6
    assert backend.get_registry(ALICE, reg.id).state == "WaitingForStorage"
    clock.now += 4
    got = backend.get_registry(ALICE, reg.id)
    assert (got.state, got.hostname) == ("Running", "demo.cr.es-vit.ionos.com")


def test_reads_and_seconds_must_both_pass(clock: FakeClock) -> None:
    backend = Backend(clock=clock, timing=Timing(create_seconds=5, create_reads=1))
    reg = backend.create_registry(ALICE, reg_body())
    assert backend.get_registry(ALICE, reg.id).state != "Running"
    clock.now += 5
    assert backend.get_registry(ALICE, reg.id).state == "Running"


def test_immediate_timing(backend: Backend) -> None:
    backend.timing = Timing.immediate()
    reg = backend.create_registry(ALICE, reg_body())
    assert backend.get_registry(ALICE, reg.id).state == "Running"
    patched = backend.patch_registry(ALICE, reg.id, {"apiSubnetAllowList": ["10.0.0.0/8"]})
    assert patched.state == "Running"
    backend.delete_registry(ALICE, reg.id)
    with pytest.raises(ApiProblem) as exc:
        backend.get_registry(ALICE, reg.id)
    assert exc.value.status == 404


def test_patch_passes_through_transitional_state(backend: Backend) -> None:
    backend.timing = Timing(create_reads=1, update_reads=1)
    reg = backend.create_registry(ALICE, reg_body())
    backend.get_registry(ALICE, reg.id)
    patched = backend.patch_registry(ALICE, reg.id, {"apiSubnetAllowList": []})
    assert patched.state == "Updating"
    again = backend.get_registry(ALICE, reg.id)
    assert (again.state, again.hostname) == ("Running", "demo.cr.de-fra.ionos.com")


def test_delete_is_asynchronous_and_name_stays_taken(backend: Backend) -> None:
    backend.timing = Timing(create_reads=0, delete_reads=2)
    reg = backend.create_registry(ALICE, reg_body())
    backend.delete_registry(ALICE, reg.id)
    assert backend.get_registry(ALICE, reg.id).state == "Deleting"  # read 1
    with pytest.raises(ApiProblem) as exc:
        backend.create_registry(BOB, reg_body())
    assert exc.value.status == 400  # the name is still taken
    assert backend.name_in_use("demo") is False  # read 2: gone
    with pytest.raises(ApiProblem) as exc:
        backend.get_registry(ALICE, reg.id)
    assert exc.value.status == 404
    assert backend.create_registry(BOB, reg_body()).name == "demo"


def test_delete_after_seconds(clock: FakeClock) -> None:
    backend = Backend(clock=clock, timing=Timing(delete_seconds=30, delete_reads=0))
    reg = backend.create_registry(ALICE, reg_body())
    backend.delete_registry(ALICE, reg.id)
    assert backend.get_registry(ALICE, reg.id).state == "Deleting"
    clock.now += 30
    backend.tick()
    assert backend.name_in_use("demo") is False


def test_force_state_failed_sticks(backend: Backend) -> None:
    reg = backend.create_registry(ALICE, reg_body())
    backend.force_state(reg.id, "Failed")
    for _ in range(3):
        assert backend.get_registry(ALICE, reg.id).state == "Failed"
    backend.force_state(reg.id, "Running")
    assert backend.get_registry(ALICE, reg.id).hostname == "demo.cr.de-fra.ionos.com"


# -- registry validation ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ab", "Demo", "1abc", "abc-", "a_b", "x" * 64, "dé-mo"])
def test_invalid_registry_names(backend: Backend, name: str) -> None:
    with pytest.raises(ApiProblem) as exc:
        backend.create_registry(ALICE, reg_body(name=name))
    assert exc.value.status == 400
    assert "properties.name" in exc.value.message
    with pytest.raises(ApiProblem):
        backend.name_in_use(name)


def test_names_are_global_but_registries_are_private(backend: Backend) -> None:
    reg = backend.create_registry(ALICE, reg_body())
    assert backend.name_in_use("demo") is True
    with pytest.raises(ApiProblem) as exc:
        backend.create_registry(BOB, reg_body())
    assert exc.value.status == 400
    with pytest.raises(ApiProblem) as exc:
        backend.get_registry(BOB, reg.id)
    assert exc.value.status == 404
    assert backend.list_registries(BOB).items == []
    with pytest.raises(ApiProblem) as exc:
        backend.patch_registry(BOB, reg.id, {"apiSubnetAllowList": []})
    assert exc.value.status == 404
    with pytest.raises(ApiProblem) as exc:
        backend.delete_registry(BOB, reg.id)
    assert exc.value.status == 404


def test_duplicate_name_status_configurable(clock: FakeClock) -> None:
    backend = Backend(clock=clock, variants=Variants({"duplicate-name-status": "409"}))
    backend.create_registry(ALICE, reg_body())
    with pytest.raises(ApiProblem) as exc:
        backend.create_registry(ALICE, reg_body())
    assert exc.value.status == 409


def test_location_must_be_listed(clock: FakeClock) -> None:
    backend = Backend(clock=clock, locations=["de/fra", "gb/lhr"])
    assert backend.list_locations() == ["de/fra", "gb/lhr"]
    backend.create_registry(ALICE, reg_body(location="gb/lhr"))
    with pytest.raises(ApiProblem) as exc:
        backend.create_registry(ALICE, reg_body(name="other", location="de/txl"))
    assert exc.value.status == 400
    assert "properties.location" in exc.value.message


def test_days_come_back_in_non_canonical_order(backend: Backend) -> None:
    sched = {"days": ["Monday", "Saturday", "Sunday"], "time": "01:23:00+00:00"}
    reg = backend.create_registry(ALICE, reg_body(garbageCollectionSchedule=sched))
    assert reg.schedule is not None
    assert reg.schedule.days == ["Sunday", "Saturday", "Monday"]
    assert sorted(reg.schedule.days) == sorted(sched["days"])


def test_schedule_time_normalised_to_utc_offset(backend: Backend) -> None:
    reg = backend.create_registry(
        ALICE, reg_body(garbageCollectionSchedule={"days": ["Friday"], "time": "16:00:00Z"})
    )
    assert reg.schedule is not None and reg.schedule.time == "16:00:00+00:00"


@pytest.mark.parametrize(
    ("sched", "field"),
    [
        ({"days": ["monday"], "time": "01:00:00+00:00"}, "days[0]"),
        ({"days": ["Funday"], "time": "01:00:00+00:00"}, "days[0]"),
        ({"days": "Monday", "time": "01:00:00+00:00"}, "days"),
        ({"days": ["Monday"], "time": "25:00:00"}, "time"),
        ({"days": ["Monday"], "time": "01:00"}, "time"),
        ({"days": ["Monday"], "time": "01:00:00+02:00"}, "time"),
        ({"days": ["Monday"]}, "time"),
        ({"time": "01:00:00Z"}, "days"),
        ({"days": ["Monday"], "time": "01:00:00Z", "zone": "x"}, "zone"),
    ],
)
def test_invalid_schedules(backend: Backend, sched: dict[str, Any], field: str) -> None:
    with pytest.raises(ApiProblem) as exc:
        backend.create_registry(ALICE, reg_body(garbageCollectionSchedule=sched))
    assert exc.value.status == 400
    assert f"garbageCollectionSchedule.{field}" in exc.value.message


def test_allow_list_rules(backend: Backend) -> None:
    entries = ["192.168.0.167/24", "2001:0db8:85a3::/24", "10.0.0.1", "::1"]
    reg = backend.create_registry(ALICE, reg_body(apiSubnetAllowList=entries))
    assert reg.allow_list == entries  # verbatim
    with pytest.raises(ApiProblem) as exc:
        backend.create_registry(ALICE, reg_body(name="two", apiSubnetAllowList=["10.0.0.300"]))
    assert exc.value.status == 400 and "apiSubnetAllowList[0]" in exc.value.message
    too_many = [f"10.0.0.{i}" for i in range(26)]
    with pytest.raises(ApiProblem) as exc:
        backend.create_registry(ALICE, reg_body(name="three", apiSubnetAllowList=too_many))
    assert exc.value.status == 400
    ok = backend.create_registry(
        ALICE, reg_body(name="four", apiSubnetAllowList=[f"10.0.0.{i}" for i in range(25)])
    )
    assert len(ok.allow_list) == 25


def test_patch_semantics(backend: Backend) -> None:
    sched = {"days": ["Friday"], "time": "01:23:00+00:00"}
    reg = backend.create_registry(
        ALICE, reg_body(garbageCollectionSchedule=sched, apiSubnetAllowList=["10.0.0.0/8"])
    )
    # omitted fields unchanged
    backend.patch_registry(
        ALICE, reg.id, {"features": {"vulnerabilityScanning": {"enabled": True}}}
    )
    assert reg.allow_list == ["10.0.0.0/8"] and reg.schedule is not None
    # [] clears
    backend.patch_registry(ALICE, reg.id, {"apiSubnetAllowList": []})
    assert reg.allow_list == []
    assert reg.schedule is not None and reg.schedule.days == ["Friday"]
    assert reg.modified_by == "alice@example.com"
    # wrapped body refused
    with pytest.raises(ApiProblem) as exc:
        backend.patch_registry(ALICE, reg.id, {"properties": {"apiSubnetAllowList": []}})
    assert exc.value.status == 400 and "properties" in exc.value.message
    with pytest.raises(ApiProblem) as exc:
        backend.patch_registry(ALICE, reg.id, {"name": "other"})
    assert exc.value.status == 400 and "name" in exc.value.message


def test_vulnerability_scanning_defaults_on_and_cannot_be_switched_off(backend: Backend) -> None:
    reg = backend.create_registry(ALICE, reg_body())
    assert reg.vulnerability_scanning is True
    off = {"features": {"vulnerabilityScanning": {"enabled": False}}}
    with pytest.raises(ApiProblem) as exc:
        backend.patch_registry(ALICE, reg.id, off)
    assert exc.value.status == 400
    assert "vulnerabilityScanning.enabled" in exc.value.message
    with pytest.raises(ApiProblem):
        backend.replace_registry(ALICE, reg.id, reg_body(**off))
    # created without scanning: can be switched on, then not off again
    plain = backend.create_registry(ALICE, reg_body(name="plain", **off))
    assert plain.vulnerability_scanning is False
    backend.patch_registry(
        ALICE, plain.id, {"features": {"vulnerabilityScanning": {"enabled": True}}}
    )
    assert plain.vulnerability_scanning is True
    with pytest.raises(ApiProblem):
        backend.patch_registry(ALICE, plain.id, off)


def test_put_replaces_and_keeps_name_and_location(backend: Backend) -> None:
    reg = backend.create_registry(
        ALICE,
        reg_body(
            garbageCollectionSchedule={"days": ["Friday"], "time": "01:00:00Z"},
            apiSubnetAllowList=["10.0.0.0/8"],
        ),
    )
    same, created = backend.replace_registry(ALICE, reg.id, reg_body())
    assert created is False and same is reg
    assert reg.schedule is None and reg.allow_list == []
    with pytest.raises(ApiProblem) as exc:
        backend.replace_registry(ALICE, reg.id, reg_body(name="renamed"))
    assert exc.value.status == 400 and "properties.name" in exc.value.message
    with pytest.raises(ApiProblem) as exc:
        backend.replace_registry(ALICE, reg.id, reg_body(location="de/txl"))
    assert exc.value.status == 400 and "properties.location" in exc.value.message


def test_put_to_unknown_id_creates_with_that_id(backend: Backend) -> None:
    rid = "0b4c6a3e-3c1b-4b8e-9a51-0d5b7f3f9a10"
    reg, created = backend.replace_registry(ALICE, rid, reg_body())
    assert created and reg.id == rid and reg.state == "New"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "properties"),
        ({"properties": {"location": "de/fra"}}, "properties.name"),
        ({"properties": {"name": 5, "location": "de/fra"}}, "properties.name"),
        ({"properties": {"name": "abc", "location": "de/fra", "color": 1}}, "properties.color"),
        ({"properties": {"name": "abc", "location": "de/fra"}, "extra": 1}, "extra"),
        ({"properties": {"name": "abc", "location": "de/fra", "features": []}}, "features"),
        (
            {
                "properties": {
                    "name": "abc",
                    "location": "de/fra",
                    "features": {"vulnerabilityScanning": {"enabled": "yes"}},
                }
            },
            "features.vulnerabilityScanning.enabled",
        ),
        ([], "body"),
    ],
)
def test_malformed_registry_bodies_name_the_field(backend: Backend, body: Any, field: str) -> None:
    with pytest.raises(ApiProblem) as exc:
        backend.create_registry(ALICE, body)
    assert exc.value.status == 400
    assert field in exc.value.message


def test_malformed_uuid(backend: Backend) -> None:
    with pytest.raises(ApiProblem) as exc:
        backend.get_registry(ALICE, "not-a-uuid")
    assert exc.value.status == 400 and "registryId" in exc.value.message


def test_list_filter_and_pagination(backend: Backend, clock: FakeClock) -> None:
    for name in ("alpha", "beta", "alphabet", "gamma"):
        clock.now += 1
        backend.create_registry(ALICE, reg_body(name=name))
    assert [r.name for r in backend.list_registries(ALICE, name_filter="ALPHA").items] == [
        "alpha",
        "alphabet",
    ]
    page1 = backend.list_registries(ALICE, limit="3")
    assert [r.name for r in page1.items] == ["alpha", "beta", "alphabet"]
    assert page1.next_token
    page2 = backend.list_registries(ALICE, limit="3", page_token=page1.next_token)
    assert [r.name for r in page2.items] == ["gamma"] and page2.next_token == ""
    with pytest.raises(ApiProblem) as exc:
        backend.list_registries(ALICE, limit="many")
    assert exc.value.status == 400 and "limit" in exc.value.message
    with pytest.raises(ApiProblem) as exc:
        backend.list_registries(ALICE, page_token="%%%")
    assert exc.value.status == 400 and "pagination.token" in exc.value.message


# -- tokens ------------------------------------------------------------------------------------


def test_token_password_only_once(backend: Backend) -> None:
    reg = backend.create_registry(ALICE, reg_body())
    tok, password = backend.create_token(ALICE, reg.id, token_body("CiToken"))
    assert len(password) >= 20
    assert password not in repr(tok)  # only a hash is kept
    assert tok.status == "enabled"
    assert backend.get_token(ALICE, reg.id, tok.id).name == "CiToken"


def test_token_duplicate_name_conflicts(backend: Backend) -> None:
    reg = backend.create_registry(ALICE, reg_body())
    backend.create_token(ALICE, reg.id, token_body("ci"))
    with pytest.raises(ApiProblem) as exc:
        backend.create_token(ALICE, reg.id, token_body("ci"))
    assert exc.value.status == 409
    other = backend.create_registry(ALICE, reg_body(name="other"))
    backend.create_token(ALICE, other.id, token_body("ci"))  # per registry


def test_token_patch(backend: Backend) -> None:
    reg = backend.create_registry(ALICE, reg_body())
    scopes = [{"name": "app", "type": "repository", "actions": ["pull", "push"]}]
    tok, _ = backend.create_token(
        ALICE, reg.id, token_body(expiryDate="2031-01-02T03:04:05+01:00", scopes=scopes)
    )
    assert tok.expiry_date == "2031-01-02T02:04:05Z"
    backend.patch_token(ALICE, reg.id, tok.id, {"status": "disabled"})
    assert tok.status == "disabled" and tok.expiry_date is not None and tok.scopes is not None
    backend.patch_token(ALICE, reg.id, tok.id, {"expiryDate": None})
    assert tok.expiry_date is None
    backend.patch_token(
        ALICE, reg.id, tok.id, {"scopes": [{"name": "*", "type": "backup", "actions": ["pull"]}]}
    )
    assert tok.scopes is not None and [s.name for s in tok.scopes] == ["*"]
    for bad, field in (
        ({"status": "paused"}, "status"),
        ({"expiryDate": "tomorrow"}, "expiryDate"),
        ({"scopes": [{"name": "*"}]}, "scopes[0].type"),
        ({"name": "x"}, "name"),
    ):
        with pytest.raises(ApiProblem) as exc:
            backend.patch_token(ALICE, reg.id, tok.id, bad)
        assert exc.value.status == 400 and field in exc.value.message


def test_token_put(backend: Backend) -> None:
    reg = backend.create_registry(ALICE, reg_body())
    tok, _ = backend.create_token(ALICE, reg.id, token_body("ci", status="disabled"))
    same, password = backend.replace_token(ALICE, reg.id, tok.id, token_body("ci"))
    assert password is None and same.status == "enabled"
    with pytest.raises(ApiProblem) as exc:
        backend.replace_token(ALICE, reg.id, tok.id, token_body("renamed"))
    assert exc.value.status == 400
    new_id = "11111111-2222-4333-8444-555555555555"
    created, pw = backend.replace_token(ALICE, reg.id, new_id, token_body("fresh"))
    assert created.id == new_id and pw


def test_token_list_offset_limit(backend: Backend, clock: FakeClock) -> None:
    reg = backend.create_registry(ALICE, reg_body())
    for i in range(5):
        clock.now += 1
        backend.create_token(ALICE, reg.id, token_body(f"t{i}"))
    page = backend.list_tokens(ALICE, reg.id, offset="1", limit="2")
    assert [t.name for t in page.items] == ["t1", "t2"] and page.total == 5
    with pytest.raises(ApiProblem) as exc:
        backend.list_tokens(ALICE, reg.id, offset="-1", limit=None)
    assert "offset" in exc.value.message


def test_token_invalid_names(backend: Backend) -> None:
    reg = backend.create_registry(ALICE, reg_body())
    for name in ("a", "1abc", "ab-", "a_b"):
        with pytest.raises(ApiProblem) as exc:
            backend.create_token(ALICE, reg.id, token_body(name))
        assert exc.value.status == 400


# -- repositories ------------------------------------------------------------------------------


def test_repositories_seed_list_order_delete(backend: Backend, clock: FakeClock) -> None:
    reg = backend.create_registry(ALICE, reg_body())
    backend.seed_repository(reg.id, {"name": "team/app", "artifacts": [{"tags": ["v1"]}]})
    clock.now += 10
    backend.seed_repository(
        reg.id, {"name": "base", "artifacts": [{"tags": ["latest"], "pullCount": 7}]}
    )
    page = backend.list_repositories(ALICE, reg.id)
    assert [r.name for r in page.items] == ["base", "team/app"]  # default -lastPush
    by_name = backend.list_repositories(ALICE, reg.id, order_by="name")
    assert [r.name for r in by_name.items] == ["base", "team/app"]
    by_pull = backend.list_repositories(ALICE, reg.id, order_by="pullCount")
    assert [r.name for r in by_pull.items] == ["team/app", "base"]
    assert [r.name for r in backend.list_repositories(ALICE, reg.id, name_filter="app").items] == [
        "team/app"
    ]
    assert len(backend.list_repositories(ALICE, reg.id, offset="1", limit="1").items) == 1
    with pytest.raises(ApiProblem) as exc:
        backend.list_repositories(ALICE, reg.id, order_by="size")
    assert exc.value.status == 400 and "orderBy" in exc.value.message
    repo = backend.get_repository(ALICE, reg.id, "team/app")
    assert len(repo.artifacts) == 1
    backend.delete_repository(ALICE, reg.id, "team/app")
    for call in (
        lambda: backend.get_repository(ALICE, reg.id, "team/app"),
        lambda: backend.delete_repository(ALICE, reg.id, "team/app"),
    ):
        with pytest.raises(ApiProblem) as exc:
            call()
        assert exc.value.status == 404
    with pytest.raises(ApiProblem) as exc:
        backend.get_repository(BOB, reg.id, "base")
    assert exc.value.status == 404


def test_artifacts_lists(backend: Backend, clock: FakeClock) -> None:
    reg = backend.create_registry(ALICE, reg_body())
    d1, d2 = "sha256:" + "1" * 64, "sha256:" + "2" * 64
    backend.seed_repository(reg.id, {"name": "app", "artifacts": [{"digest": d1, "pullCount": 1}]})
    clock.now += 1
    backend.seed_repository(reg.id, {"name": "app", "artifacts": [{"digest": d2, "pullCount": 5}]})
    page = backend.list_artifacts(ALICE, reg.id, "app")
    assert [a.digest for _, a in page.items] == [d2, d1]
    assert [a.digest for _, a in backend.list_artifacts(ALICE, reg.id, None).items] == [d2, d1]
    asc = backend.list_artifacts(ALICE, reg.id, None, order_by="pullCount")
    assert [a.digest for _, a in asc.items] == [d1, d2]
    assert backend.get_artifact(ALICE, reg.id, "app", d1).pull_count == 1
    with pytest.raises(ApiProblem) as exc:
        backend.get_artifact(ALICE, reg.id, "app", "sha256:" + "3" * 64)
    assert exc.value.status == 404


# -- persistence -------------------------------------------------------------------------------


def test_json_round_trip(backend: Backend, clock: FakeClock) -> None:
    reg = backend.create_registry(
        ALICE, reg_body(garbageCollectionSchedule={"days": ["Monday"], "time": "01:00:00Z"})
    )
    tok, _ = backend.create_token(
        ALICE, reg.id, token_body(scopes=[{"name": "*", "type": "repository", "actions": ["pull"]}])
    )
    backend.seed_repository(reg.id, {"name": "app"})
    copy = Backend(clock=clock)
    copy.load_json(backend.to_json())
    assert copy.get_registry(ALICE, reg.id).name == "demo"
    assert copy.get_token(ALICE, reg.id, tok.id).scopes == tok.scopes
    assert copy.get_repository(ALICE, reg.id, "app").name == "app"
    assert copy.name_in_use("demo")
