"""examples/ci-tokens under Pulumi mocks, including its Kubernetes pull secret.

Mocks need no provider plugin, so the Secret is checked here although the Kubernetes provider
cannot be installed; only the `pulumi-kubernetes` Python package is needed (tests that build the
Secret skip without it).
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from ._support import (
    K8S_SECRET,
    REGISTRY,
    REPOSITORY,
    TOKEN,
    docker_config,
    load_module,
    run_example,
)

rotation = load_module("ci-tokens", "rotation")


@pytest.mark.parametrize(
    ("today", "quarter", "expiry"),
    [
        (dt.date(2026, 1, 1), "2026Q1", "2026-07-01T00:00:00Z"),
        (dt.date(2026, 3, 31), "2026Q1", "2026-07-01T00:00:00Z"),
        (dt.date(2026, 4, 1), "2026Q2", "2026-10-01T00:00:00Z"),
        (dt.date(2026, 7, 15), "2026Q3", "2027-01-01T00:00:00Z"),
        (dt.date(2026, 11, 28), "2026Q4", "2027-04-01T00:00:00Z"),
        (dt.date(2026, 12, 31), "2026Q4", "2027-04-01T00:00:00Z"),
    ],
)
def test_quarterly_rotation(today: dt.date, quarter: str, expiry: str) -> None:
    got = rotation.quarterly(today)
    assert (got.quarter, got.expiry_date, got.triggers) == (quarter, expiry, {"quarter": quarter})
    # Never beyond the policy pack's default limit of 365 days.
    assert dt.date.fromisoformat(expiry[:10]) - today <= dt.timedelta(days=183)


def test_push_token_for_ci_and_pull_token_for_the_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_example("ci-tokens", monkeypatch=monkeypatch)
    registry_id = run.one(REGISTRY, "images").outputs["registry_id"]
    push, pull = run.one(TOKEN, "ci-push"), run.one(TOKEN, "cluster-pull")
    assert push.inputs["scopes"] == [
        {"name": "app", "actions": ["pull", "push"], "type": "repository"}
    ]
    assert pull.inputs["scopes"] == [{"name": "app", "actions": ["pull"], "type": "repository"}]
    current = rotation.quarterly(dt.datetime.now(dt.timezone.utc).date())
    for token in (push, pull):
        assert token.inputs["registry_id"] == registry_id
        assert token.inputs["expiry_date"] == current.expiry_date
        assert token.inputs["rotation_triggers"] == current.triggers
        assert {"username", "password", "docker_config_json"} <= set(
            token.additional_secret_outputs
        )
    [repository] = run.of_type(REPOSITORY)
    assert repository.inputs == {"registry_id": registry_id, "name": "app"}
    assert not run.of_type(K8S_SECRET)  # ci-tokens:kubernetes defaults to false


def test_exports_without_kubernetes(monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_example("ci-tokens", monkeypatch=monkeypatch)
    push = run.one(TOKEN, "ci-push").outputs
    pull = run.one(TOKEN, "cluster-pull").outputs
    assert run.exports["ci_username"] == push["username"]
    assert run.exports["ci_password"] == push["password"]
    assert run.exports["cluster_docker_config_json"] == pull["docker_config_json"]
    assert run.exports["registry_hostname"] == run.one(REGISTRY, "images").outputs["hostname"]
    assert "pull_secret_name" not in run.exports
    assert "hostname" in run.one(REGISTRY, "images").additional_secret_outputs


def test_repositories_from_config(monkeypatch: pytest.MonkeyPatch) -> None:
    run = run_example("ci-tokens", {"repositories": ["web", "team/api"]}, monkeypatch=monkeypatch)
    assert sorted(r.inputs["name"] for r in run.of_type(REPOSITORY)) == ["team/api", "web"]
    assert {r.name for r in run.of_type(REPOSITORY)} == {"repo-web", "repo-team-api"}
    scopes = run.one(TOKEN, "cluster-pull").inputs["scopes"]
    assert [s["name"] for s in scopes] == ["web", "team/api"]
    assert all(s["actions"] == ["pull"] for s in scopes)


def _decoded_docker_config(secret_inputs: dict[str, object]) -> dict[str, object]:
    data = secret_inputs["data"]
    assert isinstance(data, dict)
    decoded: dict[str, object] = json.loads(base64.b64decode(data[".dockerconfigjson"]))
    return decoded


def test_kubernetes_pull_secret_holds_the_pull_token(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pulumi_kubernetes")
    run = run_example(
        "ci-tokens", {"kubernetes": "true", "namespace": "shop"}, monkeypatch=monkeypatch
    )
    [secret] = run.of_type(K8S_SECRET)
    assert secret.inputs["type"] == "kubernetes.io/dockerconfigjson"
    assert secret.inputs["metadata"] == {"name": "ionoscr-pull", "namespace": "shop"}
    hostname = run.one(REGISTRY, "images").outputs["hostname"]
    pull = run.one(TOKEN, "cluster-pull").outputs
    assert _decoded_docker_config(secret.inputs) == docker_config(
        hostname, pull["username"], pull["password"]
    )
    # The data goes to the engine as a secret even where the token's output is not marked
    # secret (mocks ignore additional_secret_outputs; pulumi-kubernetes wraps Secret data), and
    # the Secret's outputs stay secret.
    assert "data" in secret.secret_inputs
    assert {"data", "stringData"} <= set(secret.additional_secret_outputs)
    assert run.exports["pull_secret_name"] == "ionoscr-pull"
    assert "cluster_docker_config_json" not in run.exports
