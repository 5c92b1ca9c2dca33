"""Each variant value changes what a client sees, exactly as `--list-variants` says.

One probe per variant talks to the emulator over HTTP and returns what a client observes; the
table next to it gives the observation for every value, the default included (so the default
answers stay what they always were).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from pulumi_ionoscr.emulator import RunningEmulator
from pulumi_ionoscr.emulator._variants import VARIANTS

from ._lifecycles import push_image
from .conftest import ALL_VALUES, value_id

DIGEST = "sha256:" + "a" * 64


class World:
    """The emulator as one client sees it (Basic `api`, Bearer `bearer`, same contract)."""

    def __init__(self, emu: RunningEmulator, api: httpx.Client, bearer: httpx.Client) -> None:
        self.emu = emu
        self.api = api
        self.bearer = bearer

    def post_registry(self, name: str = "probe", **props: Any) -> httpx.Response:
        body = {"properties": {"name": name, "location": "de/fra", **props}}
        return self.api.post("/registries", json=body)

    def registry(self, name: str = "probe", **props: Any) -> dict[str, Any]:
        r = self.post_registry(name, **props)
        assert r.status_code == 201, r.text
        result: dict[str, Any] = r.json()
        return result

    def running(self, name: str = "probe", **props: Any) -> str:
        """A registry that is Running with its hostname (whenever that appears)."""
        rid: str = self.registry(name, **props)["id"]
        for _ in range(6):
            live = self.api.get(f"/registries/{rid}").json()
            if live["metadata"]["state"] == "Running" and live["properties"]["hostname"]:
                return rid
        raise AssertionError(f"registry {name} never became ready")

    def post_token(self, rid: str, name: str = "ci", **props: Any) -> httpx.Response:
        return self.api.post(
            f"/registries/{rid}/tokens", json={"properties": {"name": name, **props}}
        )

    def seed(self, rid: str, name: str, artifacts: list[dict[str, Any]] | None = None) -> None:
        self.emu.admin.seed_repository(rid, name, artifacts)

    def data_plane(self, rid: str, scope: str, name: str = "oci", **props: Any) -> httpx.Client:
        """An httpx client of the data plane with a new token's credentials."""
        scopes = [{"name": scope, "type": "repository", "actions": ["pull", "push"]}]
        r = self.post_token(rid, name, scopes=scopes, **props)
        assert r.status_code == 201, r.text
        password = r.json()["properties"]["credentials"]["password"]
        return httpx.Client(base_url=self.emu.origin, auth=(name, password), timeout=30)


Probe = Callable[[World], Any]
PROBES: dict[str, tuple[Probe, dict[str, Any]]] = {}


def probe(name: str, expected: dict[str, Any]) -> Callable[[Probe], Probe]:
    def register(observe: Probe) -> Probe:
        PROBES[name] = (observe, expected)
        return observe

    return register


def schedule(days: list[str], time: str) -> dict[str, Any]:
    return {"garbageCollectionSchedule": {"days": days, "time": time}}


# -- registries -----------------------------------------------------------------------------


@probe("duplicate-name-status", {"400": 400, "409": 409})
def _duplicate_name(w: World) -> Any:
    w.registry("dup")
    return w.post_registry("dup").status_code


@probe(
    "days-order",
    {
        "reverse": ["Sunday", "Saturday", "Monday"],
        "calendar": ["Monday", "Saturday", "Sunday"],
        "as-sent": ["Saturday", "Monday", "Sunday"],
    },
)
def _days_order(w: World) -> Any:
    days = ["Saturday", "Monday", "Sunday", "Monday"]
    return w.registry(**schedule(days, "01:00:00"))["properties"]["garbageCollectionSchedule"][
        "days"
    ]


@probe(
    "schedule-time-echo",
    {
        "+00:00": ["16:00:00+00:00", "17:00:00.5+00:00"],
        "Z": ["16:00:00Z", "17:00:00.5Z"],
        "verbatim": ["16:00:00Z", "17:00:00.5+00:00"],
        "no-offset": ["16:00:00", "17:00:00.5"],
    },
)
def _time_echo(w: World) -> Any:
    return [
        w.registry(f"time{i}", **schedule(["Monday"], t))["properties"][
            "garbageCollectionSchedule"
        ]["time"]
        for i, t in enumerate(["16:00:00Z", "17:00:00.5+00:00"])
    ]


@probe("empty-days", {"accepted": 201, "refused": 400})
def _empty_days(w: World) -> Any:
    return w.post_registry(**schedule([], "01:00:00")).status_code


