"""An OCI client's view of one emulated registry: tokens made through the API, oras clients."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import oras.client

from pulumi_ionoscr._client import IonosCrClient
from pulumi_ionoscr._models import Scope, Token, TokenCreate

PAYLOAD = b"hello from the data plane\n"


@dataclass
class Registry:
    """One registry as an OCI client sees it: tokens made through the API, oras clients."""

    id: str
    api: IonosCrClient
    host: str
    workdir: Path

    def token(
        self, scopes: Sequence[tuple[str, Sequence[str]]], **properties: Any
    ) -> tuple[Token, str]:
        """A new token with `(repository, actions)` scopes; returns it and its password."""
        spec = TokenCreate(
            name=f"t-{uuid.uuid4().hex[:10]}",
            scopes=[Scope(name=n, type="repository", actions=list(a)) for n, a in scopes],
            **properties,
        )
        token = self.api.create_token(self.id, spec)
        return token, token.properties.credentials.password

    def oras(self, token: Token, password: str) -> oras.client.OrasClient:
        """An oras client logged in with the token (credentials kept in a private file)."""
        client = oras.client.OrasClient(hostname=self.host, insecure=True)
        client.login(
            username=token.properties.credentials.username,
            password=password,
            hostname=self.host,
            config_path=str(self.workdir / f"docker-{token.id}.json"),
        )
        return client

    def push(self, client: oras.client.OrasClient, repository: str, tag: str = "v1") -> None:
        source = self.workdir / "artifact.txt"
        source.write_bytes(PAYLOAD)
        client.push(
            target=f"{self.host}/{repository}:{tag}",
            files=[str(source)],
            disable_path_validation=True,
        )

    def pull(self, client: oras.client.OrasClient, repository: str, tag: str = "v1") -> bytes:
        outdir = self.workdir / f"pulled-{uuid.uuid4().hex[:8]}"
        [path] = client.pull(target=f"{self.host}/{repository}:{tag}", outdir=str(outdir))
        return Path(path).read_bytes()
