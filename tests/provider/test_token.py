"""RegistryTokenProvider driven directly against the emulator over real HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from typing import Any

import httpx
import pytest

from pulumi_ionoscr._client import IonosCrClient
from pulumi_ionoscr._exceptions import IonosCrError
from pulumi_ionoscr._models import RegistryCreate, TokenCreate
from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr._token import RegistryTokenProvider, TokenScope
from pulumi_ionoscr.emulator import RunningEmulator
from pulumi_ionoscr.emulator._faults import FaultConfig, FaultInjector

PUSH_APP = {"name": "app", "actions": ["pull", "push"]}
PULL_ALL = {"name": "*", "actions": ["pull"], "type": "repository"}
FUTURE = "2030-01-31T12:00:00Z"

REGISTRY_ID = "8f3e0b4e-5c1a-4d6f-9b2a-1e2d3c4b5a69"


@pytest.fixture
def registry_id(client: IonosCrClient) -> str:
    # Not waited for: the token's create must wait for the hostname itself.
    return client.create_registry(RegistryCreate(name="acme", location="de/fra")).id


def checked(news: dict[str, Any], olds: dict[str, Any] | None = None) -> dict[str, Any]:
    result = RegistryTokenProvider().check(olds or {}, news)
    assert not result.failures, [f.reason for f in result.failures]
    return dict(result.inputs)


def make(registry_id: str, **inputs: Any) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """Check and create a token: (inputs, resource id, outputs)."""
    news = checked({"registry_id": registry_id, "name": "ci-push", "scopes": [PUSH_APP], **inputs})
    created = RegistryTokenProvider().create(news)
    return news, created.id, created.outs


def live_tokens(api_env: RunningEmulator) -> list[dict[str, Any]]:
    [registry] = api_env.admin.registries()
    tokens: list[dict[str, Any]] = registry["tokens"]
    return tokens


def issued_to(api_env: RunningEmulator, registry_id: str, token_id: str, password: str) -> bool:
    """Whether the emulator holds `password` for the token (it keeps only a hash)."""
    assert api_env.emulator is not None, "needs the in-process emulator"
    token = api_env.emulator.backend.registries[registry_id].tokens[token_id]
    return token.password_hash == hashlib.sha256(password.encode()).hexdigest()


def test_create_returns_the_one_time_password(
    api_env: RunningEmulator, registry_id: str, client: IonosCrClient
) -> None:
    _, id_, outs = make(registry_id)
    assert id_ == f"{registry_id}/{outs['token_id']}"
    assert outs["username"] == outs["name"] == "ci-push"
    assert outs["password"] and issued_to(api_env, registry_id, outs["token_id"], outs["password"])
    assert outs["scopes"] == [{"name": "app", "actions": ["pull", "push"], "type": "repository"}]
    assert outs["status"] == "enabled" and outs["expiry_date"] is None
    # The API never shows it again.
    assert client.get_token(registry_id, outs["token_id"]).properties.credentials.password == ""


def test_refresh_and_update_keep_the_password(api_env: RunningEmulator, registry_id: str) -> None:
    provider = RegistryTokenProvider()
    inputs, id_, outs = make(registry_id)
    refreshed = provider.read(id_, outs)
    assert refreshed.id == id_
    assert refreshed.outs["password"] == outs["password"]
    assert refreshed.outs["docker_config_json"] == outs["docker_config_json"]
    assert provider.diff(id_, refreshed.outs, inputs).changes is False
    assert refreshed.inputs is not None
    assert provider.diff(id_, refreshed.outs, checked(refreshed.inputs, inputs)).changes is False
    updated = provider.update(id_, refreshed.outs, {**inputs, "status": "disabled"})
    assert updated.outs["password"] == outs["password"]
    assert updated.outs["docker_config_json"] == outs["docker_config_json"]


def test_status_expiry_and_scopes_change_in_place(
    api_env: RunningEmulator, registry_id: str
) -> None:
    provider = RegistryTokenProvider()
    inputs, id_, outs = make(registry_id, expiry_date=FUTURE)
    news = checked(
        {**inputs, "status": "Disabled", "expiry_date": "2031-06-01", "scopes": [PULL_ALL]},
        inputs,
    )
    diff = provider.diff(id_, outs, news)
    assert diff.changes is True and not diff.replaces
    outs = provider.update(id_, outs, news).outs
    [live] = live_tokens(api_env)
    assert live["status"] == outs["status"] == "disabled"
    assert outs["expiry_date"] == "2031-06-01T00:00:00Z"
    assert live["expiryDate"].startswith("2031-06-01T00:00:00")
    assert live["scopes"] == [{"name": "*", "type": "repository", "actions": ["pull"]}]

    # Dropping the expiry sends an explicit null: the token never expires.
    cleared = checked({**news, "expiry_date": None}, news)
    outs = provider.update(id_, outs, cleared).outs
    assert outs["expiry_date"] is None and live_tokens(api_env)[0]["expiryDate"] is None


def test_scopes_in_another_order_are_no_change(api_env: RunningEmulator, registry_id: str) -> None:
    provider = RegistryTokenProvider()
    inputs, id_, outs = make(registry_id, scopes=[PUSH_APP, PULL_ALL])
    reordered = [
        TokenScope(name="*", actions=["PULL"]),
        {"name": "app", "actions": ["push", "pull", "pull"]},
    ]
    news = checked({**inputs, "scopes": reordered}, inputs)
    assert provider.diff(id_, outs, news).changes is False


@pytest.mark.parametrize(
    "spelling",
    [
        "2030-01-31T13:00:00+01:00",
        "2030-01-31 12:00:00.000Z",
        dt.datetime(2030, 1, 31, 12, tzinfo=dt.timezone.utc),
    ],
)
def test_expiry_written_another_way_is_no_change(
    api_env: RunningEmulator, registry_id: str, spelling: object
) -> None:
    provider = RegistryTokenProvider()
    inputs, id_, outs = make(registry_id, expiry_date=FUTURE)
    news = checked({**inputs, "expiry_date": spelling}, inputs)
    assert news["expiry_date"] == FUTURE
    assert provider.diff(id_, outs, news).changes is False
    assert provider.diff(id_, provider.read(id_, outs).outs, news).changes is False


def test_past_expiry_is_rejected_at_check_unless_unchanged() -> None:
    provider = RegistryTokenProvider()
    news = {"registry_id": REGISTRY_ID, "name": "old", "expiry_date": "2020-01-01T00:00:00Z"}
    [failure] = provider.check({}, news).failures
    assert failure.property == "expiry_date"
    assert "must be in the future" in failure.reason and "2020-01-01T00:00:00Z" in failure.reason
    # A token whose (unchanged) expiry has passed keeps working through check.
    olds = {**news, "expiry_date": "2020-01-01T00:00:00Z"}
    assert provider.check(olds, {**news, "expiry_date": "2020-01-01"}).failures == []


def test_bad_inputs_each_fail_with_their_field() -> None:
    result = RegistryTokenProvider().check(
        {},
        {
            "registry_id": "",
            "name": "9lives",
            "scopes": [{"name": "app", "actions": ["pull", "write"]}],
            "status": "paused",
            "rotation_triggers": "q1",
        },
    )
    by_field = {f.property: f.reason for f in result.failures}
    assert set(by_field) == {"registry_id", "name", "scopes", "status", "rotation_triggers"}
    assert "'write'" in by_field["scopes"] and "scopes[0].actions[1]" in by_field["scopes"]


def test_unknowns_at_preview_are_skipped() -> None:
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    provider = RegistryTokenProvider()
    result = provider.check({}, {"registry_id": unknown, "name": "t1", "expiry_date": unknown})
    assert result.failures == []
    olds = {"registry_id": "r1", "name": "t1", "scopes": [], "status": "enabled"}
    diff = provider.diff("r1/t", olds, {**olds, "registry_id": unknown})
    assert diff.replaces == ["registry_id"]


def test_derived_name_is_kept_on_later_checks() -> None:
    first = checked({"registry_id": REGISTRY_ID, "name_prefix": "ci push"})
    assert first["name"].startswith("ci-push-")
    assert (
        checked({"registry_id": REGISTRY_ID, "name_prefix": "ci push"}, first)["name"]
        == first["name"]
    )


def test_duplicate_name_is_a_clear_error(
    api_env: RunningEmulator, registry_id: str, client: IonosCrClient
) -> None:
    client.create_token(registry_id, TokenCreate(name="ci-push"))
    with pytest.raises(IonosCrError, match=r"already exists.*unique per.*adopt_existing=True"):
        make(registry_id)
    assert len(live_tokens(api_env)) == 1


def test_a_taken_name_costs_the_post_and_one_look_up(
    api_env: RunningEmulator, registry_id: str, client: IonosCrClient
) -> None:
    """No list before the POST: its refusal, confirmed by one look-up, says the name is taken,
    and nothing is deleted."""
    client.create_token(registry_id, TokenCreate(name="ci-push"))
    api_env.admin.clear_requests()
    with pytest.raises(IonosCrError, match=r"already exists.*adopt_existing=True"):
        make(registry_id)
    calls = [(r["method"], r["status"]) for r in api_env.admin.requests() if "/tokens" in r["path"]]
    assert calls == [("POST", 409), ("GET", 200)]
    assert len(live_tokens(api_env)) == 1


def lookup_misses(monkeypatch: pytest.MonkeyPatch, call: int) -> None:
    """The token create's look-up by name misses on its `call`-th use, as a token list that
    lags behind the writes would."""
    from pulumi_ionoscr._operations import token as _token

    real = _token._find_by_name
    calls: list[object] = []

    def lagging(*args: Any) -> Any:
        calls.append(args)
        return None if len(calls) == call else real(*args)

    monkeypatch.setattr(_token, "_find_by_name", lagging)


def _seed_losing_only_the_first_post(posts: int = 2) -> int:
    """A fault seed under which the first of `posts` token POSTs loses its answer."""
    for seed in range(1000):
        injector = FaultInjector(FaultConfig(lost_response_rate=0.5, seed=seed))
        lost = [injector.decide("POST", "/tokens").lost_mode for _ in range(posts)]
        if lost[0] and not any(lost[1:]):
            return seed
    raise AssertionError("no seed found")


def lose_first_token_post(api_env: RunningEmulator, posts: int = 2) -> None:
    api_env.admin.set_faults(
        lost_response_rate=0.5,
        seed=_seed_losing_only_the_first_post(posts),
        methods=["POST"],
        path_pattern=r"/tokens$",
    )


def test_lost_create_answer_leaves_one_token_with_a_known_password(
    api_env: RunningEmulator, registry_id: str
) -> None:
    lose_first_token_post(api_env)
    _, _, outs = make(registry_id)
    [live] = live_tokens(api_env)
    assert live["id"] == outs["token_id"]
    assert issued_to(api_env, registry_id, outs["token_id"], outs["password"])
    calls = [(r["method"], r["fault"]) for r in api_env.admin.requests() if "/tokens" in r["path"]]
    writes = [c for c in calls if c[0] != "GET"]
    assert writes == [("POST", writes[0][1]), ("DELETE", None), ("POST", None)]
    assert str(writes[0][1]).startswith("lost:")


def test_lost_answer_whose_token_shows_up_late_is_still_recreated(
    api_env: RunningEmulator, registry_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The look-up after the lost answer misses the new token; the retry's 409 reveals it."""
    lookup_misses(monkeypatch, 1)  # the look-up right after the lost answer
    lose_first_token_post(api_env, posts=3)
    _, _, outs = make(registry_id)
    [live] = live_tokens(api_env)
    assert live["id"] == outs["token_id"]
    assert issued_to(api_env, registry_id, outs["token_id"], outs["password"])
    statuses = [r["status"] for r in api_env.admin.requests() if r["method"] == "POST"]
    assert 409 in statuses and statuses[-1] == 201


