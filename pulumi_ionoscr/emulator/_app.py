"""The management API's HTTP layer (routing, auth, requests -> backend calls) and the
emulator's ASGI app, which hands each request to its surface: management API, admin API or
OCI data plane. Kept thin: `_state.Backend` decides what happens, `_wire` renders it.

Path matching is done on the raw (still percent-encoded) request path, so a repository name
sent as one encoded segment (`team%2Fapp`, what the official SDK and this package's client
send) is unambiguous. The raw multi-segment form (`team/app`) is accepted as well.

No input reaches a handler unbounded (`_http.read_body`, `_checks.loads_json`), and every
answer, refusals and emulator bugs included, is JSON in the API's error shape.
"""

from __future__ import annotations

import base64
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ._admin_api import AdminApi
from ._checks import (
    ApiProblem,
    JsonInputError,
    bad_request,
    loads_json,
    not_found,
)
from ._emulator import Emulator
from ._http import (
    BodyTooLarge,
    MethodNotAllowed,
    NoRoute,
    RouteTable,
    error_response,
    json_collection,
    json_response,
    read_body,
)
from ._limits import MAX_BODY_BYTES
from ._middleware import EmulatorMiddleware, is_admin_path, is_data_plane_path
from ._oci import OciApi
from ._options import EmulatorOptions
from ._state import Actor, Page, Token
from ._wire import (
    artifact_wire,
    offset_links,
    registry_wire,
    repository_wire,
    token_wire,
    vulnerability_wire,
)

__all__ = ["API_PREFIX", "Emulator", "build_app"]

API_PREFIX = "/containerregistries"

log = logging.getLogger("pulumi_ionoscr.emulator")


def problem_response(problem: ApiProblem, *, head: bool = False) -> Response:
    return error_response(
        problem.status, problem.code, problem.message, headers=problem.headers, head=head
    )


# --------------------------------------------------------------------------------------------
# auth


def _jwt_claims(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = loads_json(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):  # JsonInputError too: an unreadable payload
        return {}
    return payload if isinstance(payload, dict) else {}


def _unauthorized(message: str) -> ApiProblem:
    return ApiProblem(
        401, "unauthorized", message, headers={"WWW-Authenticate": 'Basic realm="IONOS"'}
    )


def authenticate(options: EmulatorOptions, headers: Mapping[str, str]) -> Actor:
    """Authorization header -> Actor (tenant + identity), or ApiProblem 401/400."""
    header = headers.get("authorization", "")
    if not header:
        raise _unauthorized("Authorization: missing (use Basic or Bearer credentials)")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    restricted = options.users is not None or options.tokens is not None
    contract: str | None = None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise _unauthorized("Authorization: malformed Basic credentials") from None
        user, sep, password = decoded.partition(":")
        if not sep or not user or not password:
            raise _unauthorized("Authorization: Basic credentials need a username and a password")
        if restricted and (options.users is None or options.users.get(user) != password):
            raise _unauthorized("Authorization: invalid username or password")
        identity = user
        user_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"ionoscr-emulator:user:{user}"))
    elif scheme.lower() == "bearer":
        if not value:
            raise _unauthorized("Authorization: empty Bearer token")
        if restricted and (options.tokens is None or value not in options.tokens):
            raise _unauthorized("Authorization: invalid token")
        claims = _jwt_claims(value)
        ident = claims.get("identity") if isinstance(claims.get("identity"), dict) else {}
        assert isinstance(ident, dict)
        digest = uuid.uuid5(uuid.NAMESPACE_URL, f"ionoscr-emulator:token:{value}")
        uid = ident.get("userId") or claims.get("sub")
        user_id = str(uid) if isinstance(uid, str) and uid else str(digest)
        email = claims.get("email")
        identity = str(email) if isinstance(email, str) and email else f"{user_id}@token.invalid"
        cn = ident.get("contractNumber")
        if isinstance(cn, int | str) and re.fullmatch(r"[0-9]+", str(cn)):
            contract = str(cn)
    else:
        raise _unauthorized(f"Authorization: unsupported scheme {scheme!r} (use Basic or Bearer)")
    header_contract = headers.get("x-contract-number")
    if header_contract is not None:
        if not re.fullmatch(r"\s*[0-9]+\s*", header_contract):
            raise bad_request(
                f"X-Contract-Number: {header_contract!r} is not an integer", "invalid-header"
            )
        contract = header_contract.strip()
    tenant = f"contract:{contract}" if contract is not None else f"user:{identity}"
    return Actor(tenant=tenant, user=identity, user_id=user_id)


