"""Repository through the real provider server (pickled provider, stack config only)."""

from __future__ import annotations

from pulumi_ionoscr._client import IonosCrClient
from pulumi_ionoscr._models import RegistryCreate
from pulumi_ionoscr._provider import wait_until
from pulumi_ionoscr._repository import RepositoryProvider
from pulumi_ionoscr.emulator import RunningEmulator

from ..conftest import TEST_PASSWORD, TEST_USERNAME
from .grpc_harness import provider_server

URN = "urn:pulumi:test::proj::pulumi-python:dynamic/ionoscr:Repository::app"
NO_ENV_CREDENTIALS = {
    "IONOS_USERNAME": "",
    "IONOS_PASSWORD": "",
    "IONOS_TOKEN": "",
    "IONOSCR_ENDPOINT": "",
}
DIFF_NONE = 1
DIGEST = "sha256:" + "d" * 64


def test_repository_round_trip_through_provider_server(
    api_env: RunningEmulator, client: IonosCrClient
) -> None:
    registry_id = client.create_registry(RegistryCreate(name="grpc-reg", location="de/fra")).id
    wait_until(
        lambda: client.get_registry(registry_id),
        done=lambda reg: bool(reg.properties.hostname),
        timeout=10,
        what="registry provisioning",
    )
    with provider_server(RepositoryProvider(), NO_ENV_CREDENTIALS) as server:
        server.configure(
            {
                "ionoscr:endpoint": api_env.base_url,
                "ionoscr:username": TEST_USERNAME,
                "ionoscr:password": TEST_PASSWORD,
            }
        )
        _, failures = server.check(URN, {}, {"registry_id": registry_id, "name": "Team/App"})
        assert [f for f, _ in failures] == ["name"]
        inputs, failures = server.check(URN, {}, {"registry_id": registry_id, "name": "team/app"})
        assert failures == []

        id_, outs = server.create(URN, inputs)
        assert id_ == f"{registry_id}/team/app"
        assert (outs["exists"], outs["artifact_count"]) == (False, 0)
        assert "last_pushed_at" not in outs  # None outputs do not travel; programs see None

        # Empty repository: refresh is no change, and the inputs come back as they were.
        read_id, read_outs, read_inputs = server.read(id_, URN, outs)
        assert (read_id, read_outs) == (id_, outs)
        assert server.diff(id_, URN, read_outs, read_inputs).changes == DIFF_NONE
        renamed = server.diff(id_, URN, outs, {**inputs, "name": "team/web"})
        assert list(renamed.replaces) == ["name"]

        api_env.admin.seed_repository(registry_id, "team/app", [{"digest": DIGEST}])
        _, read_outs, _ = server.read(id_, URN, outs)
        assert (read_outs["exists"], read_outs["artifact_count"]) == (True, 1)

        server.delete(id_, URN, read_outs)
        assert api_env.admin.registries()[0]["repositories"] == []
