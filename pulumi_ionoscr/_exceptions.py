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
    """The request did not get an HTTP answer (connection refused, reset, timed out)."""

    # True when the server may have applied the request although no answer arrived.
    may_have_committed: bool = False

    def __init__(self, method: str, path: str, reason: str) -> None:
        self.method = method
        self.path = path
        self.reason = reason
        super().__init__(f"{method} {path}: no answer from the IONOS API ({reason})")

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        return (type(self), (self.method, self.path, self.reason))


class ApiError(IonosCrError):
    """The IONOS API answered with a non-2xx status."""

    # True for a 5xx on a write: the server may have applied it before failing.
    may_have_committed: bool = False

    def __init__(
        self,
        status: int,
        method: str,
        path: str,
        messages: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.status = status
        self.method = method
        self.path = path
        # (errorCode, message) pairs from the API's error body.
        self.messages: list[tuple[str, str]] = list(messages)
        detail = "; ".join(f"[{code}] {text}" if code else text for code, text in self.messages)
        super().__init__(
            f"{method} {path} failed with HTTP {status}" + (f": {detail}" if detail else "")
        )

    def __reduce__(self) -> tuple[type, tuple[int, str, str, list[tuple[str, str]]]]:
        return (type(self), (self.status, self.method, self.path, self.messages))

    @property
    def error_codes(self) -> list[str]:
        return [code for code, _ in self.messages]


class NotFoundError(ApiError):
    """HTTP 404: the resource does not exist (resources treat this as "gone")."""


class ConflictError(ApiError):
    """HTTP 409: e.g. a token of that name already exists in the registry."""


class WaitTimeoutError(IonosCrError):
    """A resource did not reach the wanted state before its deadline."""