@probe(
    "schedule-when-omitted",
    {
        "none": [None, None],
        "empty": [{"days": [], "time": "00:00:00+00:00"}] * 2,
        "server-schedule": [{"days": ["Sunday"], "time": "03:00:00+00:00"}] * 2,
    },
)
def _omitted_schedule(w: World) -> Any:
    rid = w.running(**schedule(["Monday"], "01:00:00"))
    created = w.registry("other")["properties"].get("garbageCollectionSchedule")
    patched = w.api.patch(f"/registries/{rid}", json={"garbageCollectionSchedule": None})
    return [created, patched.json()["properties"].get("garbageCollectionSchedule")]


@probe(
    "allow-list-echo",
    {
        "verbatim": ["203.0.113.7", "192.168.0.167/24"],
        "canonical": ["203.0.113.7/32", "192.168.0.0/24"],
        "sorted": ["192.168.0.167/24", "203.0.113.7"],
    },
)
def _allow_list(w: World) -> Any:
    props = w.registry(apiSubnetAllowList=["203.0.113.7", "192.168.0.167/24"])["properties"]
    return props["apiSubnetAllowList"]


@probe("update-state", {"Updating": ["Updating", "Running"], "none": ["Running", "Running"]})
def _update_state(w: World) -> Any:
    rid = w.running()
    patched = w.api.patch(f"/registries/{rid}", json={"apiSubnetAllowList": ["10.0.0.0/8"]})
    return [
        patched.json()["metadata"]["state"],
        w.api.get(f"/registries/{rid}").json()["metadata"]["state"],
    ]


@probe(
    "hostname-at",
    {
        "running": [("New", ""), ("WaitingForStorage", ""), ("Running", "h"), ("Running", "h")],
        "post": [("New", "h"), ("WaitingForStorage", "h"), ("Running", "h"), ("Running", "h")],
        "waiting-for-storage": [
            ("New", ""),
            ("WaitingForStorage", "h"),
            ("Running", "h"),
            ("Running", "h"),
        ],
        "after-running": [
            ("New", ""),
            ("WaitingForStorage", ""),
            ("Running", ""),
            ("Running", "h"),
        ],
    },
)
def _hostname_at(w: World) -> Any:
    def seen(answer: dict[str, Any]) -> tuple[str, str]:
        hostname = answer["properties"]["hostname"]
        assert hostname in ("", "probe.cr.de-fra.ionos.com")
        return answer["metadata"]["state"], "h" if hostname else ""

    created = w.registry()
    reads = [w.api.get(f"/registries/{created['id']}").json() for _ in range(3)]
    return [seen(created), *map(seen, reads)]


@probe(
    "delete-visibility",
    {
        "deleting": ["Deleting", 200, 404, 404],
        "gone-at-once": [404, 404, 404, 404],
        "state-unchanged": ["Running", 200, 404, 404],
    },
)
def _delete_visibility(w: World) -> Any:
    rid = w.running()
    w.emu.admin.set_timing(delete_reads=3)
    assert w.api.delete(f"/registries/{rid}").status_code == 204

    def read() -> Any:
        r = w.api.get(f"/registries/{rid}")
        return r.json()["metadata"]["state"] if r.status_code == 200 else r.status_code

    first = read()
    return [
        first,
        w.api.head("/names/probe").status_code,
        read(),
        w.api.head("/names/probe").status_code,
    ]


@probe("delete-with-contents", {"cascade": [204, 404], "refused": [409, 200]})
def _delete_with_contents(w: World) -> Any:
    rid = w.running()
    assert w.post_token(rid).status_code == 201
    status = w.api.delete(f"/registries/{rid}").status_code
    for _ in range(3):
        w.api.get(f"/registries/{rid}")
    return [status, w.api.get(f"/registries/{rid}").status_code]


@probe("scanning-off", {"400": [400, True], "409": [409, True], "ignored": [200, True]})
def _scanning_off(w: World) -> Any:
    rid = w.running()
    off = {"features": {"vulnerabilityScanning": {"enabled": False}}}
    r = w.api.patch(f"/registries/{rid}", json=off)
    live = w.api.get(f"/registries/{rid}").json()
    return [r.status_code, live["properties"]["features"]["vulnerabilityScanning"]["enabled"]]


