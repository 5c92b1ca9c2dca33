"""HTTP layer of the emulator: routing, auth, wire format (Starlette), kept thin.

Everything that decides *what* happens lives in `_state.Backend`; this module turns requests
into backend calls and backend objects into the API's JSON.

Path matching is done on the raw (still percent-encoded) request path, so a repository name
sent as one encoded segment (`team%2Fapp`, what the official SDK and this package's client
send) is unambiguous. The raw multi-segment form (`team/app`) is accepted as well.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._faults import FaultConfig, FaultConfigError, FaultInjector
from ._oci import TOKEN_PATH, oci_routes
from ._oci_state import Distribution
from ._options import EmulatorOptions
from ._state import (
    Actor,
    ApiProblem,
    Artifact,
    Backend,
    Page,
    Registry,
    Repository,
    Timing,
    Token,
    bad_request,
    format_time,
    not_found,
    parse_int_param,
)
from ._store import StateStore

__all__ = ["API_PREFIX", "Emulator", "build_app"]

API_PREFIX = "/containerregistries"
ADMIN_PREFIX = "/_emulator"
MAX_LOG = 100_000

JSON_TYPE = "application/json"

log = logging.getLogger("pulumi_ionoscr.emulator")


class DroppedConnection(Exception):
    """Raised after a partial response to make the server drop the connection (a fault)."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


for _name in ("uvicorn.error", "uvicorn"):
    logging.getLogger(_name).addFilter(_QuietDrops())


# --------------------------------------------------------------------------------------------
# the emulator instance


class Emulator:
    """One emulator: backend, faults, request log, optional state file."""

    def __init__(self, options: EmulatorOptions, *, clock: Callable[[], float] = time.time) -> None:
        self.options = options
        self.backend = Backend(
            locations=options.locations,
            timing=copy.deepcopy(options.timing),
            clock=clock,
            duplicate_name_status=options.duplicate_name_status,
        )
        self.faults = FaultInjector(copy.deepcopy(options.faults))
        self.distribution = Distribution(self.backend)
        self.requests: list[dict[str, Any]] = []
        self.store: StateStore | None = None
        if options.state_file:
            self.store = StateStore(options.state_file, self.backend)
            self.store.load()

    def reset(self) -> None:
        """Empty state and request log; timing and faults back to the startup options."""
        self.backend.reset()
        self.distribution.uploads.clear()
        self.distribution.bearers.clear()
        self.backend.timing = copy.deepcopy(self.options.timing)
        self.faults.configure(copy.deepcopy(self.options.faults))
        self.requests.clear()
        self.persist()

    def persist(self) -> None:
        if self.store is not None:
            self.store.save_if_changed()

    def record(self, entry: dict[str, Any]) -> None:
        self.requests.append(entry)
        if len(self.requests) > MAX_LOG:
            del self.requests[: len(self.requests) - MAX_LOG]


# --------------------------------------------------------------------------------------------
# responses


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")),
        status_code=status,
        media_type=JSON_TYPE,
        headers=dict(headers or {}),
    )


def problem_response(problem: ApiProblem, *, head: bool = False) -> Response:
    if head:
        return Response(status_code=problem.status, headers=problem.headers)
    return json_response(problem.body(), problem.status, problem.headers)


# --------------------------------------------------------------------------------------------
# auth


