"""Section 5: what one provider call pays before its first request.

Providers are stateless and build an `IonosCrClient` (an `httpx.Client`) in every method. This
section times that construction, an `httpx.Client` sharing one `ssl.SSLContext` for
comparison, and one API round trip to the emulator over a reused client, in this process.
"""

from __future__ import annotations

import os
import ssl
import time
from collections.abc import Callable
from typing import Any

import httpx
from _env import emulator
from _report import median

from pulumi_ionoscr import _provider


def _per_call(action: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def run(repeats: int = 30) -> dict[str, Any]:
    shared = ssl.create_default_context()
    with emulator("immediate") as emu:
        provider = _provider.ProviderBase()
        results = {
            "IonosCrClient (provider.client())": _per_call(
                lambda: provider.client().close(), repeats
            ),
            "httpx.Client()": _per_call(lambda: httpx.Client().close(), repeats),
            "httpx.Client(verify=<shared SSLContext>)": _per_call(
                lambda: httpx.Client(verify=shared).close(), repeats
            ),
            "ssl.create_default_context()": _per_call(ssl.create_default_context, repeats),
        }
        with provider.client() as client:
            client.list_locations()  # connection opened
            results["one API call, reused client (GET /locations)"] = _per_call(
                client.list_locations, repeats
            )
        assert os.environ["IONOSCR_ENDPOINT"] == emu.base_url
    return {"seconds": results}


def render(result: dict[str, Any]) -> tuple[list[str], list[list[object]]]:
    headers = ["per call", "median (ms)", "min (ms)", "runs"]
    rows: list[list[object]] = [
        [label, median(v) * 1000, min(v) * 1000, len(v)] for label, v in result["seconds"].items()
    ]
    return headers, rows


def fleet_estimate(result: dict[str, Any], clients: int) -> float:
    """Seconds of provider-process CPU a fleet command spends building `clients` clients."""
    return clients * median(result["seconds"]["IonosCrClient (provider.client())"])
