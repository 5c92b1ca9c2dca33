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
    from ._models import Registry, Repository

__all__ = [
    "RegistryInfo",
    "RepositoryInfo",
    "get_locations",
    "get_locations_output",
    "get_registry",
    "get_registry_output",
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
    def from_model(cls, reg: Registry) -> RegistryInfo:
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
    def from_model(cls, registry_id: str, repo: Repository) -> RepositoryInfo:
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


def _client(settings: ClientSettings | None) -> IonosCrClient:
    from ._client import IonosCrClient  # httpx and pydantic: only once a lookup runs

    # Inside a Pulumi program get_config sees the stack configuration; elsewhere it returns
    # None for every key and the environment decides.
    return IonosCrClient(settings or settings_from(pulumi.runtime.get_config))


def get_locations(*, settings: ClientSettings | None = None) -> list[str]:
    """The location ids where registries can be created, e.g. `["de/fra", "de/txl"]`."""
    with _client(settings) as client:
        return client.list_locations()


def is_name_available(name: str, *, settings: ClientSettings | None = None) -> bool:
    """Whether a registry may be created with `name` (names are unique across all IONOS
    customers). A name that breaks the naming rule raises `ValidationError` saying why."""
    rules.registry_name(name)
    with _client(settings) as client:
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
    with _client(settings) as client:
        if id is not None:
            return RegistryInfo.from_model(client.get_registry(id))
        assert name is not None
        # filter.name may match substrings: keep only the exact name.
        for reg in client.list_registries(name):
            if reg.properties.name == name:
                return RegistryInfo.from_model(reg)
    raise NotFoundError(404, "GET", "/registries", [("", f"no registry named {name!r}")])


def get_repositories(
    registry_id: str, *, settings: ClientSettings | None = None
) -> list[RepositoryInfo]:
    """The repositories of a registry that have images, with their figures. A repository that
    nothing was pushed to yet is not listed. Raises `NotFoundError` for an unknown registry."""
    with _client(settings) as client:
        return [
            RepositoryInfo.from_model(registry_id, r) for r in client.list_repositories(registry_id)
        ]


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