def _jwt_claims(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
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
        if isinstance(cn, int | str) and str(cn).isdigit():
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
# wire format


def _metadata(
    created_by: str,
    created_by_user_id: str,
    created_at: float,
    modified_by: str | None,
    modified_by_user_id: str | None,
    modified_at: float | None,
    state: str,
) -> dict[str, Any]:
    md: dict[str, Any] = {
        "createdBy": created_by,
        "createdByUserId": created_by_user_id,
        "createdDate": format_time(created_at),
    }
    if modified_at is not None:
        md["lastModifiedBy"] = modified_by
        md["lastModifiedByUserId"] = modified_by_user_id
        md["lastModifiedDate"] = format_time(modified_at)
    md["state"] = state
    return md


def registry_wire(reg: Registry) -> dict[str, Any]:
    props: dict[str, Any] = {"name": reg.name, "location": reg.location}
    if reg.schedule is not None:
        props["garbageCollectionSchedule"] = reg.schedule.to_wire()
    storage: dict[str, Any] = {"bytes": reg.storage_bytes}
    if reg.storage_updated_at is not None:
        storage["updatedAt"] = format_time(reg.storage_updated_at)
    props["storageUsage"] = storage
    props["hostname"] = reg.hostname
    vs: dict[str, Any] = {"enabled": reg.vulnerability_scanning}
    if reg.vulnerability_properties is not None:
        vs["properties"] = reg.vulnerability_properties
    props["features"] = {"vulnerabilityScanning": vs}
    props["apiSubnetAllowList"] = list(reg.allow_list)
    return {
        "id": reg.id,
        "type": "registry",
        "href": "",
        "metadata": _metadata(
            reg.created_by,
            reg.created_by_user_id,
            reg.created_at,
            reg.modified_by,
            reg.modified_by_user_id,
            reg.modified_at,
            reg.state,
        ),
        "properties": props,
    }


def token_wire(tok: Token, password: str | None = None) -> dict[str, Any]:
    return {
        "id": tok.id,
        "type": "token",
        "href": "",
        "metadata": _metadata(
            tok.created_by,
            tok.created_by_user_id,
            tok.created_at,
            tok.modified_by,
            tok.modified_by_user_id,
            tok.modified_at,
            tok.status,
        ),
        "properties": {
            "name": tok.name,
            "scopes": None if tok.scopes is None else [s.to_wire() for s in tok.scopes],
            "expiryDate": tok.expiry_date,
            "status": tok.status,
            "credentials": {"username": tok.name, "password": password or ""},
        },
    }


def _ts(value: float | None) -> str | None:
    return None if value is None else format_time(value)


def repository_wire(base: str, registry_id: str, repo: Repository) -> dict[str, Any]:
    return {
        "id": repo.name,
        "type": "repository",
        "href": f"{base}/registries/{registry_id}/repositories/{quote(repo.name, safe='')}",
        "metadata": {
            "createdDate": format_time(repo.created_at),
            "createdBy": None,
            "createdByUserId": None,
            "lastModifiedDate": None,
            "lastModifiedBy": None,
            "lastModifiedByUserId": None,
            "resourceURN": None,
            "artifactCount": len(repo.artifacts),
            "pullCount": repo.pull_count,
            "pushCount": repo.push_count,
            "lastPulledAt": _ts(repo.last_pulled_at),
            "lastPushedAt": _ts(repo.last_pushed_at),
            "lastSeverity": repo.last_severity,
        },
        "properties": {"name": repo.name},
    }


def artifact_wire(base: str, registry_id: str, repo_name: str, art: Artifact) -> dict[str, Any]:
    return {
        "id": art.digest,
        "type": "artifact",
        "href": (
            f"{base}/registries/{registry_id}/repositories/{quote(repo_name, safe='')}"
            f"/artifacts/{quote(art.digest, safe='')}"
        ),
        "metadata": {
            "createdDate": None,
            "createdBy": None,
            "createdByUserId": None,
            "lastModifiedDate": None,
            "lastModifiedBy": None,
            "lastModifiedByUserId": None,
            "resourceURN": None,
            "lastPushedAt": _ts(art.last_pushed_at),
            "lastPulledAt": _ts(art.last_pulled_at),
            "lastScannedAt": _ts(art.last_scanned_at),
            "pushCount": art.push_count,
            "pullCount": art.pull_count,
            "vulnMaxSeverity": art.vuln_max_severity,
            "vulnTotalScore": art.vuln_total_score,
            "vulnTotalCount": art.vuln_total_count,
            "vulnFixableCount": art.vuln_fixable_count,
        },
        "properties": {
            "repositoryName": repo_name,
            "digest": art.digest,
            "tags": list(art.tags),
            "mediaType": art.media_type,
        },
    }


def _offset_links(url: str, params: Mapping[str, str], page: Page) -> dict[str, str]:
    """`_links{prev,self,next}` of the 1.1.0 lists (prev/next only when they exist)."""

    def link(offset: int) -> str:
        q = dict(params)
        q["offset"] = str(offset)
        q["limit"] = str(page.limit)
        return f"{url}?{urlencode(q)}"

    links: dict[str, str] = {"self": link(page.offset)}
    if page.offset > 0:
        links["prev"] = link(max(page.offset - page.limit, 0))
    if page.offset + page.limit < page.total:
        links["next"] = link(page.offset + page.limit)
    return {k: links[k] for k in ("prev", "self", "next") if k in links}


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

_SEG = r"(?P<{}>[^/]+)"


def _pattern(template: str) -> re.Pattern[str]:
    regex = re.sub(r"\{(\w+)\}", lambda m: _SEG.format(m.group(1)), template)
    return re.compile(f"^{regex}/?$")


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise bad_request("body: a JSON object is required", "missing-body")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"body: malformed JSON ({exc})", "malformed-json") from None


