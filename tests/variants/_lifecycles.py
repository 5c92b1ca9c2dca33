"""What each provider must get right whichever way the API answers: the provider-level
lifecycles the variant matrix runs, one per surface a variant touches.

Each lifecycle drives the providers the way the engine does (check, create, diff, read,
update, delete) against the emulator and asserts what a user would notice: the resource is
usable when create returns, a refresh records no change and the next preview shows none (no
perpetual diff), an in-place change stays in place (no extra replacement), and delete leaves
nothing behind.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pulumi.dynamic import ResourceProvider

from pulumi_ionoscr._client import IonosCrClient
from pulumi_ionoscr._config import ClientSettings
from pulumi_ionoscr._exceptions import IonosCrError, NotFoundError
from pulumi_ionoscr._lookups import get_registry, get_repositories
from pulumi_ionoscr._models import RegistryCreate, TokenCreate
from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr._repository import RepositoryProvider
from pulumi_ionoscr._token import RegistryTokenProvider
from pulumi_ionoscr.emulator import RunningEmulator

from ..conftest import FAST_RETRY

#: The matrix authenticates like most IONOS automation does: an API token, one contract.
TOKEN = "variant-matrix-token"
CONTRACT = "31"
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"


@dataclass
class World:
    emu: RunningEmulator
    variant: str
    value: str

    @property
    def settings(self) -> ClientSettings:
        """What the providers get from the environment (`use_token_credentials`)."""
        return ClientSettings(
            endpoint=self.emu.base_url, token=TOKEN, contract_number=int(CONTRACT), retry=FAST_RETRY
        )

    def client(self) -> IonosCrClient:
        return IonosCrClient(self.settings)


def use_token_credentials(monkeypatch: pytest.MonkeyPatch, emu: RunningEmulator) -> None:
    """Providers built from the environment talk to `emu` with the matrix's API token."""
    monkeypatch.setenv("IONOSCR_ENDPOINT", emu.base_url)
    monkeypatch.setenv("IONOS_TOKEN", TOKEN)
    monkeypatch.setenv("IONOS_CONTRACT_NUMBER", CONTRACT)
    monkeypatch.delenv("IONOS_USERNAME", raising=False)
    monkeypatch.delenv("IONOS_PASSWORD", raising=False)


def checked(
    provider: ResourceProvider, news: dict[str, Any], olds: dict[str, Any] | None = None
) -> dict[str, Any]:
    result = provider.check(olds or {}, news)
    assert not result.failures, [f.reason for f in result.failures]
    return dict(result.inputs)


def assert_settled(
    provider: ResourceProvider, id_: str, outs: dict[str, Any], program: dict[str, Any]
) -> dict[str, Any]:
    """No diff now; after a refresh no diff either, and nothing the refresh records differs
    from what was there (the next `preview --expect-no-changes` and `refresh
    --expect-no-changes` pass). Returns the refreshed outputs."""
    news = checked(provider, program, outs)
    diff = provider.diff(id_, outs, news)
    assert not diff.changes, f"perpetual diff right after the change: {diff.replaces} {news}"
    refreshed = provider.read(id_, outs)
    assert refreshed.id == id_
    assert refreshed.outs == outs, "refresh records a change nobody made"
    assert refreshed.inputs is not None
    again = checked(provider, program, refreshed.inputs)
    diff = provider.diff(id_, refreshed.outs, again)
    assert not diff.changes, f"perpetual diff after a refresh: {diff.replaces}"
    return dict(refreshed.outs)


def assert_in_place(
    provider: ResourceProvider, id_: str, outs: dict[str, Any], news: dict[str, Any]
) -> dict[str, Any]:
    """A change of updatable inputs is an update, never a replacement; returns new outputs."""
    diff = provider.diff(id_, outs, news)
    assert diff.changes and not diff.replaces, (diff.changes, diff.replaces)
    updated = provider.update(id_, outs, news)
    assert updated.outs is not None
    return dict(updated.outs)


# -- registries -----------------------------------------------------------------------------


