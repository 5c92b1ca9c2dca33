"""Property: whatever a client sends (any method, path, query, headers, body), the emulator
answers below 500, and every error is JSON in the caller's protocol: the API error body on
the management and admin APIs, `{"errors": [...]}` on the OCI data plane; a 405 says `Allow`.

Generated with hypothesis over real HTTP against one emulator that holds a registry, a token,
a repository and scanned artifacts, so that many requests reach real resources. Derandomized
(the same examples every run) and bounded in size, so it fits the normal test run.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pulumi_ionoscr.emulator import RunningEmulator, run_emulator  # noqa: E402

AUTH = ("prop@example.com", "secret")
DIGEST = "sha256:" + "d" * 64
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,  # derandomized: nothing to replay, no .hypothesis/ directory
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


class World:
    def __init__(self, emu: RunningEmulator) -> None:
        self.emu = emu
        self.client = httpx.Client(base_url=emu.origin, timeout=30)
        api = httpx.Client(base_url=emu.base_url, auth=AUTH)
        r = api.post("/registries", json={"properties": {"name": "prop", "location": "de/fra"}})
        self.rid: str = r.json()["id"]
        scope = {"name": "*", "type": "repository", "actions": ["pull", "push", "delete"]}
        t = api.post(
            f"/registries/{self.rid}/tokens", json={"properties": {"name": "ci", "scopes": [scope]}}
        )
        self.tid: str = t.json()["id"]
        self.password: str = t.json()["properties"]["credentials"]["password"]
        emu.admin.seed_repository(self.rid, "team/app", [{"digest": DIGEST, "tags": ["v1"]}])


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with run_emulator() as emu:
        w = World(emu)
        yield w
        w.client.close()


# -- strategies --------------------------------------------------------------------------------

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "X"]
NASTY = ["%0A", "%0D%0A", "%00", "%2F", "%25", "..", "²", "٣", "\u202e", "a" * 300]
FIELDS = [
    "properties", "name", "location", "garbageCollectionSchedule", "days", "time", "features",
    "vulnerabilityScanning", "enabled", "apiSubnetAllowList", "expiryDate", "scopes", "type",
    "actions", "status", "state", "artifacts", "digest", "tags", "vulnerabilities", "repository",
    "severity", "score", "preset", "create_reads", "update_state",
]  # fmt: skip
QUERY_KEYS = [
    "offset", "limit", "orderBy", "filter.name", "filter.severity", "filter.fixable",
    "filter.vulnerabilityId", "filter.vulnerabilitySeverity", "pagination.token", "n", "last",
]  # fmt: skip


def segments(world: World) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            [
                world.rid,
                world.tid,
                str(uuid.uuid4()),
                "team%2Fapp",
                "team/app",
                DIGEST,
                "CVE-2099-10001",
                "de/fra",
                "prop",
                *NASTY,
            ]
        ),
        st.text(max_size=20).map(lambda t: quote(t, safe="")),
    )


def api_paths(world: World) -> st.SearchStrategy[str]:
    templates = [
        "/locations", "/names/{}", "/registries", "/registries/{}", "/registries/{}/tokens",
        "/registries/{}/tokens/{}", "/registries/{}/repositories", "/registries/{}/repositories/{}",
        "/registries/{}/repositories/{}/artifacts", "/registries/{}/repositories/{}/artifacts/{}",
        "/registries/{}/repositories/{}/artifacts/{}/vulnerabilities", "/registries/{}/artifacts",
        "/vulnerabilities/{}", "/{}", "",
    ]  # fmt: skip
    return st.sampled_from(templates).flatmap(
        lambda t: st.lists(segments(world), min_size=t.count("{}"), max_size=t.count("{}")).map(
            lambda segs: "/containerregistries" + t.format(*segs)
        )
    )


def other_paths(world: World) -> st.SearchStrategy[str]:
    # Not /_emulator/faults: a generated body could switch fault injection on.
    templates = [
        "/v2/", "/v2/{}/tags/list", "/v2/{}/manifests/{}", "/v2/{}/blobs/{}",
        "/v2/{}/blobs/uploads/", "/v2/{}/blobs/uploads/{}", "/v2/_catalog", "/service/token",
        "/_emulator/state", "/_emulator/timing", "/_emulator/registries/{}/state",
        "/_emulator/registries/{}/repositories", "/_emulator/registries/{}/vulnerabilities",
        "/_emulator/vulnerabilities", "/_emulator/{}", "/{}", "/",
    ]  # fmt: skip
    return st.sampled_from(templates).flatmap(
        lambda t: st.lists(segments(world), min_size=t.count("{}"), max_size=t.count("{}")).map(
            lambda segs: t.format(*segs)
        )
    )


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["2030-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59", "Monday", "*"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)

bodies = st.one_of(
    st.none(),
    json_values.map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: json.dumps({"properties": v}).encode()),
    st.binary(max_size=200),
    st.sampled_from([b"[" * 5000 + b"]" * 5000, b'{"a": NaN}', b"1e999", b'"\\ud800"']),
)


def headers(world: World) -> st.SearchStrategy[dict[str, str]]:
    basic = httpx.BasicAuth(*AUTH)._auth_header
    token = httpx.BasicAuth("ci", world.password)._auth_header
    auth = st.sampled_from(
        [basic, token, "Bearer x.y.z", "Basic !!!", "Digest abc", "", "Bearer " + "e" * 50]
    )
    return st.fixed_dictionaries(
        {"Authorization": auth},
        optional={
            "X-Contract-Number": st.sampled_from(["123", "١٢٣", "-1", "x"]),
            "Content-Type": st.sampled_from(["application/json", "text/plain", "a/b; x=y"]),
        },
    )


queries = st.dictionaries(
    st.sampled_from(QUERY_KEYS),
    st.sampled_from(["0", "1", "-1", "1000", "1001", "²", "true", "TRUE", "-score", "x"])
    | st.text(max_size=12),
    max_size=3,
)


# -- the property ------------------------------------------------------------------------------


def check(world: World, method: str, path: str, query: dict[str, str], head: dict[str, str],
          body: bytes | None) -> None:  # fmt: skip
    url = httpx.URL(world.emu.origin + path, params=query)
    raw_headers = {k: v.encode() for k, v in head.items()}  # non-ASCII values too
    r = world.client.request(method, url, headers=raw_headers, content=body)
    assert r.status_code < 500, (method, path, query, r.text[:300])
    if r.status_code == 405:
        assert r.headers.get("allow"), (method, path)
    if r.status_code < 400 or method == "HEAD":
        return
    assert r.headers["content-type"] == "application/json", (method, path, r.text[:200])
    payload: Any = r.json()
    if r.url.path == "/v2" or r.url.path.startswith(("/v2/", "/service/token")):
        (error,) = payload["errors"]
        assert isinstance(error["code"], str) and error["code"].isupper()
        assert isinstance(error["message"], str) and error["message"]
    else:
        assert payload["httpStatus"] == r.status_code, payload
        (message,) = payload["messages"]
        assert isinstance(message["errorCode"], str) and message["errorCode"]
        assert isinstance(message["message"], str) and message["message"]


@st.composite
def api_requests(draw: st.DrawFn, world: World) -> tuple[Any, ...]:
    return (
        draw(st.sampled_from(METHODS)),
        draw(api_paths(world)),
        draw(queries),
        draw(headers(world)),
        draw(bodies),
    )


@st.composite
def other_requests(draw: st.DrawFn, world: World) -> tuple[Any, ...]:
    return (
        draw(st.sampled_from(METHODS)),
        draw(other_paths(world)),
        draw(queries),
        draw(headers(world)),
        draw(bodies),
    )


def test_management_api_never_500s_and_errors_keep_their_shape(world: World) -> None:
    @SETTINGS
    @given(request=api_requests(world))
    def prop(request: tuple[Any, ...]) -> None:
        check(world, *request)

    prop()


def test_data_plane_and_admin_never_500_and_errors_keep_their_shape(world: World) -> None:
    @SETTINGS
    @given(request=other_requests(world))
    def prop(request: tuple[Any, ...]) -> None:
        check(world, *request)

    prop()
    # Nothing above switched faults on or broke the emulator.
    assert world.emu.admin.faults()["error_rate"] == 0
    assert world.client.get("/_emulator/health").json() == {"ok": True}
