"""A Kubernetes image pull secret built from a pull-only `RegistryToken`.

Kept apart from `__main__.py` so the program imports pulumi-kubernetes only when it creates the
secret (`ci-tokens:kubernetes`), and so tests can call it under Pulumi mocks.
"""

from __future__ import annotations

import base64

import pulumi
import pulumi_kubernetes as k8s

import pulumi_ionoscr as cr

DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson"


def pull_secret(
    resource_name: str,
    token: cr.RegistryToken,
    *,
    namespace: str = "default",
    opts: pulumi.ResourceOptions | None = None,
) -> k8s.core.v1.Secret:
    """A `kubernetes.io/dockerconfigjson` Secret holding `token`'s credentials for its registry.

    Reference it from a pod spec's `imagePullSecrets` (or a service account) by its name. The
    data is the token's secret `docker_config_json`; pulumi-kubernetes keeps a Secret's data
    secret in any case.
    """
    encoded = token.docker_config_json.apply(lambda doc: base64.b64encode(doc.encode()).decode())
    return k8s.core.v1.Secret(
        resource_name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=resource_name, namespace=namespace),
        type=DOCKER_CONFIG_JSON,
        data={".dockerconfigjson": encoded},
        opts=opts,
    )
