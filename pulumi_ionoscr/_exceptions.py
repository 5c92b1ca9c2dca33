"""Every exception pulumi-ionoscr raises.

Messages are written to be read in `pulumi up` output: they say what failed and what to do, and
never carry a credential, a token password or a registry hostname.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ApiError",
    "CheckFailedError",
    "ConfigurationError",
    "ConflictError",
    "IonosCrError",
    "NotFoundError",
    "TransportError",
    "ValidationError",
    "WaitTimeoutError",
]


class IonosCrError(Exception):
    """Base class of every error raised by pulumi-ionoscr."""


class ConfigurationError(IonosCrError):
    """Credentials or endpoint are missing or malformed."""


class ValidationError(IonosCrError, ValueError):
    """An input breaks one of the rules in `pulumi_ionoscr._validation`.

    `field` is the input's name as the user wrote it (e.g. `garbage_collection_schedule.time`),
    `rule` says what is required, `value` is the offending value.
    """

    def __init__(self, field: str, rule: str, value: object) -> None:
        self.field = field
        self.rule = rule
        self.value = value
        shown = repr(value)
        if len(shown) > 200:
            shown = shown[:197] + "..."
        super().__init__(f"{field}: {rule} (got {shown})")

    def __reduce__(self) -> tuple[type, tuple[str, str, object]]:
        return (type(self), (self.field, self.rule, self.value))

    @property
    def input_name(self) -> str:
        """The top-level input (`scopes` for `scopes[1].actions`), as Pulumi's check wants it."""
        return self.field.split(".")[0].split("[")[0]


class CheckFailedError(IonosCrError, ValueError):
    """A resource's inputs failed its provider's check (raised by `pulumi_ionoscr.testing`'s
    mocks, where the engine would stop a preview). `failures` holds (input, reason) pairs."""

    def __init__(self, resource: str, failures: Sequence[tuple[str, str]]) -> None:
        self.resource: str = resource
        self.failures: list[tuple[str, str]] = list(failures)
        reasons = "; ".join(reason for _, reason in self.failures)
        super().__init__(f"{resource}: {reasons}")

    def __reduce__(self) -> tuple[type, tuple[str, list[tuple[str, str]]]]:
        return (type(self), (self.resource, self.failures))


class TransportError(IonosCrError):
    """The request did not get an HTTP answer (connection refused, reset, timed out).

    `endpoint` is the API base URL and `source` where it came from (`ionoscr:endpoint`,
    `IONOSCR_ENDPOINT` or the default), so the message says which address did not answer."""

    # True when the server may have applied the request although no answer arrived.
    may_have_committed: bool = False

    def __init__(
        self,
        method: str,
        path: str,
        reason: str,
        endpoint: str = "",
        source: str = "",
        hint: str = "",
    ) -> None:
        self.method = method
        self.path = path
        self.reason = reason
        self.endpoint = endpoint
        self.source = source
        self.hint = hint
        super().__init__(method, path, reason)

    def __str__(self) -> str:
        where = f" at {self.endpoint}" if self.endpoint else ""
        origin = f", endpoint from {self.source}" if self.source else ""
        text = f"{self.method} {self.path}: no answer from the IONOS API{where}"
        text += f" ({self.reason}{origin})"
        return f"{text}; {self.hint}" if self.hint else text

    def __reduce__(self) -> tuple[type, tuple[str, str, str, str, str, str]]:
        args = (self.method, self.path, self.reason, self.endpoint, self.source, self.hint)
        return (type(self), args)


class ApiError(IonosCrError):
    """The IONOS API answered with a non-2xx status.

    `hint` (may be empty) is what to do about it, e.g. which settings hold the credentials a
    401 rejected; it ends the message."""

    # True for a 5xx on a write: the server may have applied it before failing.
    may_have_committed: bool = False

    def __init__(
        self,
        status: int,
        method: str,
        path: str,
        messages: Sequence[tuple[str, str]] = (),
        hint: str = "",
    ) -> None:
        self.status = status
        self.method = method
        self.path = path
        # (errorCode, message) pairs from the API's error body.
        self.messages: list[tuple[str, str]] = list(messages)
        self.hint: str = hint
        super().__init__(status, method, path)

    def __str__(self) -> str:
        detail = "; ".join(f"[{code}] {text}" if code else text for code, text in self.messages)
        text = f"{self.method} {self.path} failed with HTTP {self.status}"
        text += f": {detail}" if detail else ""
        return f"{text}; {self.hint}" if self.hint else text

    def __reduce__(self) -> tuple[type, tuple[int, str, str, list[tuple[str, str]], str]]:
        return (type(self), (self.status, self.method, self.path, self.messages, self.hint))

    @property
    def error_codes(self) -> list[str]:
        return [code for code, _ in self.messages]


class NotFoundError(ApiError):
    """HTTP 404: the resource does not exist (resources treat this as "gone")."""


class ConflictError(ApiError):
    """HTTP 409: e.g. a token of that name already exists in the registry."""


class WaitTimeoutError(IonosCrError):
    """A resource did not reach the wanted state before its deadline."""


# Tracebacks and error lines name the public path (`pulumi_ionoscr.ApiError`), which is also
# where pickle finds the classes again.
for _cls in (
    IonosCrError,
    CheckFailedError,
    ConfigurationError,
    ValidationError,
    TransportError,
    ApiError,
    NotFoundError,
    ConflictError,
    WaitTimeoutError,
):
    _cls.__module__ = "pulumi_ionoscr"
