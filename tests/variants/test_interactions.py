"""Variant values that only bite together, or only on one path of a provider: each is a case
the one-at-a-time matrix cannot reach, written out with the answer combination that reaches it.
"""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_ionoscr._client import IonosCrClient
from pulumi_ionoscr._exceptions import IonosCrError
from pulumi_ionoscr._models import RegistryCreate, TokenCreate
from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr._repository import RepositoryProvider
from pulumi_ionoscr._token import RegistryTokenProvider
from pulumi_ionoscr.emulator import RunningEmulator

from ..provider.test_token import issued_to, lookup_misses, lose_first_token_post
from ._lifecycles import World, checked, use_token_credentials


@pytest.fixture
def world(ionoscr_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch) -> World:
    use_token_credentials(monkeypatch, ionoscr_emulator)
    return World(ionoscr_emulator, "", "")


def live_tokens(emu: RunningEmulator) -> list[dict[str, Any]]:
    return [t for reg in emu.admin.registries() for t in reg["tokens"]]


@pytest.mark.parametrize("refusal", ["refused-400", "refused-409"])
@pytest.mark.parametrize("hostname_at", ["post", "waiting-for-storage"])
def test_token_waits_for_a_running_registry_not_just_its_hostname(
    world: World, refusal: str, hostname_at: str
) -> None:
    """A hostname before Running, and tokens refused before Running: the token's create waits
    for the registry to run, then makes exactly one token."""
    world.emu.admin.set_variants({"hostname-at": hostname_at, "token-before-running": refusal})
    world.emu.admin.set_timing(create_reads=4)
    with world.client() as client:
        registry_id = client.create_registry(RegistryCreate(name="acme", location="de/fra")).id
    provider = RegistryTokenProvider()
    created = provider.create(checked(provider, {"registry_id": registry_id, "name": "ci"}))
    assert created.outs["password"]
    assert [t["name"] for t in live_tokens(world.emu)] == ["ci"]


@pytest.mark.parametrize("status", ["409", "400", "403"])
def test_a_full_registry_is_not_reported_as_a_name_clash(world: World, status: str) -> None:
    """The status of the token quota is not documented; whichever it is, the error says what
    the API said, not that the name is taken."""
    world.emu.admin.set_variants({"quota-status": status, "limits": "strict"})
    registry = RegistryProvider().create({"name": "acme", "location": "de/fra"}).outs
    with world.client() as client:
        for i in range(100):
            client.create_token(registry["registry_id"], TokenCreate(name=f"t{i}"))
    provider = RegistryTokenProvider()
    with pytest.raises(IonosCrError) as raised:
        provider.create(checked(provider, {"registry_id": registry["registry_id"], "name": "more"}))
    assert "already exists" not in str(raised.value)
    assert f"HTTP {status}" in str(raised.value) and "100 tokens" in str(raised.value)


def test_a_lost_answer_then_a_400_for_the_name_still_recovers(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """duplicate-token-status=400: after a lost create answer whose token the look-up does not
    see yet, the retry's refusal (400, not 409) still reveals the token, which is replaced by
    one whose password is known."""
    world.emu.admin.set_variants({"duplicate-token-status": "400"})
    registry = RegistryProvider().create({"name": "acme", "location": "de/fra"}).outs
    lookup_misses(monkeypatch, 1)  # the look-up right after the lost answer
    lose_first_token_post(world.emu, posts=3)
    provider = RegistryTokenProvider()
    outs = provider.create(
        checked(provider, {"registry_id": registry["registry_id"], "name": "ci"})
    )
    [live] = live_tokens(world.emu)
    assert live["id"] == outs.outs["token_id"]
    assert issued_to(world.emu, registry["registry_id"], live["id"], outs.outs["password"])


@pytest.mark.parametrize("answer", ["400", "409", "ignored"])
def test_adopting_a_scanning_registry_never_asks_to_switch_scanning_off(
    world: World, answer: str
) -> None:
    """Whatever the API answers to `enabled: false` (refused, or silently ignored, which would
    make the next up replace the adopted registry), adoption says so before changing anything."""
    world.emu.admin.set_variants({"scanning-off": answer})
    with world.client() as client:
        existing = client.create_registry(RegistryCreate(name="legacy", location="de/fra"))
    provider = RegistryProvider()
    program = {
        "name": "legacy",
        "location": "de/fra",
        "adopt_existing": True,
        "vulnerability_scanning": False,
        "api_subnet_allow_list": ["203.0.113.7"],
    }
    world.emu.admin.clear_requests()
    with pytest.raises(IonosCrError, match="vulnerability_scanning") as raised:
        provider.create(checked(provider, program))
    assert "cannot be switched off" in str(raised.value)
    assert [r for r in world.emu.admin.requests() if r["method"] not in ("GET", "HEAD")] == []
    with world.client() as client:
        assert client.get_registry(existing.id).properties.api_subnet_allow_list == []


def test_basic_credentials_on_token_only_endpoints_say_what_to_use(
    api_env: RunningEmulator, client: IonosCrClient
) -> None:
    """basic-auth-newer-endpoints=rejected, with a username and password configured: the
    repository calls fail with an error that names the token settings."""
    api_env.admin.set_variants({"basic-auth-newer-endpoints": "rejected"})
    registry = RegistryProvider().create({"name": "acme", "location": "de/fra"}).outs
    provider = RepositoryProvider()
    with pytest.raises(IonosCrError, match="HTTP 401") as raised:
        provider.create(checked(provider, {"registry_id": registry["registry_id"], "name": "app"}))
    assert "IONOS_TOKEN" in str(raised.value) and "ionoscr:token" in str(raised.value)
