"""Stack policies: token scopes against the repositories a stack declares, and tokens per registry.

Tokens and repositories point at their registry through ``registry_id``. A stack validation sees
outputs, so a `Registry` exposes its id as the ``registry_id`` output. During a preview of new
resources those ids are unknown; then the property dependency of ``registry_id`` (the engine
records which resource an input came from) still names the registry. A resource whose registry
cannot be told either way is left out: unknowns are never violations.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from ._common import (
    REGISTRY_TYPE,
    REPOSITORY_TYPE,
    TOKEN_TYPE,
    config_with_defaults,
    describe,
    is_unknown,
    matches_any,
    plain,
    schema,
)
from ._token_policies import known_scopes

__all__ = ["StackView", "token_scopes_declared", "tokens_per_registry"]


@dataclass
class _Registry:
    """What the stack says about one registry (by key, see `StackView.registry_key`)."""

    key: str
    resource: PolicyResource | None = None
    repositories: set[str] = field(default_factory=set)
    repositories_complete: bool = True  # False when a repository name is unknown
    tokens: list[tuple[PolicyResource, dict[str, Any]]] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.resource is not None:
            props = plain(self.resource.props)
            return describe(REGISTRY_TYPE, self.resource.urn, props)
        return f"registry {self.key.removeprefix('id:')!r} (not managed in this stack)"


class StackView:
    """The ionoscr resources of a stack grouped by registry."""

    def __init__(self, resources: Sequence[PolicyResource]) -> None:
        self.registries: dict[str, _Registry] = {}
        self._by_id: dict[str, PolicyResource] = {}
        for resource in resources:
            if resource.resource_type == REGISTRY_TYPE:
                self._entry(f"urn:{resource.urn}").resource = resource
                reg_id = plain(resource.props).get("registry_id")
                if isinstance(reg_id, str) and reg_id and not is_unknown(reg_id):
                    self._by_id[reg_id] = resource
        for resource in resources:
            if resource.resource_type not in (REPOSITORY_TYPE, TOKEN_TYPE):
                continue
            props = plain(resource.props)
            key = self.registry_key(resource, props)
            if key is None:
                continue
            entry = self._entry(key)
            if resource.resource_type == TOKEN_TYPE:
                entry.tokens.append((resource, props))
                continue
            name = props.get("name")
            if isinstance(name, str) and not is_unknown(name):
                entry.repositories.add(name)
            else:
                entry.repositories_complete = False

    def _entry(self, key: str) -> _Registry:
        if key not in self.registries:
            self.registries[key] = _Registry(key)
        return self.registries[key]

    def registry_key(self, resource: PolicyResource, props: Mapping[str, Any]) -> str | None:
        """``urn:<registry urn>`` for a registry in the stack, ``id:<registry id>`` for one
        outside it, None when it cannot be told (unknown id, no dependency on a registry)."""
        reg_id = props.get("registry_id")
        if isinstance(reg_id, str) and reg_id and not is_unknown(reg_id):
            registry = self._by_id.get(reg_id)
            return f"urn:{registry.urn}" if registry is not None else f"id:{reg_id}"
        candidates = resource.property_dependencies.get("registry_id") or resource.dependencies
        registries = {d.urn for d in candidates if d.resource_type == REGISTRY_TYPE}
        if len(registries) == 1:
            return f"urn:{registries.pop()}"
        return None


# --------------------------------------------------------------------------------------------
# 8. scopes name declared repositories

_SCOPES_CONFIG: dict[str, dict[str, Any]] = {
    "allowWildcard": {
        "type": "boolean",
        "default": True,
        "description": (
            "A scope named '*' (every repository) passes. Whether it may push or delete is "
            "ionoscr-token-least-privilege's business."
        ),
    },
    "externalRepositories": {
        "type": "array",
        "items": {"type": "string"},
        "default": [],
        "description": (
            "Repository names (or fnmatch patterns) that exist without a Repository resource in "
            "the stack, e.g. repositories CI creates by pushing."
        ),
    },
}
_SCOPES_SCHEMA = schema(_SCOPES_CONFIG)
_SCOPES_NAME = "ionoscr-token-scopes-declared"


def _validate_scopes(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = config_with_defaults(_SCOPES_NAME, _SCOPES_SCHEMA, args.get_config())
    allow_wildcard: bool = config["allowWildcard"]
    external: list[str] = config["externalRepositories"]
    view = StackView(args.resources)
    for registry in view.registries.values():
        if registry.resource is None and not registry.repositories:
            continue  # a registry this stack neither manages nor declares repositories for
        for token, props in registry.tokens:
            subject = describe(TOKEN_TYPE, token.urn, props)
            scopes = props.get("scopes")
            if is_unknown(scopes):
                continue
            for index, scope, _error in known_scopes(scopes):
                if scope is None or scope["type"] != "repository":
                    continue  # invalid scopes are reported by the token policies
                name = scope["name"]
                if name == "*":
                    if not allow_wildcard:
                        report_violation(
                            f"{subject}: `scopes[{index}]` names '*' (every repository of "
                            f"{registry.label}), which this stack does not allow. Fix: name the "
                            "repositories, or set allowWildcard: true in this policy's config.",
                            token.urn,
                        )
                    continue
                if _declared(name, registry, external):
                    continue
                if not registry.repositories_complete:
                    continue  # an unknown repository name may be this one
                declared = ", ".join(repr(r) for r in sorted(registry.repositories)) or "none"
                report_violation(
                    f"{subject}: `scopes[{index}].name` = {name!r} names no repository declared "
                    f"for {registry.label} (declared: {declared}). Fix: correct the name, declare "
                    "the repository with a Repository resource, or list it in "
                    "externalRepositories in this policy's config.",
                    token.urn,
                )


def _declared(name: str, registry: _Registry, external: list[str]) -> bool:
    if "*" in name:  # a pattern scope passes when it covers a declared repository
        return any(fnmatch.fnmatchcase(repo, name) for repo in registry.repositories) or (
            name in external
        )
    return name in registry.repositories or matches_any(name, external)


token_scopes_declared: StackValidationPolicy = StackValidationPolicy(
    name=_SCOPES_NAME,
    description=(
        "Every token scope names a repository declared in the stack (or '*' where allowed), so "
        "a typo does not grant access to a repository nobody meant."
    ),
    validate=_validate_scopes,
    enforcement_level=EnforcementLevel.ADVISORY,
    config_schema=_SCOPES_SCHEMA,
    remediation_steps=(
        "Declare each repository a token is scoped to with a Repository resource (same "
        "registry), fix misspelt scope names, or list repositories managed elsewhere in "
        "externalRepositories."
    ),
)


# --------------------------------------------------------------------------------------------
# 9. tokens per registry

_TOKENS_CONFIG: dict[str, dict[str, Any]] = {
    "maxTokensPerRegistry": {
        "type": "integer",
        "minimum": 1,
        "default": 10,
        "description": "The most RegistryToken resources one registry may have in a stack.",
    },
}
_TOKENS_SCHEMA = schema(_TOKENS_CONFIG)
_TOKENS_NAME = "ionoscr-tokens-per-registry"


def _validate_token_count(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = config_with_defaults(_TOKENS_NAME, _TOKENS_SCHEMA, args.get_config())
    limit: int = config["maxTokensPerRegistry"]
    for registry in StackView(args.resources).registries.values():
        if len(registry.tokens) <= limit:
            continue
        names = ", ".join(
            repr(props.get("name") or props.get("name_prefix") or token.name)
            for token, props in registry.tokens
        )
        urn = registry.resource.urn if registry.resource is not None else registry.tokens[-1][0].urn
        report_violation(
            f"{registry.label} has {len(registry.tokens)} tokens ({names}); at most {limit} are "
            "allowed (maxTokensPerRegistry). Fix: share tokens between consumers with the same "
            "needs, remove unused ones, or raise maxTokensPerRegistry in this policy's config.",
            urn,
        )


tokens_per_registry: StackValidationPolicy = StackValidationPolicy(
    name=_TOKENS_NAME,
    description="A registry has at most maxTokensPerRegistry tokens in a stack.",
    validate=_validate_token_count,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=_TOKENS_SCHEMA,
    remediation_steps="Consolidate or remove tokens so each registry stays within the limit.",
)
