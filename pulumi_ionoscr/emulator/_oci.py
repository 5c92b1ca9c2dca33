"""HTTP layer of the OCI distribution (registry v2) data plane, enough for real OCI clients
(oras-py is the one tested) to push and pull.

Served on the emulator's own origin (`127.0.0.1:<port>`, plain HTTP), not on the registry's
`<name>.cr.<location>.ionos.com` hostname: the registry is told apart by the credentials
(a token belongs to exactly one registry).

Auth: `Authorization: Basic <token name>:<token password>` on every request, or the Docker
token flow: a 401 carries `WWW-Authenticate: Bearer realm="<origin>/service/token",...`, the
client GETs that realm with Basic credentials and uses the returned Bearer token.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from ._http import BodyTooLarge, read_body
from ._limits import MAX_INT_PARAM_DIGITS, MAX_MANIFEST_BYTES
from ._middleware import TOKEN_PATH
from ._oci_state import Access, Distribution, OciProblem

log = logging.getLogger("pulumi_ionoscr.emulator")

__all__ = ["OciApi"]

API_VERSION_HEADER = {"Docker-Distribution-API-Version": "registry/2.0"}

_PATH_RE = re.compile(r"(?P<name>.+?)/(?P<kind>manifests|blobs|tags)/(?P<rest>.*)", re.DOTALL)
_SCOPE_SAFE = ":/*,._-@+="
_PAGE_SIZE_RE = re.compile(rf"[0-9]{{1,{MAX_INT_PARAM_DIGITS}}}")
_METHODS = {
    "tags": ("GET", "HEAD"),
    "manifests": ("GET", "HEAD", "PUT", "DELETE"),
    "blobs": ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"),
}


def _json(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")),
        status_code=status,
        media_type="application/json",
        headers={**API_VERSION_HEADER, **(headers or {})},
    )


def _empty(status: int, headers: Mapping[str, str]) -> Response:
    return Response(status_code=status, headers={**API_VERSION_HEADER, **headers})


def _problem(problem: OciProblem, head: bool) -> Response:
    headers = {**API_VERSION_HEADER, **problem.headers}
    if head:
        return Response(status_code=problem.status, headers=headers)
    return _json(problem.body(), problem.status, headers)


def _challenge(request: Request, scope: str | None) -> dict[str, str]:
    origin = str(request.base_url).rstrip("/")
    value = f'Bearer realm="{origin}{TOKEN_PATH}",service="{request.url.netloc}"'
    if scope:
        # The scope names the repository as requested, which need not be a valid name:
        # percent-encode what a header cannot carry (non-ASCII, quotes, controls).
        value += f',scope="{quote(scope, safe=_SCOPE_SAFE)}"'
    return {"WWW-Authenticate": value}


def _credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if not value:
        return None
    return scheme.lower(), value


def _login(
    dist: Distribution, request: Request, scope: str | None, *, token_endpoint: bool = False
) -> Access:
    creds = _credentials(request)
    try:
        if creds is None:
            raise OciProblem(401, "UNAUTHORIZED", "authentication required")
        scheme, value = creds
        if scheme == "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                raise OciProblem(401, "UNAUTHORIZED", "malformed Basic credentials") from None
            user, _, password = decoded.partition(":")
            return dist.login_basic(user, password, token_endpoint=token_endpoint)
        if scheme == "bearer":
            return dist.login_bearer(value)
        raise OciProblem(401, "UNAUTHORIZED", f"unsupported scheme {scheme!r}")
    except OciProblem as problem:
        problem.headers.update(_challenge(request, scope))
        raise


def _action(method: str, kind: str) -> str:
    if method in ("GET", "HEAD"):
        return "pull"
    if method == "DELETE" and kind in ("manifests", "blobs"):
        return "delete"
    return "push"


def _allow(request: Request, *methods: str) -> None:
    if request.method not in methods:
        raise OciProblem(
            405,
            "UNSUPPORTED",
            f"{request.method} is not supported here (allowed: {', '.join(methods)})",
            headers={"Allow": ", ".join(methods)},
        )


class OciApi:
    """The data plane's HTTP surface: `/v2/...` and the token endpoint. Every error, also an
    unexpected one, is answered as a distribution registry does: JSON `errors`."""

    def __init__(self, dist: Distribution) -> None:
        self.dist = dist

    async def __call__(self, request: Request) -> Response:
        head = request.method == "HEAD"
        path: str = request.scope["path"]  # request.url would drop encoded newlines
        try:
            if path == TOKEN_PATH:
                return self._token_endpoint(request)
            if path in ("/v2", "/v2/"):
                _allow(request, "GET", "HEAD")
                _login(self.dist, request, None)
                return _json({})
            return await self._v2(request, path[len("/v2/") :])
        except OciProblem as problem:
            return _problem(problem, head)
        except BodyTooLarge as exc:
            headers = {"Connection": "close"}
            return _problem(OciProblem(413, "MANIFEST_INVALID", str(exc), headers=headers), head)
        except Exception:  # an emulator bug: still answer as a registry, keep the connection
            log.exception("data plane error on %s %s", request.method, path)
            return _problem(OciProblem(500, "UNKNOWN", "internal emulator error (a bug)"), head)

    def _token_endpoint(self, request: Request) -> Response:
        _allow(request, "GET", "POST")
        creds = _credentials(request)
        if creds is None or creds[0] != "basic":
            raise OciProblem(
                401,
                "UNAUTHORIZED",
                "the token endpoint needs Basic credentials of a registry token",
                headers={"WWW-Authenticate": 'Basic realm="ionoscr-emulator"'},
            )
        access = _login(self.dist, request, None, token_endpoint=True)
        token, ttl = self.dist.issue_bearer(access)
        issued = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return _json(
            {"token": token, "access_token": token, "expires_in": ttl, "issued_at": issued}
        )

    async def _v2(self, request: Request, path: str) -> Response:
        dist = self.dist
        if path == "_catalog":
            _allow(request, "GET")
            access = _login(dist, request, "registry:catalog:*")
            return _json({"repositories": dist.catalog(access)})
        m = _PATH_RE.fullmatch(path)
        if not m:
            raise OciProblem(404, "NAME_UNKNOWN", f"no such endpoint: /v2/{path}")
        name, kind, rest = m.group("name"), m.group("kind"), m.group("rest")
        _allow(request, *_METHODS[kind])
        action = _action(request.method, kind)
        access = _login(dist, request, f"repository:{name}:{action}")
        dist.check_name(name)
        dist.authorize(access, name, action)
        if kind == "tags":
            return _tags(dist, access, request, name, rest)
        if kind == "manifests":
            return await _manifests(dist, access, request, name, rest)
        return await _blobs(dist, access, request, name, rest)


def _tags(dist: Distribution, access: Access, request: Request, name: str, rest: str) -> Response:
    if rest != "list":
        raise OciProblem(404, "NAME_UNKNOWN", f"no such endpoint: tags/{rest}")
    n = request.query_params.get("n")
    headers: dict[str, str] = {}
    if n is not None and not _PAGE_SIZE_RE.fullmatch(n):
        raise OciProblem(
            400, "PAGINATION_NUMBER_INVALID", f"n: {n!r} is not a number of tags (ASCII digits)"
        )
    tags = dist.tags(access, name)
    last = request.query_params.get("last")
    if last:
        tags = [t for t in tags if t > last]
    if n is not None:
        limit = int(n)
        if len(tags) > limit:
            tags = tags[:limit]
            if tags:
                link = f"/v2/{name}/tags/list?n={limit}&last={quote(tags[-1])}"
                headers["Link"] = f'<{link}>; rel="next"'
    return _json({"name": name, "tags": tags}, headers=headers)


async def _manifests(
    dist: Distribution, access: Access, request: Request, name: str, reference: str
) -> Response:
    method = request.method
    if not reference or "/" in reference:
        raise OciProblem(404, "MANIFEST_UNKNOWN", f"invalid reference {reference!r}")
    if method in ("GET", "HEAD"):
        head_counts = dist.backend.variants["pull-counting"] == "manifest-get-and-head"
        body, media_type, digest = dist.get_manifest(
            access, name, reference, count_pull=method == "GET" or head_counts
        )
        headers = {
            "Docker-Content-Digest": digest,
            "Content-Type": media_type,
            "Content-Length": str(len(body)),
        }
        if method == "HEAD":
            return _empty(200, headers)
        return Response(body, status_code=200, headers={**API_VERSION_HEADER, **headers})
    if method == "PUT":
        body = await read_body(request, MAX_MANIFEST_BYTES)
        digest = dist.put_manifest(
            access, name, reference, body, request.headers.get("content-type")
        )
        return _empty(
            201,
            {
                "Location": f"/v2/{name}/manifests/{digest}",
                "Docker-Content-Digest": digest,
                "Content-Length": "0",
            },
        )
    if method == "DELETE":
        dist.delete_manifest(access, name, reference)
        return _empty(202, {"Content-Length": "0"})
    raise AssertionError(method)  # _METHODS["manifests"] lets no other method through


async def _blobs(
    dist: Distribution, access: Access, request: Request, name: str, rest: str
) -> Response:
    method = request.method
    q = request.query_params
    if rest == "uploads" or rest.startswith("uploads/"):
        upload_id = rest[len("uploads/") :] if rest.startswith("uploads/") else ""
        if method == "POST" and not upload_id:
            mount, source = q.get("mount"), q.get("from")
            if mount and source and dist.allowed(access, source, "pull"):
                try:
                    data = dist.get_blob(access, source, mount)
                except OciProblem:
                    data = None
                if data is not None:
                    dist.finish_upload(access, name, None, mount, data)
                    return _blob_created(name, mount)
            digest = q.get("digest")
            if digest:
                dist.finish_upload(access, name, None, digest, await request.body())
                return _blob_created(name, digest)
            upload = dist.start_upload(access, name)
            return _upload_accepted(name, upload.id, len(upload.data))
        if not upload_id:
            raise OciProblem(404, "BLOB_UPLOAD_UNKNOWN", "no upload id")
        if method == "PATCH":
            upload = dist.append_upload(access, name, upload_id, await request.body())
            return _upload_accepted(name, upload.id, len(upload.data))
        if method == "PUT":
            digest = q.get("digest")
            if not digest:
                raise OciProblem(400, "DIGEST_INVALID", "the digest query parameter is required")
            dist.finish_upload(access, name, upload_id, digest, await request.body())
            return _blob_created(name, digest)
        if method == "GET":
            upload = dist.upload_status(access, name, upload_id)
            return _empty(
                204,
                {
                    "Location": f"/v2/{name}/blobs/uploads/{upload.id}",
                    "Range": f"0-{max(len(upload.data) - 1, 0)}",
                    "Docker-Upload-UUID": upload.id,
                },
            )
        if method == "DELETE":
            dist.cancel_upload(access, name, upload_id)
            return _empty(204, {})
        _allow(request, "GET", "PATCH", "PUT", "DELETE")
    digest = rest
    if method in ("GET", "HEAD"):
        data = dist.get_blob(access, name, digest)
        headers = {
            "Docker-Content-Digest": digest,
            "Content-Type": "application/octet-stream",
            "Content-Length": str(len(data)),
        }
        if method == "HEAD":
            return _empty(200, headers)
        return Response(data, status_code=200, headers={**API_VERSION_HEADER, **headers})
    if method == "DELETE":
        dist.delete_blob(access, name, digest)
        return _empty(202, {"Content-Length": "0"})
    _allow(request, "GET", "HEAD", "DELETE")
    raise AssertionError(method)  # _allow refused it


def _upload_accepted(name: str, upload_id: str, size: int) -> Response:
    return _empty(
        202,
        {
            "Location": f"/v2/{name}/blobs/uploads/{upload_id}",
            "Range": f"0-{max(size - 1, 0)}",
            "Docker-Upload-UUID": upload_id,
            "Content-Length": "0",
        },
    )


def _blob_created(name: str, digest: str) -> Response:
    return _empty(
        201,
        {
            "Location": f"/v2/{name}/blobs/{digest}",
            "Docker-Content-Digest": digest,
            "Content-Length": "0",
        },
    )