@probe(
    "put-semantics",
    {
        "replace": [[], "enabled", None],
        "merge": [["10.0.0.0/8"], "disabled", "2031-01-01T00:00:00Z"],
    },
)
def _put_semantics(w: World) -> Any:
    rid = w.running(apiSubnetAllowList=["10.0.0.0/8"])
    put = w.api.put(
        f"/registries/{rid}", json={"properties": {"name": "probe", "location": "de/fra"}}
    )
    token = w.post_token(rid, status="disabled", expiryDate="2031-01-01T00:00:00Z").json()
    replaced = w.api.put(
        f"/registries/{rid}/tokens/{token['id']}", json={"properties": {"name": "ci"}}
    ).json()["properties"]
    return [
        put.json()["properties"]["apiSubnetAllowList"],
        replaced["status"],
        replaced["expiryDate"],
    ]


@probe("put-unknown-id", {"creates": [201, 201], "404": [404, 404]})
def _put_unknown(w: World) -> Any:
    rid = w.running()
    body = {"properties": {"name": "put-made", "location": "de/fra"}}
    registry = w.api.put(f"/registries/{uuid.uuid4()}", json=body).status_code
    token = w.api.put(
        f"/registries/{rid}/tokens/{uuid.uuid4()}", json={"properties": {"name": "put"}}
    ).status_code
    return [registry, token]


@probe("registries-order", {"created": ["zeta", "alpha"], "name": ["alpha", "zeta"]})
def _registries_order(w: World) -> Any:
    w.registry("zeta")
    w.registry("alpha")
    return [r["properties"]["name"] for r in w.api.get("/registries").json()["items"]]


def _token_kind(token: str) -> str:
    if re.fullmatch(r"[0-9]+", token):
        return "digits"
    if re.fullmatch(r"[0-9a-f]{32}", token):
        return "hex"
    padded = token + "=" * (-len(token) % 4)
    return "continue" if "start" in json.loads(base64.urlsafe_b64decode(padded)) else "other"


@probe(
    "registries-page-token",
    {
        "k8s-continue": ["continue", ["first"], ["second"]],
        "offset": ["digits", ["first"], ["second"]],
        "opaque": ["hex", ["first"], ["second"]],
    },
)
def _page_token(w: World) -> Any:
    w.registry("first")
    w.registry("second")
    page = w.api.get("/registries", params={"limit": "1"}).json()
    token = page["pagination"]["token"]
    after = w.api.get("/registries", params={"limit": "1", "pagination.token": token}).json()
    names = [[r["properties"]["name"] for r in p["items"]] for p in (page, after)]
    return [_token_kind(token), *names]


@probe(
    "registries-last-page",
    {
        "empty-token": {"limit": 100, "token": ""},
        "null-token": {"limit": 100, "token": None},
        "no-token": {"limit": 100},
    },
)
def _last_page(w: World) -> Any:
    w.registry()
    return w.api.get("/registries").json()["pagination"]


@probe("registries-links", {"urls": ["next", "previous", "self"], "empty": [], "absent": None})
def _registries_links(w: World) -> Any:
    links = w.api.get("/registries").json().get("_links")
    return None if links is None else sorted(links)


@probe(
    "filter-name",
    {
        "substring-ci": [["acme-dev", "acme-prod", "prod-acme"]] * 2 + [["acme-prod"]],
        "substring": [[], ["acme-dev", "acme-prod", "prod-acme"], ["acme-prod"]],
        "exact": [[], [], ["acme-prod"]],
        "prefix": [[], ["acme-dev", "acme-prod"], ["acme-prod"]],
        "ignored": [["acme-dev", "acme-prod", "prod-acme"]] * 3,
    },
)
def _filter_name(w: World) -> Any:
    for name in ("acme-prod", "acme-dev", "prod-acme"):
        w.registry(name)

    def names(needle: str) -> list[str]:
        items = w.api.get("/registries", params={"filter.name": needle}).json()["items"]
        return sorted(r["properties"]["name"] for r in items)

    return [names("ACME"), names("acme"), names("acme-prod")]


# -- tokens ---------------------------------------------------------------------------------


@probe("token-before-running", {"allowed": 201, "refused-400": 400, "refused-409": 409})
def _token_before_running(w: World) -> Any:
    return w.post_token(w.registry()["id"]).status_code


@probe("duplicate-token-status", {"409": 409, "400": 400})
def _duplicate_token(w: World) -> Any:
    rid = w.running()
    w.post_token(rid)
    return w.post_token(rid).status_code


