"""`registries` registries (default 16), on the default provider (`providers` = 0) or spread
over `parallel_providers(providers)`, against the emulator named by IONOSCR_ENDPOINT."""

from __future__ import annotations

import pulumi

import pulumi_ionoscr as cr

config = pulumi.Config()
registries = config.get_int("registries") or 16
count = config.get_int("providers") or 0
run_id = config.require("runId")  # registry names are globally unique: one per run

providers = cr.parallel_providers(count) if count else []
for r in range(registries):
    opts = pulumi.ResourceOptions(provider=providers[r % count]) if providers else None
    cr.Registry(f"r{r}", name=f"bench-{run_id}-{r}", location="de/fra", opts=opts)
