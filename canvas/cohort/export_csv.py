"""The dashboard table as CSV rows, safe against spreadsheet formula injection."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..evaluator import BLOCKS
from .venture_rows import Row

CSV_HEADER = (
    "venture",
    "slug",
    "solution_type",
    "market_stage",
    "score",
    "errors",
    "warnings",
    "infos",
    *(f"{b}_status" for b in BLOCKS),
    "core_activities",
    "activities",
    "key_partners",
    "vendors",
    "partners",
    "runway_months",
    "readiness_yes_of_5",
    "updated_at",
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formula injection: a text cell starting with = + - @ tab or
    CR gets a leading apostrophe. Numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_rows(table: Iterable[Row]) -> Iterable[list[Any]]:
    yield list(CSV_HEADER)
    for r in table:
        if r.runway_unlimited:
            runway: Any = "unlimited"
        else:
            runway = "" if r.runway_months is None else r.runway_months
        values = [
            r.name,
            r.slug,
            r.solution_type,
            r.market_stage,
            r.score if r.evaluated else "",
            r.errors,
            r.warnings,
            r.infos,
            *(b.status for b in r.blocks),
            r.core_activities,
            r.activities,
            r.key_partners,
            r.vendors,
            r.partners,
            runway,
            r.readiness_yes,
            r.updated_at.isoformat() if r.updated_at else "",
        ]
        yield [csv_safe(v) for v in values]
