"""Create a registry the way a tool other than Pulumi would, and print its id.

    python create_outside.py <name> [location]

Talks to the API directly with httpx (no pulumi_ionoscr): the endpoint from `IONOSCR_ENDPOINT`
(default: the real IONOS API; point it at `ionoscr-emulator` to try this offline) and the
credentials from `IONOS_TOKEN`. Waits until the registry is `Running`.
"""

from __future__ import annotations

import os
import sys
import time

import httpx

DEFAULT_ENDPOINT = "https://api.ionos.com/containerregistries"


def create_registry(client: httpx.Client, name: str, location: str) -> str:
    answer = client.post("/registries", json={"properties": {"name": name, "location": location}})
    answer.raise_for_status()
    registry_id: str = answer.json()["id"]
    for _ in range(120):
        state = client.get(f"/registries/{registry_id}").raise_for_status().json()
        if state["metadata"]["state"] == "Running":
            return registry_id
        time.sleep(min(5.0, 0.2 * 2 ** min(_, 5)))
    raise SystemExit(f"registry {name} ({registry_id}) is not Running after a while")


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    token = os.environ.get("IONOS_TOKEN")
    if not token:
        print("set IONOS_TOKEN", file=sys.stderr)
        return 2
    endpoint = os.environ.get("IONOSCR_ENDPOINT", DEFAULT_ENDPOINT).rstrip("/")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=endpoint, headers=headers, timeout=30) as client:
        print(create_registry(client, argv[0], argv[1] if len(argv) == 2 else "de/fra"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
