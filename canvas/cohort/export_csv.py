"""The dashboard table as CSV rows, safe against spreadsheet formula injection."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..document import READINESS_QUESTIONS
from ..evaluator import BLOCKS
from .venture_rows import Row

# Built from the evaluator's blocks and the document's readiness questions: nothing here
# knows how many there are.
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
    "partners",
    "partners_rated_vendor",
    "vendors",
    "runway_months",
    "months_to_milestone",
    "runway_against_milestone",
    "next_milestone",
    "readiness",
    "readiness_answered",
    "readiness_yes",
    "readiness_questions",
    *(f"readiness_{q}" for q in READINESS_QUESTIONS),
    "updated_at",
)
_ANSWER = {True: "yes", False: "no", None: ""}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formula injection: a text cell starting with = + - @ tab or
    CR gets a leading apostrophe. Numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _number(value: float | None) -> Any:
    """A whole number as an integer (14, not 14.0), as the canvas document writes it."""
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else value


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
            r.partners,
            r.partners_rated_vendor,
            r.vendors,
            runway,
            _number(r.milestone_months),
            r.runway_line if r.evaluated else "",
            r.next_milestone,
            r.readiness_text,
            r.readiness_answered,
            r.readiness_yes,
            r.readiness_questions,
            *(_ANSWER[a] for a in r.readiness_answers),
            r.updated_at.isoformat() if r.updated_at else "",
        ]
        yield [csv_safe(v) for v in values]