def test_every_create_answer_lost_leaves_no_token(
    api_env: RunningEmulator, registry_id: str
) -> None:
    api_env.admin.set_faults(lost_response_rate=1.0, methods=["POST"], path_pattern=r"/tokens$")
    with pytest.raises(IonosCrError, match="failed 3 times") as raised:
        make(registry_id)
    assert live_tokens(api_env) == []
    assert "password" not in str(raised.value).lower()


def test_rotation_replaces_and_yields_a_new_password(
    api_env: RunningEmulator, registry_id: str
) -> None:
    provider = RegistryTokenProvider()
    inputs, id_, outs = make(registry_id, rotation_triggers={"quarter": "2027Q1"})
    news = checked({**inputs, "rotation_triggers": {"quarter": "2027Q2"}}, inputs)
    diff = provider.diff(id_, outs, news)
    assert diff.replaces == ["rotation_triggers"] and diff.delete_before_replace is True
    assert provider.diff(id_, outs, {**news, "name": "other"}).replaces == [
        "name",
        "rotation_triggers",
    ]
    # What the engine does for a delete-before-replace.
    provider.delete(id_, outs)
    new = provider.create(news)
    assert new.outs["name"] == outs["name"] and new.outs["password"] != outs["password"]
    assert issued_to(api_env, registry_id, new.outs["token_id"], new.outs["password"])


