"""Vulnerability data: the advisory catalogue, scan results, and the rules of the lists that
show them (no HTTP, no state of its own).

The reference gives the shapes (`VulnerabilityRead`, the per-artifact list with
`filter.severity` / `filter.fixable` / `orderBy`, the artifact summary fields) but not where
the data comes from: on the real service a scanner fills it in. The emulator scans an
artifact when it is pushed, with results derived from its digest, so the same image always
has the same findings, and the admin API can set any artifact's findings.

Every choice the reference leaves open is one named decision below, each an UNCERTAIN row of
docs/emulator.md: `scans_on_push`, `scans_when_enabled`, `seeded_findings`, `SEVERITIES`,
`total_score`, `max_severity`, `severity_matches`, `VULNERABILITY_ORDER_BY`, `tie_break`. Those a
client can observe take the value of their variant (`_variants.py`) as an argument. The
advisory ids are synthetic (year 2099) so that they cannot be mistaken for real advisories.
"""

from __future__ import annotations

import hashlib
import random
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ._checks import (
    bad_request,
    check_count,
    check_length,
    expect_bool,
    expect_list,
    expect_object,
    expect_str,
    no_unknown,
    num_field,
    parse_datetime,
    require,
)
from ._limits import MAX_VULNERABILITY_ID_LENGTH

__all__ = [
    "SEVERITIES",
    "SEVERITY_RANK",
    "VULNERABILITY_ORDER_BY",
    "Advisory",
    "ScanSummary",
    "builtin_catalogue",
    "max_severity",
    "parse_advisory",
    "scans_on_push",
    "scans_when_enabled",
    "seeded_findings",
    "select",
    "severity_matches",
    "summarize",
    "total_score",
]