@probe(
    "token-expiry-echo",
    {
        "Z": "2031-01-02T02:04:05Z",
        "Z-millis": "2031-01-02T02:04:05.000Z",
        "+00:00-millis": "2031-01-02T02:04:05.000+00:00",
        "verbatim": "2031-01-02T03:04:05+01:00",
    },
)
def _expiry_echo(w: World) -> Any:
    r = w.post_token(w.running(), expiryDate="2031-01-02T03:04:05+01:00")
    return r.json()["properties"]["expiryDate"]


@probe("past-expiry", {"accepted": 201, "refused": 400})
def _past_expiry(w: World) -> Any:
    return w.post_token(w.running(), expiryDate="2020-01-01T00:00:00Z").status_code


@probe("token-disabled-state", {"disabled": "disabled", "enabled": "enabled"})
def _disabled_state(w: World) -> Any:
    return w.post_token(w.running(), status="disabled").json()["metadata"]["state"]


@probe("token-put-password", {"empty": False, "new": True})
def _put_password(w: World) -> Any:
    rid = w.running()
    token = w.post_token(rid).json()
    replaced = w.api.put(
        f"/registries/{rid}/tokens/{token['id']}", json={"properties": {"name": "ci"}}
    )
    return bool(replaced.json()["properties"]["credentials"]["password"])


@probe("quota-status", {"400": 400, "403": 403, "409": 409})
def _quota_status(w: World) -> Any:
    w.emu.admin.set_variants({"limits": "strict"})  # a quota of 100 is quicker to reach
    rid = w.running()
    for i in range(100):
        assert w.post_token(rid, f"t{i}").status_code == 201
    return w.post_token(rid, "one-too-many").status_code


# -- repositories, artifacts, vulnerabilities -----------------------------------------------


@probe("basic-auth-newer-endpoints", {"accepted": [200, 200, 204], "rejected": [401, 200, 204]})
def _basic_auth(w: World) -> Any:
    rid = w.running()
    w.seed(rid, "app")
    basic = w.api.get(f"/registries/{rid}/repositories/app").status_code
    bearer = w.bearer.get(f"/registries/{rid}/repositories/app").status_code
    delete = w.api.delete(f"/registries/{rid}/repositories/app").status_code  # lists both
    return [basic, bearer, delete]


@probe(
    "repository-path",
    {
        "encoded-or-raw": [200, 200, 200],
        "encoded-only": [200, 404, 200],
        "raw-only": [404, 200, 200],
        "single-segment": [404, 404, 200],
    },
)
def _repository_path(w: World) -> Any:
    rid = w.running()
    w.seed(rid, "team/app")
    w.seed(rid, "solo")
    base = f"/registries/{rid}/repositories"
    return [
        w.api.get(f"{base}/team%2Fapp").status_code,
        w.api.get(f"{base}/team/app").status_code,
        w.api.get(f"{base}/solo").status_code,
    ]


@probe(
    "list-links",
    {
        "when-exist": {"prev": True, "self": True},
        "null": {"prev": True, "self": True, "next": False},
        "absent": None,
    },
)
def _list_links(w: World) -> Any:
    rid = w.running()
    w.seed(rid, "one")
    w.seed(rid, "two")
    page = w.api.get(f"/registries/{rid}/repositories", params={"offset": "1", "limit": "1"})
    links = page.json().get("_links")
    return None if links is None else {k: v is not None for k, v in links.items()}


@probe("list-paging", {"honoured": [1, 1, 1, 1, 1, True], "ignored": [3, 1, 3, 1, 2, False]})
def _list_paging(w: World) -> Any:
    rid = w.running()
    for name in ("one", "two", "three"):
        w.seed(rid, name)
        w.post_token(rid, name)
    w.registry("another")
    page = {"offset": "1", "limit": "1"}
    repos = w.api.get(f"/registries/{rid}/repositories", params=page).json()
    tokens = w.api.get(f"/registries/{rid}/tokens", params=page).json()
    registries = w.api.get("/registries", params={"limit": "1"}).json()
    return [
        len(repos["items"]),
        repos["offset"],
        len(tokens["items"]),
        tokens["offset"],
        len(registries["items"]),
        bool(registries["pagination"]["token"]),
    ]


def _severity_probe_registry(w: World, scanning: bool = True) -> str:
    return w.running(features={"vulnerabilityScanning": {"enabled": scanning}})


@probe("scan-timing", {"at-push": False, "also-on-enable": True})
def _scan_timing(w: World) -> Any:
    rid = _severity_probe_registry(w, scanning=False)
    w.seed(rid, "app", [{"digest": DIGEST}])
    on = {"features": {"vulnerabilityScanning": {"enabled": True}}}
    assert w.api.patch(f"/registries/{rid}", json=on).status_code == 200
    art = w.api.get(f"/registries/{rid}/repositories/app/artifacts/{DIGEST}").json()
    return art["metadata"]["lastScannedAt"] is not None


