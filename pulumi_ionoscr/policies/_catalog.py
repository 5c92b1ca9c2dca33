"""The ionoscr policies as one collection, and the pack built from them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from pulumi_policy import EnforcementLevel, Policy, PolicyPack

from ._registry_policies import (
    registry_allow_list,
    registry_gc_schedule,
    registry_location,
    registry_name,
    registry_vulnerability_scanning,
)
from ._stack_policies import token_scopes_declared, tokens_per_registry
from ._token_policies import token_expiry, token_least_privilege

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
