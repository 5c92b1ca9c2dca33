"""More than four resources at work at once: explicit provider processes.

Pulumi serves every dynamic resource of a program through one provider process
(`python -m pulumi.dynamic`), which answers at most four calls at a time. A registry's create
holds one of those four for as long as the registry takes to be `Running`, so a fifth registry
waits for a free one. Each provider returned here is a process of its own with its own four.
"""

from __future__ import annotations

import pulumi

from ._provider import _CONFIG_KEYS

__all__ = ["parallel_providers"]

# Stack config the provider process gets, stored (encrypted) in the provider's state as the
# default provider stores the stack config: these two are always secret.
_SECRET_KEYS = ("ionoscr:password", "ionoscr:token")


def parallel_providers(
    count: int, *, name: str = "ionoscr", opts: pulumi.ResourceOptions | None = None
) -> list[pulumi.ProviderResource]:
    """`count` providers for this package's resources, each a provider process of its own that
    works on up to four resources at once; pass one per resource as
    `ResourceOptions(provider=...)`, e.g. `providers[i % count]`.

    Each process costs about 0.6 s of CPU to start and 75 MB of memory while the command runs.
    The engine starts at most `--parallel` operations at once (by default 4 per CPU): raise it
    to `4 * count` to use them all. The providers get the stack's `ionoscr:*` configuration
    (the credentials as secrets); without it they use the environment, as the default provider
    does. Moving existing resources onto them, or back, changes nothing in IONOS.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"parallel_providers: count must be a whole number >= 1, got {count!r}")
    config: dict[str, pulumi.Input[str]] = {}
    for key in _CONFIG_KEYS:
        value = pulumi.runtime.get_config(key)
        if value is not None:
            secret = key in _SECRET_KEYS or pulumi.runtime.is_config_secret(key)
            config[key] = pulumi.Output.secret(value) if secret else value
    return [
        pulumi.ProviderResource("pulumi-python", f"{name}-{index}", dict(config), opts)
        for index in range(count)
    ]
