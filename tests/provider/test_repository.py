"""RepositoryProvider driven directly against the emulator over real HTTP.

Pushes are simulated with the emulator's admin seeding call; tests/dataplane pushes for real.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from pulumi_ionoscr._client import IonosCrClient
from pulumi_ionoscr._exceptions import IonosCrError, NotFoundError
from pulumi_ionoscr._models import RegistryCreate
from pulumi_ionoscr._provider import UNKNOWN
from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr._repository import RepositoryProvider
from pulumi_ionoscr.emulator import RunningEmulator

DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64


@pytest.fixture
def registry(api_env: RunningEmulator) -> dict[str, Any]:
    """Outputs of a running registry named `acme`."""
    return dict(RegistryProvider().create({"name": "acme", "location": "de/fra"}).outs)


def checked(news: dict[str, Any]) -> dict[str, Any]:
    result = RepositoryProvider().check({}, news)
    assert not result.failures, [f.reason for f in result.failures]
    return dict(result.inputs)


def created(registry: dict[str, Any], name: str) -> tuple[str, dict[str, Any]]:
    result = RepositoryProvider().create(
        checked({"registry_id": registry["registry_id"], "name": name})
    )
    assert result.id is not None
    return result.id, dict(result.outs)


def test_create_on_empty_registry_records_without_creating(
    registry: dict[str, Any], client: IonosCrClient
) -> None:
    id_, outs = created(registry, "app")
    assert id_ == f"{registry['registry_id']}/app"
    assert outs == {
        "registry_id": registry["registry_id"],
        "name": "app",
        "url": "acme.cr.de-fra.ionos.com/app",
        "exists": False,
        "artifact_count": 0,
        "push_count": 0,
        "pull_count": 0,
        "last_pushed_at": None,
        "last_severity": None,
    }
    # Honest: nothing was created on the server.
    with pytest.raises(NotFoundError):
        client.get_repository(registry["registry_id"], "app")


def test_create_adopts_images_already_pushed(
    registry: dict[str, Any], api_env: RunningEmulator
) -> None:
    api_env.admin.seed_repository(
        registry["registry_id"],
        "app",
        [
            {"digest": DIGEST_A, "tags": ["v1"], "vulnMaxSeverity": "high"},
            {"digest": DIGEST_B, "tags": ["v2"]},
        ],
    )
    _, outs = created(registry, "app")
    assert outs["exists"] is True
    assert outs["artifact_count"] == 2
    assert outs["push_count"] >= 2
    assert outs["last_pushed_at"]


def test_create_on_missing_registry_says_so(api_env: RunningEmulator) -> None:
    missing = str(uuid.uuid4())
    with pytest.raises(IonosCrError, match=f"registry {missing} does not exist"):
        RepositoryProvider().create(checked({"registry_id": missing, "name": "app"}))


def test_read_shows_what_was_pushed_after_create(
    registry: dict[str, Any], api_env: RunningEmulator
) -> None:
    id_, outs = created(registry, "app")
    api_env.admin.seed_repository(registry["registry_id"], "app", [{"digest": DIGEST_A}])
    refreshed = RepositoryProvider().read(id_, outs)
    assert refreshed.id == id_
    assert refreshed.outs["exists"] is True
    assert refreshed.outs["artifact_count"] == 1


def test_refresh_of_empty_repository_is_no_change(registry: dict[str, Any]) -> None:
    provider = RepositoryProvider()
    inputs = checked({"registry_id": registry["registry_id"], "name": "app"})
    id_, outs = created(registry, "app")
    refreshed = provider.read(id_, outs)
    assert refreshed.id == id_
    assert refreshed.outs == outs
    assert refreshed.inputs == inputs
    assert provider.diff(id_, refreshed.outs, inputs).changes is False


def test_refresh_is_one_call_even_when_other_names_match_the_filter(
    registry: dict[str, Any], api_env: RunningEmulator
) -> None:
    artifacts = [{"digest": DIGEST_A}, {"digest": DIGEST_B}]
    api_env.admin.seed_repository(registry["registry_id"], "app", artifacts)
    for name in ("team/app", "team/app-old"):  # listed first: pushed last
        api_env.admin.seed_repository(registry["registry_id"], name, artifacts[:1])
    id_, outs = created(registry, "app")
    api_env.admin.clear_requests()
    refreshed = RepositoryProvider().read(id_, outs)
    assert refreshed.outs == outs and outs["artifact_count"] == 2  # `app`'s, not the others'
    assert [r["method"] for r in api_env.admin.requests()] == ["GET"]


def test_read_by_id_alone_as_resource_get_does(
    registry: dict[str, Any], api_env: RunningEmulator
) -> None:
    api_env.admin.seed_repository(registry["registry_id"], "team/app", [{"digest": DIGEST_A}])
    id_ = f"{registry['registry_id']}/team/app"
    found = RepositoryProvider().read(id_, {"registry_id": "", "name": ""})
    assert found.inputs == {"registry_id": registry["registry_id"], "name": "team/app"}
    assert found.outs["artifact_count"] == 1


def test_delete_purges_the_repository(
    registry: dict[str, Any], api_env: RunningEmulator, client: IonosCrClient
) -> None:
    api_env.admin.seed_repository(registry["registry_id"], "app", [{"digest": DIGEST_A}])
    id_, outs = created(registry, "app")
    RepositoryProvider().delete(id_, outs)
    with pytest.raises(NotFoundError):
        client.get_repository(registry["registry_id"], "app")
    # A repository that is already empty deletes cleanly (404 is success).
    RepositoryProvider().delete(id_, outs)


def test_repository_is_gone_only_when_its_registry_is(
    registry: dict[str, Any], api_env: RunningEmulator
) -> None:
    id_, outs = created(registry, "app")
    assert RepositoryProvider().read(id_, outs).id == id_  # empty, but not gone
    RegistryProvider().delete(registry["registry_id"], registry)
    gone = RepositoryProvider().read(id_, outs)
    assert gone.id is None
    assert gone.outs == {}
    RepositoryProvider().delete(id_, outs)  # and deleting it then is not an error


def test_multi_segment_name_round_trips_percent_encoded(
    registry: dict[str, Any], api_env: RunningEmulator, client: IonosCrClient
) -> None:
    api_env.admin.seed_repository(registry["registry_id"], "team/app", [{"digest": DIGEST_A}])
    api_env.admin.clear_requests()
    id_, outs = created(registry, "team/app")
    assert id_ == f"{registry['registry_id']}/team/app"
    assert outs["url"] == "acme.cr.de-fra.ionos.com/team/app"
    assert outs["artifact_count"] == 1
    RepositoryProvider().delete(id_, outs)
    with pytest.raises(NotFoundError):
        client.get_repository(registry["registry_id"], "team/app")
    repo_paths = [r["path"] for r in api_env.admin.requests() if "/repositories/" in r["path"]]
    assert repo_paths and all(p.endswith("/repositories/team%2Fapp") for p in repo_paths)


@pytest.mark.parametrize(
    ("name", "explains"),
    [
        ("Team/App", "uppercase"),
        ("team//app", "empty path component"),
        ("/app", "empty path component"),
        ("app/", "empty path component"),
        ("app_-x", "path component 0"),
        ("a" * 257, "257 characters"),
    ],
)
def test_check_rejects_bad_names_with_field_rule_and_value(name: str, explains: str) -> None:
    result = RepositoryProvider().check({}, {"registry_id": str(uuid.uuid4()), "name": name})
    [failure] = result.failures
    assert failure.property == "name"
    assert explains in failure.reason
    assert "'/'-separated components" in failure.reason
    assert repr(name)[:40] in failure.reason


def test_check_requires_both_inputs() -> None:
    result = RepositoryProvider().check({}, {"registry_id": ""})
    assert {f.property for f in result.failures} == {"registry_id", "name"}


def test_check_skips_unknowns_at_preview() -> None:
    result = RepositoryProvider().check({}, {"registry_id": UNKNOWN, "name": UNKNOWN})
    assert result.failures == []


def test_check_keeps_only_inputs() -> None:
    news = {"registry_id": str(uuid.uuid4()), "name": "team/app", "url": None, "exists": None}
    assert checked(news) == {"registry_id": news["registry_id"], "name": "team/app"}


@pytest.mark.parametrize("key", ["name", "registry_id"])
def test_changing_name_or_registry_replaces(key: str) -> None:
    olds = {"registry_id": str(uuid.uuid4()), "name": "app", "artifact_count": 3}
    news = {"registry_id": olds["registry_id"], "name": "app", key: "other"}
    diff = RepositoryProvider().diff("x", olds, news)
    assert diff.changes is True
    assert diff.replaces == [key]


def test_update_after_provider_upgrade_refreshes_outputs(
    registry: dict[str, Any], api_env: RunningEmulator
) -> None:
    id_, outs = created(registry, "app")
    api_env.admin.seed_repository(registry["registry_id"], "app", [{"digest": DIGEST_A}])
    inputs = {"registry_id": registry["registry_id"], "name": "app"}
    updated = RepositoryProvider().update(id_, outs, inputs)
    assert updated.outs is not None
    assert updated.outs["artifact_count"] == 1


def test_url_is_filled_in_once_the_registry_has_its_hostname(
    api_env: RunningEmulator, client: IonosCrClient
) -> None:
    provisioning = client.create_registry(RegistryCreate(name="fresh", location="de/fra"))
    id_, outs = created({"registry_id": provisioning.id}, "app")
    assert outs["url"] == ""
    later = RepositoryProvider().read(id_, outs)  # the emulator is Running by the second read
    assert later.outs["url"] == "fresh.cr.de-fra.ionos.com/app"
