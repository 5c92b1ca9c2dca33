"""Quarterly rotation: a token's `rotation_triggers` and `expiry_date` for a given day.

Both stay the same for a whole quarter, so repeated `pulumi up`s change nothing; the first run
in a new quarter replaces the tokens (new passwords) and moves their expiry. A token expires at
the end of the quarter after the one it was made in, so a missed rotation has a quarter's grace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Rotation:
    quarter: str  # e.g. "2026Q4"
    expiry_date: str  # RFC 3339, UTC

    @property
    def triggers(self) -> dict[str, str]:
        return {"quarter": self.quarter}


def quarterly(today: dt.date) -> Rotation:
    index = (today.month - 1) // 3  # 0..3
    # The quarter after next starts `months` months after this quarter's first month.
    months = today.year * 12 + index * 3 + 6
    end = dt.date(months // 12, months % 12 + 1, 1)
    return Rotation(f"{today.year}Q{index + 1}", f"{end.isoformat()}T00:00:00Z")
