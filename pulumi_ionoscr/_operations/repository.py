"""Repositories against the API: create, read, update, delete.

IONOS has no call that creates a repository (see `pulumi_ionoscr._repository`): `create` checks
the registry and records the name, `read` reports what has been pushed, `delete` purges.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from .._client import IonosCrClient
from .._exceptions import IonosCrError, NotFoundError
from .._models import RepositoryMetadata
from .._provider import Connect, notice
from .._repository import repository_id

__all__ = ["create", "delete", "read", "update"]


def _split_id(id_: str) -> tuple[str, str]:
    # Registry ids are UUIDs (no '/'), so the first '/' separates them from the name.
    registry_id, sep, name = id_.partition("/")
    if not sep or not registry_id or not name:
        raise IonosCrError(f"{id_!r} is not a repository id; expected '<registry_id>/<name>'")
    return registry_id, name


def _pushed(client: IonosCrClient, registry_id: str, name: str) -> RepositoryMetadata | None:
    """The repository's figures, or None when nothing has been pushed to it yet (404)."""
    try:
        return client.get_repository(registry_id, name).metadata
    except NotFoundError:
        return None


def _outputs(
    registry_id: str, hostname: str, name: str, pushed: RepositoryMetadata | None
) -> dict[str, Any]:
    # Outputs depend only on what the server says, so an untouched repository reads back the
    # same every time (no churn on refresh).
    figures = pushed or RepositoryMetadata()
    return {
        "registry_id": registry_id,
        "name": name,
        "url": f"{hostname}/{name}" if hostname else "",
        "exists": pushed is not None,
        "artifact_count": figures.artifact_count,
        "push_count": figures.push_count,
        "pull_count": figures.pull_count,
        "last_pushed_at": figures.last_pushed_at,
        "last_severity": figures.last_severity,
    }


def create(connect: Connect, props: dict[str, Any]) -> CreateResult:
    registry_id, name = props["registry_id"], props["name"]
    with connect() as client:
        try:
            registry = client.get_registry(registry_id)
        except NotFoundError:
            raise IonosCrError(
                f"repository {name}: registry {registry_id} does not exist (or is not "
                "visible with these credentials); a repository needs an existing registry"
            ) from None
        pushed = _pushed(client, registry_id, name)
    if pushed is not None:
        notice(
            f"repository {name}: already holds {pushed.artifact_count} artifact(s); "
            "adopted them (deleting this resource purges them)"
        )
    if not registry.properties.hostname:
        notice(
            f"repository {name}: registry {registry_id} has no hostname yet "
            f"(state {registry.state or 'unknown'}); url is filled in by a later refresh"
        )
    outs = _outputs(registry.id, registry.properties.hostname, name, pushed)
    return CreateResult(repository_id(registry_id, name), outs)


def _refresh(
    connect: Connect, registry_id: str, name: str, previous: Mapping[str, Any]
) -> dict[str, Any] | None:
    """Current outputs, or None when the registry (and so the repository) is gone.

    One call: the registry's repositories filtered by name answer both whether the registry
    still exists (404 if not) and what was pushed. The hostname never changes, so the one in
    the previous `url` is kept; only a repository recorded before its registry had one reads
    the registry."""
    with connect() as client:
        try:
            listed = client.list_repositories(registry_id, name)
        except NotFoundError:
            return None
        pushed = next((r.metadata for r in listed if r.properties.name == name), None)
        hostname = (
            _hostname_in(previous, name) or client.get_registry(registry_id).properties.hostname
        )
    return _outputs(registry_id, hostname, name, pushed)


def _hostname_in(previous: Mapping[str, Any], name: str) -> str:
    url = str(previous.get("url") or "")
    return url[: -len(name) - 1] if url.endswith("/" + name) else ""


def read(connect: Connect, id_: str, props: dict[str, Any]) -> ReadResult:
    registry_id, name = _ids(id_, props)
    outs = _refresh(connect, registry_id, name, props)
    if outs is None:
        return ReadResult(None, {})
    return ReadResult(id_, outs, {"registry_id": registry_id, "name": name})


def update(connect: Connect, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
    # Reached only when nothing but the provider itself changed (e.g. a package upgrade).
    outs = _refresh(connect, news["registry_id"], news["name"], olds)
    if outs is None:
        raise IonosCrError(f"repository {news['name']}: registry {news['registry_id']} is gone")
    return UpdateResult(outs)


def delete(connect: Connect, id_: str, props: dict[str, Any]) -> None:
    registry_id, name = _ids(id_, props)
    # 404: nothing pushed, already purged, or the registry is gone; all mean "done".
    with connect() as client, contextlib.suppress(NotFoundError):
        client.delete_repository(registry_id, name)


def _ids(id_: str, props: Mapping[str, Any]) -> tuple[str, str]:
    """Registry id and name from the state, or from the id alone (`Repository.get`)."""
    if props.get("registry_id") and props.get("name"):
        return str(props["registry_id"]), str(props["name"])
    return _split_id(id_)
