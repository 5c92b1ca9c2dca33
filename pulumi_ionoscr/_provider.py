"""Plumbing every dynamic provider of this package shares.

Providers are pickled into the Pulumi state, so they hold nothing but what `configure()` hands
them in the provider process, and even that is dropped from the pickle (`__getstate__`).

This module is imported by every program that declares a resource, so it stays light: the API
client and the models are imported only where a provider method needs them.
"""

from __future__ import annotations

import inspect
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields, is_dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown

from ._config import ClientSettings, RetryPolicy, adopt_existing_requested, settings_from
from ._exceptions import ConfigurationError, IonosCrError, ValidationError, WaitTimeoutError
from ._validation import Rule, random_suffix, stable_suffix, validate_fields

if TYPE_CHECKING:
    from ._client import IonosCrClient

__all__ = [
    "CHECK_SECONDS",
    "UNKNOWN",
    "Connect",
    "Operations",
    "ProviderBase",
    "auto_name_inputs",
    "check_result",
    "contains_unknown",
    "derived_name",
    "is_derived",
    "notice",
    "plain",
    "poll_delays",
    "resource_args",
    "switch_failures",
    "wait_until",
    "with_secret_outputs",
]

# What the engine sends for a value not known during preview (in any field, of any type).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

# Stack config keys read in configure(); only these are kept in the provider process.
_CONFIG_KEYS = (
    "ionoscr:username",
    "ionoscr:password",
    "ionoscr:token",
    "ionoscr:endpoint",
    "ionoscr:contractNumber",
)

_T = TypeVar("_T")
# A new API client, built from the provider's configuration (see ProviderBase.client).
Connect = Callable[[], "IonosCrClient"]
_A = TypeVar("_A")


def contains_unknown(value: object) -> bool:
    """Whether a value (or anything inside it) is not known yet, as during a preview.

    Check and diff receive unknowns as `pulumi.output.Unknown` objects; the wire sentinel string
    may also appear where a value was carried through as text."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def check_result(
    news: Mapping[str, Any],
    rules: Mapping[str, Rule],
    *,
    required: Iterable[str] = (),
    extra_failures: Iterable[CheckFailure] = (),
) -> CheckResult:
    """Normalise `news` with `rules`; one CheckFailure per bad or missing field, then
    `extra_failures`.

    Unknown values (preview) are passed through unvalidated.
    """
    inputs, errors = validate_fields(news, rules, skip=contains_unknown)
    for key in required:
        if news.get(key) is None:
            errors.append(ValidationError(key, "is required", None))
    failures = [CheckFailure(e.input_name, str(e)) for e in errors]
    return CheckResult(inputs, [*failures, *extra_failures])


def switch_failures() -> list[CheckFailure]:
    """A failure when IONOSCR_ADOPT_EXISTING has a value that is neither true nor false: the
    preview says so rather than a create that finds a name in use."""
    try:
        adopt_existing_requested()
    except ConfigurationError as error:
        return [CheckFailure("adopt_existing", str(error))]
    return []


def auto_name_inputs(resource_name: str) -> dict[str, str]:
    """Inputs of a resource whose name the provider derives: the resource name, and the
    organization, project and stack it belongs to (`derived_name` makes the name of them)."""
    scope = f"{pulumi.get_organization()}/{pulumi.get_project()}/{pulumi.get_stack()}"
    return {"name_prefix": resource_name, "name_scope": scope}


def derived_name(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    derive: Callable[[str, str], str],
    account: Callable[[], str | None],
) -> str:
    """The name `derive(name_prefix, suffix)` makes for a resource without an explicit name.

    The suffix is fixed by the resource's organization, project, stack and name and the IONOS
    account (`name_scope`, `name_prefix`, `account()`), so every attempt to create the same
    resource picks the same name (after a killed run the name finds what that run created,
    never a duplicate) and two accounts' `quickstart/dev/main` differ. A name already chosen is
    kept (it is in `olds`) for as long as the prefix stays the same; without a scope (a
    provider called outside a program) the suffix is random."""
    prefix = str(news["name_prefix"])
    if olds.get("name_prefix") == prefix and olds.get("name"):
        return str(olds["name"])
    scope = news.get("name_scope")
    if not isinstance(scope, str) or not scope or contains_unknown(scope):
        return derive(prefix, random_suffix())
    return derive(prefix, stable_suffix(scope, prefix, account() or ""))


def is_derived(props: Mapping[str, Any]) -> bool:
    """Whether the resource's name was derived by `derived_name` (no explicit name given)."""
    return bool(props.get("name_prefix"))