def registry_lifecycle(w: World) -> None:
    provider = RegistryProvider()
    program: dict[str, Any] = {
        "name": "life",
        "location": "de/fra",
        "garbage_collection_schedule": {"days": ["Saturday", "Sunday"], "time": "02:30"},
        "api_subnet_allow_list": ["203.0.113.7", "192.168.0.167/24"],
    }
    created = provider.create(checked(provider, program))
    id_, outs = str(created.id), dict(created.outs)
    assert outs["state"] == "Running" and outs["hostname"] == "life.cr.de-fra.ionos.com"
    outs = assert_settled(provider, id_, outs, program)

    # The same intent written another way is no change.
    respelled = {
        **program,
        "garbage_collection_schedule": {"days": ["sun", "SAT"], "time": "02:30:00Z"},
        "api_subnet_allow_list": [" 203.0.113.7", "192.168.0.167/24 "],
    }
    assert not provider.diff(id_, outs, checked(provider, respelled, outs)).changes

    changed = {
        **program,
        "garbage_collection_schedule": {"days": ["Monday"], "time": "04:00:00+00:00"},
        "api_subnet_allow_list": ["198.51.100.0/24"],
    }
    outs = assert_in_place(provider, id_, outs, checked(provider, changed, outs))
    outs = assert_settled(provider, id_, outs, changed)

    bare = {"name": "life", "location": "de/fra"}
    outs = assert_in_place(provider, id_, outs, checked(provider, bare, outs))
    outs = assert_settled(provider, id_, outs, bare)

    # One created without schedule or allow list settles too.
    other = provider.create(checked(provider, {"name": "plain", "location": "de/txl"}))
    assert_settled(
        provider, str(other.id), dict(other.outs), {"name": "plain", "location": "de/txl"}
    )

    for rid, state in ((id_, outs), (str(other.id), dict(other.outs))):
        provider.delete(rid, state)
        assert provider.read(rid, state).id is None
    with w.client() as client:
        assert client.list_registries() == []


# -- tokens ---------------------------------------------------------------------------------


def token_lifecycle(w: World) -> None:
    with w.client() as client:
        # Not waited for: the token waits for its registry itself.
        registry_id = client.create_registry(RegistryCreate(name="acme", location="de/fra")).id
    provider = RegistryTokenProvider()
    program: dict[str, Any] = {
        "registry_id": registry_id,
        "name": "ci-push",
        "scopes": [{"name": "app", "actions": ["pull", "push"]}],
        "expiry_date": "2030-01-31T12:00:00Z",
    }
    created = provider.create(checked(provider, program))
    id_, outs = str(created.id), dict(created.outs)
    password = outs["password"]
    assert password and outs["username"] == "ci-push"
    auths = json.loads(outs["docker_config_json"])["auths"]
    assert list(auths) == ["acme.cr.de-fra.ionos.com"]
    assert auths["acme.cr.de-fra.ionos.com"]["password"] == password
    outs = assert_settled(provider, id_, outs, program)

    changed = {
        **program,
        "status": "disabled",
        "expiry_date": "2031-06-01T10:00:00+02:00",
        "scopes": [{"name": "*", "actions": ["pull"]}],
    }
    outs = assert_in_place(provider, id_, outs, checked(provider, changed, outs))
    assert outs["password"] == password and outs["status"] == "disabled"
    outs = assert_settled(provider, id_, outs, changed)

    no_expiry = {**changed, "expiry_date": None}
    outs = assert_in_place(provider, id_, outs, checked(provider, no_expiry, outs))
    assert outs["expiry_date"] is None
    outs = assert_settled(provider, id_, outs, no_expiry)

    # A second token of the same name is refused before anything is created.
    with pytest.raises(IonosCrError, match="already exists"):
        provider.create(checked(provider, program))
    provider.delete(id_, outs)
    assert provider.read(id_, outs).id is None
    with w.client() as client:
        assert client.list_tokens(registry_id) == []


# -- repositories ---------------------------------------------------------------------------


