"""RegistryToken CRUD through the real provider server, configured only by stack config."""

from __future__ import annotations

from pulumi_ionoscr._client import IonosCrClient
from pulumi_ionoscr._models import RegistryCreate
from pulumi_ionoscr._token import RegistryTokenProvider
from pulumi_ionoscr.emulator import RunningEmulator

from ..conftest import TEST_PASSWORD, TEST_USERNAME
from .grpc_harness import provider_server
from .test_token import issued_to, lose_first_token_post

URN = "urn:pulumi:test::proj::pulumi-python:dynamic/ionoscr:RegistryToken::ci"
NO_ENV_CREDENTIALS = {
    "IONOS_USERNAME": "",
    "IONOS_PASSWORD": "",
    "IONOS_TOKEN": "",
    "IONOSCR_ENDPOINT": "",
}
DIFF_NONE, DIFF_SOME = 1, 2


def test_token_round_trip_through_provider_server(
    api_env: RunningEmulator, client: IonosCrClient
) -> None:
    registry_id = client.create_registry(RegistryCreate(name="grpc-reg", location="de/fra")).id
    with provider_server(RegistryTokenProvider(), NO_ENV_CREDENTIALS) as server:
        # The same account as `client`: registries are visible to their owner only.
        server.configure(
            {
                "ionoscr:endpoint": api_env.base_url,
                "ionoscr:username": TEST_USERNAME,
                "ionoscr:password": TEST_PASSWORD,
            }
        )
        inputs, failures = server.check(
            URN,
            {},
            {
                "registry_id": registry_id,
                "name_prefix": "ci",
                "scopes": [{"name": "app", "actions": ["push", "PULL"]}],
                "expiry_date": "2030-01-31T13:00:00+01:00",
                "rotation_triggers": {"quarter": "2027Q1"},
            },
        )
        assert failures == []
        assert inputs["name"].startswith("ci-")
        assert inputs["expiry_date"] == "2030-01-31T12:00:00Z"
        assert inputs["scopes"] == [
            {"name": "app", "actions": ["pull", "push"], "type": "repository"}
        ]

        id_, outs = server.create(URN, inputs)
        assert id_ == f"{registry_id}/{outs['token_id']}"
        password = outs["password"]
        assert issued_to(api_env, registry_id, outs["token_id"], password)
        assert f'"password": "{password}"' in outs["docker_config_json"]

        assert server.diff(id_, URN, outs, inputs).changes == DIFF_NONE
        rotated = {**inputs, "rotation_triggers": {"quarter": "2027Q2"}}
        diff = server.diff(id_, URN, outs, rotated)
        assert list(diff.replaces) == ["rotation_triggers"] and diff.deleteBeforeReplace

        disabled = {**inputs, "status": "disabled"}
        assert server.diff(id_, URN, outs, disabled).changes == DIFF_SOME
        outs = server.update(id_, URN, outs, disabled)
        assert outs["status"] == "disabled" and outs["password"] == password

        read_id, read_outs, read_inputs = server.read(id_, URN, outs)
        assert read_id == id_ and read_outs["password"] == password
        assert read_inputs["status"] == "disabled"

        server.delete(id_, URN, outs)
        assert api_env.admin.registries()[0]["tokens"] == []
        gone_id, _, _ = server.read(id_, URN, outs)
        assert gone_id == ""


def test_lost_create_answer_through_provider_server(
    api_env: RunningEmulator, client: IonosCrClient
) -> None:
    registry_id = client.create_registry(RegistryCreate(name="grpc-lost", location="de/fra")).id
    lose_first_token_post(api_env)
    with provider_server(RegistryTokenProvider(), {}) as server:
        inputs, failures = server.check(URN, {}, {"registry_id": registry_id, "name": "ci"})
        assert failures == []
        _, outs = server.create(URN, inputs)
    [live] = api_env.admin.registries()[0]["tokens"]
    assert live["id"] == outs["token_id"]
    assert issued_to(api_env, registry_id, outs["token_id"], outs["password"])