class Api:
    """The management API handlers."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.backend = emu.backend
        self._routes: list[tuple[re.Pattern[str], dict[str, Handler]]] = [
            (_pattern("/locations"), {"GET": Api.locations}),
            (_pattern("/names/{name}"), {"HEAD": Api.names}),
            (_pattern("/registries"), {"GET": Api.list_registries, "POST": Api.create_registry}),
            (
                _pattern("/registries/{rid}"),
                {
                    "GET": Api.get_registry,
                    "PUT": Api.put_registry,
                    "PATCH": Api.patch_registry,
                    "DELETE": Api.delete_registry,
                },
            ),
            (
                _pattern("/registries/{rid}/tokens"),
                {"GET": Api.list_tokens, "POST": Api.create_token},
            ),
            (
                _pattern("/registries/{rid}/tokens/{tid}"),
                {
                    "GET": Api.get_token,
                    "PUT": Api.put_token,
                    "PATCH": Api.patch_token,
                    "DELETE": Api.delete_token,
                },
            ),
            (_pattern("/registries/{rid}/repositories"), {"GET": Api.list_repositories}),
            (_pattern("/registries/{rid}/artifacts"), {"GET": Api.list_registry_artifacts}),
            (_pattern("/vulnerabilities/{vid}"), {"GET": Api.get_vulnerability}),
        ]
        self._repo_prefix = re.compile(r"^/registries/(?P<rid>[^/]+)/repositories/(?P<rest>.+?)/?$")

    def match(self, method: str, raw_path: str) -> tuple[Handler, dict[str, str]]:
        path = raw_path[len(API_PREFIX) :]
        for regex, methods in self._routes:
            m = regex.match(path)
            if m:
                handler = methods.get(method)
                if handler is None:
                    raise ApiProblem(
                        405,
                        "method-not-allowed",
                        f"{method} is not allowed here (allowed: {', '.join(methods)})",
                        headers={"Allow": ", ".join(methods)},
                    )
                return handler, {k: unquote(v) for k, v in m.groupdict().items()}
        m = self._repo_prefix.match(path)
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
            raise ApiProblem(
                405,
                "method-not-allowed",
                f"{method} is not allowed here (allowed: {', '.join(handlers)})",
                headers={"Allow": ", ".join(handlers)},
            )
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

        return json_response(
            {
                "id": "registries",
                "type": "collection",
                "href": "",
                "items": [registry_wire(r) for r in page.items],
                "pagination": {"limit": page.limit, "token": page.next_token},
                "_links": {
                    "next": link(page.next_token) if page.next_token else "",
                    "previous": "",
                    "self": link(q.get("pagination.token")),
                },
            }
        )

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

        return json_response(
            {
                "id": "tokens",
                "type": "collection",
                "href": "",
                "items": [token_wire(t) for t in page.items],
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
        )

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

    def _collection(
        self, ctx: Ctx, ident: str, url: str, items: list[dict[str, Any]], page: Page, *extra: str
    ) -> Response:
        return json_response(
            {
                "id": ident,
                "type": "collection",
                "href": url,
                "items": items,
                "offset": page.offset,
                "limit": page.limit,
                "_links": _offset_links(url, self._list_params(ctx, *extra), page),
            }
        )

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
        items = [repository_wire(ctx.base, rid, r) for r in page.items]
        url = f"{ctx.base}/registries/{rid}/repositories"
        return self._collection(
            ctx, "repositories", url, items, page, "filter.name", "filter.vulnerabilitySeverity"
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
        items = [artifact_wire(ctx.base, rid, name, a) for name, a in page.items]
        url = f"{ctx.base}/registries/{rid}/repositories/{quote(repo, safe='')}/artifacts"
        return self._collection(ctx, "artifacts", url, items, page)

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
        items = [artifact_wire(ctx.base, rid, name, a) for name, a in page.items]
        url = f"{ctx.base}/registries/{rid}/artifacts"
        return self._collection(ctx, "artifacts", url, items, page, "filter.vulnerabilityId")

    async def get_artifact(self, ctx: Ctx) -> Response:
        rid, repo = ctx.params["rid"], ctx.params["repo"]
        art = self.backend.get_artifact(ctx.actor, rid, repo, ctx.params["digest"])
        return json_response(artifact_wire(ctx.base, rid, repo, art))

    async def list_vulnerabilities(self, ctx: Ctx) -> Response:
        # No vulnerability data is emulated: the artifact must exist, the list is empty.
        rid, repo, digest = ctx.params["rid"], ctx.params["repo"], ctx.params["digest"]
        self.backend.get_artifact(ctx.actor, rid, repo, digest)
        q = ctx.query
        off = parse_int_param(q.get("offset"), "offset", 0, 0, None)
        lim = parse_int_param(q.get("limit"), "limit", 100, 1, 1000)
        url = (
            f"{ctx.base}/registries/{rid}/repositories/{quote(repo, safe='')}"
            f"/artifacts/{quote(digest, safe='')}/vulnerabilities"
        )
        page = Page([], off, lim, 0)
        return self._collection(ctx, "vulnerabilities", url, [], page)

    async def get_vulnerability(self, ctx: Ctx) -> Response:
        vid = ctx.params["vid"]
        if len(vid) > 64:
            raise bad_request("vulnerabilityId: longer than 64 characters", "invalid-parameter")
        raise not_found(f"vulnerability {vid!r} not found (the emulator has no vulnerability data)")


# --------------------------------------------------------------------------------------------
# admin API (no auth; never part of the real API)


def _admin_error(status: int, message: str) -> Response:
    return json_response(
        {"httpStatus": status, "messages": [{"errorCode": "admin", "message": message}]}, status
    )


async def _admin_json(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    return json.loads(raw)


def admin_routes(emu: Emulator) -> list[Route]:
    async def get_requests(request: Request) -> Response:
        return json_response({"requests": list(emu.requests)})

    async def clear_requests(request: Request) -> Response:
        emu.requests.clear()
        return Response(status_code=204)

    async def reset(request: Request) -> Response:
        emu.reset()
        return Response(status_code=204)

    async def state(request: Request) -> Response:
        emu.backend.tick()
        return json_response(emu.backend.dump())

    async def faults(request: Request) -> Response:
        if request.method == "PUT":
            try:
                data = await _admin_json(request)
                if not isinstance(data, dict):
                    return _admin_error(400, "body: expected an object")
                emu.faults.configure(FaultConfig.from_dict(data))
            except (ValueError, FaultConfigError) as exc:
                return _admin_error(400, str(exc))
        return json_response(emu.faults.config.to_dict())

    async def timing(request: Request) -> Response:
        if request.method == "PUT":
            try:
                data = await _admin_json(request)
                if not isinstance(data, dict):
                    return _admin_error(400, "body: expected an object")
                emu.backend.timing = Timing.from_dict(data, base=emu.backend.timing)
            except ApiProblem as problem:
                return _admin_error(400, problem.message)
            except ValueError as exc:
                return _admin_error(400, f"body: {exc}")
        return json_response(emu.backend.timing.to_dict())

    async def force_state(request: Request) -> Response:
        try:
            data = await _admin_json(request)
        except ValueError as exc:
            return _admin_error(400, f"body: {exc}")
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("state"), str)
            or not data["state"]
        ):
            return _admin_error(400, 'body: expected {"state": "<state>"}')
        try:
            reg = emu.backend.force_state(request.path_params["rid"], data["state"])
        except ApiProblem as problem:
            return _admin_error(problem.status, problem.message)
        emu.persist()
        return json_response(
            {"id": reg.id, "name": reg.name, "state": reg.state, "hostname": reg.hostname}
        )

    async def seed(request: Request) -> Response:
        try:
            data = await _admin_json(request)
            repo = emu.backend.seed_repository(request.path_params["rid"], data)
        except ApiProblem as problem:
            return _admin_error(problem.status, problem.message)
        except ValueError as exc:
            return _admin_error(400, f"body: {exc}")
        emu.persist()
        return json_response(
            {
                "name": repo.name,
                "artifacts": [
                    {"digest": a.digest, "tags": a.tags, "mediaType": a.media_type}
                    for a in repo.artifacts.values()
                ],
            },
            201,
        )

    async def config(request: Request) -> Response:
        o = emu.options
        return json_response(
            {
                "locations": list(o.locations),
                "restricted_auth": o.users is not None or o.tokens is not None,
                "timing": emu.backend.timing.to_dict(),
                "faults": emu.faults.config.to_dict(),
                "state_file": o.state_file,
                "duplicate_name_status": o.duplicate_name_status,
            }
        )

    async def health(request: Request) -> Response:
        return json_response({"ok": True})

    p = ADMIN_PREFIX
    return [
        Route(f"{p}/health", health, methods=["GET"]),
        Route(f"{p}/config", config, methods=["GET"]),
        Route(f"{p}/requests", get_requests, methods=["GET"]),
        Route(f"{p}/requests", clear_requests, methods=["DELETE"]),
        Route(f"{p}/reset", reset, methods=["POST"]),
        Route(f"{p}/state", state, methods=["GET"]),
        Route(f"{p}/faults", faults, methods=["GET", "PUT"]),
        Route(f"{p}/timing", timing, methods=["GET", "PUT"]),
        Route(p + "/registries/{rid}/state", force_state, methods=["POST"]),
        Route(p + "/registries/{rid}/repositories", seed, methods=["POST"]),
    ]


# --------------------------------------------------------------------------------------------
# middleware: request log, faults, persistence


class EmulatorMiddleware:
    def __init__(self, app: ASGIApp, emu: Emulator) -> None:
        self.app = app
        self.emu = emu

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(ADMIN_PREFIX + "/") or path == ADMIN_PREFIX:
            try:
                await self.app(scope, receive, send)
            finally:
                self.emu.persist()
            return
        method: str = scope["method"]
        raw_path = (scope.get("raw_path") or path.encode()).decode("latin-1").split("?", 1)[0]
        query = scope.get("query_string", b"").decode("latin-1")
        started = time.perf_counter()
        data_plane = path == "/v2" or path.startswith("/v2/") or path == TOKEN_PATH
        decision = self.emu.faults.decide(method, raw_path, data_plane=data_plane)
        status = {"code": 0}

        async def send_recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        def record(client_status: int | None, committed: int | None = None) -> None:
            entry: dict[str, Any] = {
                "method": method,
                "path": raw_path,
                "query": query,
                "status": client_status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                "time": time.time(),
                "fault": decision.kind,
            }
            if committed is not None:
                entry["committed_status"] = committed
            self.emu.record(entry)

        if decision.latency_s:
            await asyncio.sleep(decision.latency_s)
        self.emu.backend.tick()
        if decision.error_status is not None:
            problem = ApiProblem(
                decision.error_status,
                "injected-fault",
                f"injected fault: {decision.error_status}",
                headers={"Retry-After": decision.retry_after} if decision.retry_after else None,
            )
            await problem_response(problem, head=method == "HEAD")(scope, receive, send)
            record(decision.error_status)
            return
        if decision.lost_mode is not None:
            committed = {"code": 0}

            async def discard(message: Message) -> None:
                if message["type"] == "http.response.start":
                    committed["code"] = message["status"]

            try:
                await self.app(scope, receive, discard)
            finally:
                self.emu.persist()
            if decision.lost_mode == "drop":
                record(None, committed["code"])
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", JSON_TYPE.encode()),
                            (b"content-length", b"4096"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b'{"id":', "more_body": True})
                raise DroppedConnection("injected fault: connection dropped")
            lost_status = int(decision.lost_mode)
            problem = ApiProblem(
                lost_status,
                "injected-fault",
                f"injected fault: {lost_status} after the request was processed",
            )
            await problem_response(problem, head=method == "HEAD")(scope, receive, send)
            record(lost_status, committed["code"])
            return
        try:
            await self.app(scope, receive, send_recording)
        finally:
            self.emu.persist()
        record(status["code"])


# --------------------------------------------------------------------------------------------
# the app


def build_app(emu: Emulator) -> ASGIApp:
    api = Api(emu)
    all_methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]

    async def api_endpoint(request: Request) -> Response:
        return await api(request)

    async def not_api(request: Request) -> Response:
        return problem_response(
            not_found(f"no such endpoint: {request.url.path}"), head=request.method == "HEAD"
        )

    routes: list[Any] = admin_routes(emu)
    routes.append(Route(API_PREFIX + "/{path:path}", api_endpoint, methods=all_methods))
    routes.extend(oci_routes(emu.distribution))
    routes.append(Route("/{path:path}", not_api, methods=all_methods))
    app = Starlette(routes=routes)
    return EmulatorMiddleware(app, emu)
