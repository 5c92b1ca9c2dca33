"""Dynamic resources of the same shape as the package's, whose provider does nothing.

The fleet stack run with these resources measures the floor the Pulumi engine itself sets:
program run, provider process start, one gRPC round trip per step, secret encryption and state
writes, but no API calls and no `pulumi_ionoscr` import in the provider process.

The provider is pickled by reference, so the provider process must import this module:
`benchmarks/` goes on PYTHONPATH (run.py does that).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

__all__ = ["NoopRegistry", "NoopRepository", "NoopToken"]


class NoopProvider(ResourceProvider):
    """Outputs are the inputs plus fixed placeholders; every method returns at once."""

    def __init__(self, outputs: Sequence[str] = ()) -> None:
        self.outputs = tuple(outputs)

    def create(self, props: dict[str, Any]) -> CreateResult:
        id_ = uuid.uuid4().hex
        return CreateResult(id_, {**props, **dict.fromkeys(self.outputs, "x"), "noop_id": id_})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = any(olds.get(k) != v for k, v in news.items() if k != "__provider")
        return DiffResult(changes=changed)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**olds, **news})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


_REGISTRY_OUTPUTS = ("registry_id", "hostname", "state", "storage_bytes", "created_date")
_TOKEN_OUTPUTS = ("token_id", "username", "password", "docker_config_json")
_REPOSITORY_OUTPUTS = ("url", "exists", "artifact_count", "push_count", "pull_count")


class NoopRegistry(Resource, module="benchnoop", name="Registry"):
    registry_id: pulumi.Output[str]
    hostname: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        location: str,
        opts: pulumi.ResourceOptions | None = None,
        garbage_collection_schedule: dict[str, Any] | None = None,
    ) -> None:
        props: dict[str, Any] = {"name": name, "location": location}
        if garbage_collection_schedule is not None:
            props["garbage_collection_schedule"] = garbage_collection_schedule
        props.update(dict.fromkeys(_REGISTRY_OUTPUTS))
        secret = pulumi.ResourceOptions(additional_secret_outputs=["hostname"])
        super().__init__(
            NoopProvider(_REGISTRY_OUTPUTS),
            name,
            props,
            pulumi.ResourceOptions.merge(opts, secret),
        )


class NoopToken(Resource, module="benchnoop", name="RegistryToken"):
    password: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        registry_id: pulumi.Input[str],
        scopes: list[dict[str, Any]],
        opts: pulumi.ResourceOptions | None = None,
        expiry_date: str | None = None,
    ) -> None:
        props: dict[str, Any] = {"registry_id": registry_id, "name": name, "scopes": scopes}
        if expiry_date is not None:
            props["expiry_date"] = expiry_date
        props.update(dict.fromkeys(_TOKEN_OUTPUTS))
        secret = pulumi.ResourceOptions(additional_secret_outputs=list(_TOKEN_OUTPUTS[1:]))
        super().__init__(
            NoopProvider(_TOKEN_OUTPUTS),
            name,
            props,
            pulumi.ResourceOptions.merge(opts, secret),
        )


class NoopRepository(Resource, module="benchnoop", name="Repository"):
    url: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        registry_id: pulumi.Input[str],
        repository: str,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {"registry_id": registry_id, "name": repository}
        props.update(dict.fromkeys(_REPOSITORY_OUTPUTS))
        secret = pulumi.ResourceOptions(additional_secret_outputs=["url"])
        super().__init__(
            NoopProvider(_REPOSITORY_OUTPUTS),
            name,
            props,
            pulumi.ResourceOptions.merge(opts, secret),
        )
