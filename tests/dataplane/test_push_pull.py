"""Pushes and pulls with oras-py, a client nobody here wrote, and what `Repository` then shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from pulumi_ionoscr._models import TokenPatch
from pulumi_ionoscr._repository import RepositoryProvider
from pulumi_ionoscr.emulator import RunningEmulator

from ._oras import PAYLOAD, Registry

PUSH_PULL = ("pull", "push")


def repository(registry: Registry, name: str) -> tuple[str, dict[str, Any]]:
    provider = RepositoryProvider()
    checked = provider.check({}, {"registry_id": registry.id, "name": name})
    assert not checked.failures
    created = provider.create(checked.inputs)
    assert created.id is not None
    return created.id, dict(created.outs)


def refreshed(id_: str, outs: dict[str, Any]) -> dict[str, Any]:
    result = RepositoryProvider().read(id_, outs)
    assert result.id == id_
    return dict(result.outs)


def refused(api_env: RunningEmulator, attempt: Callable[[], object]) -> set[int | None]:
    """Run an oras call that must fail; return the data-plane statuses it met."""
    api_env.admin.clear_requests()
    # oras says "Issue with <url>" or "Cannot respond to request for authentication."
    with pytest.raises(ValueError):
        attempt()
    return {r["status"] for r in api_env.admin.requests() if r["path"].startswith("/v2/")}


def test_pushed_artifact_shows_in_repository(registry: Registry) -> None:
    id_, outs = repository(registry, "app")
    assert outs["exists"] is False
    assert refreshed(id_, outs) == outs  # nothing pushed yet: not gone, and no change
    token, password = registry.token([("app", PUSH_PULL)])
    client = registry.oras(token, password)

    registry.push(client, "app")
    after_push = refreshed(id_, outs)
    assert after_push["exists"] is True
    assert after_push["artifact_count"] == 1
    assert after_push["push_count"] == 1
    assert after_push["last_pushed_at"]

    assert registry.pull(client, "app") == PAYLOAD
    assert refreshed(id_, outs)["pull_count"] == 1


def test_pull_only_token_pulls_but_cannot_push(
    registry: Registry, api_env: RunningEmulator
) -> None:
    pusher = registry.oras(*registry.token([("app", PUSH_PULL)]))
    registry.push(pusher, "app")
    id_, outs = repository(registry, "app")

    reader = registry.oras(*registry.token([("app", ["pull"])]))
    assert registry.pull(reader, "app") == PAYLOAD
    assert 403 in refused(api_env, lambda: registry.push(reader, "app", tag="v2"))
    assert refreshed(id_, outs)["artifact_count"] == 1


def test_token_scoped_to_app_cannot_touch_other(
    registry: Registry, api_env: RunningEmulator
) -> None:
    everything = registry.oras(*registry.token([("*", PUSH_PULL)]))
    registry.push(everything, "other")
    app_only = registry.oras(*registry.token([("app", PUSH_PULL)]))

    assert 403 in refused(api_env, lambda: registry.pull(app_only, "other"))
    assert 403 in refused(api_env, lambda: registry.push(app_only, "other", tag="v2"))
    assert repository(registry, "other")[1]["artifact_count"] == 1
    registry.push(app_only, "app")  # its own repository is fine
    assert repository(registry, "app")[1]["exists"] is True


@pytest.mark.parametrize(
    "revoke",
    [
        TokenPatch(status="disabled"),
        TokenPatch(expiry_date="2020-01-01T00:00:00Z"),
    ],
    ids=["disabled", "expired"],
)
def test_revoked_token_is_refused(
    registry: Registry, api_env: RunningEmulator, revoke: TokenPatch
) -> None:
    token, password = registry.token([("app", PUSH_PULL)])
    registry.push(registry.oras(token, password), "app")
    registry.api.patch_token(registry.id, token.id, revoke)

    assert refused(api_env, lambda: registry.pull(registry.oras(token, password), "app")) == {401}
    statuses = refused(api_env, lambda: registry.push(registry.oras(token, password), "app", "v2"))
    assert statuses == {401}
    assert repository(registry, "app")[1]["artifact_count"] == 1


def test_token_expiring_later_still_works(registry: Registry) -> None:
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    client = registry.oras(*registry.token([("app", PUSH_PULL)], expiry_date=later))
    registry.push(client, "app")
    assert registry.pull(client, "app") == PAYLOAD


@pytest.mark.parametrize("name", ["app", "team/app"])
def test_deleting_repository_purges_it(
    registry: Registry, api_env: RunningEmulator, name: str
) -> None:
    client = registry.oras(*registry.token([("*", PUSH_PULL)]))
    registry.push(client, name)
    id_, outs = repository(registry, name)
    assert outs["artifact_count"] == 1  # adopted what was pushed

    RepositoryProvider().delete(id_, outs)
    assert refused(api_env, lambda: registry.pull(client, name)) == {404}
    after = refreshed(id_, outs)
    assert (after["exists"], after["artifact_count"]) == (False, 0)
