"""examples/quickstart under Pulumi mocks: what it registers and exports."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ._support import REGISTRY, TOKEN, docker_config, run_example

SECRET_TOKEN_OUTPUTS = {"username", "password", "docker_config_json"}


def test_registry_with_gc_schedule_and_scanning_off(monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_example("quickstart", monkeypatch=monkeypatch)
    registry = run.one(REGISTRY, "main")
    assert registry.inputs["location"] == "de/fra"
    assert registry.inputs["garbage_collection_schedule"] == {"days": ["Saturday"], "time": "02:30"}
    assert registry.inputs["vulnerability_scanning"] is False
    assert "hostname" in registry.additional_secret_outputs
    assert [r.type for r in run.registrations] == [REGISTRY, TOKEN]


def test_token_is_scoped_and_expires_within_a_year(monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_example("quickstart", monkeypatch=monkeypatch)
    token = run.one(TOKEN, "push-pull")
    assert token.inputs["registry_id"] == run.one(REGISTRY, "main").outputs["registry_id"]
    assert token.inputs["scopes"] == [
        {"name": "app", "actions": ["pull", "push"], "type": "repository"}
    ]
    expiry = dt.date.fromisoformat(token.inputs["expiry_date"])
    today = dt.datetime.now(dt.timezone.utc).date()
    assert dt.timedelta(days=360) <= expiry - today <= dt.timedelta(days=365)
    # Computed at run time, so it must not move on every later `pulumi up`.
    assert token.ignore_changes == ["expiry_date"]
    assert set(token.additional_secret_outputs) >= SECRET_TOKEN_OUTPUTS


def test_config_chooses_location_and_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_example(
        "quickstart", {"location": "es/vit", "repository": "team/web"}, monkeypatch=monkeypatch
    )
    assert run.one(REGISTRY, "main").inputs["location"] == "es/vit"
    [scope] = run.one(TOKEN, "push-pull").inputs["scopes"]
    assert scope["name"] == "team/web"


def test_exports(monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_example("quickstart", monkeypatch=monkeypatch)
    registry = run.one(REGISTRY, "main").outputs
    token = run.one(TOKEN, "push-pull").outputs
    assert run.exports["registry_id"] == registry["registry_id"]
    assert run.exports["hostname"] == registry["hostname"]
    assert run.exports["token_username"] == token["username"]
    assert run.exports["token_password"] == token["password"]
    assert json.loads(run.exports["docker_config_json"]) == docker_config(
        registry["hostname"], token["username"], token["password"]
    )
    assert run.exports["token_expiry"] == token["expiry_date"]