def resource_args(
    args_type: Callable[..., _A], positional: Sequence[Any], keywords: Mapping[str, Any]
) -> tuple[_A, pulumi.ResourceOptions | None]:
    """A resource's inputs and options from the arguments after its name: `XArgs(...)` or an
    `XArgsDict` and then the options, or the options and the inputs as keywords (as in Pulumi's
    generated SDKs). `args=` and `opts=` may be given as keywords too."""
    name = getattr(args_type, "__name__", "Args")
    inputs = dict(keywords)
    args = inputs.pop("args", None)
    opts = inputs.pop("opts", None)
    rest = list(positional)
    if rest and not isinstance(rest[0], pulumi.ResourceOptions):
        if args is not None:
            raise TypeError(f"{name} given twice (positionally and as args=)")
        args = rest.pop(0)
    if rest:
        if opts is not None:
            raise TypeError("resource options given twice (positionally and as opts=)")
        opts = rest.pop(0)
    if rest or not isinstance(opts, pulumi.ResourceOptions | None):
        raise TypeError(f"expected ({name} or its dict, ResourceOptions) or keyword inputs")
    if args is None:
        return args_type(**inputs), opts
    if inputs:
        raise TypeError(f"pass either args={name}(...) or keyword inputs, not both")
    if isinstance(args, Mapping):
        return args_type(**args), opts  # an ...ArgsDict
    return args, opts


def with_secret_outputs(
    opts: pulumi.ResourceOptions | None, names: list[str]
) -> pulumi.ResourceOptions:
    """The user's options plus outputs the engine must keep secret (a provider cannot mark
    them itself: it answers acceptSecrets=False)."""
    return pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(additional_secret_outputs=names)
    )


def plain(value: Any) -> Any:
    """What the engine can carry: dataclass inputs become dicts (fields that are None left out),
    at any depth and also inside Outputs and awaitables; Outputs inside them stay Outputs."""
    if isinstance(value, pulumi.Output) or inspect.isawaitable(value):
        return pulumi.Output.from_input(value).apply(plain)
    if is_dataclass(value) and not isinstance(value, type):
        # Not dataclasses.asdict: it deep-copies every value, and an Output cannot be copied.
        items = ((f.name, getattr(value, f.name)) for f in fields(value))
        return {k: plain(v) for k, v in items if v is not None}
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def notice(message: str) -> None:
    """A line the engine shows in `pulumi up` / `preview` output (provider stderr)."""
    print(f"pulumi-ionoscr: {message}", file=sys.stderr, flush=True)


# How often a wait polls (registry create/update/delete, a token waiting for its registry). Gaps
# grow from POLL_FIRST_GAP by POLL_GROWTH, but never beyond the larger of POLL_EARLY_GAP and
# POLL_SHARE of the time waited so far, nor beyond POLL_MAX_GAP. So a registry that is ready
# after T seconds is seen at most max(2 s, T / 20) late and never more than 10 s late: gaps stay
# at 2 s for the first 40 s, reach 10 s after 200 s, and five minutes cost about as many GETs as
# a fixed 5-s poll would.
POLL_FIRST_GAP = 0.1
POLL_GROWTH = 1.6
POLL_EARLY_GAP = 2.0
POLL_SHARE = 0.05
POLL_MAX_GAP = 10.0


