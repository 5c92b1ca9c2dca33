"""Scan results as data: the artifacts (images) of a registry and what their vulnerability scans
found. Plain functions returning frozen dataclasses, with `*_output` twins, like the lookups
in `_lookups` (same configuration, the client imported only when one runs)::

    import pulumi_ionoscr as cr

    for artifact in cr.get_artifacts(registry_id, "team/app"):
        if artifact.vuln_max_severity == "critical":
            for vuln in cr.get_vulnerabilities(registry_id, "team/app", artifact.digest):
                print(vuln.id, vuln.score, [p.name for p in vuln.affects])

Scans exist only in registries with `vulnerability_scanning` on; elsewhere an artifact's
`last_scanned_at` and `vuln_*` figures are None and it has no vulnerabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

from . import _validation as rules
from ._config import ClientSettings
from ._lookups import connect

if TYPE_CHECKING:
    from ._models import Artifact, Vulnerability

__all__ = [
    "AffectedPackage",
    "ArtifactInfo",
    "VulnerabilityInfo",
    "get_artifacts",
    "get_artifacts_output",
    "get_vulnerabilities",
    "get_vulnerabilities_output",
]


@dataclass(frozen=True)
class ArtifactInfo:
    """One artifact (an image manifest) of a repository, with its scan summary.

    `vuln_max_severity` is `critical`, `high`, `medium`, `low`, ... or None; the `vuln_*`
    figures and `last_scanned_at` are None until the artifact has been scanned.
    """

    registry_id: str
    repository: str
    digest: str
    tags: tuple[str, ...]
    media_type: str
    push_count: int
    pull_count: int
    last_pushed_at: str | None
    last_pulled_at: str | None
    last_scanned_at: str | None
    vuln_max_severity: str | None
    vuln_total_count: int | None
    vuln_fixable_count: int | None
    vuln_total_score: float | None

    @classmethod
    def _from_model(cls, registry_id: str, artifact: Artifact) -> ArtifactInfo:
        meta, props = artifact.metadata, artifact.properties
        return cls(
            registry_id=registry_id,
            repository=props.repository_name,
            digest=props.digest,
            tags=tuple(props.tags),
            media_type=props.media_type,
            push_count=meta.push_count,
            pull_count=meta.pull_count,
            last_pushed_at=meta.last_pushed_at,
            last_pulled_at=meta.last_pulled_at,
            last_scanned_at=meta.last_scanned_at,
            vuln_max_severity=meta.vuln_max_severity,
            vuln_total_count=meta.vuln_total_count,
            vuln_fixable_count=meta.vuln_fixable_count,
            vuln_total_score=meta.vuln_total_score,
        )


@dataclass(frozen=True)
class AffectedPackage:
    """A package a vulnerability affects: `type` (deb, npm, pypi, golang, ...), name, version."""

    type: str
    name: str
    version: str


@dataclass(frozen=True)
class VulnerabilityInfo:
    """One finding of an artifact's scan: the advisory `id` (e.g. a CVE id), its `severity`
    (lowercase: critical, high, medium, low, ...) and CVSS `score`, whether a fixed version
    exists (`fixable`), and the packages of the image it affects."""

    id: str
    severity: str
    score: float
    fixable: bool
    description: str
    recommendations: str | None
    affects: tuple[AffectedPackage, ...]
    references: tuple[str, ...]
    data_source: str | None
    data_source_url: str | None
    published_at: str | None
    updated_at: str | None

    @classmethod
    def _from_model(cls, vulnerability: Vulnerability) -> VulnerabilityInfo:
        props, source = vulnerability.properties, vulnerability.properties.data_source
        return cls(
            id=vulnerability.id,
            severity=props.severity.lower(),
            score=props.score,
            fixable=props.fixable,
            description=props.description,
            recommendations=props.recommendations,
            affects=tuple(AffectedPackage(p.type, p.name, p.version) for p in props.affects),
            references=tuple(props.references),
            data_source=source.id if source else None,
            data_source_url=source.url if source else None,
            published_at=vulnerability.metadata.published_at,
            updated_at=vulnerability.metadata.updated_at,
        )


def get_artifacts(
    registry_id: str,
    repository: str | None = None,
    *,
    vulnerability_id: str | None = None,
    order_by: str | None = None,
    settings: ClientSettings | None = None,
) -> list[ArtifactInfo]:
    """The artifacts of one repository, or with `repository=None` of the whole registry.

    `vulnerability_id` (whole registry only, as in the API): just the artifacts affected by
    that advisory. `order_by`: the API's sort key, e.g. `-lastPush` (the default for a
    repository), `-pullCount` (the default for a registry), `-vulnMaxSeverity`. Raises
    `NotFoundError` for an unknown registry or a repository nothing was pushed to.
    """
    registry_id = rules.registry_id(registry_id)
    if repository is not None:
        repository = rules.repository_name(repository, field="repository")
        if vulnerability_id is not None:
            raise TypeError("get_artifacts: vulnerability_id filters a whole registry's artifacts")
    with connect(settings) as client:
        found = client.list_artifacts(
            registry_id, repository, order_by=order_by, vulnerability_id=vulnerability_id
        )
    return [ArtifactInfo._from_model(registry_id, a) for a in found]


def get_vulnerabilities(
    registry_id: str,
    repository: str,
    digest: str,
    *,
    severity: str | None = None,
    fixable: bool | None = None,
    order_by: str | None = None,
    settings: ClientSettings | None = None,
) -> list[VulnerabilityInfo]:
    """What the last scan of the artifact `digest` (`sha256:...`) in `repository` found,
    highest score first unless `order_by` says otherwise (`-severity`, `publishedAt`, ...).

    `severity` keeps one severity (`critical`, `high`, ...), `fixable` only findings that have
    (True) or lack (False) a fixed version. An artifact that was not scanned has none.
    Raises `NotFoundError` for an unknown registry, repository or digest.
    """
    registry_id = rules.registry_id(registry_id)
    repository = rules.repository_name(repository, field="repository")
    with connect(settings) as client:
        found = client.list_vulnerabilities(
            registry_id,
            repository,
            digest,
            severity=severity,
            fixable=fixable,
            order_by=order_by,
        )
    return [VulnerabilityInfo._from_model(v) for v in found]


def get_artifacts_output(
    registry_id: pulumi.Input[str],
    repository: pulumi.Input[str] | None = None,
    *,
    vulnerability_id: pulumi.Input[str] | None = None,
    order_by: str | None = None,
    settings: ClientSettings | None = None,
) -> pulumi.Output[list[ArtifactInfo]]:
    """`get_artifacts` for arguments that may be Outputs (e.g. `Repository.name`)."""
    return pulumi.Output.all(registry_id, repository, vulnerability_id).apply(
        lambda v: get_artifacts(
            v[0], v[1], vulnerability_id=v[2], order_by=order_by, settings=settings
        )
    )


def get_vulnerabilities_output(
    registry_id: pulumi.Input[str],
    repository: pulumi.Input[str],
    digest: pulumi.Input[str],
    *,
    severity: str | None = None,
    fixable: bool | None = None,
    order_by: str | None = None,
    settings: ClientSettings | None = None,
) -> pulumi.Output[list[VulnerabilityInfo]]:
    """`get_vulnerabilities` for arguments that may be Outputs."""
    return pulumi.Output.all(registry_id, repository, digest).apply(
        lambda v: get_vulnerabilities(
            v[0],
            v[1],
            v[2],
            severity=severity,
            fixable=fixable,
            order_by=order_by,
            settings=settings,
        )
    )
