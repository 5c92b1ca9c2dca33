"""The benchmark fleet: `registries` registries, each with `tokens` tokens and `repositories`
repositories (defaults 5 / 10 / 5). Config `kind` picks the resources: `ionoscr` (the package,
against the emulator named by IONOSCR_ENDPOINT) or `noop` (benchmarks/noop_provider.py)."""

from __future__ import annotations

import pulumi

config = pulumi.Config()
kind = config.get("kind") or "ionoscr"
registries = config.get_int("registries") or 5
tokens = config.get_int("tokens") or 10
repositories = config.get_int("repositories") or 5
run_id = config.require("runId")  # registry names are globally unique: one per run

PUSH = [{"name": "*", "actions": ["pull", "push"], "type": "repository"}]

for r in range(registries):
    name = f"bench-{run_id}-{r}"
    if kind == "noop":
        from noop_provider import NoopRegistry, NoopRepository, NoopToken

        noop_reg = NoopRegistry(name, location="de/fra")
        for t in range(tokens):
            NoopToken(f"{name}-t{t}", registry_id=noop_reg.id, scopes=PUSH)
        for p in range(repositories):
            NoopRepository(f"{name}-p{p}", registry_id=noop_reg.id, repository=f"team/app{p}")
    else:
        import pulumi_ionoscr as cr

        reg = cr.Registry(name, name=name, location="de/fra")
        for t in range(tokens):
            cr.RegistryToken(f"{name}-t{t}", registry_id=reg.id, name=f"ci{t}", scopes=PUSH)
        for p in range(repositories):
            cr.Repository(f"{name}-p{p}", registry_id=reg.id, name=f"team/app{p}")

pulumi.export("kind", kind)