#: UNCERTAIN: the severity words. Observed `critical`, `high`, `medium`; `low` presumed;
#: the emulator emits these four, lower case, and ranks `none`/`unknown` below them.
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
SEVERITY_RANK = {"none": 0, "unknown": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

_VULN_KEYS = ("score", "severity", "publishedAt", "updatedAt", "fixable")
#: `orderBy` of `GET .../artifacts/{digest}/vulnerabilities` (reference §7.3), default first.
VULNERABILITY_ORDER_BY: tuple[str, ...] = tuple(f"-{k}" for k in _VULN_KEYS) + _VULN_KEYS

#: Findings a seeded scan can have (an image with none is as real as one with many).
_SEEDED_COUNTS = (0, 1, 2, 3, 4, 5, 7, 9)


@dataclass
class Advisory:
    """One vulnerability as the advisory database describes it (`VulnerabilityRead`)."""

    id: str
    severity: str
    score: float
    fixable: bool
    description: str
    recommendations: str | None = None
    data_source_id: str = "osv"
    data_source_url: str = ""
    affects: list[dict[str, str]] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    published_at: float = 0.0
    updated_at: float | None = None


@dataclass
class ScanSummary:
    """The artifact metadata fields a scan fills in."""

    max_severity: str | None
    total_score: float
    total_count: int
    fixable_count: int


# --------------------------------------------------------------------------------------------
# the built-in catalogue (synthetic advisories)


def _ts(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


# (number, purl type, package, affected version, fixed version or None, severity, score,
#  published, updated or None, what)
_BUILTIN: tuple[tuple[int, str, str, str, str | None, str, float, str, str | None, str], ...] = (
    (10001, "deb", "libc6", "2.31-0ubuntu9.2", "2.31-0ubuntu9.9", "critical", 9.8,
     "2024-02-01", "2024-03-12", "heap buffer overflow in the DNS stub resolver"),
    (10002, "deb", "openssl", "1.1.1f-1ubuntu2", "1.1.1f-1ubuntu2.19", "critical", 9.1,
     "2024-04-17", None, "out-of-bounds read when parsing X.400 addresses"),
    (10003, "npm", "lodash", "4.17.15", "4.17.21", "critical", 9.4,
     "2024-06-03", "2024-06-20", "prototype pollution through zipObjectDeep"),
    (10004, "deb", "zlib1g", "1:1.2.11.dfsg-2ubuntu1", "1:1.2.11.dfsg-2ubuntu1.5", "high", 8.1,
     "2024-01-09", None, "heap overflow in inflate with a large gzip header extra field"),
    (10005, "pypi", "requests", "2.25.1", "2.31.0", "high", 7.5,
     "2024-05-22", "2024-07-01", "Proxy-Authorization header leaked on redirects"),
    (10006, "deb", "curl", "7.68.0-1ubuntu2.7", "7.68.0-1ubuntu2.20", "high", 7.5,
     "2024-03-28", None, "cookie injection through a crafted HTTP response"),
    (10007, "golang", "golang.org/x/net", "v0.7.0", "v0.17.0", "high", 7.5,
     "2024-08-14", None, "HTTP/2 rapid reset causes excessive resource use"),
    (10008, "deb", "perl-base", "5.30.0-9ubuntu0.2", None, "high", 7.0,
     "2024-09-02", None, "integer overflow in the regular expression compiler"),
    (10009, "deb", "tar", "1.30+dfsg-7ubuntu0.20.04.1", "1.30+dfsg-7ubuntu0.20.04.3", "medium",
     5.5, "2024-02-20", None, "out-of-bounds read on archives with crafted extended headers"),
    (10010, "pypi", "urllib3", "1.26.4", "1.26.18", "medium", 6.1,
     "2024-07-09", "2024-07-30", "Cookie header not stripped on cross-origin redirects"),
    (10011, "deb", "libgcrypt20", "1.8.5-5ubuntu1", None, "medium", 5.9,
     "2024-10-11", None, "timing side channel in ElGamal decryption"),
    (10012, "npm", "minimist", "1.2.5", "1.2.6", "medium", 5.6,
     "2024-03-05", None, "prototype pollution through constructor keys"),
    (10013, "deb", "ncurses-base", "6.2-0ubuntu2", "6.2-0ubuntu2.1", "medium", 4.4,
     "2024-11-19", None, "stack overflow when reading a crafted terminfo file"),
    (10014, "deb", "login", "1:4.8.1-1ubuntu5.20.04.1", None, "low", 3.3,
     "2024-04-02", None, "password change writes a world-readable temporary file"),
    (10015, "deb", "coreutils", "8.30-3ubuntu2", None, "low", 2.5,
     "2024-06-25", None, "split reads past a buffer on very long lines"),
    (10016, "pypi", "setuptools", "44.0.0", "65.5.1", "low", 3.7,
     "2024-09-30", "2024-10-02", "regular expression denial of service in package_index"),
)  # fmt: skip


def builtin_catalogue() -> dict[str, Advisory]:
    catalogue: dict[str, Advisory] = {}
    for (
        number,
        ptype,
        package,
        version,
        fixed,
        severity,
        score,
        published,
        updated,
        what,
    ) in _BUILTIN:
        vid = f"CVE-2099-{number}"
        catalogue[vid] = Advisory(
            id=vid,
            severity=severity,
            score=score,
            fixable=fixed is not None,
            description=f"{package}: {what} (a synthetic advisory of the emulator)",
            recommendations=None if fixed is None else f"Upgrade {package} to {fixed} or later",
            data_source_id="osv",
            data_source_url=f"https://osv.dev/vulnerability/{vid}",
            affects=[{"type": ptype, "name": package, "version": version}],
            references=[f"https://nvd.nist.gov/vuln/detail/{vid}"],
            published_at=_ts(published),
            updated_at=None if updated is None else _ts(updated),
        )
    return catalogue


# --------------------------------------------------------------------------------------------
# decisions (UNCERTAIN: the reference is silent on each)


def scans_on_push(scanning_enabled: bool) -> bool:
    """Whether a push is scanned. The reference: data exists only "if images are pushed via
    the registry data plane and scanning is enabled" (a paid add-on). Chosen: scanned at push
    time exactly when the registry's scanning is on; switching it on later does not scan what
    was pushed before."""
    return scanning_enabled


def scans_when_enabled(scan_timing: str) -> bool:
    """Whether switching scanning on scans what was pushed before (variant `scan-timing`)."""
    return scan_timing == "also-on-enable"


def seeded_findings(digest: str, catalogue: Mapping[str, Advisory]) -> list[str]:
    """The findings of a scan: a choice among the built-in advisories derived from the digest
    alone, so the same image has the same findings in every run and every registry."""
    rng = random.Random(hashlib.sha256(digest.encode()).digest())
    ids = sorted(catalogue)
    return sorted(rng.sample(ids, min(rng.choice(_SEEDED_COUNTS), len(ids))))


def max_severity(advisories: Iterable[Advisory], no_findings: str) -> str | None:
    """`vulnMaxSeverity`: the highest ranked severity; without findings None, or "none"
    (variant `no-findings-severity`)."""
    ranked = sorted(advisories, key=lambda a: SEVERITY_RANK.get(a.severity, 0), reverse=True)
    if ranked:
        return ranked[0].severity
    return "none" if no_findings == "none" else None


def total_score(advisories: Iterable[Advisory], style: str) -> float:
    """`vulnTotalScore`, "sum of CVSS": the plain sum rounded to 2 decimals, or (variant
    `total-score` float32) the sum as a 32-bit float prints, like the observed `389.39993`."""
    if style != "float32":
        return round(sum(a.score for a in advisories), 2)
    single = 0.0
    for advisory in advisories:  # summed in 32 bits, rounding at every step
        single = _float32(single + _float32(advisory.score))
    # The shortest decimal that reads back as the same 32-bit float (what Go's encoder prints).
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if _float32(float(text)) == single:
            return float(text)
    return single


def _float32(value: float) -> float:
    result: float = struct.unpack("<f", struct.pack("<f", value))[0]
    return result


def severity_matches(advisory_severity: str, wanted: str, rule: str) -> bool:
    """`filter.severity` / `filter.vulnerabilitySeverity` (variant `severity-filter`): the
    severity word in any case, in exact case, or that severity or higher."""
    if rule == "exact":
        return advisory_severity == wanted
    if rule == "at-least":
        floor = SEVERITY_RANK.get(wanted.lower())
        return floor is not None and SEVERITY_RANK.get(advisory_severity, 0) >= floor
    return advisory_severity == wanted.lower()


def tie_break(advisory: Advisory) -> str:
    """Order of findings that sort equal: by id (variant `vulnerability-ties`: ascending or
    descending)."""
    return advisory.id


def summarize(advisories: Sequence[Advisory], *, no_findings: str, score_style: str) -> ScanSummary:
    return ScanSummary(
        max_severity=max_severity(advisories, no_findings),
        total_score=total_score(advisories, score_style),
        total_count=len(advisories),
        fixable_count=sum(1 for a in advisories if a.fixable),
    )


def _sort_key(advisory: Advisory, key: str) -> Any:
    return {
        "score": advisory.score,
        "severity": SEVERITY_RANK.get(advisory.severity, 0),
        "publishedAt": advisory.published_at,
        "updatedAt": advisory.updated_at,
        "fixable": advisory.fixable,
    }[key]


def select(
    advisories: Sequence[Advisory],
    *,
    order_by: str | None,
    severity: str | None,
    fixable: bool | None,
    severity_rule: str,
    ties: str,
) -> list[Advisory]:
    """Filter and order one artifact's findings (`filter.severity`, `filter.fixable`,
    `orderBy`, default `-score`). Missing values (`updatedAt`) sort last either way."""
    order = order_by or VULNERABILITY_ORDER_BY[0]
    if order not in VULNERABILITY_ORDER_BY:
        raise bad_request(
            f"orderBy: {order!r} is not one of {', '.join(VULNERABILITY_ORDER_BY)}",
            "invalid-parameter",
        )
    chosen = [
        a
        for a in advisories
        if (severity is None or severity_matches(a.severity, severity, severity_rule))
        and (fixable is None or a.fixable is fixable)
    ]
    key = order.lstrip("-")
    descending_ties = ties == "by-id-desc"
    present = sorted(
        (a for a in chosen if _sort_key(a, key) is not None),
        key=tie_break,
        reverse=descending_ties,
    )  # stable: ties keep the id order
    present.sort(key=lambda a: _sort_key(a, key), reverse=order.startswith("-"))
    missing = sorted(
        (a for a in chosen if _sort_key(a, key) is None), key=tie_break, reverse=descending_ties
    )
    return present + missing


# --------------------------------------------------------------------------------------------
# advisories defined through the admin API

_ADVISORY_FIELDS = (
    "id",
    "severity",
    "score",
    "fixable",
    "description",
    "recommendations",
    "dataSource",
    "affects",
    "references",
    "publishedAt",
    "updatedAt",
)


def _when(value: Any, path: str) -> float:
    text = expect_str(value, path)
    try:
        return parse_datetime(text).timestamp()
    except ValueError:
        raise bad_request(f"{path}: {text!r} is not an RFC 3339 date-time") from None


def parse_advisory(value: Any, path: str, now: float) -> Advisory:
    """An advisory in the wire's words (`id`, `severity`, `score` required)."""
    obj = expect_object(value, path)
    no_unknown(obj, _ADVISORY_FIELDS, path)
    vid = check_length(
        expect_str(require(obj, "id", path), f"{path}.id"),
        MAX_VULNERABILITY_ID_LENGTH,
        f"{path}.id",
    )
    if not vid or "/" in vid:
        raise bad_request(f"{path}.id: {vid!r} is not a vulnerability id")
    severity = expect_str(require(obj, "severity", path), f"{path}.severity").lower()
    if severity not in SEVERITY_RANK:
        raise bad_request(f"{path}.severity: {severity!r} is not one of {', '.join(SEVERITY_RANK)}")
    score = num_field(require(obj, "score", path), f"{path}.score")
    if score is None or not 0 <= score <= 10:
        raise bad_request(f"{path}.score: a CVSS score is between 0 and 10")
    source = expect_object(obj.get("dataSource", {}), f"{path}.dataSource")
    no_unknown(source, ("id", "url"), f"{path}.dataSource")
    affects = []
    for i, purl in enumerate(
        check_count(expect_list(obj.get("affects", []), f"{path}.affects"), 100, f"{path}.affects")
    ):
        ppath = f"{path}.affects[{i}]"
        p = expect_object(purl, ppath)
        no_unknown(p, ("type", "name", "version"), ppath)
        affects.append(
            {
                k: expect_str(require(p, k, ppath), f"{ppath}.{k}")
                for k in ("type", "name", "version")
            }
        )
    references = [
        expect_str(r, f"{path}.references[{i}]")
        for i, r in enumerate(expect_list(obj.get("references", []), f"{path}.references"))
    ]
    recommendations = obj.get("recommendations")
    return Advisory(
        id=vid,
        severity=severity,
        score=score,
        fixable=expect_bool(obj.get("fixable", False), f"{path}.fixable"),
        description=expect_str(obj.get("description", ""), f"{path}.description"),
        recommendations=None
        if recommendations is None
        else expect_str(recommendations, f"{path}.recommendations"),
        data_source_id=expect_str(source.get("id", "emulator"), f"{path}.dataSource.id"),
        data_source_url=expect_str(source.get("url", ""), f"{path}.dataSource.url"),
        affects=affects,
        references=references,
        published_at=_when(obj["publishedAt"], f"{path}.publishedAt")
        if obj.get("publishedAt") is not None
        else now,
        updated_at=_when(obj["updatedAt"], f"{path}.updatedAt")
        if obj.get("updatedAt") is not None
        else None,
    )
