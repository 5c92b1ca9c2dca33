"""The OCI data plane over real HTTP, driven by oras-py (a client nobody here wrote).

Refusals are exercised with oras' `basic` auth backend: with the default `token` backend a
failed token exchange makes oras retry with sleeps of several seconds (its own behaviour).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_ionoscr.emulator import RunningEmulator, run_emulator

oras_client = pytest.importorskip("oras.client")

AUTH = ("alice@example.com", "secret")
ALL = ["pull", "push", "delete"]


class Setup:
    def __init__(self, emu: RunningEmulator, tmp: Path) -> None:
        self.emu = emu
        self.tmp = tmp
        self.api = httpx.Client(base_url=emu.base_url, auth=AUTH, timeout=30)

    def registry(self, name: str = "demo") -> str:
        r = self.api.post("/registries", json={"properties": {"name": name, "location": "de/fra"}})
        assert r.status_code == 201, r.text
        rid: str = r.json()["id"]
        return rid

    def token(
        self, rid: str, name: str, scopes: list[tuple[str, list[str]]], **props: Any
    ) -> tuple[str, str]:
        body = {
            "properties": {
                "name": name,
                "scopes": [{"name": n, "type": "repository", "actions": a} for n, a in scopes],
                **props,
            }
        }
        r = self.api.post(f"/registries/{rid}/tokens", json=body)
        assert r.status_code == 201, r.text
        tok = r.json()
        return tok["id"], tok["properties"]["credentials"]["password"]

    def oras(self, user: str, password: str, backend: str = "basic") -> Any:
        client = oras_client.OrasClient(
            hostname=self.emu.oci_host, insecure=True, auth_backend=backend
        )
        client.auth.set_basic_auth(user, password)
        return client

    def file(self, name: str, content: str) -> str:
        path = self.tmp / name
        path.write_text(content)
        return str(path)

    def push(self, client: Any, ref: str, content: str = "hello") -> Any:
        return client.push(
            files=[self.file("payload.txt", content)],
            target=f"{self.emu.oci_host}/{ref}",
            disable_path_validation=True,
            quiet=True,
        )

    def pull(self, client: Any, ref: str) -> str:
        out = self.tmp / f"out-{hashlib.sha1(ref.encode()).hexdigest()[:8]}"
        files = client.pull(target=f"{self.emu.oci_host}/{ref}", outdir=str(out))
        return Path(files[0]).read_text()


@pytest.fixture
def s(ionoscr_emulator: RunningEmulator, tmp_path: Path) -> Iterator[Setup]:
    setup = Setup(ionoscr_emulator, tmp_path)
    yield setup
    setup.api.close()


def test_push_and_pull_with_the_token_flow(s: Setup) -> None:
    rid = s.registry()
    _, password = s.token(rid, "pusher", [("*", ["pull", "push"])])
    client = s.oras("pusher", password, backend="token")
    assert s.push(client, "app:v1", "first").status_code == 201
    assert s.pull(client, "app:v1") == "first"

    repo = s.api.get(f"/registries/{rid}/repositories/app").json()
    assert repo["metadata"]["artifactCount"] == 1
    assert repo["metadata"]["pushCount"] == 1
    assert repo["metadata"]["pullCount"] == 1
    assert repo["metadata"]["lastPushedAt"] and repo["metadata"]["lastPulledAt"]
    arts = s.api.get(f"/registries/{rid}/repositories/app/artifacts").json()["items"]
    assert len(arts) == 1
    art = arts[0]
    assert art["properties"]["tags"] == ["v1"]
    assert art["properties"]["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert art["properties"]["digest"].startswith("sha256:")
    assert art["metadata"]["pullCount"] == 1 and art["metadata"]["pushCount"] == 1
    reg = s.api.get(f"/registries/{rid}").json()
    assert reg["properties"]["storageUsage"]["bytes"] > 0
    # the Bearer dance was used
    paths = [e["path"] for e in s.emu.admin.requests()]
    assert "/service/token" in paths


def test_multi_segment_names_and_retag(s: Setup) -> None:
    rid = s.registry()
    _, password = s.token(rid, "ci", [("*", ALL)])
    client = s.oras("ci", password)
    s.push(client, "team/app:v1", "one")
    s.push(client, "team/app:v2", "two")
    s.push(client, "team/app:v1", "three")  # v1 moves to a new artifact
    arts = s.api.get(f"/registries/{rid}/repositories/team%2Fapp/artifacts").json()["items"]
    tags = sorted(tuple(a["properties"]["tags"]) for a in arts)
    assert tags == [(), ("v1",), ("v2",)]
    assert s.pull(client, "team/app:v1") == "three"
    assert s.pull(client, "team/app:v2") == "two"


def test_pull_only_token_cannot_push(s: Setup) -> None:
    rid = s.registry()
    _, push_pw = s.token(rid, "pusher", [("app", ["pull", "push"])])
    _, pull_pw = s.token(rid, "reader", [("app", ["pull"])])
    s.push(s.oras("pusher", push_pw), "app:v1", "content")
    reader = s.oras("reader", pull_pw)
    assert s.pull(reader, "app:v1") == "content"
    with pytest.raises(ValueError):
        s.push(reader, "app:v2", "sneaky")
    tags = [
        a["properties"]["tags"]
        for a in s.api.get(f"/registries/{rid}/repositories/app/artifacts").json()["items"]
    ]
    assert tags == [["v1"]]


def test_scope_limits_repositories(s: Setup) -> None:
    rid = s.registry()
    _, pw = s.token(rid, "app-only", [("app", ["pull", "push"])])
    client = s.oras("app-only", pw)
    s.push(client, "app:v1")
    for other in ("other:v1", "app2:v1", "team/app:v1"):
        with pytest.raises(ValueError):
            s.push(client, other)
    names = [r["id"] for r in s.api.get(f"/registries/{rid}/repositories").json()["items"]]
    assert names == ["app"]


def test_disabled_and_expired_tokens_are_refused(s: Setup) -> None:
    rid = s.registry()
    tid, pw = s.token(rid, "ci", [("*", ALL)])
    client = s.oras("ci", pw)
    s.push(client, "app:v1", "x")
    s.api.patch(f"/registries/{rid}/tokens/{tid}", json={"status": "disabled"})
    with pytest.raises(ValueError):
        s.pull(client, "app:v1")
    with pytest.raises(ValueError):  # also with the token flow, and without long retries
        s.pull(s.oras("ci", pw, backend="token"), "app:v1")
    s.api.patch(
        f"/registries/{rid}/tokens/{tid}",
        json={"status": "enabled", "expiryDate": "2001-01-01T00:00:00Z"},
    )
    with pytest.raises(ValueError):
        s.pull(client, "app:v1")
    s.api.patch(f"/registries/{rid}/tokens/{tid}", json={"expiryDate": None})
    assert s.pull(client, "app:v1") == "x"
    # direct HTTP: 401 with a challenge
    r = httpx.get(f"{s.emu.origin}/v2/app/manifests/v1", auth=("ci", "wrong-password"))
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer realm=")
    assert r.json()["errors"][0]["code"] == "UNAUTHORIZED"


def test_repository_delete_makes_content_unpullable(s: Setup) -> None:
    rid = s.registry()
    _, pw = s.token(rid, "ci", [("*", ALL)])
    client = s.oras("ci", pw)
    s.push(client, "team/app:v1", "gone soon")
    assert s.api.delete(f"/registries/{rid}/repositories/team%2Fapp").status_code == 204
    with pytest.raises(ValueError):
        s.pull(client, "team/app:v1")
    assert s.api.get(f"/registries/{rid}/repositories/team%2Fapp").status_code == 404
    assert s.api.get(f"/registries/{rid}").json()["properties"]["storageUsage"]["bytes"] == 0


def test_registries_are_told_apart_by_credentials(s: Setup) -> None:
    r1, r2 = s.registry("one"), s.registry("two")
    _, pw1 = s.token(r1, "ci", [("*", ALL)])
    _, pw2 = s.token(r2, "ci", [("*", ALL)])  # same token name, other registry
    s.push(s.oras("ci", pw1), "app:v1", "in one")
    assert s.api.get(f"/registries/{r1}/repositories/app").status_code == 200
    assert s.api.get(f"/registries/{r2}/repositories/app").status_code == 404
    with pytest.raises(ValueError):
        s.pull(s.oras("ci", pw2), "app:v1")


def _manual_push(origin: str, auth: tuple[str, str], name: str) -> httpx.Response:
    blob = b"layer-bytes"
    digest = "sha256:" + hashlib.sha256(blob).hexdigest()
    with httpx.Client(base_url=origin, auth=auth) as c:
        start = c.post(f"/v2/{name}/blobs/uploads/")
        assert start.status_code == 202
        loc = start.headers["location"]
        bad = c.put(loc, params={"digest": "sha256:" + "0" * 64}, content=blob)
        assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "DIGEST_INVALID"
        start = c.post(f"/v2/{name}/blobs/uploads/")
        loc = start.headers["location"]
        assert c.patch(loc, content=blob[:4]).status_code == 202
        done = c.put(start.headers["location"], params={"digest": digest}, content=blob[4:])
        assert done.status_code == 201 and done.headers["docker-content-digest"] == digest
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.empty.v1+json",
                "digest": digest,
                "size": len(blob),
            },
            "layers": [
                {"mediaType": "application/octet-stream", "digest": digest, "size": len(blob)}
            ],
        }
        return c.put(
            f"/v2/{name}/manifests/latest",
            content=json.dumps(manifest).encode(),
            headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"},
        )


def test_raw_protocol_details(s: Setup) -> None:
    rid = s.registry()
    _, pw = s.token(rid, "ci", [("*", ["pull", "push"])])
    assert httpx.get(f"{s.emu.origin}/v2/").status_code == 401
    assert httpx.get(f"{s.emu.origin}/v2/", auth=("ci", pw)).status_code == 200
    put = _manual_push(s.emu.origin, ("ci", pw), "raw/repo")
    assert put.status_code == 201
    digest = put.headers["docker-content-digest"]
    with httpx.Client(base_url=s.emu.origin, auth=("ci", pw)) as c:
        head = c.head(f"/v2/raw/repo/manifests/{digest}")
        assert head.status_code == 200 and head.headers["docker-content-digest"] == digest
        assert c.get("/v2/raw/repo/tags/list").json() == {"name": "raw/repo", "tags": ["latest"]}
        assert c.get("/v2/_catalog").json() == {"repositories": ["raw/repo"]}
        # a manifest naming a blob that was never pushed
        bad = {
            "schemaVersion": 2,
            "layers": [{"digest": "sha256:" + "1" * 64, "size": 1, "mediaType": "x"}],
        }
        r = c.put("/v2/raw/repo/manifests/bad", content=json.dumps(bad).encode())
        assert r.status_code == 400 and r.json()["errors"][0]["code"] == "MANIFEST_BLOB_UNKNOWN"
        # delete needs the delete action
        r = c.delete(f"/v2/raw/repo/manifests/{digest}")
        assert r.status_code == 403 and r.json()["errors"][0]["code"] == "DENIED"
        assert c.get("/v2/raw/repo/manifests/nope").status_code == 404
        assert c.get("/v2/UPPER/manifests/x").status_code == 400
    # HEAD does not count as a pull, GET does
    repo = s.api.get(f"/registries/{rid}/repositories/raw%2Frepo").json()
    assert repo["metadata"]["pullCount"] == 0


def test_delete_manifest_with_delete_scope(s: Setup) -> None:
    rid = s.registry()
    _, pw = s.token(rid, "ci", [("*", ALL)])
    digest = _manual_push(s.emu.origin, ("ci", pw), "app").headers["docker-content-digest"]
    with httpx.Client(base_url=s.emu.origin, auth=("ci", pw)) as c:
        assert c.delete(f"/v2/app/manifests/{digest}").status_code == 202
        assert c.get(f"/v2/app/manifests/{digest}").status_code == 404
    assert s.api.get(f"/registries/{rid}/repositories/app").status_code == 404


def test_state_file_keeps_blobs(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with run_emulator(state_file=state) as emu:
        s = Setup(emu, tmp_path)
        rid = s.registry()
        _, pw = s.token(rid, "ci", [("*", ALL)])
        s.push(s.oras("ci", pw), "app:v1", "persisted")
    data = json.loads(state.read_text())
    assert any(base64.b64decode(b) == b"persisted" for b in data["blobs"].values())
    with run_emulator(state_file=state) as emu:
        s = Setup(emu, tmp_path)
        assert s.pull(s.oras("ci", pw), "app:v1") == "persisted"
