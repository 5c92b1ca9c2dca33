"""Where credentials and the endpoint come from.

Order: the provider's stack configuration (namespace `ionoscr`), then the environment variables
IONOS users already have. Settings live only in the provider process; they are never pickled.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._exceptions import ConfigurationError

__all__ = ["DEFAULT_ENDPOINT", "ClientSettings", "RetryPolicy", "settings_from"]

DEFAULT_ENDPOINT = "https://api.ionos.com/containerregistries"

# (stack config key, environment variable) per setting.
_SOURCES: dict[str, tuple[str, str]] = {
    "username": ("ionoscr:username", "IONOS_USERNAME"),
    "password": ("ionoscr:password", "IONOS_PASSWORD"),
    "token": ("ionoscr:token", "IONOS_TOKEN"),
    "endpoint": ("ionoscr:endpoint", "IONOSCR_ENDPOINT"),
    "contract_number": ("ionoscr:contractNumber", "IONOS_CONTRACT_NUMBER"),
}


@dataclass(frozen=True)
class RetryPolicy:
    """Jittered exponential backoff for retryable answers, bounded by an overall deadline."""

    max_attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 15.0
    deadline: float = 180.0


@dataclass(frozen=True)
class ClientSettings:
    """Everything a client needs. `repr` never shows a secret."""

    endpoint: str = DEFAULT_ENDPOINT
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    contract_number: str | None = None
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def __post_init__(self) -> None:
        if not self.token and not (self.username and self.password):
            raise ConfigurationError(_missing_credentials_message())
        if not self.endpoint.startswith(("http://", "https://")):
            raise ConfigurationError(
                "ionoscr:endpoint / IONOSCR_ENDPOINT must be an http(s) URL "
                f"(got {self.endpoint!r})"
            )
        if self.contract_number is not None and not str(self.contract_number).isdigit():
            raise ConfigurationError(
                "ionoscr:contractNumber / IONOS_CONTRACT_NUMBER must be an integer "
                f"(got {self.contract_number!r})"
            )

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in logs, errors or state."""
        return tuple(v for v in (self.password, self.token) if v)


def _missing_credentials_message() -> str:
    return (
        "IONOS credentials are missing. Provide either a token or a username and password:\n"
        "  pulumi config set --secret ionoscr:token <token>      (or env IONOS_TOKEN)\n"
        "  pulumi config set ionoscr:username <e-mail>           (or env IONOS_USERNAME)\n"
        "  pulumi config set --secret ionoscr:password <pass>    (or env IONOS_PASSWORD)\n"
        "Optional: ionoscr:endpoint (IONOSCR_ENDPOINT), ionoscr:contractNumber "
        "(IONOS_CONTRACT_NUMBER)."
    )


def settings_from(
    config: Mapping[str, Any] | Callable[[str], Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ClientSettings:
    """Build settings from stack config (a mapping or a `get(key)` callable) and the environment.

    Stack configuration wins over the environment; empty strings count as unset.
    """
    env = os.environ if environ is None else environ
    if config is None:
        lookup: Callable[[str], Any] = lambda _key: None  # noqa: E731
    elif callable(config):
        lookup = config
    else:
        lookup = config.get
    values: dict[str, str] = {}
    for name, (config_key, env_var) in _SOURCES.items():
        value = lookup(config_key)
        if value in (None, ""):
            value = env.get(env_var)
        if value not in (None, ""):
            values[name] = str(value)
    return ClientSettings(
        endpoint=values.get("endpoint", DEFAULT_ENDPOINT).rstrip("/"),
        username=values.get("username"),
        password=values.get("password"),
        token=values.get("token"),
        contract_number=values.get("contract_number"),
    )
