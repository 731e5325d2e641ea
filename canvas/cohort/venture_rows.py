"""One row per venture: its figures from the cached evaluation, the status of each
block, and the heat-map levels and labels shared by the whole dashboard.

Runway against the milestone and the readiness summary come from the evaluator's own
summaries (``runway_line``, ``runway_level``, ``readiness_counts``, ``readiness_line``), so
the dashboard's words and colours agree with rules KR02-KR04 and with every other page;
the number of readiness questions is read from the document's question list."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..board import score_class
from ..document import READINESS_QUESTIONS
from ..document import label as vocab_label
from ..evaluator import (
    BLOCKS,
    RULES,
    RULESET_VERSION,
    SEVERITIES,
    readiness_counts,
    readiness_line,
    runway_level,
    runway_line,
)
from ..evaluator.model import unlimited_runway_in

# A block is "complete" only with no finding at all: one with info findings alone (for
# example RD02, questions not answered) is not called complete.
COMPLETE, INFOS, WARNINGS, ERRORS = "complete", "infos", "warnings", "errors"
NOT_EVALUATED = "none"
STATUS_LABELS = {
    COMPLETE: "Complete",
    INFOS: "Info only",
    WARNINGS: "Has warnings",
    ERRORS: "Has errors",
    NOT_EVALUATED: "Not evaluated",
}
# Heat-map levels shared by every coloured cell; the cell's text always carries the same
# meaning, so colour is never the only carrier.
GOOD, FAIR, POOR, NEUTRAL = "good", "fair", "poor", "neutral"
SHORT_BLOCK_LABELS = {
    "channels": "Channels",
    "partners": "Partners",
    "activities": "Activities",
    "resources": "Resources",
    "readiness": "Readiness",
}
RULE_ORDER = {r.id: i for i, r in enumerate(RULES)}


def score_level(score: int) -> str:
    """The score bands used everywhere (the canvas's score chip, the home page too)."""
    return score_class(score)


def finding_url(slug: str, rule: str) -> str:
    """A venture's canvas opened at one rule's findings.

    The editor reads ``?finding=RULE`` to highlight that rule's findings and the
    ``#findings`` fragment scrolls to the findings panel."""
    return f"/ventures/{slug}/canvas/?finding={rule}#findings"  # both are URL-safe


# --- one row per venture ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BlockStatus:
    block: str
    status: str
    errors: int = 0
    warnings: int = 0
    infos: int = 0

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def text(self) -> str:
        """The short text in the table cell (the colour says the same)."""
        if self.status == ERRORS:
            return plural(self.errors, "error")
        if self.status == WARNINGS:
            return plural(self.warnings, "warning")
        if self.status == INFOS:
            return f"{self.infos} info"
        return "—" if self.status == NOT_EVALUATED else "Complete"

    @property
    def summary(self) -> str:
        """Status with every count, for the comparison page."""
        counts = [
            plural(n, word) for n, word in ((self.errors, "error"), (self.warnings, "warning")) if n
        ]
        if self.infos:
            counts.append(f"{self.infos} info")
        if self.status == NOT_EVALUATED:
            return self.label
        return self.label + (": " + ", ".join(counts) if counts else "")

    @property
    def mark(self) -> str:
        """The compact visible form: a symbol and, for problems, their count."""
        if self.status == ERRORS:
            return f"✕ {self.errors}"
        if self.status == WARNINGS:
            return f"! {self.warnings}"
        if self.status == INFOS:
            return f"i {self.infos}"
        return "✓" if self.status == COMPLETE else "—"

    @property
    def heat(self) -> str:
        return {COMPLETE: GOOD, WARNINGS: FAIR, ERRORS: POOR}.get(self.status, NEUTRAL)

    @property
    def rank(self) -> tuple[int, int, int, int]:
        """Sort key: the worse the block, the higher."""
        order = {NOT_EVALUATED: -1, COMPLETE: 0, INFOS: 1, WARNINGS: 2, ERRORS: 3}[self.status]
        return (order, self.errors, self.warnings, self.infos)


def plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def _short_months(text: str) -> str:
    """'milestone in 14 months · 4 months to raise' -> 'milestone in 14 mo · 4 mo to raise'."""
    return re.sub(r"\bmonths?\b", "mo", text)


@dataclass(frozen=True, slots=True)
class Row:
    slug: str
    name: str
    solution_type: str
    market_stage: str
    evaluated: bool
    score: int
    errors: int
    warnings: int
    infos: int
    blocks: tuple[BlockStatus, ...]
    activities: int
    core_activities: int
    partners: int
    key_partners: int
    partners_rated_vendor: int  # partners whose vendor-test verdict is vendor (KP02)
    vendors: int  # entries on the vendor list
    runway_months: float | None
    runway_unlimited: bool
    milestone_months: float | None  # months to the next fundable milestone
    next_milestone: str
    readiness_answers: tuple[bool | None, ...]  # in the order of READINESS_QUESTIONS
    updated_at: datetime | None
    rules: tuple[str, ...] = ()  # the distinct rules that fire, in evaluator order

    # -- labels --
    @property
    def solution_type_label(self) -> str:
        return vocab_label("solution_type", self.solution_type)

    @property
    def market_stage_label(self) -> str:
        return vocab_label("market_stage", self.market_stage)

    @property
    def market_stage_short(self) -> str:
        """The stage without "market", for the narrow table column."""
        return self.market_stage_label.removesuffix(" market")

    @property
    def canvas_url(self) -> str:
        return f"/ventures/{self.slug}/canvas/"

    @property
    def runway_text(self) -> str:
        if self.runway_unlimited:
            return "Unlimited"
        if self.runway_months is None:
            return "Unknown"
        return f"{self.runway_months:.1f}"

    @property
    def runway_line(self) -> str:
        """Runway against the milestone in the evaluator's words, for example '18.0 months of
        runway · milestone in 14 months · 4 months to raise'."""
        if not self.evaluated:
            return "Not evaluated"
        return runway_line(self.runway_months, self.runway_unlimited, self.milestone_months)

    @property
    def runway_against(self) -> str:
        """The milestone part of ``runway_line``, short for the table cell: 'milestone in
        14 mo · 4 mo to raise' (or 'no milestone set')."""
        if not self.evaluated:
            return ""
        return _short_months(" · ".join(self.runway_line.split(" · ")[1:]))

    @property
    def runway_sort(self) -> float:
        if self.runway_unlimited:
            return math.inf
        return -1.0 if self.runway_months is None else self.runway_months

    # -- heat-map levels --
    @property
    def score_heat(self) -> str:
        return score_level(self.score) if self.evaluated else NEUTRAL

    @property
    def errors_heat(self) -> str:
        return POOR if self.errors else GOOD

    @property
    def warnings_heat(self) -> str:
        if not self.warnings:
            return GOOD
        return FAIR if self.warnings < 5 else POOR

    @property
    def infos_heat(self) -> str:
        return NEUTRAL

    @property
    def core_heat(self) -> str:
        return GOOD if self.core_activities else POOR

    @property
    def key_partners_heat(self) -> str:
        return GOOD if self.key_partners else POOR

    @property
    def vendors_heat(self) -> str:
        return NEUTRAL  # a vendor list is neither good nor bad

    @property
    def runway_heat(self) -> str:
        """As the runway rules judged it: KR02/KR03 poor, KR04 fair, neither good."""
        return runway_level(self.rules) if self.evaluated else NEUTRAL

    # -- readiness, summarised as what it is --
    @property
    def readiness_answered(self) -> int:
        return readiness_counts(self.readiness_answers)[0]

    @property
    def readiness_yes(self) -> int:
        return readiness_counts(self.readiness_answers)[1]

    @property
    def readiness_questions(self) -> int:
        return len(self.readiness_answers)

    @property
    def readiness_text(self) -> str:
        """'3 of 5 answered · 2 yes'."""
        return readiness_line(self.readiness_answers)

    @property
    def readiness_sort(self) -> tuple[int, int]:
        return (self.readiness_yes, self.readiness_answered)

    @property
    def readiness_heat(self) -> str:
        """Good when every question is answered yes, fair when at least half are, poor
        otherwise (relative to however many questions there are)."""
        yes, total = self.readiness_yes, self.readiness_questions
        if yes == total:
            return GOOD
        return FAIR if 2 * yes >= total else POOR


def _block_statuses(findings: Sequence[Mapping[str, Any]], evaluated: bool) -> tuple:
    if not evaluated:
        return tuple(BlockStatus(b, NOT_EVALUATED) for b in BLOCKS)
    counts = {b: dict.fromkeys(SEVERITIES, 0) for b in BLOCKS}
    for f in findings:
        counts[f["block"]][f["severity"]] += 1
    statuses = []
    for block in BLOCKS:
        c = counts[block]
        status = (
            ERRORS if c["error"] else WARNINGS if c["warning"] else INFOS if c["info"] else COMPLETE
        )
        statuses.append(BlockStatus(block, status, c["error"], c["warning"], c["info"]))
    return tuple(statuses)


def row_for(venture: Any, canvas: Any | None, vendors: int = 0) -> Row:
    """One dashboard row from a venture and its canvas (or None), cached fields only;
    ``vendors`` is the length of the canvas's vendor list. An evaluation stored under an
    older rule set is never shown as current: such a row reads as not evaluated."""
    evaluation: Mapping[str, Any] = (canvas.evaluation if canvas is not None else None) or {}
    evaluated = bool(evaluation) and evaluation.get("ruleset") == RULESET_VERSION
    if not evaluated:
        evaluation = {}
    findings = evaluation.get("findings", ())
    partners = evaluation.get("partners", ())
    activities = evaluation.get("activities", ())
    runway = canvas.runway_months if canvas is not None and evaluated else None
    fired = {f["rule"] for f in findings}
    unlimited = evaluated and unlimited_runway_in(runway, fired)
    answers = tuple(getattr(canvas, q) if canvas is not None else None for q in READINESS_QUESTIONS)
    return Row(
        slug=venture.slug,
        name=venture.name,
        solution_type=venture.solution_type,
        market_stage=venture.market_stage,
        evaluated=evaluated,
        score=canvas.score if evaluated else 0,
        errors=canvas.error_count if evaluated else 0,
        warnings=canvas.warning_count if evaluated else 0,
        infos=canvas.info_count if evaluated else 0,
        blocks=_block_statuses(findings, evaluated),
        activities=len(activities),
        core_activities=sum(1 for a in activities if a["core"]),
        partners=len(partners),
        key_partners=sum(1 for p in partners if p["verdict"] == "key_partner"),
        partners_rated_vendor=sum(1 for p in partners if p["verdict"] == "vendor"),
        vendors=vendors,
        runway_months=runway,
        runway_unlimited=unlimited,
        milestone_months=getattr(canvas, "months_to_milestone", None),
        next_milestone=getattr(canvas, "next_milestone", "") or "",
        readiness_answers=answers,
        updated_at=canvas.updated_at if canvas is not None else None,
        rules=tuple(sorted(fired, key=lambda r: RULE_ORDER.get(r, len(RULE_ORDER)))),
    )


def rows(ventures: Iterable[Any]) -> list[Row]:
    """Rows for ventures loaded with ``select_related("canvas")`` (a missing canvas is
    shown as not evaluated) and, when annotated, ``vendor_count`` (the vendor list's
    length)."""
    result = []
    for venture in ventures:
        try:
            canvas = venture.canvas
        except AttributeError:  # RelatedObjectDoesNotExist is an AttributeError
            canvas = None
        result.append(row_for(venture, canvas, getattr(venture, "vendor_count", 0) or 0))
    return result