def _ready_registry(name: str, *, scanning: bool = False) -> dict[str, Any]:
    provider = RegistryProvider()
    program = {"name": name, "location": "de/fra", "vulnerability_scanning": scanning}
    return dict(provider.create(checked(provider, program)).outs)


def repository_lifecycle(w: World) -> None:
    registry = _ready_registry("acme", scanning=True)
    rid = registry["registry_id"]
    w.emu.admin.seed_repository(rid, "team/app", [{"digest": "sha256:" + "a" * 64}])
    w.emu.admin.seed_repository(rid, "solo", [{"digest": "sha256:" + "b" * 64}])
    provider = RepositoryProvider()
    states: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, pushed in (("team/app", True), ("solo", True), ("empty/one", False)):
        program = {"registry_id": rid, "name": name}
        created = provider.create(checked(provider, program))
        outs = dict(created.outs)
        assert outs["exists"] is pushed, (name, outs)
        assert outs["artifact_count"] == (1 if pushed else 0)
        assert outs["url"] == f"acme.cr.de-fra.ionos.com/{name}"
        states[name] = (str(created.id), assert_settled(provider, str(created.id), outs, program))
    assert {r.name for r in get_repositories(rid, settings=w.settings)} == {"team/app", "solo"}

    unaddressable = w.variant == "repository-path" and w.value == "single-segment"
    for name in ("team/app", "empty/one"):
        id_, outs = states[name]
        if unaddressable and name == "team/app":
            # No path names it: the purge fails loudly instead of claiming success.
            with pytest.raises(IonosCrError, match="cannot be purged"):
                provider.delete(id_, outs)
            continue
        provider.delete(id_, outs)
        assert provider.read(id_, outs).outs["exists"] is False  # purged, registry still there
    left = {"solo", "team/app"} if unaddressable else {"solo"}
    assert {r.name for r in get_repositories(rid, settings=w.settings)} == left
    RegistryProvider().delete(rid, registry)
    assert provider.read(*states["solo"]).id is None


# -- the data plane with the credentials the provider hands out -----------------------------


def push_image(oci: httpx.Client, repository: str, tag: str) -> int:
    """Push a one-blob image through the data plane client `oci` (credentials set); returns
    201, or the status of the step that was refused."""
    layer = f"{repository}:{tag}".encode()
    digest = "sha256:" + hashlib.sha256(layer).hexdigest()
    r = oci.post(f"/v2/{repository}/blobs/uploads/", params={"digest": digest}, content=layer)
    if r.status_code != 201:
        return r.status_code
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": "application/octet-stream", "digest": digest, "size": len(layer)},
        "layers": [],
    }
    headers = {"Content-Type": MANIFEST_TYPE}
    return oci.put(
        f"/v2/{repository}/manifests/{tag}", content=json.dumps(manifest), headers=headers
    ).status_code


def dataplane_lifecycle(w: World) -> None:
    registry = _ready_registry("acme")
    rid = registry["registry_id"]
    tokens = RegistryTokenProvider()
    program: dict[str, Any] = {
        "registry_id": rid,
        "name": "ci-push",
        "scopes": [{"name": "app", "actions": ["pull", "push"]}],
    }
    created = tokens.create(checked(tokens, program))
    id_, outs = str(created.id), dict(created.outs)
    [entry] = json.loads(outs["docker_config_json"])["auths"].values()
    basic = {"Authorization": f"Basic {entry['auth']}"}
    with httpx.Client(base_url=w.emu.origin, headers=basic, timeout=30) as oci:
        assert push_image(oci, "app", "v1") == 201
        assert oci.get("/v2/app/manifests/v1").status_code == 200
        assert push_image(oci, "other", "v1") == 403  # outside the token's scopes
        repo = RepositoryProvider()
        found = repo.create(checked(repo, {"registry_id": rid, "name": "app"}))
        assert found.outs["exists"] is True and found.outs["pull_count"] >= 1
        outs = assert_in_place(
            tokens, id_, outs, checked(tokens, {**program, "status": "disabled"}, outs)
        )
        assert oci.get("/v2/app/manifests/v1").status_code == 401
        # The Docker token flow refuses it too (at the token endpoint or on the request).
        token = oci.get("/service/token", params={"scope": "repository:app:pull"})
        if token.status_code == 200:
            bearer = {"Authorization": f"Bearer {token.json()['token']}"}
            assert oci.get("/v2/app/manifests/v1", headers=bearer).status_code == 401
        else:
            assert token.status_code == 401
    tokens.delete(id_, outs)
    RegistryProvider().delete(rid, registry)


