"""Options of an emulator instance (shared by run_emulator, the CLI and the app)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._faults import FaultConfig
from ._state import DEFAULT_LOCATIONS, ApiProblem, Timing
from ._variants import Variants, parse_choices

__all__ = ["EmulatorOptions"]


@dataclass
class EmulatorOptions:
    """Everything that shapes an emulator's behaviour.

    * `locations`: ids served by `GET /locations` and accepted for new registries.
    * `users` / `tokens`: when either is given, only these Basic credentials
      (`{username: password}`) / Bearer tokens are accepted; by default any non-empty
      credentials are.
    * `timing`: how the registry lifecycle progresses (see `Timing`).
    * `faults`: fault injection (see `FaultConfig`), seeded for replay.
    * `state_file`: persist state there (atomic writes); None = in memory only.
    * `variants`: `{name: value}` for the UNCERTAIN points that should not take their
      default answer (`ionoscr-emulator --list-variants` lists them).
    """

    locations: Sequence[str] = DEFAULT_LOCATIONS
    users: Mapping[str, str] | None = None
    tokens: Sequence[str] | None = None
    timing: Timing = field(default_factory=Timing)
    faults: FaultConfig = field(default_factory=FaultConfig)
    state_file: str | None = None
    variants: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.variants = parse_choices(self.variants)  # ValueError names a bad name or value

    def chosen_variants(self) -> Variants:
        return Variants(self.variants)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (used to hand options to a child process)."""
        return {
            "locations": list(self.locations),
            "users": None if self.users is None else dict(self.users),
            "tokens": None if self.tokens is None else list(self.tokens),
            "timing": self.timing.to_dict(),
            "faults": self.faults.to_dict(),
            "state_file": self.state_file,
            "variants": dict(self.variants),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EmulatorOptions:
        """Inverse of `to_dict`; omitted keys take defaults. Raises ValueError."""
        known = {
            "locations",
            "users",
            "tokens",
            "timing",
            "faults",
            "state_file",
            "variants",
        }
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown option(s): {', '.join(sorted(unknown))}")
        opts = cls()
        if data.get("locations") is not None:
            opts.locations = [str(x) for x in data["locations"]]
        if data.get("users") is not None:
            opts.users = {str(k): str(v) for k, v in dict(data["users"]).items()}
        if data.get("tokens") is not None:
            opts.tokens = [str(x) for x in data["tokens"]]
        try:
            if data.get("timing") is not None:
                opts.timing = Timing.from_dict(data["timing"])
        except ApiProblem as problem:
            raise ValueError(f"timing: {problem.message}") from None
        if data.get("faults") is not None:
            opts.faults = FaultConfig.from_dict(data["faults"])
        if data.get("state_file") is not None:
            opts.state_file = str(data["state_file"])
        if data.get("variants") is not None:
            opts.variants = parse_choices(data["variants"])
        return opts