def test_disabled_token(api_env: RunningEmulator, registry_id: str) -> None:
    _, _, outs = make(registry_id, status="disabled")
    assert outs["status"] == "disabled" and outs["password"]
    assert live_tokens(api_env)[0]["status"] == "disabled"


def test_delete_and_gone(api_env: RunningEmulator, registry_id: str) -> None:
    provider = RegistryTokenProvider()
    _, id_, outs = make(registry_id)
    provider.delete(id_, outs)
    assert live_tokens(api_env) == []
    provider.delete(id_, outs)  # 404 is success
    gone = provider.read(id_, outs)
    assert gone.id is None and gone.outs == {}


def test_docker_config_json_holds_the_credentials_for_the_registry_host(
    api_env: RunningEmulator, registry_id: str
) -> None:
    _, _, outs = make(registry_id)
    [registry] = api_env.admin.registries()
    assert registry["hostname"] == "acme.cr.de-fra.ionos.com"
    config = json.loads(outs["docker_config_json"])
    entry = config["auths"][registry["hostname"]]
    assert list(config["auths"]) == [registry["hostname"]]
    assert entry["username"] == outs["username"] and entry["password"] == outs["password"]
    assert base64.b64decode(entry["auth"]).decode() == f"{outs['username']}:{outs['password']}"


