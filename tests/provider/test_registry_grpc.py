"""Registry CRUD through the real provider server, configured only by stack config."""

from __future__ import annotations

import pytest

from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr.emulator import RunningEmulator

from .grpc_harness import ProviderCallError, provider_server

URN = "urn:pulumi:test::proj::pulumi-python:dynamic/ionoscr:Registry::main"
NO_ENV_CREDENTIALS = {
    "IONOS_USERNAME": "",
    "IONOS_PASSWORD": "",
    "IONOS_TOKEN": "",
    "IONOSCR_ENDPOINT": "",
}


def test_registry_round_trip_through_provider_server(ionoscr_emulator: RunningEmulator) -> None:
    with provider_server(RegistryProvider(), NO_ENV_CREDENTIALS) as server:
        server.configure(
            {
                "ionoscr:endpoint": ionoscr_emulator.base_url,
                "ionoscr:token": "stack-config-token",
            }
        )
        inputs, failures = server.check(
            URN,
            {},
            {
                "name": "grpc-reg",
                "location": "DE/FRA",
                "garbage_collection_schedule": {"days": ["sun", "sat"], "time": "02:30"},
            },
        )
        assert failures == []
        assert inputs["location"] == "de/fra"
        assert inputs["garbage_collection_schedule"] == {
            "days": ["Saturday", "Sunday"],
            "time": "02:30:00+00:00",
        }
        id_, outs = server.create(URN, inputs)
        assert outs["hostname"] == "grpc-reg.cr.de-fra.ionos.com"
        assert outs["state"] == "Running"

        assert server.diff(id_, URN, outs, inputs).changes == 1  # DIFF_NONE
        changed = {**inputs, "api_subnet_allow_list": ["203.0.113.0/24"]}
        assert server.diff(id_, URN, outs, changed).changes == 2  # DIFF_SOME
        renamed = {**inputs, "name": "grpc-other"}
        diff = server.diff(id_, URN, outs, renamed)
        assert list(diff.replaces) == ["name"] and diff.deleteBeforeReplace

        outs = server.update(id_, URN, outs, changed)
        assert outs["api_subnet_allow_list"] == ["203.0.113.0/24"]
        read_id, _, read_inputs = server.read(id_, URN, outs)
        assert read_id == id_
        assert read_inputs["api_subnet_allow_list"] == ["203.0.113.0/24"]

        server.delete(id_, URN, outs)
        assert ionoscr_emulator.admin.registries() == []
        gone_id, _, _ = server.read(id_, URN, outs)
        assert gone_id == ""


def test_missing_credentials_is_one_clear_error(ionoscr_emulator: RunningEmulator) -> None:
    with provider_server(RegistryProvider(), NO_ENV_CREDENTIALS) as server:
        server.configure({"ionoscr:endpoint": ionoscr_emulator.base_url})
        with pytest.raises(ProviderCallError) as raised:
            server.create(URN, {"name": "no-creds", "location": "de/fra"})
    assert "IONOS credentials are missing" in raised.value.details
    assert "IONOS_TOKEN" in raised.value.details and "ionoscr:username" in raised.value.details


def test_an_operational_error_is_a_short_traceback_ending_in_one_line(
    ionoscr_emulator: RunningEmulator,
) -> None:
    """`pulumi.dynamic` prints the traceback of every error: the provider keeps it to the
    frames the user cannot avoid, and the last line says what to do."""
    config = {"ionoscr:endpoint": ionoscr_emulator.base_url, "ionoscr:token": "t"}
    with provider_server(RegistryProvider(), NO_ENV_CREDENTIALS) as server:
        server.configure(config)
        inputs, _ = server.check(URN, {}, {"name": "taken-name", "location": "de/fra"})
        server.create(URN, inputs)
        with pytest.raises(ProviderCallError) as raised:
            server.create(URN, inputs)
    lines = raised.value.details.strip().splitlines()
    frames = [line for line in lines if line.lstrip().startswith("File ")]
    assert len(frames) <= 4, raised.value.details  # pulumi.dynamic's two, ours at most two
    assert lines[-1].startswith("pulumi_ionoscr.IonosCrError: registry name 'taken-name'")
    assert lines[-1].endswith("otherwise choose another name")
