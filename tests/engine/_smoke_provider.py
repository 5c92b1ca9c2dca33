"""A tiny dynamic provider for the engine smoke tests.

It lives in an importable module (not in a test file's ``__main__``) so dill pickles the
provider by reference and the provider process, started by the engine, imports it from
PYTHONPATH (the harness puts this directory there). Each resource is a JSON file in the
directory named by the ``store_dir`` input, so a test can see what the provider really did.
"""

from __future__ import annotations

import json
import secrets
import uuid
from pathlib import Path
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

TYPE_TOKEN = "pulumi-python:dynamic/enginesmoke:Thing"


def _record(store_dir: str, id_: str) -> Path:
    return Path(store_dir) / f"{id_}.json"


class ThingProvider(ResourceProvider):
    """Stateless: everything it needs comes from the inputs."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        id_ = uuid.uuid4().hex
        outs = {**props, "token": secrets.token_hex(16), "thing_id": id_}
        path = _record(props["store_dir"], id_)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(outs))
        return CreateResult(id_, outs)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changes = [k for k in ("label", "size") if olds.get(k) != news.get(k)]
        replaces = ["store_dir"] if olds.get("store_dir") != news.get("store_dir") else []
        return DiffResult(changes=bool(changes or replaces), replaces=replaces)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        outs = {**olds, **news}
        _record(news["store_dir"], id_).write_text(json.dumps(outs))
        return UpdateResult(outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        path = _record(props["store_dir"], id_)
        if not path.exists():
            return ReadResult(None, {})
        outs = json.loads(path.read_text())
        inputs = {k: outs[k] for k in ("store_dir", "label", "size") if k in outs}
        return ReadResult(id_, outs, inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _record(props["store_dir"], id_).unlink(missing_ok=True)


class Thing(Resource, module="enginesmoke", name="Thing"):
    """`token` is a secret output; `thing_id` a plain one."""

    store_dir: pulumi.Output[str]
    label: pulumi.Output[str]
    size: pulumi.Output[int]
    token: pulumi.Output[str]
    thing_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        store_dir: str,
        label: pulumi.Input[str],
        size: pulumi.Input[int] = 1,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        secret_opts = pulumi.ResourceOptions(additional_secret_outputs=["token"])
        super().__init__(
            ThingProvider(),
            name,
            {
                "store_dir": store_dir,
                "label": label,
                "size": size,
                "token": None,
                "thing_id": None,
            },
            pulumi.ResourceOptions.merge(opts, secret_opts),
        )
