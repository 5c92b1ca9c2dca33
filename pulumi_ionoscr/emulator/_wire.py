"""Wire format of the management API's resources: backend records -> the API's JSON.

Shapes follow the reference field for field (registries and tokens with `href: ""`, the 1.1.0
resources with absolute hrefs and `_links{prev,self,next}`). Where the reference leaves the
rendering open, `Style` carries the variants that decide it; nothing else is decided here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from ._checks import format_time
from ._state import Artifact, Page, Registry, Repository, Token
from ._variants import Variants
from ._vulns import Advisory

__all__ = [
    "Style",
    "artifact_wire",
    "offset_links",
    "registry_wire",
    "repository_wire",
    "token_wire",
    "vulnerability_wire",
]

# How each optional field without a value is rendered under `unset-fields=mixed` (the
# emulator's long-standing shapes): None = left out, else present as null.
_NULL = "null"
_OMIT = "absent"


@dataclass(frozen=True)
class Style:
    """The rendering variants: `timestamp-format`, `unset-fields`, `token-disabled-state`,
    `list-links`."""

    timestamps: str
    unset: str
    disabled_state: str
    links: str

    @classmethod
    def of(cls, variants: Variants) -> Style:
        return cls(
            timestamps=variants["timestamp-format"],
            unset=variants["unset-fields"],
            disabled_state=variants["token-disabled-state"],
            links=variants["list-links"],
        )

    def time(self, value: float | None) -> str | None:
        return None if value is None else format_time(value, self.timestamps)

    def put(self, obj: dict[str, Any], key: str, value: Any, mixed: str) -> None:
        """Set `obj[key]`; None is rendered as `unset-fields` says, and under `mixed` as the
        field always was (`mixed`: "null" or "absent")."""
        how = mixed if self.unset == "mixed" else self.unset
        if value is not None or how == _NULL:
            obj[key] = value


def _metadata(
    style: Style,
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
        "createdDate": style.time(created_at),
    }
    style.put(md, "lastModifiedBy", modified_by, _OMIT)
    style.put(md, "lastModifiedByUserId", modified_by_user_id, _OMIT)
    style.put(md, "lastModifiedDate", style.time(modified_at), _OMIT)
    md["state"] = state
    return md


def registry_wire(reg: Registry, style: Style) -> dict[str, Any]:
    props: dict[str, Any] = {"name": reg.name, "location": reg.location}
    schedule = None if reg.schedule is None else reg.schedule.to_wire()
    style.put(props, "garbageCollectionSchedule", schedule, _OMIT)
    storage: dict[str, Any] = {"bytes": reg.storage_bytes}
    style.put(storage, "updatedAt", style.time(reg.storage_updated_at), _OMIT)
    props["storageUsage"] = storage
    props["hostname"] = reg.hostname
    vs: dict[str, Any] = {"enabled": reg.vulnerability_scanning}
    if reg.vulnerability_properties is not None:
        vs["properties"] = reg.vulnerability_properties
    props["features"] = {"vulnerabilityScanning": vs}
    # Under `mixed` an unset allow list is [] (what the emulator always answered).
    unset_list: list[str] | None = None if style.unset != "mixed" else []
    style.put(props, "apiSubnetAllowList", list(reg.allow_list) or unset_list, _OMIT)
    return {
        "id": reg.id,
        "type": "registry",
        "href": "",
        "metadata": _metadata(
            style,
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


def token_wire(tok: Token, style: Style, password: str | None = None) -> dict[str, Any]:
    state = "enabled" if style.disabled_state == "enabled" else tok.status
    props: dict[str, Any] = {"name": tok.name}
    style.put(
        props, "scopes", None if tok.scopes is None else [s.to_wire() for s in tok.scopes], _NULL
    )
    style.put(props, "expiryDate", tok.expiry_date, _NULL)
    props["status"] = tok.status
    props["credentials"] = {"username": tok.name, "password": password or ""}
    return {
        "id": tok.id,
        "type": "token",
        "href": "",
        "metadata": _metadata(
            style,
            tok.created_by,
            tok.created_by_user_id,
            tok.created_at,
            tok.modified_by,
            tok.modified_by_user_id,
            tok.modified_at,
            state,
        ),
        "properties": props,
    }


def _metadata_1_1(style: Style, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A 1.1.0 `Metadata`: the base fields (null in every captured response) and `fields`;
    unset ones are null under `mixed`."""
    base = {
        "createdDate": None,
        "createdBy": None,
        "createdByUserId": None,
        "lastModifiedDate": None,
        "lastModifiedBy": None,
        "lastModifiedByUserId": None,
        "resourceURN": None,
    }
    md: dict[str, Any] = {}
    for key, value in {**base, **fields}.items():
        style.put(md, key, value, _NULL)
    return md


