"""Drive the real Pulumi dynamic provider server (`python -m pulumi.dynamic`) over gRPC.

This is the process the engine starts for every dynamic resource: the provider arrives pickled
in the `__provider` property, is unpickled there and configured with the stack config. Tests
that go through it prove the provider survives pickling and the wire format, not just calls.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.dynamic import ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

PROVIDER_KEY = "__provider"


class ProviderCallError(Exception):
    """The provider server answered a call with an error (the provider raised)."""

    def __init__(self, error: grpc.RpcError) -> None:
        self.details = error.details() or ""
        super().__init__(self.details)


def _struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(dict(props), {}))
    finally:
        loop.close()


def _dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(struct, True))


class ProviderServer:
    """One running provider process; every call carries the pickled `provider`."""

    def __init__(self, stub: provider_pb2_grpc.ResourceProviderStub, provider: ResourceProvider):
        self._stub = stub
        self.pickled = serialize_provider(provider)

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self._stub, method)(request)
        except grpc.RpcError as error:
            raise ProviderCallError(error) from None

    def _with_provider(self, props: Mapping[str, Any]) -> dict[str, Any]:
        return {**props, PROVIDER_KEY: self.pickled}

    def configure(self, config: Mapping[str, Any]) -> None:
        self._call("Configure", provider_pb2.ConfigureRequest(args=_struct(config)))

    def check(
        self, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        request = provider_pb2.CheckRequest(
            urn=urn, olds=_struct(olds), news=_struct(self._with_provider(news))
        )
        response = self._call("Check", request)
        return _dict(response.inputs), [(f.property, f.reason) for f in response.failures]

    def diff(
        self, id_: str, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> provider_pb2.DiffResponse:
        request = provider_pb2.DiffRequest(
            id=id_, urn=urn, olds=_struct(olds), news=_struct(self._with_provider(news))
        )
        return self._call("Diff", request)

    def create(self, urn: str, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        request = provider_pb2.CreateRequest(
            urn=urn, properties=_struct(self._with_provider(props))
        )
        response = self._call("Create", request)
        return response.id, _dict(response.properties)

    def read(
        self, id_: str, urn: str, props: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        request = provider_pb2.ReadRequest(
            id=id_, urn=urn, properties=_struct(self._with_provider(props))
        )
        response = self._call("Read", request)
        return response.id, _dict(response.properties), _dict(response.inputs)

    def update(
        self, id_: str, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]
    ) -> dict[str, Any]:
        request = provider_pb2.UpdateRequest(
            id=id_,
            urn=urn,
            olds=_struct(self._with_provider(olds)),
            news=_struct(self._with_provider(news)),
        )
        return _dict(self._call("Update", request).properties)

    def delete(self, id_: str, urn: str, props: Mapping[str, Any]) -> None:
        request = provider_pb2.DeleteRequest(
            id=id_, urn=urn, properties=_struct(self._with_provider(props))
        )
        self._call("Delete", request)


@contextmanager
def provider_server(
    provider: ResourceProvider, env: Mapping[str, str] | None = None
) -> Iterator[ProviderServer]:
    """Start `python -u -m pulumi.dynamic` as the engine does and connect to it.

    `env` replaces the child's environment variables of the same name; credentials that should
    come only from `configure()` can be removed by passing them as "".
    """
    child_env = {**os.environ, **(env or {})}
    child_env = {k: v for k, v in child_env.items() if v != ""}
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "pulumi.dynamic"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().decode().strip())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        try:
            yield ProviderServer(provider_pb2_grpc.ResourceProviderStub(channel), provider)
        finally:
            channel.close()
    finally:
        process.kill()
        process.wait()
