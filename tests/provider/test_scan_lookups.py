"""`get_artifacts`, `get_vulnerabilities` and `get_registry_token` against the emulator over real
HTTP, with the emulator's vulnerability data: findings we set ourselves (exact figures) and the
deterministic scan of a push into a registry that scans."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pulumi
import pytest

import pulumi_ionoscr as cr
from pulumi_ionoscr._registry import RegistryProvider
from pulumi_ionoscr._token import RegistryTokenProvider
from pulumi_ionoscr.emulator import RunningEmulator
from pulumi_ionoscr.testing import IonosCrMocks

OLD = "sha256:" + "a" * 64
NEW = "sha256:" + "b" * 64

CRITICAL = {
    "id": "CVE-2099-90001",
    "severity": "critical",
    "score": 9.8,
    "fixable": True,
    "description": "heap overflow in libexample",
    "recommendations": "upgrade libexample to 1.2.4",
    "dataSource": {"id": "osv", "url": "https://osv.dev/CVE-2099-90001"},
    "affects": [{"type": "deb", "name": "libexample", "version": "1.2.3"}],
    "references": ["https://example.com/advisory/90001"],
    "publishedAt": "2099-01-02T03:04:05Z",
}
MEDIUM = {"id": "CVE-2099-90002", "severity": "medium", "score": 5.0, "fixable": False}


def make_registry(name: str, *, scanning: bool = False) -> str:
    props = {"name": name, "location": "de/fra", "vulnerability_scanning": scanning}
    created = RegistryProvider().create(props)
    assert created.id is not None
    return created.id


@pytest.fixture
def scanned(api_env: RunningEmulator) -> str:
    """A registry whose `team/app` holds two artifacts: OLD with two findings we chose, NEW
    with none; `team/web` holds OLD too."""
    rid = make_registry("acme", scanning=True)
    admin = api_env.admin
    admin.seed_repository(rid, "team/app", [{"digest": OLD, "tags": ["1.0"], "pullCount": 3}])
    admin.seed_repository(rid, "team/app", [{"digest": NEW, "tags": ["1.1", "latest"]}])
    admin.seed_repository(rid, "team/web", [{"digest": OLD, "tags": ["stable"]}])
    admin.set_vulnerabilities(rid, "team/app", OLD, [CRITICAL, MEDIUM])
    admin.set_vulnerabilities(rid, "team/web", OLD, ["CVE-2099-90001"])
    admin.set_vulnerabilities(rid, "team/app", NEW, [])
    return rid


def test_artifacts_of_a_repository_with_their_scan_summary(scanned: str) -> None:
    artifacts = {a.digest: a for a in cr.get_artifacts(scanned, "team/app")}
    assert set(artifacts) == {OLD, NEW}
    old = artifacts[OLD]
    assert isinstance(old, cr.ArtifactInfo)
    assert (old.registry_id, old.repository, old.tags, old.pull_count) == (
        scanned,
        "team/app",
        ("1.0",),
        3,
    )
    assert old.media_type.startswith("application/vnd.")
    assert (old.vuln_max_severity, old.vuln_total_count, old.vuln_fixable_count) == (
        "critical",
        2,
        1,
    )
    assert old.vuln_total_score == pytest.approx(14.8)
    assert old.last_scanned_at and old.last_pushed_at
    assert artifacts[NEW].vuln_total_count == 0 and artifacts[NEW].vuln_max_severity is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        old.tags = ()  # type: ignore[misc]


def test_artifacts_of_a_whole_registry_filtered_by_an_advisory(scanned: str) -> None:
    everywhere = cr.get_artifacts(scanned)
    assert sorted((a.repository, a.digest) for a in everywhere) == [
        ("team/app", OLD),
        ("team/app", NEW),
        ("team/web", OLD),
    ]
    hit = cr.get_artifacts(scanned, vulnerability_id="CVE-2099-90002")
    assert [(a.repository, a.digest) for a in hit] == [("team/app", OLD)]
    by_pulls = cr.get_artifacts(scanned, order_by="-pullCount")
    assert by_pulls[0].pull_count == 3


def test_vulnerabilities_of_an_artifact_as_data(scanned: str) -> None:
    critical, medium = cr.get_vulnerabilities(scanned, "team/app", OLD)  # highest score first
    assert critical == cr.VulnerabilityInfo(
        id="CVE-2099-90001",
        severity="critical",
        score=9.8,
        fixable=True,
        description="heap overflow in libexample",
        recommendations="upgrade libexample to 1.2.4",
        affects=(cr.AffectedPackage(type="deb", name="libexample", version="1.2.3"),),
        references=("https://example.com/advisory/90001",),
        data_source="osv",
        data_source_url="https://osv.dev/CVE-2099-90001",
        published_at=critical.published_at,
        updated_at=critical.updated_at,
    )
    assert critical.published_at is not None and critical.published_at.startswith("2099-01-02")
    assert (medium.id, medium.fixable) == ("CVE-2099-90002", False)
    assert cr.get_vulnerabilities(scanned, "team/app", NEW) == []


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        ({"severity": "medium"}, ["CVE-2099-90002"]),
        ({"fixable": True}, ["CVE-2099-90001"]),
        ({"fixable": False}, ["CVE-2099-90002"]),
        ({"order_by": "score"}, ["CVE-2099-90002", "CVE-2099-90001"]),
    ],
)
def test_vulnerability_filters_are_the_apis(
    scanned: str, filters: dict[str, Any], ids: list[str]
) -> None:
    found = cr.get_vulnerabilities(scanned, "team/app", OLD, **filters)
    assert [v.id for v in found] == ids


def test_a_pushed_image_gets_the_emulators_deterministic_scan(api_env: RunningEmulator) -> None:
    """Without findings of our own, a push into a scanning registry is scanned; the summary of
    the artifact agrees with its list of findings."""
    rid = make_registry("scans", scanning=True)
    for n in range(6):  # some images get no findings: push a few
        api_env.admin.seed_repository(rid, "app", [{"digest": f"sha256:{n:064d}"}])
    artifacts = cr.get_artifacts(rid, "app")
    assert len(artifacts) == 6
    assert any(a.vuln_total_count for a in artifacts)
    for artifact in artifacts:
        found = cr.get_vulnerabilities(rid, "app", artifact.digest)
        assert artifact.vuln_total_count == len(found)
        assert artifact.vuln_fixable_count == sum(v.fixable for v in found)
        assert artifact.vuln_total_score == pytest.approx(round(sum(v.score for v in found), 2))
        assert all(v.affects and v.severity for v in found)


def test_a_registry_without_scanning_has_no_scan_results(api_env: RunningEmulator) -> None:
    rid = make_registry("plain")
    api_env.admin.seed_repository(rid, "app", [{"digest": OLD}])
    [artifact] = cr.get_artifacts(rid, "app")
    assert (artifact.last_scanned_at, artifact.vuln_total_count) == (None, None)
    assert cr.get_vulnerabilities(rid, "app", OLD) == []


def test_unknown_things_and_bad_arguments(scanned: str) -> None:
    with pytest.raises(cr.NotFoundError):
        cr.get_artifacts(scanned, "team/none")
    with pytest.raises(cr.NotFoundError):
        cr.get_vulnerabilities(scanned, "team/app", "sha256:" + "f" * 64)
    with pytest.raises(cr.NotFoundError):
        cr.get_artifacts(str(uuid.uuid4()))
    with pytest.raises(cr.ValidationError, match="registry_id"):
        cr.get_artifacts("not-a-uuid", "team/app")
    with pytest.raises(cr.ValidationError, match="repository"):
        cr.get_vulnerabilities(scanned, "Team/App", OLD)
    with pytest.raises(TypeError, match="whole registry"):
        cr.get_artifacts(scanned, "team/app", vulnerability_id="CVE-2099-90001")


# ---- get_registry_token ---------------------------------------------------------------------


def _token(registry_id: str, name: str, **extra: Any) -> str:
    props = {"registry_id": registry_id, "name": name, "status": "enabled", **extra}
    created = RegistryTokenProvider().create(props)
    return str(created.outs["token_id"])


def test_registry_token_by_name_and_by_id(api_env: RunningEmulator) -> None:
    rid = make_registry("tokens")
    scopes = [{"name": "app", "actions": ["pull", "push"], "type": "repository"}]
    token_id = _token(rid, "ci", scopes=scopes, expiry_date="2099-06-01T00:00:00Z")
    _token(rid, "ci-old")  # a name that contains "ci" must not be taken for it
    by_name = cr.get_registry_token(rid, name="ci")
    assert by_name == cr.get_registry_token(rid, id=token_id)
    assert by_name == cr.RegistryTokenInfo(
        id=token_id,
        registry_id=rid,
        name="ci",
        username="ci",
        status="enabled",
        expiry_date=by_name.expiry_date,
        scopes=(cr.TokenScopeInfo(name="app", actions=("pull", "push"), type="repository"),),
        created_date=by_name.created_date,
    )
    assert by_name.expiry_date is not None and by_name.expiry_date.startswith("2099-06-01")
    assert not hasattr(by_name, "password")


def test_registry_token_not_found_and_arguments(api_env: RunningEmulator) -> None:
    rid = make_registry("tokens")
    with pytest.raises(cr.NotFoundError, match="no token named 'ci'"):
        cr.get_registry_token(rid, name="ci")
    with pytest.raises(cr.NotFoundError):
        cr.get_registry_token(rid, id=str(uuid.uuid4()))
    with pytest.raises(TypeError, match="exactly one"):
        cr.get_registry_token(rid)
    with pytest.raises(TypeError, match="exactly one"):
        cr.get_registry_token(rid, name="ci", id="x")


# ---- Output twins ---------------------------------------------------------------------------


@pytest.fixture
def program(scanned: str) -> str:
    pulumi.runtime.set_mocks(IonosCrMocks(), preview=False)  # lookups register nothing
    _token(scanned, "ci")
    return scanned


@pulumi.runtime.test
def test_output_twins_take_outputs(program: str) -> pulumi.Output[Any]:
    registry_id = pulumi.Output.from_input(program)  # as if Registry.registry_id
    repository = pulumi.Output.from_input("team/app")
    artifacts = cr.get_artifacts_output(registry_id, repository)
    findings = cr.get_vulnerabilities_output(registry_id, repository, OLD, severity="critical")
    token = cr.get_registry_token_output(registry_id, name=pulumi.Output.from_input("ci"))

    def verify(values: list[Any]) -> None:
        digests, ids, token_name = values
        assert sorted(digests) == sorted([OLD, NEW])
        assert ids == ["CVE-2099-90001"]
        assert token_name == "ci"

    return pulumi.Output.all(
        artifacts.apply(lambda found: [a.digest for a in found]),
        findings.apply(lambda found: [v.id for v in found]),
        token.apply(lambda t: t.name),
    ).apply(verify)
