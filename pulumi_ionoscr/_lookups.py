"""Lookup functions: read-only questions to the IONOS Container Registry API.

Plain functions returning plain values, usable in scripts and inside a Pulumi program::

    import pulumi, pulumi_ionoscr as cr

    if cr.is_name_available("acme-prod"):
        ...
    shared = cr.get_registry(name="shared")          # a RegistryInfo, now
    pulumi.export("registry_id", shared.id)

Each has an `*_output` twin taking `pulumi.Input`s and returning a `pulumi.Output`, for when an
argument is itself an output of another resource::

    repos = cr.get_repositories_output(registry.id)  # Output[list[RepositoryInfo]]

Configuration is the providers': the stack configuration (`ionoscr:token`, `ionoscr:username`,
`ionoscr:password`, `ionoscr:endpoint`, `ionoscr:contractNumber`) when run by Pulumi, then the
environment (`IONOS_TOKEN`, ...). Pass `settings=ClientSettings(...)` to choose explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi.runtime

from . import _validation as rules
from ._config import ClientSettings, settings_from
from ._exceptions import NotFoundError

if TYPE_CHECKING:
    from ._client import IonosCrClient
    from ._models import Registry, Repository, Token

__all__ = [
    "RegistryInfo",
    "RegistryTokenInfo",
    "RepositoryInfo",
    "TokenScopeInfo",
    "connect",
    "get_locations",
    "get_locations_output",
    "get_registry",
    "get_registry_output",
    "get_registry_token",
    "get_registry_token_output",
    "get_repositories",
    "get_repositories_output",
    "is_name_available",
    "is_name_available_output",
]


@dataclass(frozen=True)
class RegistryInfo:
    """A registry as the API reports it. `hostname` is `""` until the registry is running."""

    id: str
    name: str
    location: str
    hostname: str
    state: str
    storage_bytes: int
    vulnerability_scanning: bool | None
    api_subnet_allow_list: tuple[str, ...]
    created_date: str | None

    @classmethod
    def _from_model(cls, reg: Registry) -> RegistryInfo:
        usage = reg.properties.storage_usage
        return cls(
            id=reg.id,
            name=reg.properties.name,
            location=reg.properties.location,
            hostname=reg.properties.hostname,
            state=reg.state,
            storage_bytes=usage.bytes if usage else 0,
            vulnerability_scanning=reg.vulnerability_scanning,
            api_subnet_allow_list=tuple(reg.properties.api_subnet_allow_list or ()),
            created_date=reg.metadata.created_date,
        )


@dataclass(frozen=True)
class RepositoryInfo:
    """A repository that has had images pushed to it, with its figures."""

    registry_id: str
    name: str
    artifact_count: int
    push_count: int
    pull_count: int
    last_pushed_at: str | None
    last_pulled_at: str | None
    last_severity: str | None

    @classmethod
    def _from_model(cls, registry_id: str, repo: Repository) -> RepositoryInfo:
        meta = repo.metadata
        return cls(
            registry_id=registry_id,
            name=repo.properties.name,
            artifact_count=meta.artifact_count,
            push_count=meta.push_count,
            pull_count=meta.pull_count,
            last_pushed_at=meta.last_pushed_at,
            last_pulled_at=meta.last_pulled_at,
            last_severity=meta.last_severity,
        )


@dataclass(frozen=True)
class TokenScopeInfo:
    """One scope of a token: `actions` on the repositories `name` matches."""

    name: str
    actions: tuple[str, ...]
    type: str


@dataclass(frozen=True)
class RegistryTokenInfo:
    """A registry token as the API reports it. There is no password: the API shows it only
    in the answer that created the token (`RegistryToken.password` keeps that one)."""

    id: str
    registry_id: str
    name: str
    username: str
    status: str
    expiry_date: str | None
    scopes: tuple[TokenScopeInfo, ...]
    created_date: str | None

    @classmethod
    def _from_model(cls, registry_id: str, token: Token) -> RegistryTokenInfo:
        props = token.properties
        return cls(
            id=token.id,
            registry_id=registry_id,
            name=props.name,
            username=props.credentials.username or props.name,
            status=props.status.lower(),
            expiry_date=props.expiry_date,
            scopes=tuple(
                TokenScopeInfo(name=s.name, actions=tuple(s.actions), type=s.type)
                for s in props.scopes or ()
            ),
            created_date=token.metadata.created_date,
        )


def connect(settings: ClientSettings | None) -> IonosCrClient:
    """A client for a lookup: `settings`, else the stack configuration, else the environment."""
    from ._client import IonosCrClient  # httpx and pydantic: only once a lookup runs

    # Inside a Pulumi program get_config sees the stack configuration; elsewhere it returns
    # None for every key and the environment decides.
    return IonosCrClient(settings or settings_from(pulumi.runtime.get_config))


def get_locations(*, settings: ClientSettings | None = None) -> list[str]:
    """The location ids where registries can be created, e.g. `["de/fra", "de/txl"]`."""
    with connect(settings) as client:
        return client.list_locations()


def is_name_available(name: str, *, settings: ClientSettings | None = None) -> bool:
    """Whether a registry may be created with `name` (names are unique across all IONOS
    customers). A name that breaks the naming rule raises `ValidationError` saying why."""
    rules.registry_name(name)
    with connect(settings) as client:
        return not client.name_in_use(name)


def get_registry(
    *,
    id: str | None = None,
    name: str | None = None,
    settings: ClientSettings | None = None,
) -> RegistryInfo:
    """One of your registries, by `id` or by exact `name` (exactly one of them).

    Raises `NotFoundError` when there is no such registry.
    """
    if (id is None) == (name is None):
        raise TypeError("get_registry: pass exactly one of id= or name=")
    with connect(settings) as client:
        if id is not None:
            return RegistryInfo._from_model(client.get_registry(id))
        assert name is not None
        # filter.name may match substrings: keep only the exact name.
        for reg in client.list_registries(name):
            if reg.properties.name == name:
                return RegistryInfo._from_model(reg)
    raise NotFoundError(404, "GET", "/registries", [("", f"no registry named {name!r}")])


def get_repositories(
    registry_id: str, *, settings: ClientSettings | None = None
) -> list[RepositoryInfo]:
    """The repositories of a registry that have images, with their figures. A repository that
    nothing was pushed to yet is not listed. Raises `NotFoundError` for an unknown registry."""
    with connect(settings) as client:
        return [
            RepositoryInfo._from_model(registry_id, r)
            for r in client.list_repositories(registry_id)
        ]


def get_registry_token(
    registry_id: str,
    *,
    name: str | None = None,
    id: str | None = None,
    settings: ClientSettings | None = None,
) -> RegistryTokenInfo:
    """One token of a registry, by exact `name` or by `id` (exactly one of them); without its
    password, which the API never shows again. Raises `NotFoundError` when there is none."""
    if (id is None) == (name is None):
        raise TypeError("get_registry_token: pass exactly one of name= or id=")
    registry_id = rules.registry_id(registry_id)
    with connect(settings) as client:
        if id is not None:
            return RegistryTokenInfo._from_model(registry_id, client.get_token(registry_id, id))
        for token in client.list_tokens(registry_id):
            if token.properties.name == name:
                return RegistryTokenInfo._from_model(registry_id, token)
    path = f"/registries/{registry_id}/tokens"
    raise NotFoundError(404, "GET", path, [("", f"no token named {name!r}")])


# ---- Output twins: each call runs once its arguments are known (not during a preview in which
# they are still unknown).


def get_locations_output(*, settings: ClientSettings | None = None) -> pulumi.Output[list[str]]:
    """`get_locations` as an Output."""
    return pulumi.Output.from_input(None).apply(lambda _: get_locations(settings=settings))


def is_name_available_output(
    name: pulumi.Input[str], *, settings: ClientSettings | None = None
) -> pulumi.Output[bool]:
    """`is_name_available` for a name that may be an Output."""
    return pulumi.Output.from_input(name).apply(lambda n: is_name_available(n, settings=settings))


def get_registry_output(
    *,
    id: pulumi.Input[str] | None = None,
    name: pulumi.Input[str] | None = None,
    settings: ClientSettings | None = None,
) -> pulumi.Output[RegistryInfo]:
    """`get_registry` for an id or name that may be an Output. The result is secret because it
    carries the hostname (which the `Registry` resource keeps secret too)."""
    found = pulumi.Output.all(id, name).apply(
        lambda v: get_registry(id=v[0], name=v[1], settings=settings)
    )
    return pulumi.Output.secret(found)


def get_repositories_output(
    registry_id: pulumi.Input[str], *, settings: ClientSettings | None = None
) -> pulumi.Output[list[RepositoryInfo]]:
    """`get_repositories` for a registry id that may be an Output (e.g. `Registry.registry_id`)."""
    return pulumi.Output.from_input(registry_id).apply(
        lambda rid: get_repositories(rid, settings=settings)
    )


def get_registry_token_output(
    registry_id: pulumi.Input[str],
    *,
    name: pulumi.Input[str] | None = None,
    id: pulumi.Input[str] | None = None,
    settings: ClientSettings | None = None,
) -> pulumi.Output[RegistryTokenInfo]:
    """`get_registry_token` for arguments that may be Outputs (e.g. `Registry.registry_id`)."""
    return pulumi.Output.all(registry_id, name, id).apply(
        lambda v: get_registry_token(v[0], name=v[1], id=v[2], settings=settings)
    )
