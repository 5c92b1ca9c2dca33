"""`EmulatorAdmin`: plain httpx calls to the emulator's admin API (`/_emulator/...`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

__all__ = ["EmulatorAdmin"]


class EmulatorAdmin:
    """Client of the admin API of one running emulator.

    Every method is one HTTP call; errors raise `httpx.HTTPStatusError`.
    """

    def __init__(self, origin: str, *, timeout: float = 30.0) -> None:
        self.origin: str = origin.rstrip("/")
        self.url: str = f"{self.origin}/_emulator"
        self._timeout = timeout

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        with httpx.Client(timeout=self._timeout) as client:
            response = client.request(method, f"{self.url}{path}", json=body)
        response.raise_for_status()
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    # -- request log -----------------------------------------------------------------------------

    def requests(self) -> list[dict[str, Any]]:
        """The request log (admin calls excluded), oldest first. Each entry has `method`,
        `path` (raw, as sent), `query`, `status` (what the client got; None if the connection
        was dropped), `duration_ms`, `time` (epoch seconds), `fault` (None or the fault
        injected) and, for lost responses, `committed_status`."""
        result: list[dict[str, Any]] = self._call("GET", "/requests")["requests"]
        return result

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    # -- state -----------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget all state and the request log; timing and faults back to startup options."""
        self._call("POST", "/reset")

    def state(self) -> dict[str, Any]:
        """All tenants' registries (id, tenant, name, state, hostname, tokens, repositories)."""
        result: dict[str, Any] = self._call("GET", "/state")
        return result

    def registries(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.state()["registries"]
        return result

    def force_state(self, registry_id: str, state: str) -> dict[str, Any]:
        """Put a registry into `state` (e.g. "Failed"), cancelling pending transitions."""
        result: dict[str, Any] = self._call(
            "POST", f"/registries/{registry_id}/state", {"state": state}
        )
        return result

    def seed_repository(
        self,
        registry_id: str,
        name: str,
        artifacts: Sequence[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Create/extend a repository as if images had been pushed. Each artifact may give
        `digest`, `tags`, `mediaType`, `pushCount`, `pullCount`, `size`, and either
        `vulnerabilities` (its scan findings, as for `set_vulnerabilities`) or the summary
        figures `vulnMaxSeverity`, `vulnTotalScore`, `vulnTotalCount`, `vulnFixableCount`;
        with neither, it is scanned like a push (when the registry scans)."""
        body: dict[str, Any] = {"name": name}
        if artifacts is not None:
            body["artifacts"] = list(artifacts)
        result: dict[str, Any] = self._call("POST", f"/registries/{registry_id}/repositories", body)
        return result

    def set_vulnerabilities(
        self,
        registry_id: str,
        repository: str,
        digest: str,
        vulnerabilities: Sequence[str | dict[str, Any]],
    ) -> dict[str, Any]:
        """Replace an artifact's scan findings (it counts as scanned now). Each entry is the
        id of a known advisory (see `vulnerabilities()`) or a whole advisory, which is added
        to the catalogue: `{"id", "severity", "score", "fixable", "description",
        "recommendations", "dataSource": {"id", "url"}, "affects": [{"type", "name",
        "version"}], "references", "publishedAt", "updatedAt"}` (id, severity, score
        required). Returns the artifact's new summary."""
        body = {
            "repository": repository,
            "digest": digest,
            "vulnerabilities": list(vulnerabilities),
        }
        result: dict[str, Any] = self._call(
            "PUT", f"/registries/{registry_id}/vulnerabilities", body
        )
        return result

    def vulnerabilities(self) -> list[dict[str, Any]]:
        """The advisory catalogue: `{id, severity, score, fixable, defined}` per advisory
        (`defined`: added through `set_vulnerabilities`)."""
        result: list[dict[str, Any]] = self._call("GET", "/vulnerabilities")["vulnerabilities"]
        return result

    # -- behaviour -------------------------------------------------------------------------------

    def faults(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/faults")
        return result

    def set_faults(self, **config: Any) -> dict[str, Any]:
        """Replace the fault configuration (omitted fields take defaults): `error_rate`,
        `error_statuses`, `latency_ms`, `latency_jitter_ms`, `lost_response_rate`,
        `lost_modes`, `seed`, `methods`, `path_pattern`, `include_data_plane`."""
        result: dict[str, Any] = self._call("PUT", "/faults", config)
        return result

    def clear_faults(self) -> dict[str, Any]:
        return self.set_faults()

    def timing(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/timing")
        return result

    def set_timing(self, **timing: Any) -> dict[str, Any]:
        """Change the lifecycle timing; omitted fields keep their values. `preset="immediate"`
        or `"default"` starts from a preset. Fields: `create_seconds`, `create_reads`,
        `update_seconds`, `update_reads`, `delete_seconds`, `delete_reads`."""
        result: dict[str, Any] = self._call("PUT", "/timing", timing)
        return result

    def variants(self) -> dict[str, str]:
        """The value of every variant (`ionoscr-emulator --list-variants` explains them)."""
        result: dict[str, str] = self._call("GET", "/variants")
        return result

    def set_variants(self, choices: Mapping[str, str] | Sequence[str]) -> dict[str, str]:
        """Change variants from now on: `{"days-order": "calendar"}` or `["days-order=calendar"]`;
        the others keep their values, `reset()` restores the startup ones."""
        if isinstance(choices, Mapping):
            body = dict(choices)
        else:
            body = {name: value for name, _, value in (item.partition("=") for item in choices)}
        result: dict[str, str] = self._call("PUT", "/variants", body)
        return result

    def config(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/config")
        return result
