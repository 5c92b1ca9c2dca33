"""Hostile input: no request gets a 500 or a non-JSON error, bodies are bounded before they are
read whole, and connections survive errors. Over real HTTP (and raw sockets where a client
library would refuse to send the request)."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pulumi_ionoscr.emulator import RunningEmulator
from pulumi_ionoscr.emulator._limits import MAX_BODY_BYTES

RID = "00000000-0000-4000-8000-000000000000"
BASIC = "Basic " + base64.b64encode(b"alice@example.com:secret").decode()


def assert_api_error(r: httpx.Response, status: int, *needles: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body: dict[str, Any] = r.json()
    assert body["httpStatus"] == status
    (message,) = body["messages"]
    assert isinstance(message["errorCode"], str) and message["errorCode"]
    for needle in needles:
        assert needle in message["message"], message
    return body


def assert_oci_error(r: httpx.Response, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    (error,) = r.json()["errors"]
    assert error["code"] == code and error["message"]


# -- raw HTTP over one connection ---------------------------------------------------------------


class RawConnection:
    """One keep-alive TCP connection; requests are written byte for byte."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def response(self) -> tuple[int, dict[str, str], bytes]:
        while b"\r\n\r\n" not in self.buffer:
            assert self._fill(), f"connection closed, got {self.buffer!r}"
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])
        }
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            assert self._fill(), "connection closed mid-body"
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body

    def request(
        self, method: str, target: str, body: bytes = b""
    ) -> tuple[int, dict[str, str], Any]:
        head = f"{method} {target} HTTP/1.1\r\nHost: emulator\r\nAuthorization: {BASIC}\r\n"
        self.send(head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        status, headers, raw = self.response()
        return status, headers, json.loads(raw) if raw else None

    def closed_by_server(self) -> bool:
        self.sock.settimeout(5)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw(ionoscr_emulator: RunningEmulator) -> Iterator[RawConnection]:
    conn = RawConnection(ionoscr_emulator.port)
    yield conn
    conn.close()


def _api_shape(status: int, body: Any) -> None:
    assert body["httpStatus"] == status
    assert body["messages"][0]["errorCode"] and body["messages"][0]["message"]


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "PROPFIND", "CONNECT", "BREW", "PUT"])
def test_every_method_on_every_surface_gets_a_json_405_with_allow(
    raw: RawConnection, method: str
) -> None:
    for target, allowed in [
        ("/containerregistries/registries", "GET, POST"),
        ("/containerregistries/locations", "GET"),
        (f"/containerregistries/registries/{RID}/repositories/a%2Fb/artifacts", "GET"),
        ("/_emulator/state", "GET"),
    ]:
        status, headers, body = raw.request(method, target)
        assert (status, headers["allow"]) == (405, allowed), body
        _api_shape(405, body)
    status, headers, body = raw.request(method, "/v2/")
    assert (status, headers["allow"]) == (405, "GET, HEAD")
    assert body["errors"][0]["code"] == "UNSUPPORTED"


def test_connect_with_an_authority_target_is_a_json_404(raw: RawConnection) -> None:
    status, _, body = raw.request("CONNECT", "127.0.0.1:443")
    assert status == 404
    _api_shape(404, body)


def test_encoded_cr_lf_in_paths_are_refused_in_json(raw: RawConnection) -> None:
    status, _, body = raw.request("GET", "/containerregistries/registries/%0D%0A")
    assert status == 400 and "registryId" in body["messages"][0]["message"]
    status, _, body = raw.request("GET", "/containerregistries/names/a%0Abc")
    assert status == 405  # HEAD only; the path itself was matched
    status, _, body = raw.request("GET", "/anything%0A/else")
    assert status == 404
    _api_shape(404, body)
    status, _, body = raw.request("GET", "/_emulator/st%0Aate")
    assert status == 404
    _api_shape(404, body)


