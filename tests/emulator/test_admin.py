"""Admin API: request log, reset, state dump, timing, forced states, fault injection."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulumi_ionoscr.emulator import RunningEmulator, run_emulator
from pulumi_ionoscr.emulator._faults import FaultConfig, FaultInjector

AUTH = ("alice@example.com", "secret")


def create(api: httpx.Client, name: str = "demo") -> dict[str, Any]:
    r = api.post("/registries", json={"properties": {"name": name, "location": "de/fra"}})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_request_log_excludes_admin_calls(
    ionoscr_emulator: RunningEmulator, api: httpx.Client
) -> None:
    admin = ionoscr_emulator.admin
    rid = create(api)["id"]
    api.get(f"/registries/{rid}")
    api.get("/registries/bad-id")
    admin.state()
    log = admin.requests()
    assert [(e["method"], e["status"]) for e in log] == [("POST", 201), ("GET", 200), ("GET", 400)]
    assert log[1]["path"] == f"/containerregistries/registries/{rid}"
    assert all(e["duration_ms"] >= 0 and e["fault"] is None for e in log)
    admin.clear_requests()
    assert admin.requests() == []


def test_reset_forgets_everything(ionoscr_emulator: RunningEmulator, api: httpx.Client) -> None:
    create(api)
    ionoscr_emulator.admin.set_timing(preset="immediate")
    ionoscr_emulator.admin.reset()
    assert api.get("/registries").json()["items"] == []
    assert api.head("/names/demo").status_code == 404
    assert ionoscr_emulator.admin.timing()["create_reads"] == 2
    assert [e["method"] for e in ionoscr_emulator.admin.requests()] == ["GET", "HEAD"]


def test_state_dump_spans_tenants(ionoscr_emulator: RunningEmulator, api: httpx.Client) -> None:
    rid = create(api)["id"]
    api.post(f"/registries/{rid}/tokens", json={"properties": {"name": "ci"}})
    bob = httpx.Client(base_url=ionoscr_emulator.base_url, auth=("bob@example.com", "pw"))
    create(bob, "bobs")
    dump = ionoscr_emulator.admin.state()
    regs = {r["name"]: r for r in dump["registries"]}
    assert set(regs) == {"demo", "bobs"}
    assert regs["demo"]["id"] == rid and regs["demo"]["state"] in ("New", "WaitingForStorage")
    assert regs["demo"]["tenant"] != regs["bobs"]["tenant"]
    assert [t["name"] for t in regs["demo"]["tokens"]] == ["ci"]
    assert "password" not in str(regs["demo"]["tokens"])


def test_timing_and_forced_state(ionoscr_emulator: RunningEmulator, api: httpx.Client) -> None:
    admin = ionoscr_emulator.admin
    timing = admin.set_timing(create_reads=4)
    assert timing["create_reads"] == 4 and admin.variants()["update-state"] == "Updating"
    rid = create(api)["id"]
    states = [api.get(f"/registries/{rid}").json()["metadata"]["state"] for _ in range(4)]
    assert states == ["WaitingForStorage"] * 3 + ["Running"]
    failed = admin.force_state(rid, "Failed")
    assert failed["state"] == "Failed"
    assert api.get(f"/registries/{rid}").json()["metadata"]["state"] == "Failed"
    with pytest.raises(httpx.HTTPStatusError) as exc:
        admin.set_timing(create_reads=-1)
    assert exc.value.response.status_code == 400
    with pytest.raises(httpx.HTTPStatusError) as exc:
        admin.force_state("00000000-0000-4000-8000-000000000000", "Failed")
    assert exc.value.response.status_code == 404


def test_immediate_updates_show_no_transitional_state(
    ionoscr_emulator: RunningEmulator, api: httpx.Client
) -> None:
    ionoscr_emulator.admin.set_timing(preset="immediate")
    rid = create(api)["id"]
    assert api.get(f"/registries/{rid}").json()["metadata"]["state"] == "Running"
    patched = api.patch(f"/registries/{rid}", json={"apiSubnetAllowList": ["10.0.0.0/8"]})
    assert patched.json()["metadata"]["state"] == "Running"


# -- faults ------------------------------------------------------------------------------------


def test_injected_errors_are_api_errors_with_retry_after(
    ionoscr_emulator: RunningEmulator, api: httpx.Client
) -> None:
    ionoscr_emulator.admin.set_faults(error_rate=1.0, error_statuses=[429], seed=1)
    r = api.post("/registries", json={"properties": {"name": "demo", "location": "de/fra"}})
    assert r.status_code == 429
    assert r.headers["retry-after"] in ("0", "1")
    assert r.json()["httpStatus"] == 429
    ionoscr_emulator.admin.clear_faults()
    # the request was not handled
    assert api.head("/names/demo").status_code == 404
    log = ionoscr_emulator.admin.requests()
    assert log[0]["fault"] == "error:429" and log[0]["status"] == 429


def test_lost_response_commits_the_change(
    ionoscr_emulator: RunningEmulator, api: httpx.Client
) -> None:
    ionoscr_emulator.admin.set_faults(lost_response_rate=1.0, lost_modes=["502"], seed=3)
    r = api.post("/registries", json={"properties": {"name": "demo", "location": "de/fra"}})
    assert r.status_code == 502
    ionoscr_emulator.admin.clear_faults()
    assert api.head("/names/demo").status_code == 200
    entry = ionoscr_emulator.admin.requests()[0]
    assert entry["status"] == 502 and entry["committed_status"] == 201


def test_dropped_connection_commits_the_change(
    ionoscr_emulator: RunningEmulator, api: httpx.Client
) -> None:
    ionoscr_emulator.admin.set_faults(lost_response_rate=1.0, lost_modes=["drop"])
    with pytest.raises(httpx.TransportError):
        api.post("/registries", json={"properties": {"name": "demo", "location": "de/fra"}})
    ionoscr_emulator.admin.clear_faults()
    assert api.head("/names/demo").status_code == 200
    assert ionoscr_emulator.admin.requests()[0]["status"] is None


def test_a_dropped_head_answer_never_reads_as_success(
    ionoscr_emulator: RunningEmulator, api: httpx.Client
) -> None:
    """A HEAD has no body to cut short: a dropped one must not look like "200, name taken"."""
    ionoscr_emulator.admin.set_faults(lost_response_rate=1.0, lost_modes=["drop"])
    assert api.head("/names/free-name").status_code == 502
    entry = ionoscr_emulator.admin.requests()[0]
    assert entry["fault"] == "lost:502" and entry["committed_status"] == 404


def test_fault_targeting_by_method_and_path(
    ionoscr_emulator: RunningEmulator, api: httpx.Client
) -> None:
    ionoscr_emulator.admin.set_faults(
        error_rate=1.0, error_statuses=[500], methods=["POST"], path_pattern=r"/tokens$"
    )
    rid = create(api)["id"]  # POST, other path: untouched
    assert api.get(f"/registries/{rid}/tokens").status_code == 200  # GET: untouched
    r = api.post(f"/registries/{rid}/tokens", json={"properties": {"name": "ci"}})
    assert r.status_code == 500


def test_invalid_fault_config_is_refused(ionoscr_emulator: RunningEmulator) -> None:
    for bad in ({"error_rate": 2}, {"error_statuses": [404]}, {"nonsense": 1}):
        with pytest.raises(httpx.HTTPStatusError) as exc:
            ionoscr_emulator.admin.set_faults(**bad)
        assert exc.value.response.status_code == 400


def _outcomes(seed: int) -> list[int]:
    with (
        run_emulator(
            faults={
                "error_rate": 0.5,
                "lost_response_rate": 0.2,
                "lost_modes": ["503"],
                "seed": seed,
            }
        ) as emu,
        httpx.Client(base_url=emu.base_url, auth=AUTH) as c,
    ):
        return [c.get("/locations").status_code for _ in range(30)]


def test_faults_replay_with_the_same_seed() -> None:
    first = _outcomes(42)
    assert first == _outcomes(42)
    assert set(first) - {200}  # some faults happened
    assert 200 in first


def test_fault_injector_decisions_are_seeded() -> None:
    cfg = FaultConfig(error_rate=0.3, lost_response_rate=0.3, seed=7)
    a, b = FaultInjector(cfg), FaultInjector(cfg)
    seq_a = [a.decide("GET", "/x").kind for _ in range(100)]
    seq_b = [b.decide("GET", "/x").kind for _ in range(100)]
    assert seq_a == seq_b
    assert {k for k in seq_a if k} >= {"error:500", "error:503", "error:429"}
    other = FaultInjector(FaultConfig(error_rate=0.3, lost_response_rate=0.3, seed=8))
    assert [other.decide("GET", "/x").kind for _ in range(100)] != seq_a


def test_latency_is_reported_in_the_log(
    ionoscr_emulator: RunningEmulator, api: httpx.Client
) -> None:
    ionoscr_emulator.admin.set_faults(latency_ms=30)
    api.get("/locations")
    ionoscr_emulator.admin.clear_faults()
    entry = ionoscr_emulator.admin.requests()[0]
    assert entry["fault"] == "latency" and entry["duration_ms"] >= 30
