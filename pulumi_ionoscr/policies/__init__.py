"""pulumi-policy policies for IONOS Container Registry resources.

Importing this module starts nothing: it only defines policy objects. Run them as the ready pack
in ``policies/ionoscr`` (``pulumi preview --policy-pack policies/ionoscr``), or compose them into
your own pack's ``__main__.py``::

    from pulumi_policy import EnforcementLevel, PolicyPack
    from pulumi_ionoscr.policies import POLICIES, token_expiry

    PolicyPack("acme", policies=[*POLICIES, my_policy],
               initial_config={token_expiry.name: {"maxDays": 90}})

Every policy applies the rules of `pulumi_ionoscr._validation` (the ones the providers' check
applies), reads its config with defaults applied in code (the Python SDK does not apply schema
defaults), and never reports a value that is unknown during preview.

=======================================  =========  =============================================
policy                                   level      config (default)
=======================================  =========  =============================================
ionoscr-registry-name                    mandatory  prefix (""), pattern ("")
ionoscr-registry-location                mandatory  allowedLocations (KNOWN_LOCATIONS)
ionoscr-registry-vulnerability-scanning  advisory   require ("explicit"; or enabled, disabled)
ionoscr-registry-gc-schedule             advisory   minDaysPerWeek (1)
ionoscr-registry-api-allow-list          mandatory  requireNonEmptyForStacks ([])
ionoscr-token-expiry                     mandatory  maxDays (365), requireExpiry (true)
ionoscr-token-least-privilege            mandatory  allowWildcardPush (false), deleteAllowedOn ([])
ionoscr-token-scopes-declared (stack)    advisory   allowWildcard (true), externalRepositories ([])
ionoscr-tokens-per-registry (stack)      mandatory  maxTokensPerRegistry (10)
=======================================  =========  =============================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

try:
    from pulumi_policy import EnforcementLevel, Policy, PolicyPack
except ImportError as missing:  # the policies are an optional extra
    raise ImportError(
        "pulumi_ionoscr.policies needs pulumi-policy: pip install 'pulumi-ionoscr[policy]'"
    ) from missing

from ._common import (
    REGISTRY_TYPE,
    REPOSITORY_TYPE,
    TOKEN_TYPE,
    PolicyConfigError,
    config_with_defaults,
    plain,
)
from ._registry_policies import (
    registry_allow_list,
    registry_gc_schedule,
    registry_location,
    registry_name,
    registry_vulnerability_scanning,
)
from ._stack_policies import token_scopes_declared, tokens_per_registry
from ._token_policies import token_expiry, token_least_privilege

__all__ = [
    "DEFAULT_PACK_NAME",
    "POLICIES",
    "REGISTRY_TYPE",
    "REPOSITORY_TYPE",
    "TOKEN_TYPE",
    "PolicyConfigError",
    "all_policies",
    "build_pack",
    "config_with_defaults",
    "plain",
    "registry_allow_list",
    "registry_gc_schedule",
    "registry_location",
    "registry_name",
    "registry_vulnerability_scanning",
    "token_expiry",
    "token_least_privilege",
    "token_scopes_declared",
    "tokens_per_registry",
]

DEFAULT_PACK_NAME = "ionoscr"

#: Every ionoscr policy, in the order of issue 7.
POLICIES: tuple[Policy, ...] = (
    registry_name,
    registry_location,
    registry_vulnerability_scanning,
    registry_gc_schedule,
    registry_allow_list,
    token_expiry,
    token_least_privilege,
    token_scopes_declared,
    tokens_per_registry,
)


def all_policies() -> list[Policy]:
    """A new list of every ionoscr policy (add your own before building a pack)."""
    return list(POLICIES)


def build_pack(
    name: str = DEFAULT_PACK_NAME,
    *,
    extra_policies: Iterable[Policy] = (),
    initial_config: Mapping[str, EnforcementLevel | dict[str, Any]] | None = None,
    enforcement_level: EnforcementLevel | None = None,
    description: str | None = None,
) -> NoReturn:
    """Build the `PolicyPack` of every ionoscr policy plus `extra_policies`, and serve it.

    `PolicyPack(...)` starts the analyzer's gRPC server and never returns, so call this only as
    the last statement of a pack's ``__main__.py``. `initial_config` is config set in code (the
    CLI's ``--policy-pack-config`` still overrides it); `enforcement_level` applies to policies
    that have none (all ionoscr policies have one).
    """
    PolicyPack(
        name=name,
        policies=[*POLICIES, *extra_policies],
        enforcement_level=enforcement_level,
        initial_config=dict(initial_config) if initial_config is not None else None,
        description=description
        or "IONOS Container Registry: valid names and locations, explicit scanning, garbage "
        "collection, closed API allow lists and least-privilege, expiring tokens.",
    )
    raise SystemExit(0)  # PolicyPack serves until interrupted