def poll_delays() -> Iterator[float]:
    """The pauses between a wait's polls, without end (the rule is in the comment above)."""
    waited, delay = 0.0, POLL_FIRST_GAP
    while True:
        delay = min(delay, max(POLL_EARLY_GAP, POLL_SHARE * waited), POLL_MAX_GAP)
        yield delay
        waited += delay
        delay *= POLL_GROWTH


def wait_until(
    fetch: Callable[[], _T],
    *,
    done: Callable[[_T], bool],
    failed: Callable[[_T], str | None] = lambda _item: None,
    timeout: float,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
) -> _T:
    """Poll `fetch()` until `done`, pausing between polls as `poll_delays()` says.

    Raises as soon as `failed` names a failure, or WaitTimeoutError at the deadline.
    """
    deadline = time.monotonic() + timeout
    pauses = poll_delays()
    while True:
        item = fetch()
        if done(item):
            return item
        failure = failed(item)
        if failure:
            raise WaitTimeoutError(f"{what} failed: {failure}")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WaitTimeoutError(f"{what} did not finish within {timeout:.0f}s")
        sleep(min(next(pauses), remaining))


class Operations(Protocol):
    """What a provider does against the API: a module of `pulumi_ionoscr._operations`. Each
    function opens a client with `connect()` when it gets to its first API call."""

    def create(self, connect: Connect, props: dict[str, Any]) -> CreateResult: ...

    def read(self, connect: Connect, id_: str, props: dict[str, Any]) -> ReadResult: ...

    def update(
        self, connect: Connect, id_: str, olds: dict[str, Any], news: dict[str, Any]
    ) -> UpdateResult: ...

    def delete(self, connect: Connect, id_: str, props: dict[str, Any]) -> None: ...


# How long `check` waits for the API (preview must stay quick, even when the API does not answer).
CHECK_SECONDS = 10.0


class ProviderBase(ResourceProvider):
    """Stateless base: a fresh client per call, configuration from the stack or environment.

    Subclasses implement `check` and `diff` (rules, no API) and name their `operations()`
    module; create, read, update and delete run that module's functions, so a provider process
    that only checks and diffs (an unchanged preview) never imports the client or the models.
    """

    _stack_config: dict[str, Any]

    @staticmethod
    def operations() -> Operations:
        raise NotImplementedError

    def configure(self, req: ConfigureRequest) -> None:
        self._stack_config = {key: req.config.get(key) for key in _CONFIG_KEYS}

    def __getstate__(self) -> dict[str, Any]:
        # Nothing on the instance belongs in the state: credentials stay in the process.
        return {}

    def settings(self) -> ClientSettings:
        """Client settings from this provider's stack configuration, else the environment
        (`ConfigurationError` without credentials)."""
        return settings_from(getattr(self, "_stack_config", None))

    def client(self) -> IonosCrClient:
        from ._client import IonosCrClient  # httpx and the models: only when the API is needed

        return IonosCrClient(self.settings())

    def check_client(self, settings: ClientSettings) -> IonosCrClient:
        """A client for `check` with `settings`: every call is over within about CHECK_SECONDS."""
        from ._client import IonosCrClient

        quick = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=2.0, deadline=CHECK_SECONDS)
        return IonosCrClient(
            replace(settings, timeout=CHECK_SECONDS, connect_timeout=CHECK_SECONDS, retry=quick)
        )

    def account(self) -> str | None:
        """The IONOS account the configured credentials act for (see `ClientSettings.account`);
        None without credentials."""
        try:
            return self.settings().account()
        except ConfigurationError:
            return None

    def create(self, props: dict[str, Any]) -> CreateResult:
        return _briefly(lambda: self.operations().create(self.client, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return _briefly(lambda: self.operations().read(self.client, id_, props))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return _briefly(lambda: self.operations().update(self.client, id_, olds, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _briefly(lambda: self.operations().delete(self.client, id_, props))


def _briefly(call: Callable[[], _T]) -> _T:
    """`call()`, raising an error of this package from here without the frames below:
    `pulumi.dynamic` prints the traceback of every error, and the message at its end is what
    the user needs."""
    try:
        return call()
    except IonosCrError as error:
        raise error.with_traceback(None) from None