@probe("no-findings-severity", {"null": [None, None], "none": ["none", "none"]})
def _no_findings(w: World) -> Any:
    rid = _severity_probe_registry(w)
    w.seed(rid, "app", [{"digest": DIGEST, "vulnerabilities": []}])
    art = w.api.get(f"/registries/{rid}/repositories/app/artifacts/{DIGEST}").json()
    repo = w.api.get(f"/registries/{rid}/repositories/app").json()
    return [art["metadata"]["vulnMaxSeverity"], repo["metadata"]["lastSeverity"]]


@probe("total-score", {"rounded": 18.9, "float32": 18.900002})
def _total_score(w: World) -> Any:
    rid = _severity_probe_registry(w)
    w.seed(
        rid, "app", [{"digest": DIGEST, "vulnerabilities": ["CVE-2099-10001", "CVE-2099-10002"]}]
    )
    art = w.api.get(f"/registries/{rid}/repositories/app/artifacts/{DIGEST}").json()
    return art["metadata"]["vulnTotalScore"]


@probe(
    "severity-filter",
    {
        "exact-ci": [["high"], ["high"], ["other"]],
        "exact": [[], ["high"], ["other"]],
        "at-least": [["critical", "high"], ["critical", "high"], ["app", "other"]],
    },
)
def _severity_filter(w: World) -> Any:
    rid = _severity_probe_registry(w)
    findings = ["CVE-2099-10001", "CVE-2099-10004", "CVE-2099-10014"]  # critical, high, low
    w.seed(rid, "app", [{"digest": DIGEST, "vulnerabilities": findings}])
    w.seed(rid, "other", [{"digest": "sha256:" + "b" * 64, "vulnerabilities": ["CVE-2099-10004"]}])
    url = f"/registries/{rid}/repositories/app/artifacts/{DIGEST}/vulnerabilities"

    def severities(wanted: str) -> list[str]:
        items = w.api.get(url, params={"filter.severity": wanted}).json()["items"]
        return sorted(i["properties"]["severity"] for i in items)

    repos = w.api.get(
        f"/registries/{rid}/repositories", params={"filter.vulnerabilitySeverity": "high"}
    ).json()["items"]
    return [severities("HIGH"), severities("high"), sorted(r["id"] for r in repos)]


@probe(
    "vulnerability-ties",
    {
        "by-id": ["CVE-2099-10005", "CVE-2099-10006", "CVE-2099-10007"],
        "by-id-desc": ["CVE-2099-10007", "CVE-2099-10006", "CVE-2099-10005"],
    },
)
def _ties(w: World) -> Any:
    rid = _severity_probe_registry(w)
    same_score = ["CVE-2099-10006", "CVE-2099-10005", "CVE-2099-10007"]  # all 7.5
    w.seed(rid, "app", [{"digest": DIGEST, "vulnerabilities": same_score}])
    url = f"/registries/{rid}/repositories/app/artifacts/{DIGEST}/vulnerabilities"
    return [i["id"] for i in w.api.get(url).json()["items"]]


@probe("vulnerability-visibility", {"catalogue": [200, 200], "found-only": [404, 200]})
def _visibility(w: World) -> Any:
    before = w.api.get("/vulnerabilities/CVE-2099-10001").status_code
    rid = _severity_probe_registry(w)
    w.seed(rid, "app", [{"digest": DIGEST, "vulnerabilities": ["CVE-2099-10001"]}])
    return [before, w.api.get("/vulnerabilities/CVE-2099-10001").status_code]


# -- every surface --------------------------------------------------------------------------


def _code_kind(body: dict[str, Any]) -> str | None:
    messages = body["messages"]
    if messages is None:
        return None
    code = messages[0]["errorCode"]
    return "digits" if code.isdigit() else code


@probe(
    "error-body",
    {
        "slugs": ["invalid-name", "not-found"],
        "numeric": ["digits", "digits"],
        "no-messages": [None, None],
    },
)
def _error_body(w: World) -> Any:
    bad = w.post_registry("Bad_Name").json()
    missing = w.api.get(f"/registries/{uuid.uuid4()}").json()
    return [_code_kind(bad), _code_kind(missing)]


def _present(obj: dict[str, Any], key: str) -> Any:
    return obj.get(key, "absent")


