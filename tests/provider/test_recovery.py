"""After a killed run: derived names are the same on every attempt, what an earlier attempt
created is adopted (registries) or replaced (tokens, whose password was lost), and
IONOSCR_ADOPT_EXISTING does the same for explicit names for one run."""

from __future__ import annotations

import base64
import json
import types
from typing import Any

import pytest

from pulumi_ionoscr._client import IonosCrClient
from pulumi_ionoscr._config import ClientSettings
from pulumi_ionoscr._exceptions import IonosCrError
from pulumi_ionoscr._models import RegistryCreate, TokenCreate
from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr._token import RegistryTokenProvider
from pulumi_ionoscr.emulator import RunningEmulator

from ..conftest import FAST_RETRY
from .test_token import issued_to, lose_first_token_post

SCOPE = "organization/quickstart/dev"
PULL = [{"name": "app", "actions": ["pull"]}]


def jwt(**claims: Any) -> str:
    """An unsigned JWT with these claims (the emulator and the provider only read them)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.c2ln"


def use_account(monkeypatch: pytest.MonkeyPatch, contract: int) -> str:
    token = jwt(identity={"contractNumber": contract, "userId": f"user-{contract}"})
    monkeypatch.setenv("IONOS_TOKEN", token)
    monkeypatch.delenv("IONOS_USERNAME", raising=False)
    monkeypatch.delenv("IONOS_PASSWORD", raising=False)
    return token


def checked(provider: Any, news: dict[str, Any], olds: dict[str, Any] | None = None) -> Any:
    result = provider.check(olds or {}, news)
    assert not result.failures, [f.reason for f in result.failures]
    return result.inputs


def auto_registry(provider: RegistryProvider, **extra: Any) -> dict[str, Any]:
    news = {"name_prefix": "main", "name_scope": SCOPE, "location": "de/fra", **extra}
    return dict(checked(provider, news))


def tenant_client(api_env: RunningEmulator, token: str) -> IonosCrClient:
    return IonosCrClient(ClientSettings(endpoint=api_env.base_url, token=token, retry=FAST_RETRY))


# ---- derived names ----------------------------------------------------------------------------


def test_derived_name_is_the_same_on_every_attempt_and_differs_by_account(
    api_env: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = RegistryProvider()
    use_account(monkeypatch, 1111)
    first = auto_registry(provider)["name"]
    assert first.startswith("main-")
    assert auto_registry(provider)["name"] == first  # a new attempt, nothing in the state
    assert auto_registry(provider, name_scope=SCOPE + "x")["name"] != first
    use_account(monkeypatch, 2222)
    assert auto_registry(provider)["name"] != first  # another customer's quickstart/dev/main
    # A user identifies the account too: Basic auth with the e-mail the JWT would carry.
    monkeypatch.delenv("IONOS_TOKEN")
    monkeypatch.setenv("IONOS_USERNAME", "Someone@Example.com")
    monkeypatch.setenv("IONOS_PASSWORD", "pw")
    by_user = auto_registry(provider)["name"]
    monkeypatch.setenv("IONOS_USERNAME", "someone@example.com")
    assert auto_registry(provider)["name"] == by_user


def test_name_in_state_is_kept_whatever_the_account(
    api_env: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = RegistryProvider()
    old = {"name_prefix": "main", "name": "main-r4nd0m1", "location": "de/fra"}
    use_account(monkeypatch, 1111)
    assert auto_registry(provider)["name"] != old["name"]
    news = {"name_prefix": "main", "name_scope": SCOPE, "location": "de/fra"}
    assert checked(provider, news, old)["name"] == "main-r4nd0m1"


def test_registry_an_earlier_attempt_created_is_adopted_not_duplicated(
    api_env: RunningEmulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use_account(monkeypatch, 1111)
    provider = RegistryProvider()
    schedule = {"days": ["Monday"], "time": "01:00"}
    first = provider.create(auto_registry(provider, garbage_collection_schedule=schedule))
    # The run was killed before the state recorded it: the next attempt starts from nothing.
    again = provider.create(auto_registry(provider, garbage_collection_schedule=schedule))
    assert again.id == first.id
    assert [r["name"] for r in api_env.admin.registries()] == [first.outs["name"]]
    assert "adopted the existing registry" in capsys.readouterr().err


def test_derived_name_held_by_another_account_is_an_error(
    api_env: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_account(monkeypatch, 1111)
    inputs = auto_registry(RegistryProvider())
    with tenant_client(api_env, jwt(identity={"contractNumber": 9})) as other:
        other.create_registry(RegistryCreate(name=inputs["name"], location="de/fra"))
    with pytest.raises(IonosCrError, match="in use by another IONOS account"):
        RegistryProvider().create(inputs)
    assert len(api_env.admin.registries()) == 1


def test_explicit_name_in_use_names_the_switch_and_the_commands(
    api_env: RunningEmulator, client: IonosCrClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = client.create_registry(RegistryCreate(name="kept", location="de/fra"))
    inputs = checked(RegistryProvider(), {"name": "kept", "location": "de/fra"})
    with pytest.raises(IonosCrError) as raised:
        RegistryProvider().create(inputs)
    message = str(raised.value)
    for part in (
        "adopt_existing=True",
        "`IONOSCR_ADOPT_EXISTING=true pulumi up --yes`",
        "`pulumi cancel --yes`",
        "`pulumi refresh --clear-pending-creates --yes`",
    ):
        assert part in message
    assert "\n" not in message
    monkeypatch.setenv("IONOSCR_ADOPT_EXISTING", "true")
    assert RegistryProvider().create(inputs).id == existing.id


def test_a_bad_switch_value_fails_the_check(
    api_env: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IONOSCR_ADOPT_EXISTING", "please")
    for provider, news in (
        (RegistryProvider(), {"name": "kept", "location": "de/fra"}),
        (RegistryTokenProvider(), {"registry_id": "8f3e0b4e-5c1a-4d6f-9b2a-1e2d3c4b5a69"}),
    ):
        [failure] = provider.check({}, {**news, "name": "kept"}).failures
        assert failure.property == "adopt_existing"
        assert "IONOSCR_ADOPT_EXISTING must be true or false (got 'please')" in failure.reason


# ---- tokens -----------------------------------------------------------------------------------


@pytest.fixture
def registry(client: IonosCrClient) -> dict[str, str]:
    reg = client.create_registry(RegistryCreate(name="acme", location="de/fra"))
    return {"registry_id": reg.id, "registry_hostname": "acme.cr.de-fra.ionos.com"}


def _tokens(api_env: RunningEmulator) -> list[dict[str, Any]]:
    [reg] = api_env.admin.registries()
    tokens: list[dict[str, Any]] = reg["tokens"]
    return tokens


def test_token_with_a_derived_name_is_replaced_so_its_password_works(
    api_env: RunningEmulator, registry: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    provider = RegistryTokenProvider()
    news = {**registry, "name_prefix": "ci", "name_scope": SCOPE, "scopes": PULL}
    provider.create(checked(provider, news))  # killed before the state recorded it
    again = provider.create(checked(provider, news))
    [live] = _tokens(api_env)
    assert live["id"] == again.outs["token_id"]
    assert issued_to(api_env, registry["registry_id"], live["id"], again.outs["password"])
    assert "replaced the existing token" in capsys.readouterr().err


@pytest.mark.parametrize("owned", [True, False])
def test_switch_replaces_tokens_of_owned_registries_and_adopts_others(
    api_env: RunningEmulator,
    registry: dict[str, str],
    client: IonosCrClient,
    monkeypatch: pytest.MonkeyPatch,
    owned: bool,
) -> None:
    old = client.create_token(registry["registry_id"], TokenCreate(name="ci"))
    monkeypatch.setenv("IONOSCR_ADOPT_EXISTING", "true")
    provider = RegistryTokenProvider()
    news = {**registry, "name": "ci", "scopes": PULL, "registry_owned": owned}
    created = provider.create(checked(provider, news))
    [live] = _tokens(api_env)
    if owned:
        assert live["id"] != old.id and created.outs["password"]
        assert issued_to(api_env, registry["registry_id"], live["id"], created.outs["password"])
    else:
        assert live["id"] == old.id and created.outs["password"] == ""
        assert live["scopes"] == [{"name": "app", "actions": ["pull"], "type": "repository"}]


def test_token_name_in_use_without_the_switch_is_an_error(
    api_env: RunningEmulator, registry: dict[str, str], client: IonosCrClient
) -> None:
    client.create_token(registry["registry_id"], TokenCreate(name="ci"))
    provider = RegistryTokenProvider()
    news = {**registry, "name": "ci", "registry_owned": True}
    with pytest.raises(IonosCrError, match="IONOSCR_ADOPT_EXISTING=true pulumi up --yes"):
        provider.create(checked(provider, news))
    assert len(_tokens(api_env)) == 1


def test_a_token_that_was_there_before_a_lost_answer_is_left_alone(
    api_env: RunningEmulator,
    registry: dict[str, str],
    client: IonosCrClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the list before the POST, a token found after a lost answer is taken as ours
    only if it was created after the POST was sent."""
    from pulumi_ionoscr._operations import token as operations

    old = client.create_token(registry["registry_id"], TokenCreate(name="ci"))
    # The create starts a minute after that token was made (the server's clock is ours).
    later = types.SimpleNamespace(time=lambda: __import__("time").time() + 60)
    monkeypatch.setattr(operations, "time", later)
    lose_first_token_post(api_env)
    provider = RegistryTokenProvider()
    with pytest.raises(IonosCrError, match="already exists"):
        provider.create(checked(provider, {**registry, "name": "ci"}))
    assert [t["id"] for t in _tokens(api_env)] == [old.id]


def test_token_from_a_registry_resource_needs_one_call(
    api_env: RunningEmulator, registry: dict[str, str]
) -> None:
    provider = RegistryTokenProvider()
    inputs = checked(provider, {**registry, "name": "ci", "scopes": PULL})
    api_env.admin.clear_requests()
    created = provider.create(inputs)
    assert [r["method"] for r in api_env.admin.requests()] == ["POST"]
    config = json.loads(created.outs["docker_config_json"])
    assert list(config["auths"]) == ["acme.cr.de-fra.ionos.com"]
