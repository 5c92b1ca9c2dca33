"""The emulator's outer layer, around every request: request log, fault injection, and
durability (the state file is written before any response starts).

It also tells the three surfaces apart by path, so that whatever it answers itself (an
injected fault, a failed state-file write) is in the shape that surface's clients parse.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._emulator import Emulator
from ._http import JSON_TYPE, error_response

__all__ = [
    "ADMIN_PREFIX",
    "TOKEN_PATH",
    "DroppedConnection",
    "EmulatorMiddleware",
    "error_style",
    "is_admin_path",
    "is_data_plane_path",
]

ADMIN_PREFIX = "/_emulator"
#: The data plane's token endpoint (Docker token flow).
TOKEN_PATH = "/service/token"

log = logging.getLogger("pulumi_ionoscr.emulator")

# Distribution-registry error codes for the statuses the middleware answers itself.
_OCI_CODES = {429: "TOOMANYREQUESTS", 500: "UNKNOWN", 502: "UNAVAILABLE", 503: "UNAVAILABLE"}


def is_admin_path(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def is_data_plane_path(path: str) -> bool:
    return path == "/v2" or path.startswith("/v2/") or path == TOKEN_PATH


def error_style(emu: Emulator, path: str) -> str:
    """The style of the API error bodies answered on `path`: the management API's `error-body`
    variant (the admin API keeps its own shape)."""
    return "slugs" if is_admin_path(path) else emu.backend.variants["error-body"]


class DroppedConnection(Exception):
    """Raised after a partial response to make the server drop the connection (a fault)."""


class _QuietDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


for _name in ("uvicorn.error", "uvicorn"):
    logging.getLogger(_name).addFilter(_QuietDrops())


class EmulatorMiddleware:
    def __init__(self, app: ASGIApp, emu: Emulator) -> None:
        self.app = app
        self.emu = emu

    def _durable(self, scope: Scope, receive: Receive, send: Send, *, oci: bool) -> Send:
        """`send`, but the response starts only once the state file holds every change; if
        it cannot be written, the client gets a 500 instead of an acknowledgement."""
        replaced = False

        async def durable_send(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # the app's own answer was replaced by the 500 below
            if message["type"] == "http.response.start":
                try:
                    await self.emu.make_durable()
                except OSError as exc:
                    replaced = True
                    log.error("state file write failed: %s", exc)
                    answer = error_response(
                        500,
                        _OCI_CODES[500] if oci else "state-not-saved",
                        f"the change could not be written to the state file: {exc}",
                        oci=oci,
                        head=scope["method"] == "HEAD",
                        style=error_style(self.emu, scope["path"]),
                    )
                    await answer(scope, receive, send)
                    return
            await send(message)

        return durable_send

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # only HTTP is served (lifespan is off, no websockets)
        path: str = scope["path"]
        if is_admin_path(path):
            await self.app(scope, receive, self._durable(scope, receive, send, oci=False))
            return
        method: str = scope["method"]
        head = method == "HEAD"
        raw_path = (scope.get("raw_path") or path.encode()).decode("latin-1").split("?", 1)[0]
        query = scope.get("query_string", b"").decode("latin-1")
        started = time.perf_counter()
        oci = is_data_plane_path(path)
        decision = self.emu.faults.decide(method, raw_path, data_plane=oci)
        status: dict[str, int] = {"code": 0}

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

        def injected(fault_status: int, message: str, headers: dict[str, str] | None = None) -> Any:
            return error_response(
                fault_status,
                _OCI_CODES[fault_status] if oci else "injected-fault",
                message,
                oci=oci,
                headers=headers,
                head=head,
                style=error_style(self.emu, scope["path"]),
            )

        if decision.latency_s:
            await asyncio.sleep(decision.latency_s)
        self.emu.backend.tick()
        if decision.error_status is not None:
            retry = {"Retry-After": decision.retry_after} if decision.retry_after else None
            answer = injected(
                decision.error_status, f"injected fault: {decision.error_status}", retry
            )
            await answer(scope, receive, self._durable(scope, receive, send_recording, oci=oci))
            record(status["code"])
            return
        if decision.lost_mode is not None:
            committed = {"code": 0}

            async def discard(message: Message) -> None:
                if message["type"] == "http.response.start":
                    committed["code"] = message["status"]

            await self.app(scope, receive, discard)
            # The change is committed (and durable) even though the client never hears of it.
            await self.emu.make_durable()
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
            answer = injected(
                lost_status, f"injected fault: {lost_status} after the request was processed"
            )
            await answer(scope, receive, send)
            record(lost_status, committed["code"])
            return
        await self.app(scope, receive, self._durable(scope, receive, send_recording, oci=oci))
        record(status["code"])
