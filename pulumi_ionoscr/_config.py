"""Where credentials and the endpoint come from.

Order: the provider's stack configuration (namespace `ionoscr`), then the environment variables
IONOS users already have. Settings live only in the provider process; they are never pickled.
Each setting remembers where it came from, so an error can say which one to fix.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._exceptions import ConfigurationError

__all__ = [
    "ADOPT_EXISTING_ENV",
    "DEFAULT_ENDPOINT",
    "ClientSettings",
    "RetryPolicy",
    "adopt_existing_requested",
    "settings_from",
]

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
    # Seconds to wait for an answer, and for a connection to open.
    timeout: float = 30.0
    connect_timeout: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Setting name -> where its value came from ("IONOS_TOKEN", "ionoscr:token", ...).
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

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

    def source_of(self, name: str) -> str:
        """Where setting `name` came from, for messages: a config key, an environment variable,
        the default endpoint, or code that built these settings itself."""
        if name in self.sources:
            return self.sources[name]
        if name == "endpoint" and self.endpoint == DEFAULT_ENDPOINT:
            return "the default"
        return "ClientSettings"

    def credentials_hint(self) -> str:
        """One line: which credentials were used and how to replace them."""
        used = (
            f"the token from {self.source_of('token')}"
            if self.token
            else f"the user {self.username!r} from {self.source_of('username')}"
        )
        return (
            f"check {used}: set a valid IONOS token with `pulumi config set --secret "
            "ionoscr:token <token>` or env IONOS_TOKEN, or a user with ionoscr:username and "
            "ionoscr:password (env IONOS_USERNAME, IONOS_PASSWORD)"
        )

    def account(self) -> str | None:
        """Who the credentials act for, as far as known without an API call: the contract
        (`contract_number`, else a token's `identity.contractNumber` claim), else the user (the
        Basic username, else the token's `email`, `identity.userId` or `sub` claim). None for a
        token that is not a JWT. Never derived from a password or from the token's secret
        part."""
        claims = _jwt_claims(self.token) if self.token else {}
        identity = claims.get("identity") if isinstance(claims.get("identity"), dict) else {}
        assert isinstance(identity, dict)
        contract = self.contract_number or identity.get("contractNumber")
        if isinstance(contract, int | str) and str(contract).isdigit():
            return f"contract:{int(contract)}"
        for user in (self.username, claims.get("email"), identity.get("userId"), claims.get("sub")):
            if isinstance(user, str) and user:
                return f"user:{user.lower()}"
        return None


def _jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT (not verified: only used to tell accounts apart), or {}."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return {}
    return payload if isinstance(payload, dict) else {}


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
    sources: dict[str, str] = {}
    for name, (config_key, env_var) in _SOURCES.items():
        value, sources[name] = lookup(config_key), config_key
        if value in (None, ""):
            value, sources[name] = env.get(env_var), env_var
        if value not in (None, ""):
            values[name] = str(value)
        else:
            del sources[name]
    return ClientSettings(
        endpoint=values.get("endpoint", DEFAULT_ENDPOINT).rstrip("/"),
        username=values.get("username"),
        password=values.get("password"),
        token=values.get("token"),
        contract_number=values.get("contract_number"),
        sources=sources,
    )


#: Environment variable that makes every resource of one run adopt what already exists under
#: its name (README: "When a CI job was killed"). An environment variable, so nothing of it
#: stays in the stack's config or state.
ADOPT_EXISTING_ENV = "IONOSCR_ADOPT_EXISTING"


def adopt_existing_requested(environ: Mapping[str, str] | None = None) -> bool:
    """Whether `IONOSCR_ADOPT_EXISTING` is set to true (true/false, 1/0, yes/no; unset: no)."""
    value = (os.environ if environ is None else environ).get(ADOPT_EXISTING_ENV, "")
    word = value.strip().lower()
    if word in ("", "0", "false", "no"):
        return False
    if word in ("1", "true", "yes"):
        return True
    raise ConfigurationError(f"{ADOPT_EXISTING_ENV} must be true or false (got {value!r})")
