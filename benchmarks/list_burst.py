"""Latency of a list under a concurrent burst, against the emulator's largest allowed state.

A registry gets as many tokens as the emulator allows, each with as many scopes as it allows
(realistic names). Then a burst of concurrent token-list requests hits the emulator (a child
process) while a probe client sends small requests (`GET /locations`) one after the other.
Printed: p50/p99/max latency of the lists and of the probes, and the burst's wall time. The
probe figures are the point: a large list must not stall the emulator for other clients.

    python benchmarks/list_burst.py                      # both scenarios, default sizes
    python benchmarks/list_burst.py --burst 400 --tokens 500
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

import httpx
from _env import emulator
from _report import table

from pulumi_ionoscr.emulator._limits import (
    MAX_PAGE_LIMIT,
    MAX_SCOPES_PER_TOKEN,
    MAX_TOKENS_PER_REGISTRY,
)

AUTH = ("bench@example.com", "bench-password")


def _scopes(token_no: int, count: int) -> list[dict[str, Any]]:
    return [
        {"name": f"team-{token_no % 50}/service-{i}", "type": "repository", "actions": ["pull"]}
        for i in range(count)
    ]


async def _fill(client: httpx.AsyncClient, registry_id: str, tokens: int, scopes: int) -> None:
    gate = asyncio.Semaphore(8)

    async def create(n: int) -> None:
        async with gate:
            r = await client.post(
                f"/registries/{registry_id}/tokens",
                json={"properties": {"name": f"token-{n}", "scopes": _scopes(n, scopes)}},
            )
            r.raise_for_status()

    await asyncio.gather(*(create(n) for n in range(tokens)))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _burst(base_url: str, path: str, burst: int) -> dict[str, Any]:
    lists: list[float] = []
    probes: list[float] = []
    sizes: list[int] = []
    done = asyncio.Event()
    limits = httpx.Limits(max_connections=burst + 1, max_keepalive_connections=burst + 1)
    async with (
        httpx.AsyncClient(base_url=base_url, auth=AUTH, timeout=300, limits=limits) as client,
        httpx.AsyncClient(base_url=base_url, auth=AUTH, timeout=300) as prober,
    ):
        await prober.get("/locations")  # connection open before the burst

        async def one() -> None:
            started = time.perf_counter()
            r = await client.get(path)
            r.raise_for_status()
            lists.append(time.perf_counter() - started)
            sizes.append(len(r.content))

        async def probe() -> None:
            while not done.is_set():
                started = time.perf_counter()
                (await prober.get("/locations")).raise_for_status()
                probes.append(time.perf_counter() - started)

        probing = asyncio.create_task(probe())
        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(burst)))
        wall = time.perf_counter() - started
        done.set()
        await probing
    return {"lists": lists, "probes": probes, "wall": wall, "bytes": statistics.median(sizes)}


async def _run(args: argparse.Namespace) -> list[list[object]]:
    rows: list[list[object]] = []
    with emulator("immediate") as emu:
        async with httpx.AsyncClient(base_url=emu.base_url, auth=AUTH, timeout=300) as client:
            r = await client.post(
                "/registries", json={"properties": {"name": "burst", "location": "de/fra"}}
            )
            registry_id = r.json()["id"]
            started = time.perf_counter()
            await _fill(client, registry_id, args.tokens, args.scopes)
            print(
                f"state: {args.tokens} tokens x {args.scopes} scopes,"
                f" built in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        for label, limit, burst in (
            ("default page", 100, args.burst),
            ("largest page", MAX_PAGE_LIMIT, max(1, args.burst // 10)),
        ):
            path = f"/registries/{registry_id}/tokens?limit={limit}"
            result = await _burst(emu.base_url, path, burst)
            for kind in ("lists", "probes"):
                values = result[kind]
                rows.append(
                    [
                        f"{label} (limit={limit}, {result['bytes'] / 1e6:.2f} MB)",
                        f"{burst} lists" if kind == "lists" else "GET /locations probe",
                        len(values),
                        _pct(values, 0.5) * 1000,
                        _pct(values, 0.99) * 1000,
                        max(values) * 1000,
                        result["wall"],
                    ]
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=MAX_TOKENS_PER_REGISTRY)
    parser.add_argument("--scopes", type=int, default=MAX_SCOPES_PER_TOKEN)
    parser.add_argument("--burst", type=int, default=200, help="concurrent lists (default page)")
    args = parser.parse_args()
    rows = asyncio.run(_run(args))
    headers = ["scenario", "requests", "n", "p50 (ms)", "p99 (ms)", "max (ms)", "burst wall (s)"]
    print(table(headers, rows))


if __name__ == "__main__":
    main()
