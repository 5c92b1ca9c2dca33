"""Pydantic models of the IONOS Container Registry API wire format.

Responses are tolerant: unknown fields the API may add are ignored and most fields are optional,
because the real API leaves out what the spec calls required. Requests are strict: unknown fields
are refused and only what was set is sent (`body()`), so a PATCH carries exactly the change,
including an explicit `null` or `[]` where the user cleared something.

Every model defers building its validator to first use (`defer_build`): a provider process pays
only for the models its calls need (a `check` that lists locations builds two of ~35).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

__all__ = [
    "Artifact",
    "ArtifactList",
    "Credentials",
    "Location",
    "Registry",
    "RegistryCreate",
    "RegistryFeatures",
    "RegistryList",
    "RegistryPatch",
    "Repository",
    "RepositoryList",
    "Scope",
    "Token",
    "TokenCreate",
    "TokenList",
    "TokenPatch",
    "Vulnerability",
    "VulnerabilityList",
    "VulnerabilityScanning",
    "WeeklySchedule",
]


class _Response(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", defer_build=True
    )


class _Request(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", defer_build=True
    )

    def body(self) -> dict[str, Any]:
        """The JSON body: camelCase names, only the fields that were set."""
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")


# ---- shared pieces ---------------------------------------------------------------------------


class WeeklySchedule(_Request):
    days: list[str]
    time: str


class VulnerabilityScanning(_Request):
    enabled: bool


class RegistryFeatures(_Request):
    vulnerability_scanning: VulnerabilityScanning | None = None


class Scope(_Request):
    name: str
    type: str
    actions: list[str]


class _ResponseSchedule(_Response):
    days: list[str] = Field(default_factory=list)
    time: str = ""


class _ResponseFeature(_Response):
    enabled: bool = True


class _ResponseFeatures(_Response):
    vulnerability_scanning: _ResponseFeature | None = None


class _ResponseScope(_Response):
    name: str = ""
    type: str = ""
    actions: list[str] = Field(default_factory=list)


class Metadata(_Response):
    created_by: str | None = None
    created_by_user_id: str | None = None
    created_date: str | None = None
    last_modified_by: str | None = None
    last_modified_date: str | None = None
    state: str | None = None


class Location(_Response):
    id: str


class _LocationList(_Response):
    items: list[Location] = Field(default_factory=list)


# ---- registries ------------------------------------------------------------------------------


class StorageUsage(_Response):
    bytes: int = 0
    updated_at: str | None = None


class RegistryProperties(_Response):
    name: str
    location: str
    hostname: str = ""
    garbage_collection_schedule: _ResponseSchedule | None = None
    features: _ResponseFeatures | None = None
    api_subnet_allow_list: list[str] | None = None
    storage_usage: StorageUsage | None = None


class Registry(_Response):
    id: str
    metadata: Metadata = Field(default_factory=Metadata)
    properties: RegistryProperties

    @property
    def state(self) -> str:
        return self.metadata.state or ""

    @property
    def vulnerability_scanning(self) -> bool | None:
        features = self.properties.features
        if features is None or features.vulnerability_scanning is None:
            return None
        return features.vulnerability_scanning.enabled


class _RegistryPagination(_Response):
    limit: int = 0
    token: str | None = None


class RegistryList(_Response):
    items: list[Registry] = Field(default_factory=list)
    pagination: _RegistryPagination | None = None


class RegistryCreate(_Request):
    """Body of POST/PUT /registries (sent wrapped in `properties`)."""

    name: str
    location: str
    garbage_collection_schedule: WeeklySchedule | None = None
    features: RegistryFeatures | None = None
    api_subnet_allow_list: list[str] | None = None


class RegistryPatch(_Request):
    """Body of PATCH /registries/{id}: a bare object, only mutable fields."""

    garbage_collection_schedule: WeeklySchedule | None = None
    features: RegistryFeatures | None = None
    api_subnet_allow_list: list[str] | None = None


# ---- tokens ----------------------------------------------------------------------------------


class Credentials(_Response):
    username: str = ""
    password: str = Field(default="", repr=False)


class TokenProperties(_Response):
    name: str
    credentials: Credentials = Field(default_factory=Credentials)
    expiry_date: str | None = None
    scopes: list[_ResponseScope] | None = None
    status: str = "enabled"


class Token(_Response):
    id: str
    metadata: Metadata = Field(default_factory=Metadata)
    properties: TokenProperties


class TokenList(_Response):
    items: list[Token] = Field(default_factory=list)
    count: int = 0
    offset: int = 0
    limit: int = 0
    total: int | None = None


class TokenCreate(_Request):
    """Body of POST/PUT /registries/{id}/tokens (sent wrapped in `properties`)."""

    name: str
    expiry_date: str | None = None
    scopes: list[Scope] | None = None
    status: Literal["enabled", "disabled"] | None = None


class TokenPatch(_Request):
    """Body of PATCH /registries/{id}/tokens/{tokenId}; `expiry_date=None` clears the expiry."""

    expiry_date: str | None = None
    scopes: list[Scope] | None = None
    status: Literal["enabled", "disabled"] | None = None


# ---- repositories and artifacts --------------------------------------------------------------


class RepositoryMetadata(_Response):
    artifact_count: int = 0
    pull_count: int = 0
    push_count: int = 0
    last_pulled_at: str | None = None
    last_pushed_at: str | None = None
    last_severity: str | None = None


class _RepositoryProperties(_Response):
    name: str


class Repository(_Response):
    id: str
    metadata: RepositoryMetadata = Field(default_factory=RepositoryMetadata)
    properties: _RepositoryProperties


class _Links(_Response):
    next: str | None = None


class RepositoryList(_Response):
    items: list[Repository] = Field(default_factory=list)
    offset: int = 0
    limit: int = 0
    links: _Links | None = Field(default=None, alias="_links")


class ArtifactMetadata(_Response):
    last_pushed_at: str | None = None
    last_pulled_at: str | None = None
    last_scanned_at: str | None = None
    push_count: int = 0
    pull_count: int = 0
    vuln_max_severity: str | None = None
    vuln_total_score: float | None = None
    vuln_total_count: int | None = None
    vuln_fixable_count: int | None = None


class ArtifactProperties(_Response):
    repository_name: str = ""
    digest: str
    tags: list[str] = Field(default_factory=list)
    media_type: str = ""


class Artifact(_Response):
    id: str
    metadata: ArtifactMetadata = Field(default_factory=ArtifactMetadata)
    properties: ArtifactProperties


class ArtifactList(_Response):
    items: list[Artifact] = Field(default_factory=list)
    offset: int = 0
    limit: int = 0
    links: _Links | None = Field(default=None, alias="_links")


# ---- vulnerabilities --------------------------------------------------------------------------


class VulnerabilityMetadata(_Response):
    published_at: str | None = None
    updated_at: str | None = None


class DataSource(_Response):
    id: str | None = None
    url: str | None = None


class Purl(_Response):
    """A package a vulnerability affects (`type` e.g. deb, npm, pypi)."""

    type: str = ""
    name: str = ""
    version: str = ""


class VulnerabilityProperties(_Response):
    description: str = ""
    recommendations: str | None = None
    data_source: DataSource | None = None
    fixable: bool = False
    affects: list[Purl] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)
    severity: str = ""
    score: float = 0.0


class Vulnerability(_Response):
    id: str
    metadata: VulnerabilityMetadata = Field(default_factory=VulnerabilityMetadata)
    properties: VulnerabilityProperties = Field(default_factory=VulnerabilityProperties)


class VulnerabilityList(_Response):
    items: list[Vulnerability] = Field(default_factory=list)
    offset: int = 0
    limit: int = 0
    links: _Links | None = Field(default=None, alias="_links")