def repository_wire(base: str, registry_id: str, repo: Repository, style: Style) -> dict[str, Any]:
    return {
        "id": repo.name,
        "type": "repository",
        "href": f"{base}/registries/{registry_id}/repositories/{quote(repo.name, safe='')}",
        "metadata": _metadata_1_1(
            style,
            {
                "createdDate": style.time(repo.created_at),
                "artifactCount": len(repo.artifacts),
                "pullCount": repo.pull_count,
                "pushCount": repo.push_count,
                "lastPulledAt": style.time(repo.last_pulled_at),
                "lastPushedAt": style.time(repo.last_pushed_at),
                "lastSeverity": repo.last_severity,
            },
        ),
        "properties": {"name": repo.name},
    }


def artifact_wire(
    base: str, registry_id: str, repo_name: str, art: Artifact, style: Style
) -> dict[str, Any]:
    return {
        "id": art.digest,
        "type": "artifact",
        "href": (
            f"{base}/registries/{registry_id}/repositories/{quote(repo_name, safe='')}"
            f"/artifacts/{quote(art.digest, safe='')}"
        ),
        "metadata": _metadata_1_1(
            style,
            {
                "lastPushedAt": style.time(art.last_pushed_at),
                "lastPulledAt": style.time(art.last_pulled_at),
                "lastScannedAt": style.time(art.last_scanned_at),
                "pushCount": art.push_count,
                "pullCount": art.pull_count,
                "vulnMaxSeverity": art.vuln_max_severity,
                "vulnTotalScore": art.vuln_total_score,
                "vulnTotalCount": art.vuln_total_count,
                "vulnFixableCount": art.vuln_fixable_count,
            },
        ),
        "properties": {
            "repositoryName": repo_name,
            "digest": art.digest,
            "tags": list(art.tags),
            "mediaType": art.media_type,
        },
    }


def offset_links(
    url: str, params: Mapping[str, str], page: Page, style: Style
) -> dict[str, str | None] | None:
    """`_links{prev,self,next}` of the 1.1.0 lists: prev/next only when they exist, or null
    then, or no `_links` at all (variant `list-links`)."""

    def link(offset: int) -> str:
        q = dict(params)
        q["offset"] = str(offset)
        q["limit"] = str(page.limit)
        return f"{url}?{urlencode(q)}"

    if style.links == "absent":
        return None
    links: dict[str, str | None] = {"self": link(page.offset)}
    if page.offset > 0:
        links["prev"] = link(max(page.offset - page.limit, 0))
    if page.offset + len(page.items) < page.total:
        links["next"] = link(page.offset + page.limit)
    if style.links == "null":
        return {k: links.get(k) for k in ("prev", "self", "next")}
    return {k: links[k] for k in ("prev", "self", "next") if k in links}


def vulnerability_wire(base: str, adv: Advisory, style: Style) -> dict[str, Any]:
    """`VulnerabilityRead`: the same shape in an artifact's list and at its own URL."""
    metadata: dict[str, Any] = {"publishedAt": style.time(adv.published_at)}
    style.put(metadata, "updatedAt", style.time(adv.updated_at), _NULL)
    return {
        "id": adv.id,
        "type": "vulnerability",
        "href": f"{base}/vulnerabilities/{quote(adv.id, safe='')}",
        "metadata": metadata,
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
