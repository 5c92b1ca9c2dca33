"""Vulnerability data: pushes are scanned with deterministic findings (when the registry
scans), the admin API sets any artifact's findings, and the lists, filters and summaries
agree with each other. Over real HTTP, pushing through the OCI data plane."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_ionoscr.emulator import RunningEmulator, run_emulator
from pulumi_ionoscr.emulator._vulns import SEVERITY_RANK

AUTH = ("alice@example.com", "secret")
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"


class Registry:
    def __init__(self, emu: RunningEmulator, api: httpx.Client, name: str, scanning: bool) -> None:
        features = {"vulnerabilityScanning": {"enabled": scanning}}
        r = api.post(
            "/registries",
            json={"properties": {"name": name, "location": "de/fra", "features": features}},
        )
        assert r.status_code == 201, r.text
        self.id: str = r.json()["id"]
        scope = {"name": "*", "type": "repository", "actions": ["pull", "push"]}
        t = api.post(
            f"/registries/{self.id}/tokens", json={"properties": {"name": "ci", "scopes": [scope]}}
        )
        self.oci = httpx.Client(
            base_url=emu.origin, auth=("ci", t.json()["properties"]["credentials"]["password"])
        )

    def push(self, repository: str, tag: str, layer: bytes) -> str:
        """A monolithic blob upload and a manifest PUT; returns the manifest digest."""
        digest = "sha256:" + hashlib.sha256(layer).hexdigest()
        r = self.oci.post(
            f"/v2/{repository}/blobs/uploads/", params={"digest": digest}, content=layer
        )
        assert r.status_code == 201, r.text
        manifest = {
            "schemaVersion": 2,
            "mediaType": MANIFEST_TYPE,
            "config": {
                "mediaType": "application/octet-stream",
                "digest": digest,
                "size": len(layer),
            },
            "layers": [],
        }
        r = self.oci.put(
            f"/v2/{repository}/manifests/{tag}",
            content=json.dumps(manifest).encode(),
            headers={"Content-Type": MANIFEST_TYPE},
        )
        assert r.status_code == 201, r.text
        return str(r.headers["docker-content-digest"])


@pytest.fixture
def api(ionoscr_emulator: RunningEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=ionoscr_emulator.base_url, auth=AUTH, timeout=30) as client:
        yield client


def artifact(api: httpx.Client, rid: str, repo: str, digest: str) -> dict[str, Any]:
    r = api.get(f"/registries/{rid}/repositories/{repo}/artifacts/{digest}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def findings(api: httpx.Client, rid: str, repo: str, digest: str, **params: str) -> dict[str, Any]:
    r = api.get(
        f"/registries/{rid}/repositories/{repo}/artifacts/{digest}/vulnerabilities", params=params
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_pushes_are_scanned_with_the_same_findings_for_the_same_image(
    ionoscr_emulator: RunningEmulator, api: httpx.Client
) -> None:
    one = Registry(ionoscr_emulator, api, "scan-one", scanning=True)
    two = Registry(ionoscr_emulator, api, "scan-two", scanning=True)
    off = Registry(ionoscr_emulator, api, "scan-off", scanning=False)
    layer = next(
        f"layer-{n}".encode()
        for n in range(100)
        if findings_for(ionoscr_emulator, api, one, f"probe-{n}", f"layer-{n}".encode()) >= 3
    )
    digest = one.push("app", "v1", layer)
    assert two.push("app", "v1", layer) == digest and off.push("app", "v1", layer) == digest

    scanned = artifact(api, one.id, "app", digest)["metadata"]
    listed = findings(api, one.id, "app", digest)
    items = listed["items"]
    assert items == findings(api, two.id, "app", digest)["items"]  # same image, same findings
    assert len(items) == scanned["vulnTotalCount"] >= 3
    props = [i["properties"] for i in items]
    assert scanned["vulnFixableCount"] == sum(p["fixable"] for p in props)
    assert scanned["vulnTotalScore"] == round(sum(p["score"] for p in props), 2)
    assert scanned["vulnMaxSeverity"] == max(
        (p["severity"] for p in props), key=lambda s: SEVERITY_RANK[s]
    )
    assert scanned["lastScannedAt"]
    assert [p["score"] for p in props] == sorted((p["score"] for p in props), reverse=True)
    repo = api.get(f"/registries/{one.id}/repositories/app").json()
    assert repo["metadata"]["lastSeverity"] == scanned["vulnMaxSeverity"]

    # Without scanning: never scanned, nothing found, nothing summarised.
    unscanned = artifact(api, off.id, "app", digest)["metadata"]
    assert unscanned["lastScannedAt"] is None
    assert unscanned["vulnMaxSeverity"] is unscanned["vulnTotalCount"] is None
    assert findings(api, off.id, "app", digest)["items"] == []


def findings_for(
    emu: RunningEmulator, api: httpx.Client, reg: Registry, repo: str, layer: bytes
) -> int:
    """How many findings a push of `layer` gets (pushed into a throwaway repository)."""
    digest = reg.push(repo, "probe", layer)
    count: int = artifact(api, reg.id, repo, digest)["metadata"]["vulnTotalCount"]
    assert api.delete(f"/registries/{reg.id}/repositories/{repo}").status_code == 204
    return count


@pytest.fixture
def marked(ionoscr_emulator: RunningEmulator, api: httpx.Client) -> tuple[str, str]:
    """A registry whose artifact `team/app@digest` has six known findings."""
    reg = Registry(ionoscr_emulator, api, "marked", scanning=True)
    digest = reg.push("team/app", "v1", b"marked")
    catalogue = {v["id"]: v for v in ionoscr_emulator.admin.vulnerabilities()}
    chosen = ["CVE-2099-10001", "CVE-2099-10004", "CVE-2099-10008", "CVE-2099-10009",
              "CVE-2099-10011", "CVE-2099-10014"]  # fmt: skip
    assert set(chosen) <= set(catalogue)
    summary = ionoscr_emulator.admin.set_vulnerabilities(reg.id, "team/app", digest, chosen)
    assert summary["vulnerabilities"] == chosen and summary["vulnTotalCount"] == 6
    return reg.id, digest


def test_filters_order_and_pages(api: httpx.Client, marked: tuple[str, str]) -> None:
    rid, digest = marked
    repo = "team%2Fapp"

    def ids(**params: str) -> list[str]:
        return [i["id"] for i in findings(api, rid, repo, digest, **params)["items"]]

    assert ids(**{"filter.severity": "HIGH"}) == ["CVE-2099-10004", "CVE-2099-10008"]
    fixable = ids(**{"filter.fixable": "true"})
    unfixable = ids(**{"filter.fixable": "false"})
    assert sorted(fixable + unfixable) == sorted(ids()) and fixable and unfixable
    assert ids(**{"filter.severity": "medium", "filter.fixable": "false"}) == ["CVE-2099-10011"]
    assert ids(orderBy="severity")[0] == "CVE-2099-10014"  # low first
    assert ids(orderBy="-severity")[0] == "CVE-2099-10001"  # critical first
    assert ids(orderBy="-score") == ids()  # the default
    published = [
        i["metadata"]["publishedAt"]
        for i in findings(api, rid, repo, digest, orderBy="publishedAt")["items"]
    ]
    assert published == sorted(published)
    # Pages: offset/limit with prev/next links only where they exist.
    page = findings(api, rid, repo, digest, offset="2", limit="2")
    assert [i["id"] for i in page["items"]] == ids()[2:4]
    assert (page["offset"], page["limit"]) == (2, 2)
    assert set(page["_links"]) == {"prev", "self", "next"}
    assert "offset=4" in page["_links"]["next"] and "offset=0" in page["_links"]["prev"]
    last = findings(api, rid, repo, digest, offset="4", limit="2")
    assert "next" not in last["_links"]
    for params in ({"orderBy": "cvss"}, {"filter.fixable": "yes"}, {"limit": "0"}):
        r = api.get(
            f"/registries/{rid}/repositories/{repo}/artifacts/{digest}/vulnerabilities",
            params=params,
        )
        assert r.status_code == 400 and r.json()["httpStatus"] == 400, params


def test_vulnerability_by_id_and_artifacts_by_vulnerability(
    ionoscr_emulator: RunningEmulator, api: httpx.Client, marked: tuple[str, str]
) -> None:
    rid, digest = marked
    r = api.get("/vulnerabilities/CVE-2099-10001")
    assert r.status_code == 200
    vuln = r.json()
    assert vuln["type"] == "vulnerability"
    assert vuln["href"] == f"{ionoscr_emulator.base_url}/vulnerabilities/CVE-2099-10001"
    assert set(vuln["metadata"]) == {"publishedAt", "updatedAt"}
    assert set(vuln["properties"]) == {
        "description", "recommendations", "dataSource", "fixable", "affects", "references",
        "severity", "score",
    }  # fmt: skip
    assert vuln["properties"]["severity"] == "critical"
    assert set(vuln["properties"]["affects"][0]) == {"type", "name", "version"}
    assert api.get("/vulnerabilities/CVE-2099-99999").status_code == 404
    assert api.get("/vulnerabilities/" + "C" * 65).status_code == 400

    listed = api.get(
        f"/registries/{rid}/artifacts", params={"filter.vulnerabilityId": "CVE-2099-10008"}
    ).json()
    assert [a["id"] for a in listed["items"]] == [digest]
    assert "filter.vulnerabilityId=CVE-2099-10008" in listed["_links"]["self"]
    none = api.get(
        f"/registries/{rid}/artifacts", params={"filter.vulnerabilityId": "CVE-2099-10016"}
    ).json()
    assert none["items"] == []


def test_admin_refusals(ionoscr_emulator: RunningEmulator, marked: tuple[str, str]) -> None:
    rid, digest = marked
    admin = ionoscr_emulator.admin
    for bad, needle in [
        (["CVE-2099-00000"], "no vulnerability 'CVE-2099-00000'"),
        ([{"id": "X-1", "severity": "dire", "score": 5}], "vulnerabilities[0].severity"),
        ([{"id": "X-1", "severity": "low", "score": 11}], "between 0 and 10"),
        ([{"id": "X-1", "severity": "low"}], "vulnerabilities[0].score"),
    ]:
        with pytest.raises(httpx.HTTPStatusError) as raised:
            admin.set_vulnerabilities(rid, "team/app", digest, bad)
        assert raised.value.response.status_code == 400
        assert needle in raised.value.response.json()["messages"][0]["message"]
    with pytest.raises(httpx.HTTPStatusError) as raised:
        admin.seed_repository(
            rid, "other", [{"vulnerabilities": ["CVE-2099-10001"], "vulnMaxSeverity": "low"}]
        )
    assert "not both" in raised.value.response.text


def test_defined_advisories_are_served_and_kept_in_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    advisory = {
        "id": "GHSA-emu-0001",
        "severity": "High",
        "score": 8.2,
        "fixable": True,
        "description": "a finding the test defines",
        "affects": [{"type": "npm", "name": "left-pad", "version": "1.0.0"}],
        "publishedAt": "2025-01-02T03:04:05Z",
    }
    with run_emulator(state_file=state) as emu:
        api = httpx.Client(base_url=emu.base_url, auth=AUTH)
        rid = api.post(
            "/registries", json={"properties": {"name": "kept", "location": "de/fra"}}
        ).json()["id"]
        emu.admin.seed_repository(
            rid, "app", [{"digest": "sha256:" + "a" * 64, "vulnerabilities": [advisory]}]
        )
    with run_emulator(state_file=state) as emu:
        api = httpx.Client(base_url=emu.base_url, auth=AUTH)
        got = api.get("/vulnerabilities/GHSA-emu-0001").json()
        assert got["properties"]["severity"] == "high" and got["properties"]["score"] == 8.2
        assert got["metadata"]["publishedAt"] == "2025-01-02T03:04:05Z"
        art = api.get(f"/registries/{rid}/repositories/app/artifacts/sha256:{'a' * 64}").json()
        assert art["metadata"]["vulnMaxSeverity"] == "high"
        assert art["metadata"]["vulnFixableCount"] == 1
