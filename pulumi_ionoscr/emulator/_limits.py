"""Limits the emulator enforces on input, in one place.

The reference documents only some bounds (page sizes 1-1000, 25 allow-list entries, path
parameter lengths). The others are the emulator's choice, each UNCERTAIN (docs/emulator.md
gives the reason for every value): the real service surely has *some* bound, and an
unbounded emulator lets one request make every later one slow.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFAULT_PAGE_LIMIT",
    "GENEROUS",
    "MAX_ACTIONS_PER_SCOPE",
    "MAX_ALLOW_LIST",
    "MAX_BODY_BYTES",
    "MAX_DIGEST_LENGTH",
    "MAX_INT_PARAM_DIGITS",
    "MAX_JSON_DEPTH",
    "MAX_MANIFEST_BYTES",
    "MAX_PAGE_LIMIT",
    "MAX_REPOSITORY_NAME_LENGTH",
    "MAX_SCOPES_PER_TOKEN",
    "MAX_SCOPE_NAME_LENGTH",
    "MAX_SCOPE_WORD_LENGTH",
    "MAX_TOKENS_PER_REGISTRY",
    "MAX_VULNERABILITY_ID_LENGTH",
    "STRICT",
    "Limits",
]

# -- documented by the reference -------------------------------------------------------------

#: Page size bounds of every list (`limit`), default 100.
MAX_PAGE_LIMIT = 1000
DEFAULT_PAGE_LIMIT = 100
#: `apiSubnetAllowList` entries.
MAX_ALLOW_LIST = 25
#: Path parameter lengths (§3.1).
MAX_REPOSITORY_NAME_LENGTH = 256
MAX_DIGEST_LENGTH = 128
MAX_VULNERABILITY_ID_LENGTH = 64

# -- the emulator's choices (UNCERTAIN) ------------------------------------------------------

#: Request body of the management and admin APIs. The largest valid management body (a token
#: with every scope at its longest) is well under this; the real API sits on Kubernetes, whose
#: API server refuses bodies over 3 MiB and whose store keeps objects under 1.5 MiB.
MAX_BODY_BYTES = 1 << 20
#: A manifest PUT on the data plane: the distribution registry's own default (4 MiB).
MAX_MANIFEST_BYTES = 4 << 20
#: Nesting of any JSON document read (bodies, manifests, Bearer JWT payloads). A valid
#: management body nests at most 4 levels.
MAX_JSON_DEPTH = 32
#: Scopes of one token. The console adds scopes one by one; a hundred repositories or
#: patterns per token is far beyond any documented use and keeps a token under ~100 KiB.
MAX_SCOPES_PER_TOKEN = 100
#: Actions of one scope (meaningful: pull, push, delete; ionosctl offers seven words).
MAX_ACTIONS_PER_SCOPE = 16
#: A scope `name` is a repository name or pattern: the repository name bound.
MAX_SCOPE_NAME_LENGTH = MAX_REPOSITORY_NAME_LENGTH
#: A scope `type` or action is a short word ("repository", "pull").
MAX_SCOPE_WORD_LENGTH = 64
#: Tokens of one registry: a full list then fits in one page of the largest size.
MAX_TOKENS_PER_REGISTRY = MAX_PAGE_LIMIT
#: Digits of an integer query parameter (offset, limit, n): more is not a page position.
MAX_INT_PARAM_DIGITS = 9


@dataclass(frozen=True)
class Limits:
    """The UNCERTAIN bounds, as one set: the `limits` variant picks `GENEROUS` (the values
    above) or `STRICT` (a tighter set the real service could just as well have)."""

    body_bytes: int
    scopes_per_token: int
    actions_per_scope: int
    scope_name_length: int
    scope_word_length: int
    tokens_per_registry: int


GENEROUS = Limits(
    body_bytes=MAX_BODY_BYTES,
    scopes_per_token=MAX_SCOPES_PER_TOKEN,
    actions_per_scope=MAX_ACTIONS_PER_SCOPE,
    scope_name_length=MAX_SCOPE_NAME_LENGTH,
    scope_word_length=MAX_SCOPE_WORD_LENGTH,
    tokens_per_registry=MAX_TOKENS_PER_REGISTRY,
)
STRICT = Limits(
    body_bytes=64 << 10,
    scopes_per_token=25,
    actions_per_scope=8,
    scope_name_length=128,
    scope_word_length=32,
    tokens_per_registry=100,
)
