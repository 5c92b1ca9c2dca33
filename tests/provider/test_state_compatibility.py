"""Stacks created by earlier versions keep working: their state holds the providers pickled as
`pulumi_ionoscr._registry.RegistryProvider`, `pulumi_ionoscr._token.RegistryTokenProvider` and
`pulumi_ionoscr._repository.RepositoryProvider`, and the provider process must still load and
run them after the API work moved into `pulumi_ionoscr._operations`."""

from __future__ import annotations

from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr.emulator import RunningEmulator

from .grpc_harness import provider_server

# `serialize_provider(XProvider())` as pulumi-ionoscr 0.1.0 wrote it into the state, verbatim.
STATE_PICKLES = {
    "Registry": "gASVNwAAAAAAAACMGHB1bHVtaV9pb25vc2NyLl9yZWdpc3RyeZSMEFJlZ2lzdHJ5UHJvdmlk"
    "ZXKUk5QpgZR9lGIu",
    "RegistryToken": "gASVOQAAAAAAAACMFXB1bHVtaV9pb25vc2NyLl90b2tlbpSMFVJlZ2lzdHJ5VG9rZW5Qcm92aWRl"
    "cpSTlCmBlH2UYi4=",
    "Repository": "gASVOwAAAAAAAACMGnB1bHVtaV9pb25vc2NyLl9yZXBvc2l0b3J5lIwSUmVwb3NpdG9yeVByb3ZpZGVy"
    "lJOUKYGUfZRiLg==",
}
NO_ENV_CREDENTIALS = {
    "IONOS_USERNAME": "",
    "IONOS_PASSWORD": "",
    "IONOS_TOKEN": "",
    "IONOSCR_ENDPOINT": "",
}


def _urn(kind: str, name: str) -> str:
    return f"urn:pulumi:test::proj::pulumi-python:dynamic/ionoscr:{kind}::{name}"


def test_providers_pickled_by_earlier_versions_run_in_the_provider_process(
    ionoscr_emulator: RunningEmulator,
) -> None:
    with provider_server(RegistryProvider(), NO_ENV_CREDENTIALS) as server:
        server.configure(
            {"ionoscr:endpoint": ionoscr_emulator.base_url, "ionoscr:token": "state-token"}
        )

        def as_in_state(kind: str) -> str:
            server.pickled = STATE_PICKLES[kind]  # every call below carries this `__provider`
            return _urn(kind, "old")

        urn = as_in_state("Registry")
        inputs, failures = server.check(urn, {}, {"name": "old-state", "location": "de/fra"})
        assert failures == []
        registry_id, registry = server.create(urn, inputs)
        assert registry["state"] == "Running"

        urn = as_in_state("RegistryToken")
        inputs, failures = server.check(urn, {}, {"registry_id": registry_id, "name": "ci"})
        assert failures == []
        token_id, token = server.create(urn, inputs)
        assert token["password"]
        assert server.read(token_id, urn, token)[0] == token_id

        urn = as_in_state("Repository")
        inputs, failures = server.check(urn, {}, {"registry_id": registry_id, "name": "team/app"})
        assert failures == []
        repository_id, repository = server.create(urn, inputs)
        assert repository["exists"] is False
        server.delete(repository_id, urn, repository)

        server.delete(token_id, as_in_state("RegistryToken"), token)
        server.delete(registry_id, as_in_state("Registry"), registry)
    assert ionoscr_emulator.admin.registries() == []


def test_the_pickles_in_the_state_do_not_change() -> None:
    """New stacks write the same bytes, so states stay readable by earlier versions too."""
    from pulumi.dynamic.dynamic import serialize_provider

    from pulumi_ionoscr._repository import RepositoryProvider
    from pulumi_ionoscr._token import RegistryTokenProvider

    written = {
        "Registry": serialize_provider(RegistryProvider()),
        "RegistryToken": serialize_provider(RegistryTokenProvider()),
        "Repository": serialize_provider(RepositoryProvider()),
    }
    assert written == STATE_PICKLES