def test_adopting_an_existing_token(
    api_env: RunningEmulator,
    registry_id: str,
    client: IonosCrClient,
    capsys: pytest.CaptureFixture[str],
) -> None:
    existing = client.create_token(registry_id, TokenCreate(name="ci-push"))
    _, _, outs = make(registry_id, adopt_existing=True, status="disabled")
    assert outs["token_id"] == existing.id
    assert outs["password"] == "" and outs["docker_config_json"] == ""
    assert "rotation_triggers" in capsys.readouterr().err
    [live] = live_tokens(api_env)
    assert live["status"] == "disabled" and live["scopes"] == [
        {"name": "app", "type": "repository", "actions": ["pull", "push"]}
    ]


def test_read_by_id_alone_finds_the_token(api_env: RunningEmulator, registry_id: str) -> None:
    # What `RegistryToken.get(name, id)` does: no previous state.
    _, id_, outs = make(registry_id)
    found = RegistryTokenProvider().read(id_, {})
    assert found.id == id_ and found.outs["name"] == "ci-push"
    assert found.outs["password"] == "" and found.outs["registry_id"] == registry_id
    with pytest.raises(IonosCrError, match="not of the form"):
        RegistryTokenProvider().read(outs["token_id"], {})


def test_docker_credentials_log_in_to_the_data_plane_until_disabled(
    api_env: RunningEmulator, registry_id: str
) -> None:
    """The `auth` of docker_config_json is what `docker login` would send to the registry."""
    provider = RegistryTokenProvider()
    inputs, id_, outs = make(registry_id)
    [entry] = json.loads(outs["docker_config_json"])["auths"].values()

    def login(auth: str) -> int:
        url = f"{api_env.origin}/v2/"
        return httpx.get(url, headers={"Authorization": f"Basic {auth}"}).status_code

    if login(entry["auth"]) == 404:
        pytest.skip("the emulator serves no OCI data plane")
    assert login(entry["auth"]) == 200
    wrong = base64.b64encode(f"{outs['username']}:not-the-password".encode()).decode()
    assert login(wrong) == 401
    provider.update(id_, outs, {**inputs, "status": "disabled"})
    assert login(entry["auth"]) == 401


def test_token_for_a_failed_registry_fails_before_creating_anything(
    api_env: RunningEmulator, registry_id: str
) -> None:
    api_env.admin.force_state(registry_id, "Failed")
    with pytest.raises(IonosCrError, match="Failed"):
        make(registry_id)
    assert live_tokens(api_env) == []


def test_refresh_reads_only_the_token(api_env: RunningEmulator) -> None:
    """The hostname in docker_config_json never changes: a refresh does not re-read the registry."""
    registry = RegistryProvider()
    reg = registry.create(registry.check({}, {"name": "refresh-cost", "location": "de/fra"}).inputs)
    provider = RegistryTokenProvider()
    created = provider.create(
        provider.check({}, {"registry_id": reg.id, "name": "pull", "scopes": []}).inputs
    )
    api_env.admin.clear_requests()
    refreshed = provider.read(created.id, created.outs)
    assert [r["method"] for r in api_env.admin.requests()] == ["GET"]
    assert refreshed.outs["docker_config_json"] == created.outs["docker_config_json"]
