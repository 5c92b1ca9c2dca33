"""The admin API under `/_emulator/` (no auth; a path the real API never uses).

Bodies are read and parsed with the same bounds as the management API's, and every error is
answered in the API's error shape with `errorCode` `admin`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ._checks import ApiProblem, JsonInputError, format_time, loads_json
from ._emulator import Emulator
from ._faults import FaultConfig, FaultConfigError
from ._http import (
    BodyTooLarge,
    MethodNotAllowed,
    NoRoute,
    RouteTable,
    error_response,
    json_response,
    read_body,
)
from ._limits import MAX_BODY_BYTES
from ._middleware import ADMIN_PREFIX
from ._state import Artifact, Timing

__all__ = ["AdminApi"]

log = logging.getLogger("pulumi_ionoscr.emulator")

AdminHandler = Callable[["AdminApi", Request, dict[str, str]], Awaitable[Response]]


class AdminError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


async def _object_body(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The JSON object body (`{}` when empty and not required)."""
    raw = await read_body(request, MAX_BODY_BYTES)
    if not raw.strip():
        if required:
            raise AdminError(400, "body: a JSON object is required")
        return {}
    try:
        data = loads_json(raw)
    except JsonInputError as exc:
        raise AdminError(400, f"body: malformed JSON ({exc})") from None
    if not isinstance(data, dict):
        raise AdminError(400, "body: expected an object")
    return data


class AdminApi:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.routes: RouteTable[AdminHandler] = RouteTable(
            [
                ("/health", {"GET": AdminApi.health}),
                ("/config", {"GET": AdminApi.config}),
                ("/requests", {"GET": AdminApi.get_requests, "DELETE": AdminApi.clear_requests}),
                ("/reset", {"POST": AdminApi.reset}),
                ("/state", {"GET": AdminApi.state}),
                ("/faults", {"GET": AdminApi.faults, "PUT": AdminApi.faults}),
                ("/timing", {"GET": AdminApi.timing, "PUT": AdminApi.timing}),
                ("/variants", {"GET": AdminApi.variants, "PUT": AdminApi.variants}),
                ("/registries/{rid}/state", {"POST": AdminApi.force_state}),
                ("/registries/{rid}/repositories", {"POST": AdminApi.seed}),
                ("/registries/{rid}/vulnerabilities", {"PUT": AdminApi.set_vulnerabilities}),
                ("/vulnerabilities", {"GET": AdminApi.vulnerabilities}),
            ]
        )

    async def __call__(self, request: Request) -> Response:
        head = request.method == "HEAD"
        try:
            path = request.scope["path"][len(ADMIN_PREFIX) :]
            handler, params = self.routes.match(request.method, path)
            return await handler(self, request, params)
        except AdminError as exc:
            return error_response(exc.status, "admin", exc.message, headers=exc.headers, head=head)
        except ApiProblem as problem:
            return error_response(problem.status, "admin", problem.message, head=head)
        except BodyTooLarge as exc:
            return error_response(
                413, "admin", str(exc), headers={"Connection": "close"}, head=head
            )
        except MethodNotAllowed as exc:
            return error_response(405, "admin", str(exc), headers=exc.allow_header, head=head)
        except NoRoute:
            message = f"no such admin endpoint: {request.scope['path']!r}"
            return error_response(404, "admin", message, head=head)
        except Exception:  # an emulator bug: still answer JSON, keep the connection
            log.exception("admin error on %s %r", request.method, request.scope["path"])
            return error_response(500, "admin", "internal emulator error (a bug: please report)")

    async def health(self, request: Request, params: dict[str, str]) -> Response:
        return json_response({"ok": True})

    async def config(self, request: Request, params: dict[str, str]) -> Response:
        o = self.emu.options
        return json_response(
            {
                "locations": list(o.locations),
                "restricted_auth": o.users is not None or o.tokens is not None,
                "timing": self.emu.backend.timing.to_dict(),
                "faults": self.emu.faults.config.to_dict(),
                "state_file": o.state_file,
                "variants": self.emu.backend.variants.non_default(),
            }
        )

    async def get_requests(self, request: Request, params: dict[str, str]) -> Response:
        return json_response({"requests": list(self.emu.requests)})

    async def clear_requests(self, request: Request, params: dict[str, str]) -> Response:
        self.emu.requests.clear()
        return Response(status_code=204)

    async def reset(self, request: Request, params: dict[str, str]) -> Response:
        self.emu.reset()
        return Response(status_code=204)

    async def state(self, request: Request, params: dict[str, str]) -> Response:
        self.emu.backend.tick()
        return json_response(self.emu.backend.dump())

    async def faults(self, request: Request, params: dict[str, str]) -> Response:
        if request.method == "PUT":
            data = await _object_body(request, required=False)
            try:
                self.emu.faults.configure(FaultConfig.from_dict(data))
            except FaultConfigError as exc:
                raise AdminError(400, str(exc)) from None
        return json_response(self.emu.faults.config.to_dict())

    async def timing(self, request: Request, params: dict[str, str]) -> Response:
        if request.method == "PUT":
            data = await _object_body(request, required=False)
            self.emu.backend.timing = Timing.from_dict(data, base=self.emu.backend.timing)
        return json_response(self.emu.backend.timing.to_dict())

    async def variants(self, request: Request, params: dict[str, str]) -> Response:
        backend = self.emu.backend
        if request.method == "PUT":
            data = await _object_body(request, required=False)
            try:
                backend.variants = backend.variants.with_choices(data)
            except ValueError as exc:
                raise AdminError(400, str(exc)) from None
        return json_response(dict(backend.variants))

    async def force_state(self, request: Request, params: dict[str, str]) -> Response:
        data = await _object_body(request)
        if not isinstance(data.get("state"), str) or not data["state"]:
            raise AdminError(400, 'body: expected {"state": "<state>"}')
        reg = self.emu.backend.force_state(params["rid"], data["state"])
        return json_response(
            {"id": reg.id, "name": reg.name, "state": reg.state, "hostname": reg.hostname}
        )

    async def seed(self, request: Request, params: dict[str, str]) -> Response:
        data = await _object_body(request)
        repo = self.emu.backend.seed_repository(params["rid"], data)
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

    async def set_vulnerabilities(self, request: Request, params: dict[str, str]) -> Response:
        data = await _object_body(request)
        repository, art = self.emu.backend.set_vulnerabilities(params["rid"], data)
        return json_response(artifact_scan(repository, art))

    async def vulnerabilities(self, request: Request, params: dict[str, str]) -> Response:
        backend = self.emu.backend
        with backend.locked():
            catalogue = {**backend.advisories, **backend.defined_advisories}
            ids = sorted(catalogue)
        return json_response(
            {
                "vulnerabilities": [
                    {
                        "id": vid,
                        "severity": catalogue[vid].severity,
                        "score": catalogue[vid].score,
                        "fixable": catalogue[vid].fixable,
                        "defined": vid in backend.defined_advisories,
                    }
                    for vid in ids
                ]
            }
        )


def artifact_scan(repository: str, art: Artifact) -> dict[str, Any]:
    """An artifact's scan result, as the admin API reports it."""
    return {
        "repository": repository,
        "digest": art.digest,
        "vulnerabilities": art.vulnerabilities,
        "lastScannedAt": None if art.last_scanned_at is None else format_time(art.last_scanned_at),
        "vulnMaxSeverity": art.vuln_max_severity,
        "vulnTotalScore": art.vuln_total_score,
        "vulnTotalCount": art.vuln_total_count,
        "vulnFixableCount": art.vuln_fixable_count,
    }