@probe(
    "unset-fields",
    {
        "mixed": ["absent", [], "absent", "absent", None, None, None],
        "null": [None, None, None, None, None, None, None],
        "absent": ["absent"] * 7,
    },
)
def _unset_fields(w: World) -> Any:
    created = w.registry()
    props, metadata = created["properties"], created["metadata"]
    token = w.post_token(created["id"]).json()["properties"]
    rid = w.running("seeded")
    w.seed(rid, "app")
    repo = w.api.get(f"/registries/{rid}/repositories/app").json()["metadata"]
    return [
        _present(props, "garbageCollectionSchedule"),
        _present(props, "apiSubnetAllowList"),
        _present(metadata, "lastModifiedDate"),
        _present(props["storageUsage"], "updatedAt"),
        _present(token, "expiryDate"),
        _present(token, "scopes"),
        _present(repo, "resourceURN"),
    ]


@probe("timestamp-format", {"seconds-Z": "seconds-Z", "millis-Z": "millis-Z", "offset": "offset"})
def _timestamps(w: World) -> Any:
    created = w.registry()["metadata"]["createdDate"]
    for kind, pattern in (
        ("seconds-Z", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"),
        ("millis-Z", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"),
        ("offset", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00"),
    ):
        if re.fullmatch(pattern, created):
            return kind
    return created


@probe("location-header", {"absolute": "http", "relative": "/containerregistries", "absent": None})
def _location(w: World) -> Any:
    location = w.post_registry().headers.get("location")
    if location is None:
        return None
    assert location.endswith(f"/registries/{w.api.get('/registries').json()['items'][0]['id']}")
    return "http" if location.startswith("http://") else location.split("/registries")[0]


@probe("collection-envelope", {"named": ["tokens", "repositories"], "bare": [None, None]})
def _envelope(w: World) -> Any:
    rid = w.running()
    tokens = w.api.get(f"/registries/{rid}/tokens").json()
    repos = w.api.get(f"/registries/{rid}/repositories").json()
    return [tokens.get("id"), repos.get("id")]


@probe("limits", {"generous": 201, "strict": 400})
def _limits(w: World) -> Any:
    scopes = [{"name": f"r{i}", "type": "repository", "actions": ["pull"]} for i in range(26)]
    return w.post_token(w.running(), scopes=scopes).status_code


# -- data plane -----------------------------------------------------------------------------


@probe("scope-patterns", {"exact-or-star": [403, 200], "glob": [200, 200]})
def _scope_patterns(w: World) -> Any:
    rid = w.running()
    w.seed(rid, "team/app", [{"digest": DIGEST, "tags": ["v1"]}])
    with (
        w.data_plane(rid, "team/*") as patterned,
        w.data_plane(rid, "team/app", name="exact") as exact,
    ):
        return [
            patterned.get("/v2/team/app/tags/list").status_code,
            exact.get("/v2/team/app/tags/list").status_code,
        ]


@probe("token-endpoint-disabled", {"issues": 200, "refuses": 401})
def _token_endpoint(w: World) -> Any:
    oci = w.data_plane(w.running(), "*", status="disabled")
    return oci.get("/service/token", params={"scope": "repository:app:pull"}).status_code


@probe("pull-counting", {"manifest-get": [0, 1], "manifest-get-and-head": [1, 2]})
def _pull_counting(w: World) -> Any:
    rid = w.running()
    oci = w.data_plane(rid, "*")
    assert push_image(oci, "app", "v1") == 201
    counts = []
    for method in ("HEAD", "GET"):
        assert oci.request(method, "/v2/app/manifests/v1").status_code == 200
        counts.append(
            w.api.get(f"/registries/{rid}/repositories/app").json()["metadata"]["pullCount"]
        )
    return counts


# -- the tests ------------------------------------------------------------------------------


def test_every_variant_has_a_probe_for_every_value() -> None:
    assert set(PROBES) == set(VARIANTS)
    for name, (_, expected) in PROBES.items():
        assert set(expected) == set(VARIANTS[name].choices), name


@pytest.mark.parametrize("pair", ALL_VALUES, ids=value_id)
def test_each_value_gives_its_answer(
    pair: tuple[str, str],
    ionoscr_emulator: RunningEmulator,
    api: httpx.Client,
    bearer_api: httpx.Client,
) -> None:
    name, value = pair
    ionoscr_emulator.admin.set_variants({name: value})
    observe, expected = PROBES[name]
    assert observe(World(ionoscr_emulator, api, bearer_api)) == expected[value]