# -- errors ---------------------------------------------------------------------------------


def errors_lifecycle(w: World) -> None:
    """An API refusal reaches the user as one error naming the call and the status, with the
    API's reason when it gives one, and never a credential."""
    with pytest.raises(IonosCrError) as raised:
        RegistryProvider().create({"name": "bad-loc", "location": "zz/zzz"})
    message = str(raised.value)
    assert "POST /registries" in message and "HTTP 400" in message
    assert TOKEN not in message
    registry = _ready_registry("acme")
    tokens = RegistryTokenProvider()
    many = [{"name": f"repo-{i}", "actions": ["pull"]} for i in range(30)]
    program = {"registry_id": registry["registry_id"], "name": "wide", "scopes": many}
    if w.emu.admin.variants()["limits"] == "strict":
        with pytest.raises(IonosCrError, match="HTTP 400") as refused:
            tokens.create(checked(tokens, program))
        assert "already exists" not in str(refused.value)
    else:
        created = tokens.create(checked(tokens, program))
        assert_settled(tokens, str(created.id), dict(created.outs), program)


# -- lists longer than a page ---------------------------------------------------------------

#: The client's page size in the matrix (monkeypatched): every list spans several pages.
PAGE = 2


def paging_lifecycle(w: World) -> None:
    """More than a page of registries, tokens and repositories: every list and lookup sees all
    of them once, and finds a name exactly (not one it is a part of)."""
    with w.client() as client:
        names = ["reg-100", "reg-10", "reg-1", "other"]
        for name in names:
            client.create_registry(RegistryCreate(name=name, location="de/fra"))
        assert sorted(r.properties.name for r in client.list_registries()) == sorted(names)
        for name in ("reg-1", "reg-10"):
            assert get_registry(name=name, settings=w.settings).name == name
        with pytest.raises(NotFoundError):
            get_registry(name="reg", settings=w.settings)  # a part of other names only

        rid = get_registry(name="reg-1", settings=w.settings).id
        for i in range(PAGE + 1):
            client.create_token(rid, TokenCreate(name=f"t-{i}"))
        assert sorted(t.properties.name for t in client.list_tokens(rid)) == ["t-0", "t-1", "t-2"]
        tokens = RegistryTokenProvider()
        with pytest.raises(IonosCrError, match="already exists"):
            tokens.create(checked(tokens, {"registry_id": rid, "name": f"t-{PAGE}"}))
        late = tokens.create(checked(tokens, {"registry_id": rid, "name": "t-late"}))
        assert late.outs["password"]

        repos = [f"team/app-{i}" for i in range(PAGE + 1)] + ["team/app"]
        for i, repo in enumerate(repos):
            w.emu.admin.seed_repository(rid, repo, [{"digest": f"sha256:{i:064x}"}])
        assert sorted(r.name for r in get_repositories(rid, settings=w.settings)) == sorted(repos)
        found = RepositoryProvider().read(f"{rid}/team/app", {})
        assert found.outs["exists"] is True and found.outs["artifact_count"] == 1


Lifecycle = Callable[[World], None]

#: What each surface a variant names (`Variant.surface`) is proven by.
LIFECYCLES: dict[str, tuple[Lifecycle, ...]] = {
    "registries": (registry_lifecycle,),
    "tokens": (token_lifecycle,),
    "repositories": (repository_lifecycle,),
    "vulnerabilities": (repository_lifecycle,),
    "lists": (paging_lifecycle,),
    "errors": (errors_lifecycle,),
    "data-plane": (dataplane_lifecycle,),
}
