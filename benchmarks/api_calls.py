"""Section 1: API calls per operation, counted in the emulator's request log.

Direct provider calls (check, diff, create, read, update, delete of each resource) under both
emulator timing presets; the real engine on the fleet stack: how many calls an unchanged
`pulumi preview`, an unchanged `pulumi up` and a `pulumi refresh` make; and the call budget:
every step of the budget stack (1 registry with a GC schedule, 2 scoped tokens with expiry) as a
user runs it, preview included, against the official provider's counts on the same stack.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from _env import API_TOKEN, BUDGET_DIR, Cli, Stack, emulator, run_id
from _report import call_summary

from pulumi_ionoscr import _registry, _repository, _token

PUSH = [{"name": "*", "actions": ["pull", "push"], "type": "repository"}]
PRESETS = ("immediate", "default")

Row = dict[str, Any]


def _counted(emu: Any, action: Callable[[], Any]) -> tuple[Any, list[dict[str, Any]]]:
    emu.admin.clear_requests()
    result = action()
    return result, emu.admin.requests()


def _check_inputs(provider: Any, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
    result = provider.check(olds, news)
    if result.failures:
        raise RuntimeError(f"check failed: {[(f.property, f.reason) for f in result.failures]}")
    return dict(result.inputs)


def provider_calls(preset: str) -> list[Row]:
    """One lifecycle of each resource through direct provider calls; a row per operation."""
    rows: list[Row] = []
    with emulator(preset) as emu:

        def step(resource: str, op: str, action: Callable[[], Any]) -> Any:
            result, log = _counted(emu, action)
            rows.append({"resource": resource, "op": op, "calls": len(log), "log": log})
            return result

        reg_p = _registry.RegistryProvider()
        news = {"name": f"bench-{run_id()}-api", "location": "de/fra"}
        reg_in = step("Registry", "check (new)", lambda: _check_inputs(reg_p, {}, news))
        created = step("Registry", "create", lambda: reg_p.create(reg_in))
        reg_id, reg_out = created.id, {**reg_in, **created.outs}
        step("Registry", "read", lambda: reg_p.read(reg_id, reg_out))
        changed = {**reg_in, "garbage_collection_schedule": {"days": ["Monday"], "time": "03:00"}}
        reg_new = step("Registry", "check (update)", lambda: _check_inputs(reg_p, reg_out, changed))
        step("Registry", "diff", lambda: reg_p.diff(reg_id, reg_out, reg_new))
        updated = step("Registry", "update", lambda: reg_p.update(reg_id, reg_out, reg_new))
        reg_out = {**reg_new, **updated.outs}

        tok_p = _token.RegistryTokenProvider()
        tok_news = {"registry_id": reg_id, "name": "ci0", "scopes": PUSH}
        tok_in = step("RegistryToken", "check (new)", lambda: _check_inputs(tok_p, {}, tok_news))
        tok = step("RegistryToken", "create", lambda: tok_p.create(tok_in))
        tok_out = {**tok_in, **tok.outs}
        step("RegistryToken", "read", lambda: tok_p.read(tok.id, tok_out))
        tok_new = {**tok_in, "status": "disabled"}
        step("RegistryToken", "diff", lambda: tok_p.diff(tok.id, tok_out, tok_new))
        step("RegistryToken", "update", lambda: tok_p.update(tok.id, tok_out, tok_new))
        step("RegistryToken", "delete", lambda: tok_p.delete(tok.id, tok_out))

        repo_p = _repository.RepositoryProvider()
        repo_news = {"registry_id": reg_id, "name": "team/app"}
        repo_in = step("Repository", "check (new)", lambda: _check_inputs(repo_p, {}, repo_news))
        repo = step("Repository", "create", lambda: repo_p.create(repo_in))
        repo_out = {**repo_in, **repo.outs}
        step("Repository", "read", lambda: repo_p.read(repo.id, repo_out))
        step("Repository", "diff", lambda: repo_p.diff(repo.id, repo_out, repo_in))
        # Only reached when nothing but the provider changed (e.g. a package upgrade).
        step("Repository", "update", lambda: repo_p.update(repo.id, repo_out, repo_in))
        step("Repository", "delete", lambda: repo_p.delete(repo.id, repo_out))

        step("Registry", "delete", lambda: reg_p.delete(reg_id, reg_out))
    return rows


def engine_calls(cli: Cli) -> list[Row]:
    """Calls the real engine makes on the fleet stack, per command (emulator: immediate)."""
    rows: list[Row] = []
    with emulator("immediate") as emu:
        stack = Stack(cli, {"IONOSCR_ENDPOINT": emu.base_url, "IONOS_TOKEN": API_TOKEN})
        try:
            stack.init({"kind": "ionoscr", "runId": run_id()})
            for label, command in (
                ("pulumi up (fleet: create 80)", stack.up),
                ("pulumi preview (unchanged)", stack.preview),
                ("pulumi up (unchanged)", stack.up),
                ("pulumi refresh (unchanged)", stack.refresh),
                ("pulumi preview after refresh", stack.preview),
                ("pulumi destroy", stack.destroy),
            ):
                _, log = _counted(emu, command)
                rows.append({"resource": "fleet stack", "op": label, "calls": len(log), "log": log})
        finally:
            stack.close()
    return rows


# The budget stack's steps as a user runs them (`--yes`, the preview included); before the
# GC-day step the schedule's day changes. The side-by-side benchmark runs the same steps.
_YES = ("--yes", "--color", "never")
_UNCHANGED = ("preview", "--expect-no-changes", "--color", "never")
GC_DAY_STEP = "pulumi up (GC day changed)"
BUDGET_STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pulumi up", ("up", *_YES)),
    ("pulumi preview (no change)", _UNCHANGED),
    ("pulumi refresh", ("refresh", *_YES)),
    (GC_DAY_STEP, ("up", *_YES)),
    ("pulumi preview (no change, again)", _UNCHANGED),
    ("pulumi destroy", ("destroy", *_YES)),
)

# The budget: calls of the official bridged provider (`pulumi-resource-ionoscloud` v0.2.3)
# on the same stack and CLI, measured against this emulator for issue 15; `pulumi up` may spend
# two more (the location check at preview and the name check before the POST).
OFFICIAL_CALLS = {
    "pulumi up": 6,
    "pulumi preview (no change)": 0,
    "pulumi refresh": 6,
    GC_DAY_STEP: 3,
    "pulumi preview (no change, again)": 0,
    "pulumi destroy": 5,
}
BUDGET = {**OFFICIAL_CALLS, "pulumi up": OFFICIAL_CALLS["pulumi up"] + 2}
assert list(OFFICIAL_CALLS) == [step for step, _ in BUDGET_STEPS]
TOKEN_REFS = ("registry", "registry_id")


def budget_calls(cli: Cli, token_ref: str) -> list[Row]:
    """Every step of the budget stack as a user runs it (`--yes`, preview included), emulator
    timing `default` (a new registry is Running on its second read)."""
    rows: list[Row] = []
    with emulator("default") as emu:
        stack = Stack(
            cli, {"IONOSCR_ENDPOINT": emu.base_url, "IONOS_TOKEN": API_TOKEN}, project=BUDGET_DIR
        )
        try:
            stack.init({"runId": run_id(), "tokenRef": token_ref})
            for label, args in BUDGET_STEPS:
                if label == GC_DAY_STEP:
                    stack.run(["config", "set", "gcDay", "Sunday"])
                _, log = _counted(emu, functools.partial(stack.run, list(args)))
                rows.append(
                    {
                        "resource": f"budget ({token_ref}=)",
                        "op": label,
                        "calls": len(log),
                        "log": log,
                    }
                )
        finally:
            stack.close()
    return rows


def run(cli: Cli | None) -> dict[str, Any]:
    by_preset = {preset: provider_calls(preset) for preset in PRESETS}
    engine = engine_calls(cli) if cli is not None else []
    budget = {ref: budget_calls(cli, ref) for ref in TOKEN_REFS} if cli is not None else {}
    return {"provider": by_preset, "engine": engine, "budget": budget}


def render(result: dict[str, Any]) -> tuple[list[str], list[list[object]]]:
    headers = ["resource", "operation", *[f"calls ({p})" for p in PRESETS], "calls (default)"]
    headers[-1] = "calls made (default timing; engine rows: immediate)"
    first, *others = (result["provider"][p] for p in PRESETS)
    rows: list[list[object]] = []
    for i, row in enumerate(first):
        counts = [row["calls"], *[o[i]["calls"] for o in others]]
        detail = others[-1][i]["log"] if others else row["log"]
        rows.append([row["resource"], row["op"], *counts, call_summary(detail)])
    for row in result["engine"]:
        rows.append([row["resource"], row["op"], row["calls"], "n/a", call_summary(row["log"])])
    return headers, rows


def render_budget(result: dict[str, Any]) -> tuple[list[str], list[list[object]]]:
    """Per step: our calls with each token form, the budget, the official provider's calls."""
    budget = result.get("budget") or {}
    headers = [
        "step (budget stack)",
        *[f"calls ({ref}=)" for ref in budget],
        "budget",
        "official",
        "what (registry=)",
    ]
    rows: list[list[object]] = []
    for i, step in enumerate(OFFICIAL_CALLS):
        counts = [budget[ref][i]["calls"] for ref in budget]
        detail = call_summary(next(iter(budget.values()))[i]["log"]) if budget else "-"
        rows.append([step, *counts, BUDGET[step], OFFICIAL_CALLS[step], detail])
    return headers, rows