def test_a_name_with_a_trailing_newline_is_not_a_valid_name(api: httpx.Client) -> None:
    r = api.post("/registries", json={"properties": {"name": "demo\n", "location": "de/fra"}})
    assert_api_error(r, 400, "properties.name")
    assert api.head("/names/demo%0A").status_code == 400


def test_connection_survives_errors(raw: RawConnection) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    for method, target, body, status in [
        ("GET", "/containerregistries/nowhere", b"", 404),
        ("POST", "/containerregistries/registries", deep, 400),
        ("OPTIONS", "/containerregistries/registries", b"", 405),
        ("GET", "/containerregistries/registries/not-a-uuid", b"", 400),
        ("GET", "/v2/", b"", 401),
        ("PUT", "/_emulator/timing", deep, 400),
        ("GET", "/containerregistries/locations", b"", 200),
    ]:
        got, _, _ = raw.request(method, target, body)
        assert got == status, (method, target)


# -- bounded input -----------------------------------------------------------------------------


def test_deeply_nested_json_is_a_400_everywhere(
    ionoscr_emulator: RunningEmulator, api: httpx.Client
) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert_api_error(api.post("/registries", content=deep), 400, "nested deeper than")
    assert_api_error(api.patch(f"/registries/{RID}", content=deep), 400, "nested deeper than")
    admin = httpx.put(f"{ionoscr_emulator.origin}/_emulator/timing", content=deep)
    assert_api_error(admin, 400, "nested deeper than")
    # A Bearer token whose JWT payload nests deeply is just an opaque token.
    payload = base64.urlsafe_b64encode(b"[" * 3000 + b"]" * 3000).decode()
    r = httpx.get(
        f"{ionoscr_emulator.base_url}/locations",
        headers={"Authorization": f"Bearer e30.{payload.rstrip('=')}.sig"},
    )
    assert r.status_code == 200


def test_non_finite_numbers_are_not_json(api: httpx.Client) -> None:
    body = '{"properties": {"name": "demo", "location": "de/fra", "x": NaN}}'
    assert_api_error(api.post("/registries", content=body), 400, "NaN")
    body = '{"properties": {"name": "demo", "location": "de/fra", "x": 1e999}}'
    assert_api_error(api.post("/registries", content=body), 400, "out of range")


def test_an_announced_oversized_body_is_refused_at_once(api: httpx.Client) -> None:
    r = api.post("/registries", content=b"{" + b" " * MAX_BODY_BYTES + b"}")
    assert_api_error(r, 413, str(MAX_BODY_BYTES))
    assert r.headers["connection"] == "close"


def test_a_streamed_oversized_body_is_refused_before_it_ends(
    ionoscr_emulator: RunningEmulator,
) -> None:
    conn = RawConnection(ionoscr_emulator.port)
    try:
        conn.send(
            b"POST /containerregistries/registries HTTP/1.1\r\nHost: emulator\r\n"
            + f"Authorization: {BASIC}\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        chunk = b" " * 65536
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):  # just past the limit, never ended
            conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        status, headers, raw = conn.response()  # answered although the body never ended
        assert status == 413 and headers["connection"] == "close"
        assert json.loads(raw)["httpStatus"] == 413
        assert conn.closed_by_server()
    finally:
        conn.close()


def test_dates_out_of_range_are_a_400(api: httpx.Client) -> None:
    rid = api.post("/registries", json={"properties": {"name": "demo", "location": "de/fra"}})
    tokens = f"/registries/{rid.json()['id']}/tokens"
    for date in (
        "9999-12-31T23:59:59-23:59",
        "0001-01-01T00:00:00+23:59",
        "2030-13-01T00:00:00Z",
        "\uff12\uff10\uff13\uff10-01-01T00:00:00Z",
        "2030-01-01T00:00:00Z\n",
    ):
        r = api.post(tokens, json={"properties": {"name": "ci", "expiryDate": date}})
        assert_api_error(r, 400, "properties.expiryDate")
    ok = api.post(tokens, json={"properties": {"name": "ci", "expiryDate": "9999-12-31T00:00Z"}})
    assert ok.status_code == 201, ok.text


