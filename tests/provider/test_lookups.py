"""Lookup functions against the emulator over real HTTP."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pulumi
import pytest

from pulumi_ionoscr._config import ClientSettings
from pulumi_ionoscr._exceptions import NotFoundError, ValidationError
from pulumi_ionoscr._lookups import (
    RegistryInfo,
    RepositoryInfo,
    get_locations,
    get_registry,
    get_registry_output,
    get_repositories,
    get_repositories_output,
    is_name_available,
)
from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr.emulator import RunningEmulator

DIGEST = "sha256:" + "c" * 64


def make_registry(name: str) -> str:
    created = RegistryProvider().create({"name": name, "location": "de/fra"})
    assert created.id is not None
    return created.id


def test_get_locations_lists_the_service_locations(api_env: RunningEmulator) -> None:
    assert get_locations() == ["de/fra", "de/txl", "es/vit"]


def test_is_name_available_before_and_after_a_registry_takes_it(api_env: RunningEmulator) -> None:
    assert is_name_available("acme") is True
    make_registry("acme")
    assert is_name_available("acme") is False


def test_is_name_available_explains_an_invalid_name(api_env: RunningEmulator) -> None:
    with pytest.raises(ValidationError, match="uppercase") as caught:
        is_name_available("Acme")
    assert caught.value.field == "name"


def test_get_registry_by_id_and_by_exact_name(api_env: RunningEmulator) -> None:
    acme = make_registry("acme")
    make_registry("acme-prod")  # a substring match must not be taken for "acme"
    by_id = get_registry(id=acme)
    by_name = get_registry(name="acme")
    assert by_id == by_name
    assert by_id == RegistryInfo(
        id=acme,
        name="acme",
        location="de/fra",
        hostname="acme.cr.de-fra.ionos.com",
        state="Running",
        storage_bytes=0,
        vulnerability_scanning=False,
        api_subnet_allow_list=(),
        created_date=by_id.created_date,
    )
    assert by_id.created_date


def test_get_registry_not_found(api_env: RunningEmulator) -> None:
    make_registry("acme-prod")
    with pytest.raises(NotFoundError):
        get_registry(id=str(uuid.uuid4()))
    with pytest.raises(NotFoundError, match="no registry named 'acme'"):
        get_registry(name="acme")


@pytest.mark.parametrize("kwargs", [{}, {"id": "x", "name": "y"}])
def test_get_registry_wants_exactly_one_of_id_and_name(kwargs: dict[str, str]) -> None:
    with pytest.raises(TypeError, match="exactly one"):
        get_registry(**kwargs)


def test_get_repositories_lists_pushed_repositories(api_env: RunningEmulator) -> None:
    rid = make_registry("acme")
    assert get_repositories(rid) == []
    api_env.admin.seed_repository(rid, "team/app", [{"digest": DIGEST, "pullCount": 2}])
    [repo] = get_repositories(rid)
    assert isinstance(repo, RepositoryInfo)
    assert (repo.registry_id, repo.name, repo.artifact_count) == (rid, "team/app", 1)
    assert repo.last_pushed_at


def test_get_repositories_of_unknown_registry(api_env: RunningEmulator) -> None:
    with pytest.raises(NotFoundError):
        get_repositories(str(uuid.uuid4()))


def test_explicit_settings_need_no_environment(
    api_env: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("IONOSCR_ENDPOINT", "IONOS_USERNAME", "IONOS_PASSWORD"):
        monkeypatch.delenv(var)
    settings = ClientSettings(endpoint=api_env.base_url, token="explicit-token")
    assert get_locations(settings=settings) == ["de/fra", "de/txl", "es/vit"]


def test_stack_config_wins_over_environment_like_the_providers(
    api_env: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What `pulumi up` hands a program: the stack configuration as PULUMI_CONFIG.
    monkeypatch.setenv("IONOSCR_ENDPOINT", "http://127.0.0.1:9/nothing-listens-here")
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"ionoscr:endpoint": api_env.base_url}))
    assert get_locations() == ["de/fra", "de/txl", "es/vit"]


class _NoResources(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        raise AssertionError("lookups register no resources")

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[Any]]:
        raise AssertionError("lookups call the API themselves, not the engine")


@pytest.fixture
def program(api_env: RunningEmulator) -> RunningEmulator:
    pulumi.runtime.set_mocks(_NoResources(), preview=False)
    return api_env


@pulumi.runtime.test
def test_output_twins_resolve_in_a_program(program: RunningEmulator) -> pulumi.Output[Any]:
    rid = make_registry("acme")
    program.admin.seed_repository(rid, "app", [{"digest": DIGEST}])
    registry_id = pulumi.Output.from_input(rid)  # as if another resource's output
    found = get_registry_output(id=registry_id)
    repos = get_repositories_output(registry_id)

    def verify(values: list[Any]) -> None:
        info, names = values
        assert info.name == "acme"
        assert names == ["app"]

    return pulumi.Output.all(found, repos.apply(lambda rs: [r.name for r in rs])).apply(verify)


@pulumi.runtime.test
def test_registry_output_is_secret(program: RunningEmulator) -> pulumi.Output[Any]:
    make_registry("acme")
    found = get_registry_output(name="acme")

    def verify(secret: bool) -> None:
        assert secret is True

    return pulumi.Output.from_input(found.is_secret()).apply(verify)
