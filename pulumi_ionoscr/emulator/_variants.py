"""Variants: the emulator's answer to every client-observable point the API reference leaves
UNCERTAIN, each a named switch with its plausible alternatives.

Nothing can reach the real IONOS API, so a client proven against one answer per point is
proven against a guess. Each `Variant` names the point, its values (the first is the default,
what the emulator has always done), and the reference's evidence. The code that decides each
point reads the chosen value from `Variants` by name (`variants["days-order"]`), so a variant
is one switch in one place; `ionoscr-emulator --list-variants` prints the table below.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["VARIANTS", "Variant", "Variants", "parse_choices", "variant_lines"]


@dataclass(frozen=True)
class Variant:
    """One UNCERTAIN point: `values` are (value, what the emulator then does), default first;
    `surface` names what it touches (registries, tokens, repositories, vulnerabilities, lists,
    errors, data-plane)."""

    name: str
    question: str
    surface: str
    values: tuple[tuple[str, str], ...]
    evidence: str

    @property
    def default(self) -> str:
        return self.values[0][0]

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.values)


def _v(name: str, question: str, surface: str, evidence: str, *values: tuple[str, str]) -> Variant:
    return Variant(name, question, surface, tuple(values), evidence)


_ALL: tuple[Variant, ...] = (
    # -- registries -----------------------------------------------------------------------------
    _v(
        "duplicate-name-status",
        "status of a registry POST/PUT whose name is already in use",
        "registries",
        "§5.4: 400 is the only error POST documents; 'could be 409 in reality' (§13)",
        ("400", "400 name-in-use"),
        ("409", "409 Conflict"),
    ),
    _v(
        "days-order",
        "order of garbageCollectionSchedule.days in answers",
        "registries",
        "§5.2: the docs sample POSTs [Saturday, Sunday] and answers [Sunday, Saturday]",
        ("reverse", "Sunday first, duplicates removed"),
        ("calendar", "Monday first, duplicates removed"),
        ("as-sent", "in the order sent, duplicates removed"),
    ),
    _v(
        "schedule-time-echo",
        "how garbageCollectionSchedule.time reads back",
        "registries",
        "§5.2: +00:00 round-trips (ionosctl bats); whether Z is normalised is UNCERTAIN;"
        " the spec says 'UTC time of day e.g. 01:00:00'",
        ("+00:00", "time of day kept, offset written +00:00 (16:00:00Z reads 16:00:00+00:00)"),
        ("Z", "offset written Z (16:00:00+00:00 reads 16:00:00Z)"),
        ("verbatim", "exactly as sent"),
        ("no-offset", "time of day only (16:00:00Z reads 16:00:00)"),
    ),
    _v(
        "empty-days",
        "a schedule with an empty days list",
        "registries",
        "§5.2: days is required; no minimum number of items is stated",
        ("accepted", "accepted and read back as []"),
        ("refused", "400"),
    ),
    _v(
        "schedule-when-omitted",
        "the schedule of a registry created without one (and after PATCH with null)",
        "registries",
        "§5.2, §13: the answer for an omitted schedule is UNCERTAIN; Terraform marks the"
        " attribute Computed; the docs say garbage collection is off by default",
        ("none", "no schedule (rendered as unset-fields says); PATCH null removes it"),
        ("empty", "the server's own {days: [], time: 00:00:00+00:00}"),
        ("server-schedule", "the server's own {days: [Sunday], time: 03:00:00+00:00}"),
    ),
    _v(
        "allow-list-echo",
        "how apiSubnetAllowList entries read back",
        "registries",
        "§9: Terraform's acceptance tests expect entries read back as written (apparently not"
        " normalised); the 1.2.1 regex was not found",
        ("verbatim", "as written, in the order written"),
        (
            "canonical",
            "each as the network it denotes (192.168.0.167/24 reads 192.168.0.0/24,"
            " 203.0.113.7 reads 203.0.113.7/32)",
        ),
        ("sorted", "as written, sorted"),
    ),
    _v(
        "update-state",
        "the registry state while a PATCH/PUT is applied",
        "registries",
        "§5.7: Terraform waits for RUNNING after a PATCH, so there may be a transitional state;"
        " its name is not documented (§13)",
        ("Updating", "Updating until the update completes (see timing)"),
        ("none", "the state stays Running"),
    ),
    _v(
        "hostname-at",
        "when a new registry's hostname appears",
        "registries",
        "§8: docs: no hostname in the POST answer, one is allocated later; TF#607: empty while"
        " WaitingForStorage",
        ("running", '"" until Running, allocated with it'),
        ("post", "allocated at once: the POST answer has it"),
        ("waiting-for-storage", "allocated when the registry reaches WaitingForStorage"),
        ("after-running", "allocated one read after the registry first shows Running"),
    ),
    _v(
        "delete-visibility",
        "what reads show between a registry DELETE and its disappearance",
        "registries",
        "§5.8: deletion is asynchronous (Terraform polls GET until 404); the intermediate state"
        " was never observed",
        ("deleting", "state Deleting until gone (see timing); the name stays taken"),
        ("gone-at-once", "404 and the name free right after the DELETE"),
        ("state-unchanged", "the last state (e.g. Running) until gone"),
    ),
    _v(
        "delete-with-contents",
        "DELETE of a registry that still has tokens or repositories",
        "registries",
        "§5.8: not documented (presumably cascades)",
        ("cascade", "tokens and repositories go with the registry"),
        ("refused", "409 while the registry has tokens or repositories"),
    ),
    _v(
        "scanning-off",
        "features.vulnerabilityScanning.enabled: false on a registry that scans",
        "registries",
        "§5.7: cannot be switched off once on (Terraform docs, Ansible); the server's answer is"
        " UNCERTAIN (400 suggested)",
        ("400", "400 feature-cannot-be-disabled"),
        ("409", "409 Conflict"),
        ("ignored", "accepted; scanning stays on"),
    ),
    _v(
        "put-semantics",
        "fields a replacing PUT (registry or token) leaves out",
        "registries, tokens",
        "§5.6: full replacement, omitted fields 'presumably reset' (UNCERTAIN)",
        ("replace", "reset (schedule removed, allow list cleared, token status enabled...)"),
        ("merge", "kept"),
    ),
    _v(
        "put-unknown-id",
        "PUT to a registry or token id that does not exist",
        "registries, tokens",
        "§5.6: ionosctl re-creates a deleted registry by PUT to its id, implying client-chosen"
        " ids are accepted [TOOL, UNCERTAIN]",
        ("creates", "creates it under that id (201)"),
        ("404", "404"),
    ),
    _v(
        "registries-order",
        "order of GET /registries",
        "lists",
        "§5.3: not documented",
        ("created", "oldest first"),
        ("name", "by name"),
    ),
    _v(
        "registries-page-token",
        "shape of pagination.token in GET /registries",
        "lists",
        "§5.3: opaque; the sample is base64 of Kubernetes 'continue' JSON",
        ("k8s-continue", "base64 JSON like the sample (eyJ2Ijoi...)"),
        ("offset", "the next offset as a decimal string"),
        ("opaque", "a random id the server remembers"),
    ),
    _v(
        "registries-last-page",
        "pagination.token on the last page of GET /registries",
        "lists",
        '§5.3: the values when there is no further page are UNCERTAIN ("" recommended)',
        ("empty-token", 'token ""'),
        ("null-token", "token null"),
        ("no-token", "pagination without a token"),
    ),
    _v(
        "registries-links",
        "_links of GET /registries",
        "lists",
        "§5.3: PaginationLinks{next, previous, self} are required strings; real values UNCERTAIN",
        ("urls", 'next: URL or "", previous: "", self: URL'),
        ("empty", "_links: {}"),
        ("absent", "no _links"),
    ),
    _v(
        "filter-name",
        "how filter.name matches (registries and repositories)",
        "lists",
        "§5.3: 'The registry name to search for'; ionosctl calls it a case-insensitive"
        " contains-match (UNCERTAIN, §13)",
        ("substring-ci", "case-insensitive substring"),
        ("substring", "case-sensitive substring"),
        ("exact", "the exact name"),
        ("prefix", "case-sensitive prefix"),
        ("ignored", "no filtering at all"),
    ),
    # -- tokens ---------------------------------------------------------------------------------
    _v(
        "token-before-running",
        "token POST while the registry is not Running",
        "tokens",
        "§6.3: ionosctl's tests create tokens right after the registry POST [TOOL]",
        ("allowed", "allowed"),
        ("refused-400", "400 until the registry is Running"),
        ("refused-409", "409 until the registry is Running"),
    ),
    _v(
        "duplicate-token-status",
        "status of a token POST whose name exists in the registry",
        "tokens",
        "§6.3: 409 is documented, 'most likely duplicate token name' (UNCERTAIN)",
        ("409", "409 Conflict"),
        ("400", "400 name-in-use"),
    ),
    _v(
        "token-expiry-echo",
        "how expiryDate reads back",
        "tokens",
        "§6.8: RFC 3339; examples 2000-01-23T04:56:07.000+00:00 and 2025-07-17T03:22:54.593Z",
        ("Z", "in UTC with Z, fraction trimmed (+01:00 input reads converted)"),
        ("Z-millis", "in UTC with milliseconds and Z (.000Z)"),
        ("+00:00-millis", "in UTC with milliseconds and +00:00 (.000+00:00)"),
        ("verbatim", "exactly as sent"),
    ),
    _v(
        "past-expiry",
        "an expiryDate in the past",
        "tokens",
        "§6.8: whether past dates are rejected is UNCERTAIN (Terraform's tests always use a"
        " future date)",
        ("accepted", "accepted (the token is then expired)"),
        ("refused", "400"),
    ),
    _v(
        "token-disabled-state",
        "a disabled token's metadata.state",
        "tokens",
        "§2.2, §6.3: 'enabled' observed; mirroring 'disabled' is presumed",
        ("disabled", '"disabled" (mirrors status)'),
        ("enabled", 'stays "enabled"'),
    ),
    _v(
        "token-put-password",
        "the password in the answer to a replacing token PUT",
        "tokens",
        '§6.5: presumably "" (UNCERTAIN)',
        ("empty", '"" (the password is unchanged)'),
        ("new", "a new password, shown once (the old one stops working)"),
    ),
    _v(
        "quota-status",
        "status when a registry has as many tokens as it may",
        "tokens",
        "not documented; 400 and 409 are the token POST's documented errors",
        ("400", "400 quota-exceeded"),
        ("403", "403 Forbidden"),
        ("409", "409 Conflict"),
    ),
    # -- repositories, artifacts, vulnerabilities ---------------------------------------------
    _v(
        "basic-auth-newer-endpoints",
        "Basic credentials on the endpoints that list only tokenAuth",
        "repositories",
        "§1: repositories GET, artifacts and vulnerabilities list only tokenAuth in every SDK;"
        " whether Basic is rejected is UNCERTAIN (§13)",
        ("accepted", "accepted, like everywhere else"),
        ("rejected", "401 for Basic on repositories GET, artifacts and vulnerabilities"),
    ),
    _v(
        "repository-path",
        "how a multi-segment repository name (team/app) is addressed in paths",
        "repositories",
        "§3.1: UNCERTAIN; the SDK sends team%2Fapp; the delete path pattern allows no '/'",
        ("encoded-or-raw", "team%2Fapp and team/app both work"),
        ("encoded-only", "only team%2Fapp (team/app is 404)"),
        ("raw-only", "only team/app (team%2Fapp is 404)"),
        ("single-segment", "neither (404): such repositories appear only in lists"),
    ),
    _v(
        "list-links",
        "_links of the offset lists (repositories, artifacts, vulnerabilities)",
        "lists",
        "§7: prev 'only present if offset > 0', next 'only present if offset + limit < total';"
        " captured lists had prev: null, next: null",
        ("when-exist", "self always; prev and next only when they exist"),
        ("null", "prev and next null when they do not exist"),
        ("absent", "no _links at all"),
    ),
    _v(
        "list-paging",
        "offset and limit of every list",
        "lists",
        "§7: the 1.1.0 SDK said offset/limit were 'not implemented yet, always return number"
        " of items'; 1.2.x dropped the remark",
        ("honoured", "pages as asked"),
        ("ignored", "every item in one answer; offset and limit echoed as asked"),
    ),
    _v(
        "scan-timing",
        "which pushes are scanned (_vulns.scans_on_push)",
        "vulnerabilities",
        "§7.3: data exists only for pushed images with scanning on; when scans run is not"
        " documented",
        (
            "at-push",
            "at push time, when the registry scans; switching scanning on later scans nothing",
        ),
        ("also-on-enable", "also: switching scanning on scans every unscanned artifact"),
    ),
    _v(
        "no-findings-severity",
        "vulnMaxSeverity of a scanned artifact without findings (_vulns.max_severity)",
        "vulnerabilities",
        "§7.2-7.3: vulnMaxSeverity is a string without an enum; 'none' is a CVSS rating",
        ("null", "null"),
        ("none", '"none"'),
    ),
    _v(
        "total-score",
        "vulnTotalScore, 'sum of CVSS' (_vulns.total_score)",
        "vulnerabilities",
        "§7.2: observed 389.39993, which looks like 32-bit float noise",
        ("rounded", "the sum rounded to 2 decimals"),
        ("float32", "the sum as a 32-bit float (e.g. 389.39993)"),
    ),
    _v(
        "severity-filter",
        "filter.severity and filter.vulnerabilitySeverity (_vulns.severity_matches)",
        "vulnerabilities, repositories",
        "§7.1, §7.3: a string, e.g. high; the matching rule is not documented",
        ("exact-ci", "that severity, any case"),
        ("exact", "that severity, exact case"),
        ("at-least", "that severity or higher"),
    ),
    _v(
        "vulnerability-ties",
        "order of findings that sort equal (_vulns.tie_break)",
        "vulnerabilities",
        "§7.3: orderBy is documented, the order of ties is not",
        ("by-id", "by id, ascending"),
        ("by-id-desc", "by id, descending"),
    ),
    _v(
        "vulnerability-visibility",
        "GET /vulnerabilities/{id} of an advisory none of the caller's images has",
        "vulnerabilities",
        "§7.3: not documented",
        ("catalogue", "every advisory, for every tenant"),
        ("found-only", "404 unless one of the caller's artifacts has it"),
    ),
    # -- every surface --------------------------------------------------------------------------
    _v(
        "error-body",
        "errorCode and messages of error answers",
        "errors",
        '§2.4: real codes and messages were not found (docs show a placeholder "123");'
        " messages is nullable in spec 1.0",
        ("slugs", "errorCode: the emulator's words (name-in-use, validation-failed...)"),
        ("numeric", 'errorCode: a number in a string ("123"-style)'),
        ("no-messages", "messages: null"),
    ),
    _v(
        "unset-fields",
        "optional fields without a value (schedule, allow list, expiryDate, scopes,"
        " lastModified*, storageUsage.updatedAt, 1.1.0 metadata)",
        "registries, tokens, repositories",
        "§2.2: lastModified* 'null/absent until modified'; captured 1.1.0 metadata fields were"
        " null; the rest is not documented",
        (
            "mixed",
            "as documented in docs/emulator.md (schedule absent, allow list [],"
            " expiryDate null, lastModified* absent...)",
        ),
        ("null", "every one present as null"),
        ("absent", "every one left out"),
    ),
    _v(
        "timestamp-format",
        "date-times the server writes (metadata dates, storageUsage.updatedAt, lastPushedAt...)",
        "registries, tokens, repositories, vulnerabilities",
        "§2.2: samples show 2022-10-07T14:30:06Z (no fraction); the other fields were not observed",
        ("seconds-Z", "2022-10-07T14:30:06Z"),
        ("millis-Z", "2022-10-07T14:30:06.123Z"),
        ("offset", "2022-10-07T14:30:06.123456+00:00"),
    ),
    _v(
        "location-header",
        "the Location header of 201 answers",
        "registries, tokens",
        "§5.4: declared, value UNCERTAIN (presumably the resource URL)",
        ("absolute", "the resource's URL"),
        ("relative", "the resource's path"),
        ("absent", "no Location header"),
    ),
    _v(
        "collection-envelope",
        "id, type and href of list answers",
        "lists",
        "§2.1, §6.2: observed for registries and locations; the others are UNCERTAIN",
        ("named", "id (registries, tokens...), type collection, href"),
        ("bare", "no id, type or href: items and paging fields only"),
    ),
    _v(
        "limits",
        "bounds the reference does not publish (docs/emulator.md, Limits)",
        "tokens, errors",
        "none published: the service surely has bounds (§9 lists only documented ones)",
        ("generous", "the values in the Limits table"),
        (
            "strict",
            "64 KiB bodies, 25 scopes a token, 8 actions a scope, 128-character scope"
            " names, 100 tokens a registry",
        ),
    ),
    # -- data plane -----------------------------------------------------------------------------
    _v(
        "scope-patterns",
        "which repositories a token scope name matches on the data plane",
        "data-plane",
        "§6.1: name = repository name(s), '*' a wildcard (DCD guide); other patterns are not"
        " documented",
        ("exact-or-star", "the repository name exactly, or *"),
        ("glob", "shell-style patterns: team/* matches team/app"),
    ),
    _v(
        "token-endpoint-disabled",
        "the data plane's token endpoint for right but disabled or expired credentials",
        "data-plane",
        "not in the reference (a distribution registry's own choice)",
        ("issues", "a Bearer is issued; every request with it is 401"),
        ("refuses", "401 at the token endpoint"),
    ),
    _v(
        "pull-counting",
        "what counts as a pull in pullCount / lastPulledAt",
        "data-plane, repositories",
        "§7.1: pullCount is documented, what counts is not",
        ("manifest-get", "a manifest GET"),
        ("manifest-get-and-head", "a manifest GET or HEAD"),
    ),
)

#: Every variant by name, in the order `--list-variants` prints them.
VARIANTS: dict[str, Variant] = {v.name: v for v in _ALL}


def parse_choices(items: Mapping[str, Any] | Iterable[str] | None) -> dict[str, str]:
    """`{name: value}` from a mapping or `NAME=VALUE` strings; names may use `_` for `-`.
    Raises ValueError naming the unknown variant or value and what is allowed."""
    if items is None:
        return {}
    pairs: list[tuple[str, str]] = []
    if isinstance(items, Mapping):
        pairs = [(str(k), str(v)) for k, v in items.items()]
    else:
        for item in items:
            name, sep, value = str(item).partition("=")
            if not sep:
                raise ValueError(f"variant {item!r}: expected NAME=VALUE")
            pairs.append((name, value))
    chosen: dict[str, str] = {}
    for raw_name, value in pairs:
        name = raw_name.strip().replace("_", "-")
        variant = VARIANTS.get(name)
        if variant is None:
            raise ValueError(
                f"unknown variant {raw_name!r} (ionoscr-emulator --list-variants lists them)"
            )
        if value not in variant.choices:
            raise ValueError(
                f"variant {name}: {value!r} is not one of {', '.join(variant.choices)}"
            )
        chosen[name] = value
    return chosen


class Variants(Mapping[str, str]):
    """The value of every variant: the defaults, overridden by `choices`."""

    def __init__(self, choices: Mapping[str, Any] | Sequence[str] | None = None) -> None:
        self._values = {name: v.default for name, v in VARIANTS.items()}
        self._values.update(parse_choices(choices))

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def with_choices(self, choices: Mapping[str, Any] | Sequence[str]) -> Variants:
        """A copy with `choices` applied on top."""
        return Variants({**self._values, **parse_choices(choices)})

    def non_default(self) -> dict[str, str]:
        return {n: v for n, v in self._values.items() if v != VARIANTS[n].default}

    def __repr__(self) -> str:
        return f"Variants({self.non_default()!r})"


def variant_lines() -> list[str]:
    """`--list-variants`: per variant one line `name: question [surface]; default ...;
    evidence ...`, then one line per other value starting with `NAME=VALUE`."""
    lines: list[str] = []
    for v in VARIANTS.values():
        default_doc = v.values[0][1]
        lines.append(
            f"{v.name}: {v.question} [{v.surface}]; default {v.default} ({default_doc});"
            f" evidence: {v.evidence}"
        )
        lines.extend(f"{v.name}={value}\t{doc}" for value, doc in v.values[1:])
    return lines
