"""Conformance: drive the emulator with the official IONOS SDK (`ionoscloud-container-registry`
2.0.0), a client nobody here wrote. Everything it cannot parse is an emulator bug.

The SDK's retries sleep 100 s each by default; they are set to one attempt and no wait.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

ic = pytest.importorskip("ionoscloud_container_registry")

from ionoscloud_container_registry.exceptions import (  # noqa: E402
    ApiException,
    BadRequestException,
    ConflictException,
    NotFoundException,
    UnauthorizedException,
)

from pulumi_ionoscr.emulator import RunningEmulator, run_emulator  # noqa: E402

USER, PASSWORD = "sdk@example.com", "sdk-password"
BEARER = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzZGsifQ.sig"


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    with run_emulator() as emu:
        yield emu


@pytest.fixture
def emu(emulator: RunningEmulator) -> RunningEmulator:
    emulator.admin.reset()
    return emulator


def _client(emu: RunningEmulator, *, basic: bool = True, token: str | None = None) -> Any:
    cfg = ic.Configuration(
        host=emu.base_url,
        username=USER if basic else None,
        password=PASSWORD if basic else None,
        token=token,
    )
    cfg.max_retries = 1
    cfg.wait_time = 0
    return ic.ApiClient(cfg)


@pytest.fixture
def client(emu: RunningEmulator) -> Iterator[Any]:
    with _client(emu) as api_client:
        yield api_client


def _create(client: Any, name: str, **props: Any) -> Any:
    registries = ic.RegistriesApi(client)
    return registries.registries_post(
        ic.PostRegistryInput(
            properties=ic.PostRegistryProperties(name=name, location="de/fra", **props)
        )
    )


def _wait_running(client: Any, registry_id: str, limit: int = 10) -> Any:
    registries = ic.RegistriesApi(client)
    seen = []
    for _ in range(limit):
        reg = registries.registries_find_by_id(registry_id)
        seen.append(reg.metadata.state)
        if reg.metadata.state == "Running":
            return reg
        assert reg.properties.hostname == ""
    raise AssertionError(f"never Running: {seen}")


def test_locations(client: Any) -> None:
    resp = ic.LocationsApi(client).locations_get()
    assert [loc.id for loc in resp.items] == ["de/fra", "de/txl", "es/vit"]
    assert resp.type == "collection"


def test_names(client: Any) -> None:
    names = ic.NamesApi(client)
    with pytest.raises(NotFoundException):
        names.names_check_usage("sdk-registry")
    _create(client, "sdk-registry")
    assert names.names_check_usage("sdk-registry") is None  # 200: taken
    with pytest.raises(BadRequestException):
        names.names_check_usage("Bad_Name")


def test_registry_full_cycle(client: Any) -> None:
    registries = ic.RegistriesApi(client)
    schedule = ic.WeeklySchedule(days=[ic.Day.SATURDAY, ic.Day.SUNDAY], time="19:30:00+00:00")
    created = _create(
        client,
        "sdk-registry",
        garbage_collection_schedule=schedule,
        api_subnet_allow_list=["198.51.100.0/24", "2001:db8::/32"],
    )
    assert created.metadata.state == "New"
    assert created.properties.hostname == ""
    assert created.metadata.created_date.tzinfo is not None
    assert created.properties.features.vulnerability_scanning.enabled is True
    assert set(created.properties.garbage_collection_schedule.days) == {
        ic.Day.SATURDAY,
        ic.Day.SUNDAY,
    }
    rid = created.id

    running = _wait_running(client, rid)
    assert running.properties.hostname == "sdk-registry.cr.de-fra.ionos.com"
    assert running.properties.storage_usage.bytes == 0

    listed = registries.registries_get(filter_name="sdk", limit="10")
    assert [r.id for r in listed.items] == [rid]
    assert listed.pagination.limit == 10
    assert listed.links.var_self
    assert registries.registries_get(filter_name="nothing-like-it").items == []

    patched = registries.registries_patch(
        rid,
        ic.PatchRegistryInput(
            api_subnet_allow_list=[],
            garbage_collection_schedule=ic.WeeklySchedule(
                days=[ic.Day.FRIDAY], time="01:23:00+00:00"
            ),
        ),
    )
    assert patched.properties.api_subnet_allow_list == []
    assert patched.properties.garbage_collection_schedule.days == [ic.Day.FRIDAY]
    assert patched.metadata.last_modified_by == USER
    _wait_running(client, rid)

    with pytest.raises(BadRequestException) as exc:
        registries.registries_patch(
            rid,
            ic.PatchRegistryInput(
                features=ic.RegistryFeatures(
                    vulnerability_scanning=ic.FeatureVulnerabilityScanning(enabled=False)
                )
            ),
        )
    assert "vulnerabilityScanning" in str(exc.value.body)

    put = registries.registries_put(
        rid,
        ic.PutRegistryInput(
            properties=ic.PostRegistryProperties(name="sdk-registry", location="de/fra")
        ),
    )
    assert put.id == rid
    with pytest.raises(BadRequestException):
        registries.registries_put(
            rid,
            ic.PutRegistryInput(
                properties=ic.PostRegistryProperties(name="sdk-renamed", location="de/fra")
            ),
        )

    with pytest.raises(BadRequestException):  # duplicate name
        _create(client, "sdk-registry")

    registries.registries_delete(rid)
    for _ in range(5):
        try:
            registries.registries_find_by_id(rid)
        except NotFoundException:
            break
    else:
        raise AssertionError("deleted registry never disappeared")
    with pytest.raises(NotFoundException):
        ic.NamesApi(client).names_check_usage("sdk-registry")


def test_registry_list_pagination(client: Any) -> None:
    for i in range(3):
        _create(client, f"page-{i}")
    registries = ic.RegistriesApi(client)
    first = registries.registries_get(limit="2")
    assert len(first.items) == 2 and first.pagination.token
    second = registries.registries_get(limit="2", pagination_token=first.pagination.token)
    assert len(second.items) == 1 and second.pagination.token == ""
    names = {r.properties.name for r in first.items + second.items}
    assert names == {"page-0", "page-1", "page-2"}


def test_tokens_full_cycle(client: Any) -> None:
    rid = _create(client, "sdk-tokens").id
    tokens = ic.TokensApi(client)
    expiry = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)
    created = tokens.registries_tokens_post(
        rid,
        ic.PostTokenInput(
            properties=ic.PostTokenProperties(
                name="ci-token",
                expiry_date=expiry,
                scopes=[ic.Scope(name="*", type="repository", actions=["pull", "push"])],
                status="enabled",
            )
        ),
    )
    tid = created.id
    password = created.properties.credentials.password
    assert password
    assert created.properties.credentials.username == "ci-token"
    assert created.metadata.state == "enabled"
    assert created.properties.expiry_date == expiry

    got = tokens.registries_tokens_find_by_id(rid, tid)
    assert got.properties.credentials.password == ""
    listed = tokens.registries_tokens_get(rid, offset="0", limit="10")
    assert [t.id for t in listed.items] == [tid]
    assert (listed.count, listed.total, listed.offset, listed.limit) == (1, 1, 0, 10)
    assert listed.items[0].properties.credentials.password == ""

    with pytest.raises(ConflictException):
        tokens.registries_tokens_post(
            rid, ic.PostTokenInput(properties=ic.PostTokenProperties(name="ci-token"))
        )

    patched = tokens.registries_tokens_patch(
        rid,
        tid,
        ic.PatchTokenInput(
            status="disabled",
            scopes=[ic.Scope(name="app", type="repository", actions=["pull"])],
        ),
    )
    assert patched.properties.status == "disabled"
    assert patched.metadata.state == "disabled"
    assert [s.name for s in patched.properties.scopes] == ["app"]
    assert patched.properties.expiry_date == expiry
    cleared = tokens.registries_tokens_patch(rid, tid, ic.PatchTokenInput(expiry_date=None))
    assert cleared.properties.expiry_date is None

    replaced = tokens.registries_tokens_put(
        rid,
        tid,
        ic.PutTokenInput(properties=ic.PostTokenProperties(name="ci-token", status="enabled")),
    )
    assert replaced.properties.status == "enabled"
    assert replaced.properties.credentials.password == ""

    tokens.registries_tokens_delete(rid, tid)
    with pytest.raises(NotFoundException):
        tokens.registries_tokens_find_by_id(rid, tid)


def test_errors_parse_as_api_errors(client: Any) -> None:
    registries = ic.RegistriesApi(client)
    with pytest.raises(NotFoundException) as exc:
        registries.registries_find_by_id("00000000-0000-4000-8000-000000000000")
    assert exc.value.status == 404
    assert exc.value.data is not None and exc.value.data.http_status == 404
    assert exc.value.data.messages[0].error_code


def test_unauthenticated_client_gets_401(emu: RunningEmulator) -> None:
    with _client(emu, basic=False) as anonymous, pytest.raises(UnauthorizedException):
        ic.RegistriesApi(anonymous).registries_get()


def test_bearer_token_and_repositories(emu: RunningEmulator) -> None:
    # The 1.1.0 endpoints (repositories, artifacts) are Bearer-only in the SDK.
    with _client(emu, basic=False, token=BEARER) as client:
        rid = _create(client, "sdk-repos").id
        digest = "sha256:" + "b" * 64
        emu.admin.seed_repository(rid, "team/app", [{"digest": digest, "tags": ["v1"]}])
        repos = ic.RepositoriesApi(client)
        listed = repos.registries_repositories_get(rid, offset=0, limit=10, order_by="-lastPush")
        assert [r.properties.name for r in listed.items] == ["team/app"]
        one = repos.registries_repositories_find_by_name(rid, "team/app")
        assert one.metadata.artifact_count == 1
        arts = ic.ArtifactsApi(client)
        assert [
            a.properties.digest
            for a in arts.registries_repositories_artifacts_get(rid, "team/app").items
        ] == [digest]
        art = arts.registries_repositories_artifacts_find_by_digest(rid, "team/app", digest)
        assert art.properties.tags == ["v1"]
        assert arts.registries_artifacts_get(rid).items[0].id == digest
        vulns = arts.registries_repositories_artifacts_vulnerabilities_get(rid, "team/app", digest)
        assert len(vulns.items) == art.metadata.vuln_total_count  # scanned like a push
        repos.registries_repositories_delete(rid, "team/app")
        with pytest.raises(NotFoundException):
            repos.registries_repositories_find_by_name(rid, "team/app")
        with pytest.raises(NotFoundException):
            ic.VulnerabilitiesApi(client).vulnerabilities_find_by_id("CVE-2020-0001")


def test_vulnerability_answers_parse(emu: RunningEmulator) -> None:
    """Non-empty vulnerability data through every endpoint that carries it."""
    with _client(emu, basic=False, token=BEARER) as client:
        rid = _create(client, "sdk-vulns").id
        digest = "sha256:" + "c" * 64
        emu.admin.seed_repository(rid, "team/app", [{"digest": digest, "tags": ["v1"]}])
        found = ["CVE-2099-10001", "CVE-2099-10004", "CVE-2099-10011", "CVE-2099-10014"]
        custom = {
            "id": "GHSA-sdk-0001",
            "severity": "medium",
            "score": 5,
            "fixable": True,
            "description": "defined by the test",
            "affects": [{"type": "pypi", "name": "demo", "version": "1.0"}],
            "references": ["https://example.com/advisory"],
            "publishedAt": "2025-03-04T05:06:07Z",
            "updatedAt": "2025-03-05T00:00:00Z",
        }
        emu.admin.set_vulnerabilities(rid, "team/app", digest, [*found, custom])
        arts = ic.ArtifactsApi(client)

        listed = arts.registries_repositories_artifacts_vulnerabilities_get(
            rid, "team/app", digest, offset=0, limit=3, order_by="-score"
        )
        assert listed.id == "vulnerabilities" and listed.type == "collection"
        assert [v.id for v in listed.items] == [
            "CVE-2099-10001",
            "CVE-2099-10004",
            "CVE-2099-10011",
        ]
        assert listed.links.next and listed.links.prev is None and listed.links.var_self
        first = listed.items[0]
        assert first.type == "vulnerability" and first.href.endswith("/CVE-2099-10001")
        assert first.metadata.published_at.tzinfo is not None
        assert first.properties.severity == "critical" and first.properties.score == 9.8
        assert first.properties.fixable is True and first.properties.recommendations
        assert first.properties.data_source.id == "osv" and first.properties.data_source.url
        assert first.properties.affects[0].name == "libc6"
        assert first.properties.references

        high_fixable = arts.registries_repositories_artifacts_vulnerabilities_get(
            rid, "team/app", digest, filter_severity="medium", filter_fixable=True
        )
        assert [v.id for v in high_fixable.items] == ["GHSA-sdk-0001"]
        assert high_fixable.items[0].metadata.updated_at is not None

        one = ic.VulnerabilitiesApi(client).vulnerabilities_find_by_id("GHSA-sdk-0001")
        assert one.properties.affects[0].version == "1.0"
        assert one.properties.description == "defined by the test"

        art = arts.registries_repositories_artifacts_find_by_digest(rid, "team/app", digest)
        meta = art.metadata
        assert (meta.vuln_max_severity, meta.vuln_total_count, meta.vuln_fixable_count) == (
            "critical",
            5,
            3,
        )
        assert meta.vuln_total_score == 32.1  # 9.8 + 8.1 + 5.9 + 3.3 + 5
        assert meta.last_scanned_at is not None

        by_vuln = arts.registries_artifacts_get(rid, filter_vulnerability_id="GHSA-sdk-0001")
        assert [a.id for a in by_vuln.items] == [digest]
        assert by_vuln.items[0].metadata.vuln_max_severity == "critical"
        repo = ic.RepositoriesApi(client).registries_repositories_find_by_name(rid, "team/app")
        assert repo.metadata.last_severity == "critical"
        severe = ic.RepositoriesApi(client).registries_repositories_get(
            rid, filter_vulnerability_severity="critical"
        )
        assert [r.id for r in severe.items] == ["team/app"]


def test_no_response_is_unparseable(emu: RunningEmulator, client: Any) -> None:
    """Every call above went through the SDK's deserialiser; none may have failed to parse."""
    _create(client, "parse-check")
    ic.RegistriesApi(client).registries_get()
    for entry in emu.admin.requests():
        assert entry["status"] != 500
    with pytest.raises(ApiException) as exc:
        ic.RegistriesApi(client).registries_find_by_id("not-a-uuid")
    assert exc.value.status == 400


def test_sdk_retries_injected_429_using_retry_after(emu: RunningEmulator) -> None:
    emu.admin.set_faults(error_rate=1.0, error_statuses=[429], path_pattern="/locations$")
    cfg = ic.Configuration(host=emu.base_url, username=USER, password=PASSWORD)
    cfg.max_retries = 3
    cfg.wait_time = 0
    with ic.ApiClient(cfg) as api_client, pytest.raises(ApiException) as exc:
        ic.LocationsApi(api_client).locations_get()
    assert exc.value.status == 429
    log = [e for e in emu.admin.requests() if e["path"].endswith("/locations")]
    assert len(log) >= 2  # the SDK honoured Retry-After (0 or 1 s) and retried
    assert all(e["fault"] == "error:429" for e in log)
    emu.admin.clear_faults()
    with _client(emu) as api_client:
        assert ic.LocationsApi(api_client).locations_get().items
