"""Providers are pickled into the Pulumi state: the pickle must carry no credential and must
load in a fresh Python process (the provider process the engine starts)."""

from __future__ import annotations

import base64
import importlib
import subprocess
import sys

import pytest
from pulumi.dynamic import Config, ConfigureRequest, ResourceProvider
from pulumi.dynamic.dynamic import serialize_provider

SECRETS = {
    "ionoscr:username": "pickle-user@example.com",
    "ionoscr:password": "pickle-Passw0rd-xyz",
    "ionoscr:token": "pickle-jwt-token-abc",
    "ionoscr:endpoint": "http://127.0.0.1:1/containerregistries",
    "ionoscr:contractNumber": "31337",
}

PROVIDERS = [
    ("pulumi_ionoscr._registry", "RegistryProvider"),
    ("pulumi_ionoscr._token", "RegistryTokenProvider"),
    ("pulumi_ionoscr._repository", "RepositoryProvider"),
]


def _provider(module: str, name: str) -> ResourceProvider:
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        pytest.fail(f"{module}.{name} is missing")
    provider: ResourceProvider = cls()
    return provider


@pytest.mark.parametrize(("module", "name"), PROVIDERS, ids=[n for _, n in PROVIDERS])
def test_configured_provider_pickles_without_credentials(module: str, name: str) -> None:
    provider = _provider(module, name)
    provider.configure(ConfigureRequest(Config(dict(SECRETS), "proj")))
    pickled = serialize_provider(provider)
    raw = base64.b64decode(pickled)
    for key in ("ionoscr:password", "ionoscr:token", "ionoscr:username"):
        assert SECRETS[key].encode() not in raw
        assert SECRETS[key] not in pickled
    # Pickled by reference: a few hundred bytes, not the class's code.
    assert len(raw) < 1000

    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import base64, sys, dill; "
            "p = dill.loads(base64.b64decode(sys.stdin.read())); "
            "print(type(p).__module__, type(p).__name__, vars(p))",
        ],
        input=pickled,
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.split() == [module, name, "{}"]
