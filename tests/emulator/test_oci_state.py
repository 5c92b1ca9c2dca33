"""Data-plane rules on the backend directly (no HTTP)."""

from __future__ import annotations

import json

import pytest

from pulumi_ionoscr.emulator._oci_state import Distribution, OciProblem, sha256_digest
from pulumi_ionoscr.emulator._state import Actor, Backend

ALICE = Actor(tenant="user:alice", user="alice@example.com", user_id="u-alice")


def setup(scopes: list[dict[str, object]]) -> tuple[Backend, Distribution, str, str]:
    backend = Backend()
    reg = backend.create_registry(ALICE, {"properties": {"name": "demo", "location": "de/fra"}})
    _tok, password = backend.create_token(
        ALICE, reg.id, {"properties": {"name": "ci", "scopes": scopes}}
    )
    return backend, Distribution(backend), reg.id, password


@pytest.mark.parametrize(
    ("scope_name", "repo", "ok"),
    [
        ("*", "anything/at/all", True),
        ("app", "app", True),
        ("app", "app2", False),
        ("app", "team/app", False),
        ("team/app", "team/app", True),
        ("team", "team/app", False),
    ],
)
def test_scope_names_match_exactly_or_star(scope_name: str, repo: str, ok: bool) -> None:
    _, dist, _, pw = setup([{"name": scope_name, "type": "repository", "actions": ["pull"]}])
    access = dist.login_basic("ci", pw)
    assert dist.allowed(access, repo, "pull") is ok
    assert dist.allowed(access, repo, "push") is False


def test_wrong_password_and_token_without_scopes() -> None:
    _backend, dist, _rid, pw = setup([])
    with pytest.raises(OciProblem) as exc:
        dist.login_basic("ci", pw + "x")
    assert exc.value.status == 401
    access = dist.login_basic("ci", pw)
    with pytest.raises(OciProblem) as exc:
        dist.authorize(access, "app", "pull")
    assert exc.value.status == 403


def test_disabled_token_gets_a_bearer_that_is_then_refused() -> None:
    backend, dist, rid, pw = setup([{"name": "*", "type": "repository", "actions": ["pull"]}])
    tok = next(iter(backend.registries[rid].tokens.values()))
    backend.patch_token(ALICE, rid, tok.id, {"status": "disabled"})
    with pytest.raises(OciProblem):
        dist.login_basic("ci", pw)
    access = dist.login_basic("ci", pw, token_endpoint=True)
    bearer, _ = dist.issue_bearer(access)
    with pytest.raises(OciProblem) as exc:
        dist.login_bearer(bearer)
    assert exc.value.status == 401


def test_push_counts_and_manifest_digest_checks() -> None:
    backend, dist, rid, pw = setup(
        [{"name": "*", "type": "repository", "actions": ["pull", "push"]}]
    )
    access = dist.login_basic("ci", pw)
    blob = b"data"
    digest = sha256_digest(blob)
    upload = dist.start_upload(access, "app")
    dist.finish_upload(access, "app", upload.id, digest, blob)
    manifest = json.dumps({"schemaVersion": 2, "layers": [{"digest": digest}]}).encode()
    with pytest.raises(OciProblem) as exc:
        dist.put_manifest(access, "app", "sha256:" + "0" * 64, manifest, None)
    assert exc.value.code == "DIGEST_INVALID"
    mdigest = dist.put_manifest(access, "app", "v1", manifest, None)
    repo = backend.get_repository(ALICE, rid, "app")
    assert repo.push_count == 1 and repo.artifacts[mdigest].tags == ["v1"]
    body, _, got = dist.get_manifest(access, "app", "v1", count_pull=True)
    assert body == manifest and got == mdigest
    dist.get_manifest(access, "app", mdigest, count_pull=False)
    assert repo.pull_count == 1 and repo.artifacts[mdigest].pull_count == 1
    backend.delete_repository(ALICE, rid, "app")
    assert backend.blobs == {}
    with pytest.raises(OciProblem) as exc:
        dist.get_manifest(access, "app", "v1", count_pull=True)
    assert exc.value.status == 404
