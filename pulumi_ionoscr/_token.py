"""The `RegistryToken` resource and its dynamic provider.

The API work (create, read, update, delete) is in `_operations.token`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, overload

import pulumi
from pulumi.dynamic import CheckResult, DiffResult, Resource
from typing_extensions import NotRequired, TypedDict

from . import _validation as rules
from ._exceptions import ValidationError
from ._provider import (
    Operations,
    ProviderBase,
    auto_name_inputs,
    check_result,
    derived_name,
    plain,
    resource_args,
    switch_failures,
    with_secret_outputs,
)
from ._registry import Registry

__all__ = [
    "RegistryOutputs",
    "RegistryToken",
    "RegistryTokenArgs",
    "RegistryTokenArgsDict",
    "RegistryTokenProvider",
    "ScopeAction",
    "TokenScope",
    "TokenScopeDict",
    "TokenScopeOutput",
    "TokenStatus",
    "field_changed",
]

# Inputs the provider keeps (normalised) in the state; everything else in `news` is an output.
_INPUT_KEYS = (
    "registry_id",
    "registry_hostname",
    "registry_owned",
    "name",
    "name_prefix",
    "name_scope",
    "scopes",
    "expiry_date",
    "status",
    "rotation_triggers",
    "adopt_existing",
)
# Token names are unique per registry, so a replacement must delete the old token first.
_REPLACE_KEYS = ("registry_id", "name", "rotation_triggers")
_UPDATE_KEYS = ("scopes", "expiry_date", "status")
_SECRET_OUTPUTS = ["username", "password", "docker_config_json"]


#: What a token scope may allow (the rules also accept other cases: "PULL").
ScopeAction: TypeAlias = Literal["pull", "push", "delete"]
#: A token's status (the rules also accept other cases: "Disabled").
TokenStatus: TypeAlias = Literal["enabled", "disabled"]


@dataclass
class TokenScope:
    """What a token may do: `actions` (pull, push, delete) on the repositories `name` matches
    (`*` for all). `type` is "repository", or "registry" to list the catalog."""

    name: pulumi.Input[str]
    actions: pulumi.Input[Sequence[pulumi.Input[ScopeAction]]]
    type: pulumi.Input[str] = "repository"


class TokenScopeDict(TypedDict):
    """`TokenScope` as a dict."""

    name: pulumi.Input[str]
    actions: pulumi.Input[Sequence[pulumi.Input[ScopeAction]]]
    type: NotRequired[pulumi.Input[str]]


class TokenScopeOutput(TypedDict):
    """One entry of `RegistryToken.scopes`: actions lowercase in pull, push, delete order."""

    name: str
    actions: list[str]
    type: str


class RegistryOutputs(Protocol):
    """What `registry=` takes from a `Registry` resource: its id and (secret) hostname outputs,
    and whether the program only reads it (`Registry.get`)."""

    @property
    def registry_id(self) -> pulumi.Output[str]: ...

    @property
    def hostname(self) -> pulumi.Output[str]: ...

    @property
    def looked_up(self) -> bool: ...


@dataclass
class RegistryTokenArgs:
    """Inputs of a `RegistryToken`.

    * `registry`: the `Registry` resource the token belongs to (its id and hostname come from
      its outputs, so creating the token needs no call to read the registry), or
    * `registry_id`: the registry's id (`Registry.id`, or a literal UUID); changing it
      replaces the token.
    * `name`: unique in the registry, also the username; derived from the resource name when
      omitted. Changing it replaces the token.
    * `scopes`: `TokenScope`s or `{name, actions, type}` dicts; order does not matter.
    * `expiry_date`: RFC 3339 string, `YYYY-MM-DD` or an aware datetime; None never expires.
    * `status`: "enabled" (default) or "disabled".
    * `rotation_triggers`: any change replaces the token, which yields a new password.
    * `adopt_existing`: take over a token of this name that already exists instead of failing.
      Its password cannot be recovered, so `password` stays empty until the next rotation.
    """

    registry_id: pulumi.Input[str] | None = None
    name: pulumi.Input[str] | None = None
    scopes: pulumi.Input[Sequence[pulumi.Input[TokenScope | TokenScopeDict]]] | None = None
    expiry_date: pulumi.Input[str] | _dt.date | None = None
    status: pulumi.Input[TokenStatus] | None = None
    rotation_triggers: pulumi.Input[Mapping[str, Any]] | None = None
    adopt_existing: pulumi.Input[bool] = False
    registry: RegistryOutputs | None = None


class RegistryTokenArgsDict(TypedDict):
    """`RegistryTokenArgs` as a dict: `registry_id` or `registry`."""

    registry_id: NotRequired[pulumi.Input[str]]
    name: NotRequired[pulumi.Input[str] | None]
    scopes: NotRequired[pulumi.Input[Sequence[pulumi.Input[TokenScope | TokenScopeDict]]] | None]
    expiry_date: NotRequired[pulumi.Input[str] | _dt.date | None]
    status: NotRequired[pulumi.Input[TokenStatus] | None]
    rotation_triggers: NotRequired[pulumi.Input[Mapping[str, Any]] | None]
    adopt_existing: NotRequired[pulumi.Input[bool]]
    registry: NotRequired[RegistryOutputs]


# ---- rules and normal forms ------------------------------------------------------------------


def _token_rules(olds: Mapping[str, Any]) -> dict[str, rules.Rule]:
    def expiry(value: Any) -> str | None:
        # An unchanged expiry that has passed since it was set must not fail check forever.
        unchanged = rules.same_instant(value, olds.get("expiry_date"))
        return rules.expiry_date(value, allow_past=unchanged)

    return {
        "registry_id": rules.registry_id,
        "name": rules.token_name,
        "scopes": rules.token_scopes,
        "expiry_date": expiry,
        "status": rules.token_status,
        "rotation_triggers": rules.rotation_triggers,
    }


def field_changed(key: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> bool:
    old, new = olds.get(key), news.get(key)
    if key == "expiry_date":
        return not rules.same_instant(old, new)
    if key == "scopes":
        return bool(_comparable_scopes(old) != _comparable_scopes(new))
    if key == "status":
        return bool((old or "enabled") != (new or "enabled"))
    return bool((old or None) != (new or None))  # rotation_triggers: None and {} are the same


def _comparable_scopes(value: Any) -> Any:
    try:
        return rules.token_scopes(value or [])
    except ValidationError:
        return value  # an unknown (preview) or foreign value: compared as it is


class RegistryTokenProvider(ProviderBase):
    """Create, read, diff, update and delete tokens of IONOS container registries."""

    @staticmethod
    def operations() -> Operations:
        from ._operations import token  # the provider process, on its first API call

        return token

    # ---- check / diff (no API calls) ----------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        news = {k: plain(news[k]) for k in _INPUT_KEYS if k in news}
        if isinstance(news.get("scopes"), list | tuple):
            news["scopes"] = [plain(s) for s in news["scopes"]]
        if news.get("name") is None and news.get("name_prefix"):
            news["name"] = derived_name(olds, news, rules.derive_token_name, self.account)
        result = check_result(
            news,
            _token_rules(olds),
            required=("registry_id", "name"),
            extra_failures=switch_failures(),
        )
        # Normal forms of "not given": what the API does when the field is left out.
        if result.inputs.get("scopes") is None:
            result.inputs["scopes"] = []
        if result.inputs.get("status") is None:
            result.inputs["status"] = "enabled"
        return result

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [k for k in _REPLACE_KEYS if field_changed(k, olds, news)]
        changed = [k for k in _UPDATE_KEYS if field_changed(k, olds, news)]
        return DiffResult(
            changes=bool(replaces or changed),
            replaces=replaces,
            stables=["token_id", "registry_id", "name", "username"],
            delete_before_replace=True,
        )


def _plain_input(key: str, value: Any) -> Any:
    """Dataclasses and datetimes become what the engine can carry."""
    if key == "expiry_date" and isinstance(value, _dt.date):
        return value.isoformat()  # a naive datetime then fails check with a clear message
    return plain(value)


class _DeclaredHere:
    """Awaitable (the engine awaits it with the other inputs): whether a registry id comes from
    a `Registry` this program declares, not one it only reads with `Registry.get`. The stack
    owns that registry, so IONOSCR_ADOPT_EXISTING may replace a token there that an
    interrupted run left without its password. Nothing runs until it is awaited."""

    def __init__(self, registry_id: Any) -> None:
        self.registry_id = registry_id

    def __await__(self) -> Generator[Any, None, bool]:
        return self._declared().__await__()

    async def _declared(self) -> bool:
        if not isinstance(self.registry_id, pulumi.Output):
            return False
        resources = await self.registry_id.resources()
        return any(isinstance(r, Registry) and not r.looked_up for r in resources)


class RegistryToken(Resource, module="ionoscr", name="RegistryToken"):
    """Credentials for one IONOS container registry, scoped to repositories and actions.

    `RegistryToken(resource_name, args=RegistryTokenArgs(...), opts=...)` or with the inputs as
    keyword arguments. When `name` is omitted a valid one is derived from `resource_name` plus
    a suffix fixed by the organization, project, stack, resource name and IONOS account,
    chosen once and kept. `password` is known only to the run that created the
    token and is kept in the (encrypted) state; `username`, `password` and `docker_config_json`
    are secrets. Change `rotation_triggers` to replace the token and get a new password.
    """

    token_id: pulumi.Output[str]
    registry_id: pulumi.Output[str]
    name: pulumi.Output[str]
    username: pulumi.Output[str]
    password: pulumi.Output[str]
    docker_config_json: pulumi.Output[str]
    if TYPE_CHECKING:
        scopes: pulumi.Output[list[TokenScopeOutput]]
    else:  # Pulumi reads these at run time and knows no TypedDict: the values are plain dicts
        scopes: pulumi.Output[list[dict[str, Any]]]
    expiry_date: pulumi.Output[str | None]
    status: pulumi.Output[str]
    rotation_triggers: pulumi.Output[dict[str, Any] | None]

    @overload
    def __init__(
        self,
        resource_name: str,
        args: RegistryTokenArgs | RegistryTokenArgsDict,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        registry_id: pulumi.Input[str],
        name: pulumi.Input[str] | None = None,
        scopes: pulumi.Input[Sequence[pulumi.Input[TokenScope | TokenScopeDict]]] | None = None,
        expiry_date: pulumi.Input[str] | _dt.date | None = None,
        status: pulumi.Input[TokenStatus] | None = None,
        rotation_triggers: pulumi.Input[Mapping[str, Any]] | None = None,
        adopt_existing: pulumi.Input[bool] = False,
    ) -> None:
        """A token of registry `registry_id`; the keyword arguments are `RegistryTokenArgs`."""

    @overload
    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        registry: RegistryOutputs,
        name: pulumi.Input[str] | None = None,
        scopes: pulumi.Input[Sequence[pulumi.Input[TokenScope | TokenScopeDict]]] | None = None,
        expiry_date: pulumi.Input[str] | _dt.date | None = None,
        status: pulumi.Input[TokenStatus] | None = None,
        rotation_triggers: pulumi.Input[Mapping[str, Any]] | None = None,
        adopt_existing: pulumi.Input[bool] = False,
    ) -> None:
        """A token of the `Registry` resource `registry` (its id and hostname come from its
        outputs: the create reads nothing); the keyword arguments are `RegistryTokenArgs`."""

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        inputs, opts = resource_args(RegistryTokenArgs, args, kwargs)
        props: dict[str, Any] = {
            k: _plain_input(k, v) for k, v in vars(inputs).items() if k != "registry"
        }
        if inputs.registry is not None:
            if inputs.registry_id is not None:
                raise TypeError("pass either registry or registry_id, not both")
            props["registry_id"] = inputs.registry.registry_id
            props["registry_hostname"] = inputs.registry.hostname  # a secret output
        props["registry_owned"] = _DeclaredHere(props["registry_id"])
        if inputs.name is None:
            props.update(auto_name_inputs(resource_name))
        props.update(dict.fromkeys(("token_id", "username", "password", "docker_config_json")))
        opts = with_secret_outputs(opts, _SECRET_OUTPUTS)
        super().__init__(RegistryTokenProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> RegistryToken:
        """Look up an existing token by `<registry id>/<token id>` (read-only in this program;
        its password output is empty)."""
        merged = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        return RegistryToken(resource_name, RegistryTokenArgs(registry_id=""), merged)