# --------------------------------------------------------------------------------------------
# routing (on the raw path)


@dataclass
class Ctx:
    request: Request
    actor: Actor
    params: dict[str, str]
    base: str  # origin + API prefix

    @property
    def query(self) -> Mapping[str, str]:
        return self.request.query_params


Handler = Callable[["Api", Ctx], Awaitable[Response]]

_REPOSITORY_PATH_RE = re.compile(
    r"/registries/(?P<rid>[^/]+)/repositories/(?P<rest>.+?)/?", re.DOTALL
)


async def _json_body(request: Request) -> Any:
    raw = await read_body(request, MAX_BODY_BYTES)
    if not raw.strip():
        raise bad_request("body: a JSON object is required", "missing-body")
    try:
        return loads_json(raw)
    except JsonInputError as exc:
        raise bad_request(f"body: malformed JSON ({exc})", "malformed-json") from None


def _method_not_allowed(exc: MethodNotAllowed) -> ApiProblem:
    return ApiProblem(405, "method-not-allowed", str(exc), headers=exc.allow_header)


class Api:
    """The management API handlers."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.backend = emu.backend
        self.routes: RouteTable[Handler] = RouteTable(
            [
                ("/locations", {"GET": Api.locations}),
                ("/names/{name}", {"HEAD": Api.names}),
                ("/registries", {"GET": Api.list_registries, "POST": Api.create_registry}),
                (
                    "/registries/{rid}",
                    {
                        "GET": Api.get_registry,
                        "PUT": Api.put_registry,
                        "PATCH": Api.patch_registry,
                        "DELETE": Api.delete_registry,
                    },
                ),
                ("/registries/{rid}/tokens", {"GET": Api.list_tokens, "POST": Api.create_token}),
                (
                    "/registries/{rid}/tokens/{tid}",
                    {
                        "GET": Api.get_token,
                        "PUT": Api.put_token,
                        "PATCH": Api.patch_token,
                        "DELETE": Api.delete_token,
                    },
                ),
                ("/registries/{rid}/repositories", {"GET": Api.list_repositories}),
                ("/registries/{rid}/artifacts", {"GET": Api.list_registry_artifacts}),
                ("/vulnerabilities/{vid}", {"GET": Api.get_vulnerability}),
            ]
        )

    def match(self, method: str, raw_path: str) -> tuple[Handler, dict[str, str]]:
        if not raw_path.startswith(API_PREFIX + "/"):
            raise not_found(f"no such endpoint: {raw_path}")
        path = raw_path[len(API_PREFIX) :]
        try:
            return self.routes.match(method, path, decode=unquote)
        except MethodNotAllowed as exc:
            raise _method_not_allowed(exc) from None
        except NoRoute:
            pass
        m = _REPOSITORY_PATH_RE.fullmatch(path)
        if m:
            return self._match_repository(method, m.group("rid"), m.group("rest"))
        raise not_found(f"no such endpoint: {raw_path}")

    def _match_repository(self, method: str, rid: str, rest: str) -> tuple[Handler, dict[str, str]]:
        segs = rest.split("/")
        params = {"rid": unquote(rid)}
        handlers: dict[str, Handler]
        if len(segs) >= 2 and segs[-1] == "artifacts":
            repo_segs = segs[:-1]
            handlers = {"GET": Api.list_artifacts}
        elif len(segs) >= 3 and segs[-2] == "artifacts":
            repo_segs = segs[:-2]
            params["digest"] = unquote(segs[-1])
            handlers = {"GET": Api.get_artifact}
        elif len(segs) >= 4 and segs[-1] == "vulnerabilities" and segs[-3] == "artifacts":
            repo_segs = segs[:-3]
            params["digest"] = unquote(segs[-2])
            handlers = {"GET": Api.list_vulnerabilities}
        else:
            repo_segs = segs
            handlers = {"GET": Api.get_repository, "DELETE": Api.delete_repository}
        params["repo"] = "/".join(unquote(s) for s in repo_segs)
        handler = handlers.get(method)
        if handler is None:
            raise _method_not_allowed(MethodNotAllowed(method, list(handlers)))
        return handler, params

    async def __call__(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
        raw_path = raw_path.split("?", 1)[0]
        head = request.method == "HEAD"
        try:
            handler, params = self.match(request.method, raw_path)
            actor = authenticate(self.emu.options, request.headers)
            base = f"{str(request.base_url).rstrip('/')}{API_PREFIX}"
            return await handler(self, Ctx(request, actor, params, base))
        except ApiProblem as problem:
            return problem_response(problem, head=head)
        except BodyTooLarge as exc:
            headers = {"Connection": "close"}
            too_large = ApiProblem(413, "body-too-large", str(exc), headers=headers)
            return problem_response(too_large, head=head)
        except Exception:  # an emulator bug: still answer in the API's error format
            log.exception("emulator error on %s %s", request.method, raw_path)
            return problem_response(
                ApiProblem(500, "internal-error", "internal emulator error (a bug: please report)"),
                head=head,
            )

    # -- locations and names -------------------------------------------------------------------

    async def locations(self, ctx: Ctx) -> Response:
        items = [{"id": loc} for loc in self.backend.list_locations()]
        return json_response({"id": "locations", "type": "collection", "href": "", "items": items})

    async def names(self, ctx: Ctx) -> Response:
        taken = self.backend.name_in_use(ctx.params["name"])
        return Response(status_code=200 if taken else 404)

    # -- registries ----------------------------------------------------------------------------

    async def list_registries(self, ctx: Ctx) -> Response:
        q = ctx.query
        page = self.backend.list_registries(
            ctx.actor,
            name_filter=q.get("filter.name"),
            limit=q.get("limit"),
            page_token=q.get("pagination.token"),
        )
        url = f"{ctx.base}/registries"

        def link(token: str | None) -> str:
            params: dict[str, str] = {}
            if q.get("filter.name"):
                params["filter.name"] = q["filter.name"]
            params["limit"] = str(page.limit)
            if token:
                params["pagination.token"] = token
            return f"{url}?{urlencode(params)}"

        envelope = {
            "id": "registries",
            "type": "collection",
            "href": "",
            "items": None,
            "pagination": {"limit": page.limit, "token": page.next_token},
            "_links": {
                "next": link(page.next_token) if page.next_token else "",
                "previous": "",
                "self": link(q.get("pagination.token")),
            },
        }
        return await json_collection(envelope, page.items, registry_wire)

    async def create_registry(self, ctx: Ctx) -> Response:
        body = await _json_body(ctx.request)
        reg = self.backend.create_registry(ctx.actor, body)
        return json_response(
            registry_wire(reg), 201, {"Location": f"{ctx.base}/registries/{reg.id}"}
        )

    async def get_registry(self, ctx: Ctx) -> Response:
        return json_response(registry_wire(self.backend.get_registry(ctx.actor, ctx.params["rid"])))

    async def put_registry(self, ctx: Ctx) -> Response:
        body = await _json_body(ctx.request)
        reg, _created = self.backend.replace_registry(ctx.actor, ctx.params["rid"], body)
        return json_response(
            registry_wire(reg), 201, {"Location": f"{ctx.base}/registries/{reg.id}"}
        )

    async def patch_registry(self, ctx: Ctx) -> Response:
        body = await _json_body(ctx.request)
        reg = self.backend.patch_registry(ctx.actor, ctx.params["rid"], body)
        return json_response(registry_wire(reg))

    async def delete_registry(self, ctx: Ctx) -> Response:
        self.backend.delete_registry(ctx.actor, ctx.params["rid"])
        return Response(status_code=204)

    # -- tokens --------------------------------------------------------------------------------

    async def list_tokens(self, ctx: Ctx) -> Response:
        q = ctx.query
        rid = ctx.params["rid"]
        page = self.backend.list_tokens(
            ctx.actor, rid, offset=q.get("offset"), limit=q.get("limit")
        )
        url = f"{ctx.base}/registries/{rid}/tokens"

        def link(offset: int) -> str:
            return f"{url}?{urlencode({'offset': offset, 'limit': page.limit})}"

        envelope = {
            "id": "tokens",
            "type": "collection",
            "href": "",
            "items": None,
            "count": len(page.items),
            "offset": page.offset,
            "limit": page.limit,
            "total": page.total,
            "_links": {
                "next": link(page.offset + page.limit)
                if page.offset + page.limit < page.total
                else "",
                "previous": link(max(page.offset - page.limit, 0)) if page.offset > 0 else "",
                "self": link(page.offset),
            },
        }
        return await json_collection(envelope, page.items, token_wire)

    def _token_location(self, ctx: Ctx, tok: Token) -> dict[str, str]:
        return {"Location": f"{ctx.base}/registries/{tok.registry_id}/tokens/{tok.id}"}

    async def create_token(self, ctx: Ctx) -> Response:
        body = await _json_body(ctx.request)
        tok, password = self.backend.create_token(ctx.actor, ctx.params["rid"], body)
        return json_response(token_wire(tok, password), 201, self._token_location(ctx, tok))

    async def get_token(self, ctx: Ctx) -> Response:
        tok = self.backend.get_token(ctx.actor, ctx.params["rid"], ctx.params["tid"])
        return json_response(token_wire(tok))

    async def put_token(self, ctx: Ctx) -> Response:
        body = await _json_body(ctx.request)
        tok, password = self.backend.replace_token(
            ctx.actor, ctx.params["rid"], ctx.params["tid"], body
        )
        return json_response(token_wire(tok, password), 201, self._token_location(ctx, tok))

    async def patch_token(self, ctx: Ctx) -> Response:
        body = await _json_body(ctx.request)
        tok = self.backend.patch_token(ctx.actor, ctx.params["rid"], ctx.params["tid"], body)
        return json_response(token_wire(tok))

    async def delete_token(self, ctx: Ctx) -> Response:
        self.backend.delete_token(ctx.actor, ctx.params["rid"], ctx.params["tid"])
        return Response(status_code=204)

    # -- repositories, artifacts, vulnerabilities ----------------------------------------------

    @staticmethod
    def _list_params(ctx: Ctx, *extra: str) -> dict[str, str]:
        keep = ("orderBy", *extra)
        return {k: ctx.query[k] for k in keep if ctx.query.get(k)}

    async def _collection(
        self,
        ctx: Ctx,
        ident: str,
        url: str,
        page: Page,
        render: Callable[[Any], dict[str, Any]],
        *extra: str,
    ) -> Response:
        envelope = {
            "id": ident,
            "type": "collection",
            "href": url,
            "items": None,
            "offset": page.offset,
            "limit": page.limit,
            "_links": offset_links(url, self._list_params(ctx, *extra), page),
        }
        return await json_collection(envelope, page.items, render)

    async def list_repositories(self, ctx: Ctx) -> Response:
        q = ctx.query
        rid = ctx.params["rid"]
        page = self.backend.list_repositories(
            ctx.actor,
            rid,
            offset=q.get("offset"),
            limit=q.get("limit"),
            order_by=q.get("orderBy"),
            name_filter=q.get("filter.name"),
            severity_filter=q.get("filter.vulnerabilitySeverity"),
        )
        url = f"{ctx.base}/registries/{rid}/repositories"
        return await self._collection(
            ctx,
            "repositories",
            url,
            page,
            lambda r: repository_wire(ctx.base, rid, r),
            "filter.name",
            "filter.vulnerabilitySeverity",
        )

    async def get_repository(self, ctx: Ctx) -> Response:
        rid = ctx.params["rid"]
        repo = self.backend.get_repository(ctx.actor, rid, ctx.params["repo"])
        return json_response(repository_wire(ctx.base, rid, repo))

    async def delete_repository(self, ctx: Ctx) -> Response:
        self.backend.delete_repository(ctx.actor, ctx.params["rid"], ctx.params["repo"])
        return Response(status_code=204)

    async def list_artifacts(self, ctx: Ctx) -> Response:
        q = ctx.query
        rid, repo = ctx.params["rid"], ctx.params["repo"]
        page = self.backend.list_artifacts(
            ctx.actor,
            rid,
            repo,
            offset=q.get("offset"),
            limit=q.get("limit"),
            order_by=q.get("orderBy"),
        )
        url = f"{ctx.base}/registries/{rid}/repositories/{quote(repo, safe='')}/artifacts"
        return await self._collection(
            ctx, "artifacts", url, page, lambda p: artifact_wire(ctx.base, rid, p[0], p[1])
        )

    async def list_registry_artifacts(self, ctx: Ctx) -> Response:
        q = ctx.query
        rid = ctx.params["rid"]
        page = self.backend.list_artifacts(
            ctx.actor,
            rid,
            None,
            offset=q.get("offset"),
            limit=q.get("limit"),
            order_by=q.get("orderBy"),
            vulnerability_id=q.get("filter.vulnerabilityId"),
        )
        url = f"{ctx.base}/registries/{rid}/artifacts"
        return await self._collection(
            ctx,
            "artifacts",
            url,
            page,
            lambda p: artifact_wire(ctx.base, rid, p[0], p[1]),
            "filter.vulnerabilityId",
        )

    async def get_artifact(self, ctx: Ctx) -> Response:
        rid, repo = ctx.params["rid"], ctx.params["repo"]
        art = self.backend.get_artifact(ctx.actor, rid, repo, ctx.params["digest"])
        return json_response(artifact_wire(ctx.base, rid, repo, art))

    async def list_vulnerabilities(self, ctx: Ctx) -> Response:
        rid, repo, digest = ctx.params["rid"], ctx.params["repo"], ctx.params["digest"]
        q = ctx.query
        page = self.backend.list_artifact_vulnerabilities(
            ctx.actor,
            rid,
            repo,
            digest,
            offset=q.get("offset"),
            limit=q.get("limit"),
            order_by=q.get("orderBy"),
            severity=q.get("filter.severity"),
            fixable=q.get("filter.fixable"),
        )
        url = (
            f"{ctx.base}/registries/{rid}/repositories/{quote(repo, safe='')}"
            f"/artifacts/{quote(digest, safe='')}/vulnerabilities"
        )
        return await self._collection(
            ctx,
            "vulnerabilities",
            url,
            page,
            lambda adv: vulnerability_wire(ctx.base, adv),
            "filter.severity",
            "filter.fixable",
        )

    async def get_vulnerability(self, ctx: Ctx) -> Response:
        adv = self.backend.get_vulnerability(ctx.params["vid"])
        return json_response(vulnerability_wire(ctx.base, adv))


# --------------------------------------------------------------------------------------------
# the app


def build_app(emu: Emulator) -> ASGIApp:
    """The emulator's ASGI app: each request goes to its surface by path; everything that is
    neither admin nor data plane is the management API's (unknown paths: its 404)."""
    api = Api(emu)
    admin = AdminApi(emu)
    oci = OciApi(emu.distribution)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        path: str = scope["path"]
        oci_plane = is_data_plane_path(path)
        surface = admin if is_admin_path(path) else oci if oci_plane else api
        try:
            response = await surface(request)
        except Exception:  # a bug even the surface's own net missed (e.g. building the answer)
            log.exception("emulator error on %s %r", request.method, path)
            response = error_response(
                500,
                "UNKNOWN" if oci_plane else "internal-error",
                "internal emulator error (a bug: please report)",
                oci=oci_plane,
                head=request.method == "HEAD",
            )
        await response(scope, receive, send)

    return EmulatorMiddleware(app, emu)
