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
from ._middleware import EmulatorMiddleware, error_style, is_admin_path, is_data_plane_path
from ._oci import OciApi
from ._options import EmulatorOptions
from ._state import Actor, Page, Token
from ._wire import (
    Style,
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


def problem_response(problem: ApiProblem, *, head: bool = False, style: str) -> Response:
    """`style`: the `error-body` variant."""
    return error_response(
        problem.status,
        problem.code,
        problem.message,
        headers=problem.headers,
        head=head,
        style=style,
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
        basic = True
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
        basic = False
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
    return Actor(tenant=tenant, user=identity, user_id=user_id, basic=basic)


# --------------------------------------------------------------------------------------------
# routing (on the raw path)


@dataclass
class Ctx:
    request: Request
    actor: Actor
    params: dict[str, str]
    base: str  # origin + API prefix
    style: Style  # the rendering variants, as they are for this request

    @property
    def query(self) -> Mapping[str, str]:
        return self.request.query_params


Handler = Callable[["Api", Ctx], Awaitable[Response]]

_REPOSITORY_PATH_RE = re.compile(
    r"/registries/(?P<rid>[^/]+)/repositories/(?P<rest>.+?)/?", re.DOTALL
)


async def _json_body(request: Request, limit: int) -> Any:
    raw = await read_body(request, limit)
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
        # How a multi-segment name was written: the `repository-path` variant decides which
        # forms the server understands.
        encoded = any("%2f" in seg.lower() for seg in repo_segs)
        params["addressing"] = "raw" if len(repo_segs) > 1 else "encoded" if encoded else "plain"
        handler = handlers.get(method)
        if handler is None:
            raise _method_not_allowed(MethodNotAllowed(method, list(handlers)))
        return handler, params

    async def __call__(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
        raw_path = raw_path.split("?", 1)[0]
        head = request.method == "HEAD"
        variants = self.backend.variants
        errors = error_style(self.emu, request.scope["path"])
        try:
            handler, params = self.match(request.method, raw_path)
            actor = authenticate(self.emu.options, request.headers)
            base = f"{str(request.base_url).rstrip('/')}{API_PREFIX}"
            ctx = Ctx(request, actor, params, base, Style.of(variants))
            # Refusals shared by several handlers, after authentication and before anything
            # a handler does: Basic on a tokenAuth-only endpoint (401), then a repository name
            # written in a form the server does not understand (404).
            if handler in _TOKEN_AUTH_ONLY:
                self._token_auth_only(ctx)
            addressing = params.pop("addressing", None)
            if addressing is not None:
                self._check_addressing(addressing, params["repo"])
            return await handler(self, ctx)
        except ApiProblem as problem:
            return problem_response(problem, head=head, style=errors)
        except BodyTooLarge as exc:
            headers = {"Connection": "close"}
            too_large = ApiProblem(413, "body-too-large", str(exc), headers=headers)
            return problem_response(too_large, head=head, style=errors)
        except Exception:  # an emulator bug: still answer in the API's error format
            log.exception("emulator error on %s %s", request.method, raw_path)
            return problem_response(
                ApiProblem(500, "internal-error", "internal emulator error (a bug: please report)"),
                head=head,
                style=errors,
            )

    # -- variants the HTTP layer decides -------------------------------------------------------

    async def _body(self, ctx: Ctx) -> Any:
        return await _json_body(ctx.request, self.backend.limits.body_bytes)

    def _created(self, ctx: Ctx, body: dict[str, Any], path: str) -> Response:
        """A 201 with the `location-header` variant's Location."""
        where = self.backend.variants["location-header"]
        headers = {} if where == "absent" else {"Location": f"{ctx.base}{path}"}
        if where == "relative":
            headers["Location"] = f"{API_PREFIX}{path}"
        return json_response(body, 201, headers)

    def _collection_ids(self, ident: str, href: str) -> dict[str, Any]:
        """id/type/href of a list (UNCERTAIN beyond registries: `collection-envelope`)."""
        if self.backend.variants["collection-envelope"] == "bare":
            return {}
        return {"id": ident, "type": "collection", "href": href}

    def _token_auth_only(self, ctx: Ctx) -> None:
        """401 for Basic credentials if `basic-auth-newer-endpoints` rejects them (on the
        endpoints that list only tokenAuth: `_TOKEN_AUTH_ONLY`)."""
        if ctx.actor.basic and self.backend.variants["basic-auth-newer-endpoints"] == "rejected":
            raise _unauthorized("Authorization: this endpoint accepts only Bearer tokens")

    def _check_addressing(self, how: str, repo: str) -> None:
        """404 unless the server understands how the repository name was written."""
        rule = self.backend.variants["repository-path"]
        refused = {
            "encoded-only": ("raw",),
            "raw-only": ("encoded",),
            "single-segment": ("raw", "encoded"),
        }.get(rule, ())
        if how in refused:
            raise not_found(f"repository {repo!r} not found")

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
        variants = self.backend.variants

        def link(token: str | None) -> str:
            params: dict[str, str] = {}
            if q.get("filter.name"):
                params["filter.name"] = q["filter.name"]
            params["limit"] = str(page.limit)
            if token:
                params["pagination.token"] = token
            return f"{url}?{urlencode(params)}"

        pagination: dict[str, Any] = {"limit": page.limit}
        last_page = variants["registries-last-page"]
        if page.next_token or last_page == "empty-token":
            pagination["token"] = page.next_token
        elif last_page == "null-token":
            pagination["token"] = None
        envelope: dict[str, Any] = {
            "id": "registries",
            "type": "collection",
            "href": "",
            "items": None,
            "pagination": pagination,
        }
        links = variants["registries-links"]
        if links == "urls":
            envelope["_links"] = {
                "next": link(page.next_token) if page.next_token else "",
                "previous": "",
                "self": link(q.get("pagination.token")),
            }
        elif links == "empty":
            envelope["_links"] = {}
        return await json_collection(envelope, page.items, lambda r: registry_wire(r, ctx.style))

    async def create_registry(self, ctx: Ctx) -> Response:
        body = await self._body(ctx)
        reg = self.backend.create_registry(ctx.actor, body)
        return self._created(ctx, registry_wire(reg, ctx.style), f"/registries/{reg.id}")

    async def get_registry(self, ctx: Ctx) -> Response:
        reg = self.backend.get_registry(ctx.actor, ctx.params["rid"])
        return json_response(registry_wire(reg, ctx.style))

    async def put_registry(self, ctx: Ctx) -> Response:
        body = await self._body(ctx)
        reg, _created = self.backend.replace_registry(ctx.actor, ctx.params["rid"], body)
        return self._created(ctx, registry_wire(reg, ctx.style), f"/registries/{reg.id}")

    async def patch_registry(self, ctx: Ctx) -> Response:
        body = await self._body(ctx)
        reg = self.backend.patch_registry(ctx.actor, ctx.params["rid"], body)
        return json_response(registry_wire(reg, ctx.style))

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

        more = page.offset + len(page.items) < page.total
        envelope = {
            **self._collection_ids("tokens", ""),
            "items": None,
            "count": len(page.items),
            "offset": page.offset,
            "limit": page.limit,
            "total": page.total,
            "_links": {
                "next": link(page.offset + page.limit) if more else "",
                "previous": link(max(page.offset - page.limit, 0)) if page.offset > 0 else "",
                "self": link(page.offset),
            },
        }
        return await json_collection(envelope, page.items, lambda t: token_wire(t, ctx.style))

    def _token_created(self, ctx: Ctx, tok: Token, password: str | None) -> Response:
        path = f"/registries/{tok.registry_id}/tokens/{tok.id}"
        return self._created(ctx, token_wire(tok, ctx.style, password), path)

    async def create_token(self, ctx: Ctx) -> Response:
        body = await self._body(ctx)
        tok, password = self.backend.create_token(ctx.actor, ctx.params["rid"], body)
        return self._token_created(ctx, tok, password)

    async def get_token(self, ctx: Ctx) -> Response:
        tok = self.backend.get_token(ctx.actor, ctx.params["rid"], ctx.params["tid"])
        return json_response(token_wire(tok, ctx.style))

    async def put_token(self, ctx: Ctx) -> Response:
        body = await self._body(ctx)
        tok, password = self.backend.replace_token(
            ctx.actor, ctx.params["rid"], ctx.params["tid"], body
        )
        return self._token_created(ctx, tok, password)

    async def patch_token(self, ctx: Ctx) -> Response:
        body = await self._body(ctx)
        tok = self.backend.patch_token(ctx.actor, ctx.params["rid"], ctx.params["tid"], body)
        return json_response(token_wire(tok, ctx.style))

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
        envelope: dict[str, Any] = {
            **self._collection_ids(ident, url),
            "items": None,
            "offset": page.offset,
            "limit": page.limit,
        }
        links = offset_links(url, self._list_params(ctx, *extra), page, ctx.style)
        if links is not None:
            envelope["_links"] = links
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
            lambda r: repository_wire(ctx.base, rid, r, ctx.style),
            "filter.name",
            "filter.vulnerabilitySeverity",
        )

    async def get_repository(self, ctx: Ctx) -> Response:
        rid = ctx.params["rid"]
        repo = self.backend.get_repository(ctx.actor, rid, ctx.params["repo"])
        return json_response(repository_wire(ctx.base, rid, repo, ctx.style))

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
            ctx,
            "artifacts",
            url,
            page,
            lambda p: artifact_wire(ctx.base, rid, p[0], p[1], ctx.style),
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
            lambda p: artifact_wire(ctx.base, rid, p[0], p[1], ctx.style),
            "filter.vulnerabilityId",
        )

    async def get_artifact(self, ctx: Ctx) -> Response:
        rid, repo = ctx.params["rid"], ctx.params["repo"]
        art = self.backend.get_artifact(ctx.actor, rid, repo, ctx.params["digest"])
        return json_response(artifact_wire(ctx.base, rid, repo, art, ctx.style))

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
            lambda adv: vulnerability_wire(ctx.base, adv, ctx.style),
            "filter.severity",
            "filter.fixable",
        )

    async def get_vulnerability(self, ctx: Ctx) -> Response:
        adv = self.backend.get_vulnerability(ctx.actor, ctx.params["vid"])
        return json_response(vulnerability_wire(ctx.base, adv, ctx.style))


#: The endpoints that list only tokenAuth (`basic-auth-newer-endpoints`).
_TOKEN_AUTH_ONLY: frozenset[Handler] = frozenset(
    {
        Api.list_repositories,
        Api.get_repository,
        Api.list_artifacts,
        Api.list_registry_artifacts,
        Api.get_artifact,
        Api.list_vulnerabilities,
        Api.get_vulnerability,
    }
)


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
