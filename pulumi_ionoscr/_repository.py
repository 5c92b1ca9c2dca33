"""The `Repository` resource and its dynamic provider.

IONOS has no call that creates a repository: one comes into being when the first image is
pushed, and the API can only list, read and purge it. So `create` checks that the registry
exists and records the name (adopting the figures of images already pushed); `read` reports
what has been pushed so far; `delete` purges the contents. Nothing pretends to create anything
on the server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from . import _validation as rules
from ._client import IonosCrClient
from ._exceptions import IonosCrError, NotFoundError
from ._models import Registry as RegistryModel
from ._models import RepositoryMetadata
from ._provider import (
    ProviderBase,
    check_result,
    notice,
    resource_args,
    with_secret_outputs,
)

__all__ = ["Repository", "RepositoryArgs", "RepositoryProvider", "repository_id"]

_INPUT_KEYS = ("registry_id", "name")
_OUTPUT_KEYS = (
    "url",
    "exists",
    "artifact_count",
    "push_count",
    "pull_count",
    "last_pushed_at",
    "last_severity",
)


@dataclass
class RepositoryArgs:
    """Inputs of a `Repository`: the registry's id and the repository name (e.g. `team/app`)."""

    registry_id: pulumi.Input[str]
    name: pulumi.Input[str]


def repository_id(registry_id: str, name: str) -> str:
    """The resource id, `<registry_id>/<name>`; the name may itself contain `/`."""
    return f"{registry_id}/{name}"


def _split_id(id_: str) -> tuple[str, str]:
    # Registry ids are UUIDs (no '/'), so the first '/' separates them from the name.
    registry_id, sep, name = id_.partition("/")
    if not sep or not registry_id or not name:
        raise IonosCrError(f"{id_!r} is not a repository id; expected '<registry_id>/<name>'")
    return registry_id, name


_RULES: dict[str, rules.Rule] = {"registry_id": rules.registry_id, "name": rules.repository_name}


def _pushed(client: IonosCrClient, registry_id: str, name: str) -> RepositoryMetadata | None:
    """The repository's figures, or None when nothing has been pushed to it yet (404)."""
    try:
        return client.get_repository(registry_id, name).metadata
    except NotFoundError:
        return None


def _outputs(
    registry: RegistryModel, name: str, pushed: RepositoryMetadata | None
) -> dict[str, Any]:
    # Outputs depend only on what the server says, so an untouched repository reads back the
    # same every time (no churn on refresh).
    figures = pushed or RepositoryMetadata()
    hostname = registry.properties.hostname
    return {
        "registry_id": registry.id,
        "name": name,
        "url": f"{hostname}/{name}" if hostname else "",
        "exists": pushed is not None,
        "artifact_count": figures.artifact_count,
        "push_count": figures.push_count,
        "pull_count": figures.pull_count,
        "last_pushed_at": figures.last_pushed_at,
        "last_severity": figures.last_severity,
    }


class RepositoryProvider(ProviderBase):
    """Record, refresh and purge repositories of an IONOS container registry."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {k: news[k] for k in _INPUT_KEYS if k in news}
        return check_result(inputs, _RULES, required=_INPUT_KEYS)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # Both inputs identify the repository: any change is a different repository.
        replaces = [k for k in _INPUT_KEYS if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(replaces), replaces=replaces, stables=list(_INPUT_KEYS))

    def create(self, props: dict[str, Any]) -> CreateResult:
        registry_id, name = props["registry_id"], props["name"]
        with self.client() as client:
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
        return CreateResult(repository_id(registry_id, name), _outputs(registry, name, pushed))

    def _refresh(self, registry_id: str, name: str) -> dict[str, Any] | None:
        """Current outputs, or None when the registry (and so the repository) is gone."""
        with self.client() as client:
            try:
                registry = client.get_registry(registry_id)
            except NotFoundError:
                return None
            return _outputs(registry, name, _pushed(client, registry_id, name))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        registry_id, name = _ids(id_, props)
        outs = self._refresh(registry_id, name)
        if outs is None:
            return ReadResult(None, {})
        return ReadResult(id_, outs, {"registry_id": registry_id, "name": name})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        # Reached only when nothing but the provider itself changed (e.g. a package upgrade).
        outs = self._refresh(news["registry_id"], news["name"])
        if outs is None:
            raise IonosCrError(f"repository {news['name']}: registry {news['registry_id']} is gone")
        return UpdateResult(outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        registry_id, name = _ids(id_, props)
        # 404: nothing pushed, already purged, or the registry is gone; all mean "done".
        with self.client() as client, contextlib.suppress(NotFoundError):
            client.delete_repository(registry_id, name)


def _ids(id_: str, props: Mapping[str, Any]) -> tuple[str, str]:
    """Registry id and name from the state, or from the id alone (`Repository.get`)."""
    if props.get("registry_id") and props.get("name"):
        return str(props["registry_id"]), str(props["name"])
    return _split_id(id_)


class Repository(Resource, module="ionoscr", name="Repository"):
    """A repository of an IONOS container registry, e.g. `team/app`.

    IONOS creates a repository when the first image is pushed; there is no API call that creates
    one. This resource checks the registry exists, records the repository and reports what has
    been pushed (`exists`, `artifact_count`, ...). Deleting it purges the repository's images;
    use `ResourceOptions(retain_on_delete=True)` to keep them.
    """

    registry_id: pulumi.Output[str]
    name: pulumi.Output[str]
    url: pulumi.Output[str]
    exists: pulumi.Output[bool]
    artifact_count: pulumi.Output[int]
    push_count: pulumi.Output[int]
    pull_count: pulumi.Output[int]
    last_pushed_at: pulumi.Output[str | None]
    last_severity: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: RepositoryArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        args = resource_args(RepositoryArgs, args, kwargs)
        props: dict[str, Any] = {**vars(args), **dict.fromkeys(_OUTPUT_KEYS)}
        # The url carries the registry hostname, which the Registry resource keeps secret.
        secret_opts = with_secret_outputs(opts, ["url"])
        super().__init__(RepositoryProvider(), resource_name, props, secret_opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> Repository:
        """Look up a repository by its id `<registry_id>/<name>` (read-only in this program)."""
        merged = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        return Repository(resource_name, RepositoryArgs(registry_id="", name=""), merged)
