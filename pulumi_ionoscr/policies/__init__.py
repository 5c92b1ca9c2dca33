"""pulumi-policy policies for IONOS Container Registry resources.

Importing this module starts nothing: it only defines policy objects. Run them as the ready pack
(``python -m pulumi_ionoscr.policies init DIR`` writes it, see docs/policies.md), or compose them
into your own pack's ``__main__.py``::

    from pulumi_policy import EnforcementLevel, PolicyPack
    from pulumi_ionoscr.policies import POLICIES, token_expiry

    PolicyPack("acme", policies=[*POLICIES, my_policy],
               initial_config={token_expiry.name: {"maxDays": 90}})

Every policy applies the rules of `pulumi_ionoscr._validation` (the ones the providers' check
applies), reads its config with defaults applied in code (the Python SDK does not apply schema
defaults), and never reports a value that is unknown during preview.

The policies need the ``policy`` extra (pulumi-policy); without it this module still imports, so
that ``python -m pulumi_ionoscr.policies init`` works, and using any name raises ImportError
saying which extra to install.

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

from typing import TYPE_CHECKING, Any

try:
    import pulumi_policy  # noqa: F401  (only: is the extra installed?)
except ImportError as _missing:  # private name: not part of the module's interface
    _MISSING: ImportError | None = _missing
else:
    _MISSING = None

if _MISSING is None or TYPE_CHECKING:
    from ._catalog import DEFAULT_PACK_NAME, POLICIES, all_policies, build_pack
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


def __getattr__(name: str) -> Any:
    if _MISSING is not None and name in __all__:
        raise ImportError(
            "pulumi_ionoscr.policies needs pulumi-policy: pip install 'pulumi-ionoscr[policy]'"
        ) from _MISSING
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
