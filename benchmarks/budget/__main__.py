"""The call-budget stack: 1 registry in de/fra with a garbage-collection schedule and 2 scoped
tokens with an expiry. Config: `runId` (registry names are globally unique), `gcDay` (the
schedule's day; changing it is the "update" step) and `tokenRef`: `registry` (tokens take
`registry=<Registry>`) or `registry_id` (tokens take the id, the only form older releases had).
"""

from __future__ import annotations

import pulumi

import pulumi_ionoscr as cr

config = pulumi.Config()
run_id = config.require("runId")
by_resource = (config.get("tokenRef") or "registry") == "registry"

reg = cr.Registry(
    "main",
    name=f"budget-{run_id}",
    location="de/fra",
    garbage_collection_schedule=cr.GarbageCollectionSchedule(
        days=[config.get("gcDay") or "Saturday"], time="02:30"
    ),
)
for name, scope in (("ci", {"name": "app", "actions": ["pull", "push"]}), ("pull", None)):
    ref = {"registry": reg} if by_resource else {"registry_id": reg.registry_id}
    cr.RegistryToken(
        name,
        name=name,
        scopes=[scope or {"name": "*", "actions": ["pull"]}],
        expiry_date="2030-01-01T00:00:00Z",
        **ref,
    )
