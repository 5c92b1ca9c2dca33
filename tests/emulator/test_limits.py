"""The limits the emulator enforces (docs/emulator.md says which are UNCERTAIN and why): each
refusal is a 400 that names the field, the bound and the value's size."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulumi_ionoscr.emulator._limits import (
    MAX_ACTIONS_PER_SCOPE,
    MAX_SCOPE_NAME_LENGTH,
    MAX_SCOPE_WORD_LENGTH,
    MAX_SCOPES_PER_TOKEN,
    MAX_TOKENS_PER_REGISTRY,
)
from pulumi_ionoscr.emulator._state import Actor, ApiProblem, Backend

ALICE = Actor(tenant="user:alice", user="alice@example.com", user_id="u-alice")


def scope(name: str = "app", type_: str = "repository", actions: Any = ("pull",)) -> dict[str, Any]:
    return {"name": name, "type": type_, "actions": list(actions)}


@pytest.fixture
def tokens_url(api: httpx.Client) -> str:
    r = api.post("/registries", json={"properties": {"name": "limits", "location": "de/fra"}})
    return f"/registries/{r.json()['id']}/tokens"


def refused(api: httpx.Client, url: str, scopes: list[dict[str, Any]], *needles: str) -> None:
    r = api.post(url, json={"properties": {"name": "ci", "scopes": scopes}})
    assert r.status_code == 400, r.text
    message = r.json()["messages"][0]["message"]
    for needle in needles:
        assert needle in message, message


def test_scopes_per_token(api: httpx.Client, tokens_url: str) -> None:
    at_limit = [scope(f"app-{i}") for i in range(MAX_SCOPES_PER_TOKEN)]
    r = api.post(tokens_url, json={"properties": {"name": "full", "scopes": at_limit}})
    assert r.status_code == 201, r.text
    refused(
        api,
        tokens_url,
        [*at_limit, scope("one-more")],
        "properties.scopes",
        f"{MAX_SCOPES_PER_TOKEN + 1} entries",
        f"at most {MAX_SCOPES_PER_TOKEN}",
    )
    # PATCH replaces the list: the same bound applies.
    tid = r.json()["id"]
    patch = api.patch(f"{tokens_url}/{tid}", json={"scopes": [*at_limit, scope("x")]})
    assert patch.status_code == 400 and "scopes" in patch.text


def test_scope_fields_are_bounded(api: httpx.Client, tokens_url: str) -> None:
    refused(
        api,
        tokens_url,
        [scope("a" * (MAX_SCOPE_NAME_LENGTH + 1))],
        "properties.scopes[0].name",
        f"at most {MAX_SCOPE_NAME_LENGTH}",
    )
    refused(api, tokens_url, [scope(type_="t" * (MAX_SCOPE_WORD_LENGTH + 1))], "scopes[0].type")
    refused(
        api,
        tokens_url,
        [scope(actions=["pull"] * (MAX_ACTIONS_PER_SCOPE + 1))],
        "scopes[0].actions",
        f"at most {MAX_ACTIONS_PER_SCOPE}",
    )
    refused(
        api,
        tokens_url,
        [scope(actions=["pull", "p" * (MAX_SCOPE_WORD_LENGTH + 1)])],
        "scopes[0].actions[1]",
    )


def test_tokens_per_registry() -> None:
    backend = Backend()
    reg = backend.create_registry(ALICE, {"properties": {"name": "many", "location": "de/fra"}})
    for i in range(MAX_TOKENS_PER_REGISTRY):
        backend.create_token(ALICE, reg.id, {"properties": {"name": f"t{i}"}})
    with pytest.raises(ApiProblem) as raised:
        backend.create_token(ALICE, reg.id, {"properties": {"name": "one-more"}})
    assert raised.value.status == 400
    assert f"{MAX_TOKENS_PER_REGISTRY} tokens" in raised.value.message
    # Deleting one makes room again.
    first = next(iter(reg.tokens))
    backend.delete_token(ALICE, reg.id, first)
    backend.create_token(ALICE, reg.id, {"properties": {"name": "one-more"}})
    # A full registry's tokens all fit in one page of the largest size.
    page = backend.list_tokens(ALICE, reg.id, offset=None, limit=str(MAX_TOKENS_PER_REGISTRY))
    assert len(page.items) == page.total == MAX_TOKENS_PER_REGISTRY


def test_a_large_list_is_rendered_in_turns_with_other_requests() -> None:
    """A list page yields to the event loop between items: another request's work runs
    before the page is finished, and the page is the same JSON as if encoded at once."""
    import asyncio
    import json

    from pulumi_ionoscr.emulator._http import json_collection

    events: list[str] = []

    def render(n: int) -> dict[str, Any]:
        events.append("item")
        return {"n": n, "text": '"items-mark" ]}'}

    async def other_client() -> None:
        events.append("other")

    async def scenario() -> bytes:
        envelope = {"id": "tokens", "items": None, "_links": {"self": "x?q=%22items%22"}}
        page = asyncio.create_task(json_collection(envelope, list(range(50)), render))
        await asyncio.sleep(0)  # the page has started
        await other_client()
        response = await page
        return bytes(response.body)

    loop = asyncio.new_event_loop()  # not asyncio.run: it unsets the thread's current loop
    try:
        body = json.loads(loop.run_until_complete(scenario()))
    finally:
        loop.close()
    assert events.index("other") < len(events) - 1 and events.count("item") == 50
    assert body == {
        "id": "tokens",
        "items": [{"n": n, "text": '"items-mark" ]}'} for n in range(50)],
        "_links": {"self": "x?q=%22items%22"},
    }
