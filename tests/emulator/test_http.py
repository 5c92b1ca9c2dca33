"""The management API over real HTTP: auth, tenants, wire format, errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulumi_ionoscr.emulator import RunningEmulator, run_emulator


def create(api: httpx.Client, name: str = "demo", **props: Any) -> dict[str, Any]:
    r = api.post("/registries", json={"properties": {"name": name, "location": "de/fra", **props}})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def assert_error(r: httpx.Response, status: int, *needles: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["httpStatus"] == status
    assert isinstance(body["messages"], list) and body["messages"]
    msg = body["messages"][0]
    assert isinstance(msg["errorCode"], str) and msg["errorCode"]
    for needle in needles:
        assert needle in msg["message"]


# -- auth and tenants --------------------------------------------------------------------------


def test_requests_without_credentials_get_401(ionoscr_emulator: RunningEmulator) -> None:
    base = ionoscr_emulator.base_url
    assert_error(httpx.get(f"{base}/registries"), 401, "Authorization")
    assert_error(httpx.get(f"{base}/locations", headers={"Authorization": "Digest x"}), 401)
    assert_error(httpx.get(f"{base}/locations", headers={"Authorization": "Basic !!!"}), 401)
    assert_error(httpx.get(f"{base}/locations", auth=("user", "")), 401)
    assert_error(httpx.get(f"{base}/locations", headers={"Authorization": "Bearer"}), 401)
    ok = httpx.get(f"{base}/locations", headers={"Authorization": "Bearer abc.def.ghi"})
    assert ok.status_code == 200


def test_restricted_credentials() -> None:
    with run_emulator(users={"ci@example.com": "pw"}, tokens=["tok-1"]) as emu:
        url = f"{emu.base_url}/locations"
        assert httpx.get(url, auth=("ci@example.com", "pw")).status_code == 200
        assert_error(httpx.get(url, auth=("ci@example.com", "wrong")), 401)
        assert_error(httpx.get(url, auth=("other@example.com", "pw")), 401)
        assert httpx.get(url, headers={"Authorization": "Bearer tok-1"}).status_code == 200
        assert_error(httpx.get(url, headers={"Authorization": "Bearer tok-2"}), 401)


def test_tenants_are_partitioned(ionoscr_emulator: RunningEmulator, api: httpx.Client) -> None:
    reg = create(api)
    base = ionoscr_emulator.base_url
    bob = httpx.Client(base_url=base, auth=("bob@example.com", "pw"))
    assert bob.get("/registries").json()["items"] == []
    assert_error(bob.get(f"/registries/{reg['id']}"), 404)
    assert_error(bob.patch(f"/registries/{reg['id']}", json={"apiSubnetAllowList": []}), 404)
    assert_error(bob.delete(f"/registries/{reg['id']}"), 404)
    assert_error(bob.get(f"/registries/{reg['id']}/tokens"), 404)
    # names are global: bob sees the name as taken and cannot create it
    assert bob.head("/names/demo").status_code == 200
    assert_error(
        bob.post("/registries", json={"properties": {"name": "demo", "location": "de/fra"}}),
        400,
        "already in use",
    )
    # the contract header partitions alice's own calls too
    c1 = httpx.Client(
        base_url=base, auth=("alice@example.com", "secret"), headers={"X-Contract-Number": "31415"}
    )
    assert c1.get("/registries").json()["items"] == []
    create(c1, "in-contract")
    shared = httpx.Client(
        base_url=base, auth=("bob@example.com", "pw"), headers={"X-Contract-Number": "31415"}
    )
    assert [r["properties"]["name"] for r in shared.get("/registries").json()["items"]] == [
        "in-contract"
    ]
    assert [r["properties"]["name"] for r in api.get("/registries").json()["items"]] == ["demo"]
    assert_error(
        httpx.get(f"{base}/registries", auth=("a", "b"), headers={"X-Contract-Number": "abc"}),
        400,
        "X-Contract-Number",
    )


# -- locations and names -----------------------------------------------------------------------


def test_locations(api: httpx.Client) -> None:
    body = api.get("/locations").json()
    assert body["id"] == "locations" and body["type"] == "collection"
    assert [i["id"] for i in body["items"]] == ["de/fra", "de/txl", "es/vit"]


def test_names_head(api: httpx.Client) -> None:
    assert api.head("/names/demo").status_code == 404
    create(api)
    r = api.head("/names/demo")
    assert r.status_code == 200 and r.content == b""
    assert api.head("/names/Invalid_Name").status_code == 400
    assert api.head("/names/ab").status_code == 400


# -- registries --------------------------------------------------------------------------------


def test_registry_lifecycle_over_http(ionoscr_emulator: RunningEmulator, api: httpx.Client) -> None:
    r = api.post(
        "/registries",
        json={
            "properties": {
                "name": "demo",
                "location": "de/fra",
                "garbageCollectionSchedule": {
                    "days": ["Saturday", "Sunday"],
                    "time": "19:30:00+00:00",
                },
                "apiSubnetAllowList": ["198.51.100.0/24"],
            }
        },
    )
    assert r.status_code == 201
    reg = r.json()
    rid = reg["id"]
    assert r.headers["location"].endswith(f"/registries/{rid}")
    assert reg["type"] == "registry" and reg["href"] == ""
    assert reg["metadata"]["state"] == "New"
    assert reg["metadata"]["createdBy"] == "alice@example.com"
    assert reg["metadata"]["createdDate"].endswith("Z")
    props = reg["properties"]
    assert props["hostname"] == ""
    assert props["garbageCollectionSchedule"]["days"] == ["Sunday", "Saturday"]
    assert props["features"] == {"vulnerabilityScanning": {"enabled": True}}
    assert props["storageUsage"]["bytes"] == 0
    states = [api.get(f"/registries/{rid}").json()["metadata"]["state"] for _ in range(2)]
    assert states == ["WaitingForStorage", "Running"]
    running = api.get(f"/registries/{rid}").json()
    assert running["properties"]["hostname"] == "demo.cr.de-fra.ionos.com"
    assert "updatedAt" in running["properties"]["storageUsage"]

    patched = api.patch(f"/registries/{rid}", json={"apiSubnetAllowList": []})
    assert patched.status_code == 200
    pbody = patched.json()
    assert pbody["properties"]["apiSubnetAllowList"] == []
    assert pbody["properties"]["garbageCollectionSchedule"]["time"] == "19:30:00+00:00"
    assert pbody["metadata"]["state"] == "Updating"
    assert pbody["metadata"]["lastModifiedBy"] == "alice@example.com"
    assert api.get(f"/registries/{rid}").json()["metadata"]["state"] == "Running"

    put = api.put(f"/registries/{rid}", json={"properties": {"name": "demo", "location": "de/fra"}})
    assert put.status_code == 201
    assert "garbageCollectionSchedule" not in put.json()["properties"]
    assert_error(
        api.put(f"/registries/{rid}", json={"properties": {"name": "demo2", "location": "de/fra"}}),
        400,
        "properties.name",
    )

    assert api.delete(f"/registries/{rid}").status_code == 204
    assert api.get(f"/registries/{rid}").json()["metadata"]["state"] == "Deleting"
    assert api.head("/names/demo").status_code == 404  # second read: gone
    assert_error(api.get(f"/registries/{rid}"), 404)
    assert_error(api.delete(f"/registries/{rid}"), 404)


def test_registry_list_pagination_and_links(api: httpx.Client) -> None:
    for name in ("one", "two", "three"):
        create(api, name)
    page = api.get("/registries", params={"limit": "2"}).json()
    assert page["id"] == "registries" and page["type"] == "collection"
    assert len(page["items"]) == 2
    assert page["pagination"]["limit"] == 2 and page["pagination"]["token"]
    assert set(page["_links"]) == {"next", "previous", "self"}
    nxt = httpx.get(page["_links"]["next"], auth=("alice@example.com", "secret")).json()
    assert [i["properties"]["name"] for i in nxt["items"]] == ["three"]
    assert nxt["pagination"]["token"] == "" and nxt["_links"]["next"] == ""
    filtered = api.get("/registries", params={"filter.name": "t"}).json()
    assert sorted(i["properties"]["name"] for i in filtered["items"]) == ["three", "two"]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"{not json", "malformed JSON"),
        (b"", "body"),
        (
            b'{"properties": {"name": "abc", "location": "de/fra", "hostname": "x"}}',
            "properties.hostname",
        ),
        (b'{"properties": {"name": ["abc"], "location": "de/fra"}}', "properties.name"),
        (b'{"properties": {"name": "abc", "location": 7}}', "properties.location"),
        (
            b'{"properties": {"name": "abc", "location": "de/fra",'
            b' "apiSubnetAllowList": "1.2.3.4"}}',
            "properties.apiSubnetAllowList",
        ),
        (b'"just a string"', "body"),
    ],
)
def test_malformed_requests_are_4xx_naming_the_field(
    api: httpx.Client, content: bytes, needle: str
) -> None:
    r = api.post("/registries", content=content, headers={"Content-Type": "application/json"})
    assert_error(r, 400, needle)


def test_unknown_endpoint_and_method(api: httpx.Client) -> None:
    assert_error(api.get("/nothing-here"), 404)
    assert_error(api.delete("/registries"), 405)
    assert_error(api.get("/registries/not-a-uuid"), 400, "registryId")
    assert_error(api.get("/registries/00000000-0000-4000-8000-000000000000/tokens/nope"), 404)


# -- tokens ------------------------------------------------------------------------------------


def test_tokens_over_http(api: httpx.Client) -> None:
    rid = create(api)["id"]
    body = {
        "properties": {
            "name": "ci-push",
            "expiryDate": None,
            "scopes": [{"name": "*", "actions": ["pull", "push"], "type": "repository"}],
        }
    }
    r = api.post(f"/registries/{rid}/tokens", json=body)
    assert r.status_code == 201
    tok = r.json()
    tid = tok["id"]
    assert tok["type"] == "token"
    assert tok["properties"]["credentials"]["username"] == "ci-push"
    password = tok["properties"]["credentials"]["password"]
    assert password
    assert tok["metadata"]["state"] == "enabled"
    assert r.headers["location"].endswith(f"/registries/{rid}/tokens/{tid}")

    again = api.get(f"/registries/{rid}/tokens/{tid}").json()
    assert again["properties"]["credentials"] == {"username": "ci-push", "password": ""}
    listed = api.get(f"/registries/{rid}/tokens").json()
    assert listed["items"][0]["properties"]["credentials"]["password"] == ""
    assert (listed["count"], listed["total"], listed["offset"], listed["limit"]) == (1, 1, 0, 100)
    assert password not in api.get(f"/registries/{rid}/tokens").text

    assert_error(api.post(f"/registries/{rid}/tokens", json=body), 409)

    patched = api.patch(
        f"/registries/{rid}/tokens/{tid}",
        json={"status": "disabled", "expiryDate": "2031-05-06T07:08:09Z"},
    ).json()
    assert patched["metadata"]["state"] == "disabled"
    assert patched["properties"]["status"] == "disabled"
    assert patched["properties"]["expiryDate"] == "2031-05-06T07:08:09Z"
    assert patched["properties"]["scopes"][0]["actions"] == ["pull", "push"]
    cleared = api.patch(f"/registries/{rid}/tokens/{tid}", json={"expiryDate": None}).json()
    assert cleared["properties"]["expiryDate"] is None

    put = api.put(
        f"/registries/{rid}/tokens/{tid}", json={"properties": {"name": "ci-push", "scopes": []}}
    )
    assert put.status_code == 201
    assert put.json()["properties"]["credentials"]["password"] == ""
    assert put.json()["properties"]["status"] == "enabled"

    assert api.delete(f"/registries/{rid}/tokens/{tid}").status_code == 204
    assert_error(api.get(f"/registries/{rid}/tokens/{tid}"), 404)
    assert_error(api.delete(f"/registries/{rid}/tokens/{tid}"), 404)


def test_token_list_paging(api: httpx.Client) -> None:
    rid = create(api)["id"]
    for i in range(3):
        api.post(f"/registries/{rid}/tokens", json={"properties": {"name": f"tok{i}"}})
    page = api.get(f"/registries/{rid}/tokens", params={"offset": "1", "limit": "1"}).json()
    assert [t["properties"]["name"] for t in page["items"]] == ["tok1"]
    assert (page["count"], page["total"]) == (1, 3)
    assert page["_links"]["next"] and page["_links"]["previous"]
    assert_error(api.get(f"/registries/{rid}/tokens", params={"limit": "x"}), 400, "limit")


# -- repositories and artifacts ----------------------------------------------------------------


def test_repositories_and_artifacts(ionoscr_emulator: RunningEmulator, api: httpx.Client) -> None:
    rid = create(api)["id"]
    digest = "sha256:" + "a" * 64
    ionoscr_emulator.admin.seed_repository(
        rid, "team/app", [{"digest": digest, "tags": ["v1"], "vulnMaxSeverity": "high"}]
    )
    ionoscr_emulator.admin.seed_repository(rid, "base", [{"tags": ["latest"]}])
    repos = api.get(f"/registries/{rid}/repositories").json()
    assert repos["id"] == "repositories" and repos["type"] == "collection"
    assert {r["id"] for r in repos["items"]} == {"team/app", "base"}
    assert repos["offset"] == 0 and repos["limit"] == 100 and "self" in repos["_links"]
    assert "next" not in repos["_links"] and "prev" not in repos["_links"]

    encoded = api.get(f"/registries/{rid}/repositories/team%2Fapp").json()
    assert encoded["properties"]["name"] == "team/app"
    assert encoded["metadata"]["artifactCount"] == 1
    assert encoded["metadata"]["lastSeverity"] == "high"
    assert encoded["href"].endswith("/repositories/team%2Fapp")
    raw = api.get(f"/registries/{rid}/repositories/team/app").json()
    assert raw["id"] == "team/app"

    arts = api.get(f"/registries/{rid}/repositories/team%2Fapp/artifacts").json()
    assert [a["id"] for a in arts["items"]] == [digest]
    art = api.get(f"/registries/{rid}/repositories/team%2Fapp/artifacts/{digest}").json()
    assert art["properties"] == {
        "repositoryName": "team/app",
        "digest": digest,
        "tags": ["v1"],
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
    }
    assert art["metadata"]["pushCount"] == 1
    vulns = api.get(
        f"/registries/{rid}/repositories/team%2Fapp/artifacts/{digest}/vulnerabilities"
    ).json()
    assert vulns["id"] == "vulnerabilities" and vulns["items"] == []
    all_arts = api.get(f"/registries/{rid}/artifacts").json()
    assert len(all_arts["items"]) == 2
    paged = api.get(f"/registries/{rid}/repositories", params={"limit": 1}).json()
    assert len(paged["items"]) == 1 and "next" in paged["_links"]
    assert_error(
        api.get(f"/registries/{rid}/repositories", params={"orderBy": "size"}), 400, "orderBy"
    )

    assert api.delete(f"/registries/{rid}/repositories/team%2Fapp").status_code == 204
    assert_error(api.get(f"/registries/{rid}/repositories/team%2Fapp"), 404)
    assert_error(api.delete(f"/registries/{rid}/repositories/team%2Fapp"), 404)
    assert_error(api.get(f"/registries/{rid}/repositories/team%2Fapp/artifacts"), 404)
    assert [r["id"] for r in api.get(f"/registries/{rid}/repositories").json()["items"]] == ["base"]
    assert_error(api.get("/vulnerabilities/CVE-2020-1234"), 404)


GARBAGE_BODIES: list[Any] = [
    None,
    0,
    "text",
    [],
    [{}],
    {"properties": None},
    {"properties": []},
    {"properties": {"name": None, "location": None}},
    {"properties": {"name": "abc", "location": "de/fra", "garbageCollectionSchedule": []}},
    {
        "properties": {
            "name": "abc",
            "location": "de/fra",
            "garbageCollectionSchedule": {"days": [1, None], "time": 5},
        }
    },
    {"properties": {"name": "abc", "location": "de/fra", "apiSubnetAllowList": [None, 1]}},
    {"properties": {"name": "abc", "location": "de/fra", "features": {"vulnerabilityScanning": 1}}},
    {"properties": {"name": "abc", "scopes": "all", "expiryDate": 12, "status": True}},
    {"properties": {"name": "abc", "scopes": [None], "expiryDate": "2030-13-45T99:00:00Z"}},
    {"properties": {"name": "abc", "scopes": [{"name": 1, "type": [], "actions": "pull"}]}},
    {"status": None, "expiryDate": [], "scopes": {}},
    {"garbageCollectionSchedule": "weekly", "features": [], "apiSubnetAllowList": {}},
    {"apiSubnetAllowList": ["10.0.0.0/33"]},
]


def test_garbage_never_gives_a_5xx(api: httpx.Client) -> None:
    rid = create(api)["id"]
    tid = api.post(f"/registries/{rid}/tokens", json={"properties": {"name": "tok"}}).json()["id"]
    targets = [
        ("POST", "/registries"),
        ("PUT", f"/registries/{rid}"),
        ("PATCH", f"/registries/{rid}"),
        ("POST", f"/registries/{rid}/tokens"),
        ("PUT", f"/registries/{rid}/tokens/{tid}"),
        ("PATCH", f"/registries/{rid}/tokens/{tid}"),
    ]
    for method, path in targets:
        for body in GARBAGE_BODIES:
            r = api.request(method, path, json=body)
            assert 400 <= r.status_code < 500, (method, path, body, r.text)
            assert r.json()["httpStatus"] == r.status_code
        for raw in (b"\xff\xfe", b"[1,", b"NaN", b"{}" * 3):
            r = api.request(method, path, content=raw)
            assert 400 <= r.status_code < 500, (method, path, raw, r.text)
    for params in (
        {"limit": "0"},
        {"limit": "-1"},
        {"limit": "1.5"},
        {"pagination.token": "x"},
        {"offset": "a"},
        {"orderBy": "nope"},
    ):
        for path in (
            "/registries",
            f"/registries/{rid}/tokens",
            f"/registries/{rid}/repositories",
            f"/registries/{rid}/artifacts",
        ):
            r = api.get(path, params=params)
            assert r.status_code < 500, (path, params, r.text)
    for path in (
        "/registries/%zz",
        f"/registries/{rid}/tokens/%00",
        "/names/%ff",
        f"/registries/{rid}/repositories/%2F%2F",
        f"/registries/{rid}/repositories/a/b/c/d",
    ):
        r = api.get(path)
        assert r.status_code < 500, (path, r.text)


def _jwt(payload: dict[str, Any]) -> str:
    import base64
    import json

    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(payload)}.sig"


def test_bearer_jwt_contract_number_selects_the_tenant(
    ionoscr_emulator: RunningEmulator, api: httpx.Client
) -> None:
    base = ionoscr_emulator.base_url
    token = _jwt({"identity": {"contractNumber": 4711, "userId": "u-1"}, "email": "j@example.com"})
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as jwt_client:
        reg = create(jwt_client, "jwt-made")
        assert reg["metadata"]["createdBy"] == "j@example.com"
        assert reg["metadata"]["createdByUserId"] == "u-1"
    same_contract = httpx.Client(
        base_url=base, auth=("someone@example.com", "pw"), headers={"X-Contract-Number": "4711"}
    )
    names = [r["properties"]["name"] for r in same_contract.get("/registries").json()["items"]]
    assert names == ["jwt-made"]
    assert api.get("/registries").json()["items"] == []


def test_refusals_come_in_order_credentials_then_token_only_then_path_form(
    ionoscr_emulator: RunningEmulator, api: httpx.Client
) -> None:
    """Bad credentials (401/400) before Basic on a tokenAuth-only endpoint (401), before a
    repository name in a form the server does not understand (404), before the backend's own
    answers (here: an unparsable `limit`, or a registry that does not exist)."""
    ionoscr_emulator.admin.set_variants(
        {"basic-auth-newer-endpoints": "rejected", "repository-path": "single-segment"}
    )
    base = ionoscr_emulator.base_url
    repo = "/registries/nope/repositories/team/app"
    digest = "sha256:" + "a" * 64
    unknown = (404, "repository 'team/app' not found")  # the path form, as written
    # (method, path, token-only, the answer to Bearer credentials)
    endpoints = [
        ("GET", "/registries/nope/repositories", True, (400, "'nope' is not a UUID")),
        ("GET", "/registries/nope/artifacts", True, (400, "'nope' is not a UUID")),
        ("GET", "/vulnerabilities/CVE-2024-0001", True, (404, "vulnerability 'CVE-2024-0001'")),
        ("GET", repo, True, unknown),
        ("DELETE", repo, False, unknown),
        ("GET", f"{repo}/artifacts", True, unknown),
        ("GET", f"{repo}/artifacts/{digest}", True, unknown),
        ("GET", f"{repo}/artifacts/{digest}/vulnerabilities", True, unknown),
    ]
    bearer = {"Authorization": "Bearer abc.def.ghi"}
    query = {"limit": "many"}
    for method, path, token_only, (status, needle) in endpoints:
        where = f"{method} {path}"
        r = httpx.request(method, f"{base}{path}", params=query)
        assert r.status_code == 401 and "Authorization: missing" in r.text, where
        r = api.request(method, path, params=query, headers={"X-Contract-Number": "x"})
        assert r.status_code == 400 and "X-Contract-Number" in r.text, where
        r = api.request(method, path, params=query)
        if token_only:
            assert r.status_code == 401 and "only Bearer" in r.text, where
        else:
            assert (r.status_code, needle in r.text) == (status, True), where
        r = httpx.request(method, f"{base}{path}", params=query, headers=bearer)
        assert (r.status_code, needle in r.text) == (status, True), where
