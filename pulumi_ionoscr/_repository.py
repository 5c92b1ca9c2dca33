"""The `Repository` resource and its dynamic provider.

IONOS has no call that creates a repository: one comes into being when the first image is
pushed, and the API can only list, read and purge it. So `create` checks that the registry
exists and records the name (adopting the figures of images already pushed); `read` reports
what has been pushed so far; `delete` purges the contents. Nothing pretends to create anything
on the server. That API work is in `_operations.repository`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, overload

import pulumi
from pulumi.dynamic import CheckResult, DiffResult, Resource
from typing_extensions import TypedDict

from . import _validation as rules
from ._provider import (
    Operations,
    ProviderBase,
    check_result,
    resource_args,
    with_secret_outputs,
)

__all__ = [
    "Repository",
    "RepositoryArgs",
    "RepositoryArgsDict",
    "RepositoryProvider",
    "repository_id",
]

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


class RepositoryArgsDict(TypedDict):
    """`RepositoryArgs` as a dict."""

    registry_id: pulumi.Input[str]
    name: pulumi.Input[str]


def repository_id(registry_id: str, name: str) -> str:
    """The resource id, `<registry_id>/<name>`; the name may itself contain `/`."""
    return f"{registry_id}/{name}"


_RULES: dict[str, rules.Rule] = {"registry_id": rules.registry_id, "name": rules.repository_name}


class RepositoryProvider(ProviderBase):
    """Record, refresh and purge repositories of an IONOS container registry."""

    @staticmethod
    def operations() -> Operations:
        from ._operations import repository  # the provider process, on its first API call

        return repository

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {k: news[k] for k in _INPUT_KEYS if k in news}
        return check_result(inputs, _RULES, required=_INPUT_KEYS)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # Both inputs identify the repository: any change is a different repository.
        replaces = [k for k in _INPUT_KEYS if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(replaces), replaces=replaces, stables=list(_INPUT_KEYS))


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

    @overload
    def __init__(
        self,
        resource_name: str,
        args: RepositoryArgs | RepositoryArgsDict,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        registry_id: pulumi.Input[str],
        name: pulumi.Input[str],
    ) -> None:
        """Repository `name` (e.g. `"team/app"`) of registry `registry_id`."""

    def __init__(self, resource_name: str, *args: Any, **kwargs: Any) -> None:
        inputs, opts = resource_args(RepositoryArgs, args, kwargs)
        props: dict[str, Any] = {**vars(inputs), **dict.fromkeys(_OUTPUT_KEYS)}
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
