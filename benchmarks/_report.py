"""Plain-text tables and request-log summaries."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_PREFIX = "/containerregistries"


def endpoint(entry: dict[str, Any]) -> str:
    """`METHOD /path` with ids and names replaced by placeholders, e.g. `GET /registries/{id}`."""
    path = str(entry["path"]).removeprefix(_PREFIX)
    path = _UUID.sub("{id}", path)
    path = re.sub(r"^/names/[^/]+", "/names/{name}", path)
    path = re.sub(r"/repositories/[^/]+", "/repositories/{name}", path)
    return f"{entry['method']} {path}"


def call_summary(entries: Iterable[dict[str, Any]]) -> str:
    """`GET /registries/{id} x2, POST /registries` in first-seen order."""
    counts = Counter(endpoint(e) for e in entries)
    return ", ".join(f"{ep} x{n}" if n > 1 else ep for ep, n in counts.items()) or "-"


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A left-aligned text table; numbers right-aligned."""
    text_rows = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str], numeric: Sequence[bool]) -> str:
        parts = [
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    numeric_cols = [
        all(_is_number(r[i]) for r in text_rows) if text_rows else False
        for i in range(len(headers))
    ]
    out = [line(list(headers), [False] * len(headers))]
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(row, numeric_cols) for row in text_rows)
    return "\n".join(out)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _is_number(text: str) -> bool:
    try:
        float(text.rstrip("xs%"))
    except ValueError:
        return text in ("-", "n/a")
    return True
