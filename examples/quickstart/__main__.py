"""Quickstart: a registry that collects garbage weekly and a push/pull token for one repository.

Configuration: `ionoscr:token` (secret) or `ionoscr:username`/`ionoscr:password`, and optionally
`ionoscr:endpoint` (e.g. the local emulator). Optional project config:
`quickstart:location` (default `de/fra`) and `quickstart:repository` (default `app`).
"""

from __future__ import annotations

import datetime as dt

import pulumi

import pulumi_ionoscr as cr

config = pulumi.Config()
location = config.get("location") or "de/fra"
repository = config.get("repository") or "app"

registry = cr.Registry(
    "main",
    location=location,
    garbage_collection_schedule=cr.GarbageCollectionSchedule(days=["Saturday"], time="02:30"),
    vulnerability_scanning=False,  # a paid add-on that cannot be switched off again
)

# The token expires a year after it was first created. `ignore_changes` keeps that date on later
# runs (otherwise every `pulumi up` would move it); change `rotation_triggers` for a new token.
one_year = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=365)).date().isoformat()
token = cr.RegistryToken(
    "push-pull",
    registry_id=registry.registry_id,
    scopes=[cr.TokenScope(name=repository, actions=["pull", "push"])],
    expiry_date=one_year,
    rotation_triggers={"generation": "1"},
    opts=pulumi.ResourceOptions(ignore_changes=["expiry_date"]),
)

pulumi.export("registry_id", registry.registry_id)
pulumi.export("hostname", registry.hostname)  # secret: the resource marks it so
pulumi.export("token_username", token.username)  # secret
pulumi.export("token_password", token.password)  # secret
pulumi.export("docker_config_json", token.docker_config_json)  # secret
pulumi.export("token_expiry", token.expiry_date)
