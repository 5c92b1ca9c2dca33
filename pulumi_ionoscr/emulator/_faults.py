"""Fault injection: seeded, replayable errors, latency and lost responses.

Decisions are drawn from one `random.Random(seed)` in the order requests arrive, so the same
sequence of requests against the same configuration gets the same faults (a failing run can be
replayed by restarting with the seed it printed/used).

Kinds of fault, checked in this order for every request that matches the target filter:

* latency: `latency_ms` (+ up to `latency_jitter_ms`) added before the request is handled;
* error: with probability `error_rate` the request is NOT handled and gets one of
  `error_statuses` (500, 503, 429; 429 and 503 carry `Retry-After: 0` or `1`);
* lost response: with probability `lost_response_rate` the request IS handled (the change is
  committed) and then the client gets a 502/503, or the connection is dropped mid-response
  (`lost_modes` picks among "502", "503", "drop").
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

__all__ = ["ERROR_STATUSES", "LOST_MODES", "FaultConfig", "FaultDecision", "FaultInjector"]

ERROR_STATUSES: tuple[int, ...] = (500, 503, 429)
LOST_MODES: tuple[str, ...] = ("502", "503", "drop")


class FaultConfigError(ValueError):
    """A fault configuration that cannot be used; the message names the field."""


@dataclass
class FaultConfig:
    error_rate: float = 0.0
    error_statuses: list[int] = field(default_factory=lambda: list(ERROR_STATUSES))
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    lost_response_rate: float = 0.0
    lost_modes: list[str] = field(default_factory=lambda: list(LOST_MODES))
    seed: int | None = None
    #: Only requests with these methods (upper case) are affected; None = all.
    methods: list[str] | None = None
    #: Only requests whose path matches this regular expression (re.search) are affected.
    path_pattern: str | None = None
    #: Whether the OCI data plane (/v2/...) is affected too.
    include_data_plane: bool = False

    def active(self) -> bool:
        return bool(self.error_rate or self.lost_response_rate or self.latency_ms)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultConfig:
        """Validate JSON-ish input. Omitted fields take their defaults."""
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise FaultConfigError(
                    f"{key}: unknown field (allowed: {', '.join(sorted(known))})"
                )
        cfg = cls()
        for rate in ("error_rate", "lost_response_rate"):
            if rate in data:
                v = data[rate]
                if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1:
                    raise FaultConfigError(f"{rate}: expected a number between 0 and 1")
                setattr(cfg, rate, float(v))
        for ms in ("latency_ms", "latency_jitter_ms"):
            if ms in data:
                v = data[ms]
                if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                    raise FaultConfigError(f"{ms}: expected a number >= 0")
                setattr(cfg, ms, float(v))
        if "error_statuses" in data:
            v = data["error_statuses"]
            if (
                not isinstance(v, list)
                or not v
                or any(s not in ERROR_STATUSES or isinstance(s, bool) for s in v)
            ):
                raise FaultConfigError("error_statuses: expected a non-empty list of 500, 503, 429")
            cfg.error_statuses = list(v)
        if "lost_modes" in data:
            v = data["lost_modes"]
            v = [str(x) for x in v] if isinstance(v, list) else v
            if not isinstance(v, list) or not v or any(m not in LOST_MODES for m in v):
                raise FaultConfigError(
                    'lost_modes: expected a non-empty list of "502", "503", "drop"'
                )
            cfg.lost_modes = v
        if "seed" in data:
            v = data["seed"]
            if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
                raise FaultConfigError("seed: expected an integer or null")
            cfg.seed = v
        if "methods" in data:
            v = data["methods"]
            if v is not None and (
                not isinstance(v, list) or any(not isinstance(m, str) for m in v)
            ):
                raise FaultConfigError("methods: expected a list of HTTP methods or null")
            cfg.methods = None if v is None else [m.upper() for m in v]
        if "path_pattern" in data:
            v = data["path_pattern"]
            if v is not None:
                if not isinstance(v, str):
                    raise FaultConfigError("path_pattern: expected a regular expression or null")
                try:
                    re.compile(v)
                except re.error as exc:
                    raise FaultConfigError(
                        f"path_pattern: invalid regular expression: {exc}"
                    ) from None
            cfg.path_pattern = v
        if "include_data_plane" in data:
            v = data["include_data_plane"]
            if not isinstance(v, bool):
                raise FaultConfigError("include_data_plane: expected a boolean")
            cfg.include_data_plane = v
        return cfg


@dataclass
class FaultDecision:
    latency_s: float = 0.0
    #: Answer with this status instead of handling the request (500/503/429).
    error_status: int | None = None
    retry_after: str | None = None
    #: Handle the request, then answer "502"/"503" or "drop" the connection.
    lost_mode: str | None = None

    @property
    def kind(self) -> str | None:
        if self.error_status is not None:
            return f"error:{self.error_status}"
        if self.lost_mode is not None:
            return f"lost:{self.lost_mode}"
        if self.latency_s:
            return "latency"
        return None


class FaultInjector:
    """Draws seeded decisions; thread-safe. Reconfigure with `configure()`."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.config: FaultConfig = FaultConfig()
        self._rng = random.Random()
        self._pattern: re.Pattern[str] | None = None
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            self._rng = random.Random(config.seed)
            self._pattern = re.compile(config.path_pattern) if config.path_pattern else None

    def decide(self, method: str, path: str, *, data_plane: bool = False) -> FaultDecision:
        cfg = self.config
        if not cfg.active():
            return FaultDecision()
        if data_plane and not cfg.include_data_plane:
            return FaultDecision()
        if cfg.methods is not None and method.upper() not in cfg.methods:
            return FaultDecision()
        if self._pattern is not None and not self._pattern.search(path):
            return FaultDecision()
        with self._lock:
            rng = self._rng
            decision = FaultDecision()
            if cfg.latency_ms or cfg.latency_jitter_ms:
                jitter = rng.uniform(0, cfg.latency_jitter_ms) if cfg.latency_jitter_ms else 0.0
                decision.latency_s = (cfg.latency_ms + jitter) / 1000.0
            # Always draw both numbers so a change of one rate does not shift the other's stream.
            err_roll = rng.random()
            lost_roll = rng.random()
            pick = rng.random()
            if err_roll < cfg.error_rate:
                status = _pick(cfg.error_statuses, pick)
                decision.error_status = status
                if status in (429, 503):
                    decision.retry_after = "0" if rng.random() < 0.5 else "1"
            elif lost_roll < cfg.lost_response_rate:
                decision.lost_mode = _pick(cfg.lost_modes, pick)
                # A HEAD answer has no body to cut short: dropped, it would read as a complete
                # 200 whatever really happened, so it is lost as a 502 instead.
                if decision.lost_mode == "drop" and method.upper() == "HEAD":
                    decision.lost_mode = "502"
            return decision


def _pick(options: Sequence[Any], roll: float) -> Any:
    return options[min(int(roll * len(options)), len(options) - 1)]
