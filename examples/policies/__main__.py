"""Everything the ionoscr policy pack warns about or blocks, in one small stack.

The provider accepts all of it, so `pulumi up` without a policy pack succeeds; with
`--policy-pack ../../policies/ionoscr` the preview fails on the mandatory policies and warns on
the advisory ones. Each violation is marked below, with the compliant spelling next to it.
"""

from __future__ import annotations

import pulumi

import pulumi_ionoscr as cr

registry = cr.Registry(
    "open",
    location="de/fra",
    # ionoscr-registry-api-allow-list (mandatory): 0.0.0.0/0 admits every address.
    # Compliant: the addresses your CI and admins use, e.g. ["203.0.113.0/24"].
    api_subnet_allow_list=["0.0.0.0/0"],
    # ionoscr-registry-gc-schedule (advisory): no garbage_collection_schedule.
    # ionoscr-registry-vulnerability-scanning (advisory): vulnerability_scanning not set.
)

everything = cr.RegistryToken(
    "everything",
    registry_id=registry.registry_id,
    # ionoscr-token-least-privilege (mandatory): push and delete on every repository.
    # Compliant: [cr.TokenScope(name="app", actions=["pull", "push"])].
    scopes=[cr.TokenScope(name="*", actions=["pull", "push", "delete"])],
    # ionoscr-token-expiry (mandatory): no expiry_date, so it never expires.
    # Compliant: a date at most a year ahead, e.g. expiry_date="2027-06-01".
)

pulumi.export("registry_id", registry.registry_id)
pulumi.export("token_password", everything.password)  # secret
