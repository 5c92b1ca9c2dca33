"""Wire format of the management API's resources: backend records -> the API's JSON.

Shapes follow the reference field for field (registries and tokens with `href: ""`, the 1.1.0
resources with absolute hrefs and `_links{prev,self,next}`); nothing here decides anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from ._checks import format_time
from ._state import Artifact, Page, Registry, Repository, Token
from ._vulns import Advisory

__all__ = [
    "artifact_wire",
    "offset_links",
    "registry_wire",
    "repository_wire",
    "token_wire",
    "vulnerability_wire",
]


def _metadata(
    created_by: str,
    created_by_user_id: str,
    created_at: float,
    modified_by: str | None,
    modified_by_user_id: str | None,
    modified_at: float | None,
    state: str,
) -> dict[str, Any]:
    md: dict[str, Any] = {
        "createdBy": created_by,
        "createdByUserId": created_by_user_id,
        "createdDate": format_time(created_at),
    }
    if modified_at is not None:
        md["lastModifiedBy"] = modified_by
        md["lastModifiedByUserId"] = modified_by_user_id
        md["lastModifiedDate"] = format_time(modified_at)
    md["state"] = state
    return md


def registry_wire(reg: Registry) -> dict[str, Any]:
    props: dict[str, Any] = {"name": reg.name, "location": reg.location}
    if reg.schedule is not None:
        props["garbageCollectionSchedule"] = reg.schedule.to_wire()
    storage: dict[str, Any] = {"bytes": reg.storage_bytes}
    if reg.storage_updated_at is not None:
        storage["updatedAt"] = format_time(reg.storage_updated_at)
    props["storageUsage"] = storage
    props["hostname"] = reg.hostname
    vs: dict[str, Any] = {"enabled": reg.vulnerability_scanning}
    if reg.vulnerability_properties is not None:
        vs["properties"] = reg.vulnerability_properties
    props["features"] = {"vulnerabilityScanning": vs}
    props["apiSubnetAllowList"] = list(reg.allow_list)
    return {
        "id": reg.id,
        "type": "registry",
        "href": "",
        "metadata": _metadata(
            reg.created_by,
            reg.created_by_user_id,
            reg.created_at,
            reg.modified_by,
            reg.modified_by_user_id,
            reg.modified_at,
            reg.state,
        ),
        "properties": props,
    }


def token_wire(tok: Token, password: str | None = None) -> dict[str, Any]:
    return {
        "id": tok.id,
        "type": "token",
        "href": "",
        "metadata": _metadata(
            tok.created_by,
            tok.created_by_user_id,
            tok.created_at,
            tok.modified_by,
            tok.modified_by_user_id,
            tok.modified_at,
            tok.status,
        ),
        "properties": {
            "name": tok.name,
            "scopes": None if tok.scopes is None else [s.to_wire() for s in tok.scopes],
            "expiryDate": tok.expiry_date,
            "status": tok.status,
            "credentials": {"username": tok.name, "password": password or ""},
        },
    }


def _ts(value: float | None) -> str | None:
    return None if value is None else format_time(value)


def _metadata_base(created_date: str | None) -> dict[str, Any]:
    """The 1.1.0 `Metadata` base fields: null in every captured response."""
    return {
        "createdDate": created_date,
        "createdBy": None,
        "createdByUserId": None,
        "lastModifiedDate": None,
        "lastModifiedBy": None,
        "lastModifiedByUserId": None,
        "resourceURN": None,
    }


def repository_wire(base: str, registry_id: str, repo: Repository) -> dict[str, Any]:
    return {
        "id": repo.name,
        "type": "repository",
        "href": f"{base}/registries/{registry_id}/repositories/{quote(repo.name, safe='')}",
        "metadata": {
            **_metadata_base(format_time(repo.created_at)),
            "artifactCount": len(repo.artifacts),
            "pullCount": repo.pull_count,
            "pushCount": repo.push_count,
            "lastPulledAt": _ts(repo.last_pulled_at),
            "lastPushedAt": _ts(repo.last_pushed_at),
            "lastSeverity": repo.last_severity,
        },
        "properties": {"name": repo.name},
    }


def artifact_wire(base: str, registry_id: str, repo_name: str, art: Artifact) -> dict[str, Any]:
    return {
        "id": art.digest,
        "type": "artifact",
        "href": (
            f"{base}/registries/{registry_id}/repositories/{quote(repo_name, safe='')}"
            f"/artifacts/{quote(art.digest, safe='')}"
        ),
        "metadata": {
            **_metadata_base(None),
            "lastPushedAt": _ts(art.last_pushed_at),
            "lastPulledAt": _ts(art.last_pulled_at),
            "lastScannedAt": _ts(art.last_scanned_at),
            "pushCount": art.push_count,
            "pullCount": art.pull_count,
            "vulnMaxSeverity": art.vuln_max_severity,
            "vulnTotalScore": art.vuln_total_score,
            "vulnTotalCount": art.vuln_total_count,
            "vulnFixableCount": art.vuln_fixable_count,
        },
        "properties": {
            "repositoryName": repo_name,
            "digest": art.digest,
            "tags": list(art.tags),
            "mediaType": art.media_type,
        },
    }


def offset_links(url: str, params: Mapping[str, str], page: Page) -> dict[str, str]:
    """`_links{prev,self,next}` of the 1.1.0 lists (prev/next only when they exist)."""

    def link(offset: int) -> str:
        q = dict(params)
        q["offset"] = str(offset)
        q["limit"] = str(page.limit)
        return f"{url}?{urlencode(q)}"

    links: dict[str, str] = {"self": link(page.offset)}
    if page.offset > 0:
        links["prev"] = link(max(page.offset - page.limit, 0))
    if page.offset + page.limit < page.total:
        links["next"] = link(page.offset + page.limit)
    return {k: links[k] for k in ("prev", "self", "next") if k in links}


def vulnerability_wire(base: str, adv: Advisory) -> dict[str, Any]:
    """`VulnerabilityRead`: the same shape in an artifact's list and at its own URL."""
    return {
        "id": adv.id,
        "type": "vulnerability",
        "href": f"{base}/vulnerabilities/{quote(adv.id, safe='')}",
        "metadata": {
            "publishedAt": format_time(adv.published_at),
            "updatedAt": _ts(adv.updated_at),
        },
        "properties": {
            "description": adv.description,
            "recommendations": adv.recommendations,
            "dataSource": {"id": adv.data_source_id, "url": adv.data_source_url},
            "fixable": adv.fixable,
            "affects": [dict(p) for p in adv.affects],
            "references": list(adv.references),
            "severity": adv.severity,
            "score": adv.score,
        },
    }