@pytest.mark.parametrize("value", ["²", "٣", "1_0", " 5", "+5", "0x10", "9" * 400])
def test_integer_parameters_take_ascii_digits_only(api: httpx.Client, value: str) -> None:
    rid = api.post("/registries", json={"properties": {"name": "demo", "location": "de/fra"}})
    base = f"/registries/{rid.json()['id']}"
    assert_api_error(api.get(f"{base}/tokens", params={"limit": value}), 400, "limit")
    assert_api_error(api.get(f"{base}/repositories", params={"offset": value}), 400, "offset")


# -- the data plane answers like a registry ------------------------------------------------------


def test_data_plane_errors_are_registry_json(ionoscr_emulator: RunningEmulator) -> None:
    origin = ionoscr_emulator.origin
    api = httpx.Client(base_url=ionoscr_emulator.base_url, auth=("alice@example.com", "secret"))
    rid = api.post("/registries", json={"properties": {"name": "demo", "location": "de/fra"}})
    token = api.post(
        f"/registries/{rid.json()['id']}/tokens",
        json={
            "properties": {
                "name": "ci",
                "scopes": [{"name": "*", "type": "repository", "actions": ["pull", "push"]}],
            }
        },
    ).json()
    auth = ("ci", token["properties"]["credentials"]["password"])
    with httpx.Client(base_url=origin, auth=auth) as oci:
        assert_oci_error(
            oci.get("/v2/app/tags/list", params={"n": "²"}), 400, "PAGINATION_NUMBER_INVALID"
        )
        deep = b"[" * 100_000 + b"]" * 100_000
        r = oci.put(
            "/v2/app/manifests/v1",
            content=deep,
            headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"},
        )
        assert_oci_error(r, 400, "MANIFEST_INVALID")
        assert_oci_error(oci.request("OPTIONS", "/v2/app/manifests/v1"), 405, "UNSUPPORTED")
        assert_oci_error(oci.post("/v2/app/blobs/sha256:abc"), 405, "UNSUPPORTED")
        assert_oci_error(oci.request("PROPFIND", "/service/token"), 405, "UNSUPPORTED")


# -- an emulator bug still answers JSON and keeps the connection --------------------------------


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("a bug")


def test_an_internal_error_is_json_on_every_surface(
    ionoscr_emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = ionoscr_emulator.emulator
    assert emu is not None
    monkeypatch.setattr(emu.backend, "list_locations", _boom)
    monkeypatch.setattr(emu.backend, "dump", _boom)
    monkeypatch.setattr(emu.distribution, "login_basic", _boom)
    conn = RawConnection(ionoscr_emulator.port)
    try:
        status, _, body = conn.request("GET", "/containerregistries/locations")
        assert status == 500
        _api_shape(500, body)
        status, _, body = conn.request("GET", "/_emulator/state")
        assert status == 500
        _api_shape(500, body)
        status, _, body = conn.request("GET", "/v2/")
        assert status == 500 and body["errors"][0]["code"] == "UNKNOWN"
        monkeypatch.undo()
        status, _, _ = conn.request("GET", "/containerregistries/registries")  # same connection
        assert status == 200
    finally:
        conn.close()


def test_a_jwt_contract_number_in_unicode_digits_names_no_contract(
    ionoscr_emulator: RunningEmulator,
) -> None:
    def bearer(claims: dict[str, Any]) -> dict[str, str]:
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        return {"Authorization": f"Bearer e30.{payload}.sig"}

    base = ionoscr_emulator.base_url
    body = {"properties": {"name": "jwt-demo", "location": "de/fra"}}
    unicode_contract = bearer({"sub": "u1", "identity": {"contractNumber": "\u0661\u0662"}})
    assert httpx.post(f"{base}/registries", json=body, headers=unicode_contract).is_success
    # The registry belongs to the user, not to a contract spelled in Arabic-Indic digits.
    state = ionoscr_emulator.admin.state()
    assert [r["tenant"] for r in state["registries"]] == ["user:u1@token.invalid"]
