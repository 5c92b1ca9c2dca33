"""CI pushes images with one token; a Kubernetes cluster pulls them with another.

* `ci-push`: pull and push on the repositories the CI builds; its username and password are
  stack outputs (secrets) to hand to the CI system.
* `cluster-pull`: pull only; its `docker_config_json` becomes a `kubernetes.io/dockerconfigjson`
  Secret when `ci-tokens:kubernetes` is true (needs the Kubernetes provider and a cluster),
  otherwise it is exported so it can be applied some other way.

Both tokens rotate every quarter (see rotation.py).

Configuration: `ionoscr:token` (secret) or `ionoscr:username`/`ionoscr:password`, optionally
`ionoscr:endpoint`. Project config (all optional): `ci-tokens:location` (`de/fra`),
`ci-tokens:repositories` (a JSON list, `["app"]`), `ci-tokens:kubernetes` (`false`),
`ci-tokens:namespace` (`default`).
"""

from __future__ import annotations

import datetime as dt

import pulumi
from rotation import quarterly

import pulumi_ionoscr as cr

config = pulumi.Config()
location = config.get("location") or "de/fra"
repositories: list[str] = config.get_object("repositories") or ["app"]
with_kubernetes = config.get_bool("kubernetes") or False
namespace = config.get("namespace") or "default"

rotation = quarterly(dt.datetime.now(dt.timezone.utc).date())

registry = cr.Registry(
    "images",
    location=location,
    garbage_collection_schedule=cr.GarbageCollectionSchedule(days=["Sunday"], time="03:00"),
    vulnerability_scanning=False,
)

# Declared so the scopes below name repositories this stack knows (and `pulumi destroy` purges).
for repository in repositories:
    cr.Repository(
        f"repo-{repository.replace('/', '-')}", registry_id=registry.registry_id, name=repository
    )


def token(resource_name: str, actions: list[str]) -> cr.RegistryToken:
    return cr.RegistryToken(
        resource_name,
        registry_id=registry.registry_id,
        scopes=[cr.TokenScope(name=repo, actions=actions) for repo in repositories],
        expiry_date=rotation.expiry_date,
        rotation_triggers=rotation.triggers,
    )


ci_push = token("ci-push", ["pull", "push"])
cluster_pull = token("cluster-pull", ["pull"])

pulumi.export("registry_id", registry.registry_id)
pulumi.export("registry_hostname", registry.hostname)  # secret
pulumi.export("ci_username", ci_push.username)  # secret
pulumi.export("ci_password", ci_push.password)  # secret
pulumi.export("tokens_expire", rotation.expiry_date)

if with_kubernetes:
    from pull_secret import pull_secret  # pulumi-kubernetes is needed only here

    secret = pull_secret("ionoscr-pull", cluster_pull, namespace=namespace)
    pulumi.export("pull_secret_name", secret.metadata.name)
else:
    pulumi.export("cluster_docker_config_json", cluster_pull.docker_config_json)  # secret
