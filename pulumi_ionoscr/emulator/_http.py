"""HTTP plumbing shared by the emulator's three surfaces (management API, admin API, OCI data
plane): bounded body reading, a method-aware route table and the two
error shapes.

Nothing here knows the API's rules; it only makes sure that no input can reach them
unbounded, and that every refusal is JSON in the shape the caller's protocol expects:

* management and admin API: `{"httpStatus": N, "messages": [{"errorCode", "message"}]}`;
* OCI data plane (a distribution registry): `{"errors": [{"code", "message"}]}`.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from starlette.requests import Request
from starlette.responses import Response

__all__ = [
    "JSON_TYPE",
    "BodyTooLarge",
    "MethodNotAllowed",
    "NoRoute",
    "RouteTable",
    "api_error_body",
    "error_response",
    "json_collection",
    "json_response",
    "oci_error_body",
    "read_body",
]

JSON_TYPE = "application/json"

H = TypeVar("H")
T = TypeVar("T")

# Stands in for a collection's items while its envelope is encoded; unguessable, so no value
# a client sent can collide with it.
_ITEMS_MARK = json.dumps(f"items-{secrets.token_hex(16)}")


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")),
        status_code=status,
        media_type=JSON_TYPE,
        headers=dict(headers or {}),
    )


async def json_collection(
    envelope: Mapping[str, Any], items: Sequence[T], render: Callable[[T], Any]
) -> Response:
    """A list answer: `envelope` with `items` rendered and encoded one by one, yielding to
    the event loop after each, so a large page never stalls the other clients' requests."""
    parts: list[str] = []
    for item in items:
        parts.append(json.dumps(render(item), separators=(",", ":")))
        await asyncio.sleep(0)
    body = json.dumps({**envelope, "items": json.loads(_ITEMS_MARK)}, separators=(",", ":"))
    text = body.replace(_ITEMS_MARK, f"[{','.join(parts)}]", 1)
    return Response(text, media_type=JSON_TYPE)


def api_error_body(status: int, code: str, message: str, style: str) -> dict[str, Any]:
    """The API error body; `style` is the `error-body` variant (the real codes are unknown)."""
    if style == "no-messages":
        return {"httpStatus": status, "messages": None}
    if style == "numeric":
        code = str(1000 + zlib.crc32(code.encode()) % 9000)  # stable: one number per slug
    return {"httpStatus": status, "messages": [{"errorCode": code, "message": message}]}


def oci_error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    err: dict[str, Any] = {"code": code, "message": message}
    if detail is not None:
        err["detail"] = detail
    return {"errors": [err]}


# --------------------------------------------------------------------------------------------
# bodies


class BodyTooLarge(Exception):
    """The request body is over the limit; raised before the rest of it is read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"body: larger than {limit} bytes")
        self.limit = limit


_CONTENT_LENGTH_RE = re.compile(r"[0-9]{1,19}")


async def read_body(request: Request, limit: int) -> bytes:
    """The body, read chunk by chunk; `BodyTooLarge` as soon as it passes `limit` bytes (at
    once when `Content-Length` announces more). The unread rest is never buffered: the
    refusal carries `Connection: close`, so the server drops it with the connection."""
    announced = request.headers.get("content-length")
    valid = announced is not None and _CONTENT_LENGTH_RE.fullmatch(announced.strip())
    if valid and int(str(announced)) > limit:
        raise BodyTooLarge(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge(limit)
    return bytes(body)


# --------------------------------------------------------------------------------------------
# routing


class NoRoute(Exception):
    """No route has this path."""


class MethodNotAllowed(Exception):
    """The path exists, the method does not; `allowed` lists the methods that do."""

    def __init__(self, method: str, allowed: list[str]) -> None:
        super().__init__(f"{method} is not allowed here (allowed: {', '.join(allowed)})")
        self.allowed = allowed

    @property
    def allow_header(self) -> dict[str, str]:
        return {"Allow": ", ".join(self.allowed)}


_SEGMENT = r"(?P<{}>[^/]+)"


class RouteTable(Generic[H]):
    """Path templates (`/registries/{rid}`) with one handler per method.

    Templates match whole paths (a trailing slash allowed); `{name}` is one path segment
    (any characters but `/`, newlines included), handed over as given (still encoded when
    the path is the raw one).
    """

    def __init__(self, routes: list[tuple[str, Mapping[str, H]]]) -> None:
        self._routes = [(self._compile(t), dict(m)) for t, m in routes]

    @staticmethod
    def _compile(template: str) -> re.Pattern[str]:
        regex = re.sub(r"\{(\w+)\}", lambda m: _SEGMENT.format(m.group(1)), template)
        return re.compile(f"{regex}/?")

    def match(
        self, method: str, path: str, *, decode: Callable[[str], str] = str
    ) -> tuple[H, dict[str, str]]:
        for regex, methods in self._routes:
            m = regex.fullmatch(path)
            if m:
                handler = methods.get(method)
                if handler is None:
                    raise MethodNotAllowed(method, list(methods))
                return handler, {k: decode(v) for k, v in m.groupdict().items()}
        raise NoRoute(path)


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    oci: bool = False,
    headers: Mapping[str, str] | None = None,
    head: bool = False,
    style: str = "slugs",
) -> Response:
    """An error in the caller's protocol: the API error body (in the `error-body` variant's
    `style`), or (`oci`) the distribution registry's `errors` body. HEAD answers carry the
    status and headers only."""
    if head:
        return Response(status_code=status, headers=dict(headers or {}))
    body = oci_error_body(code, message) if oci else api_error_body(status, code, message, style)
    return json_response(body, status, headers)
