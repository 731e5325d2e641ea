"""One row per venture: its figures from the cached evaluation, the status of each
block, and the heat-map levels and labels shared by the whole dashboard."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..board import score_class
from ..document import READINESS_QUESTIONS
from ..document import label as vocab_label
from ..evaluator import BLOCKS, RULES, RUNWAY_COMFORTABLE, RUNWAY_CRITICAL, SEVERITIES
from ..evaluator.model import unlimited_runway_in

COMPLETE, WARNINGS, ERRORS, NOT_EVALUATED = "complete", "warnings", "errors", "none"
STATUS_LABELS = {
    COMPLETE: "Complete",
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
RUNWAY_SHORT = RUNWAY_CRITICAL
RUNWAY_OK = RUNWAY_COMFORTABLE
READINESS_TOTAL = len(READINESS_QUESTIONS)
_RULE_ORDER = {r.id: i for i, r in enumerate(RULES)}


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
            return _plural(self.errors, "error")
        if self.status == WARNINGS:
            return _plural(self.warnings, "warning")
        return "—" if self.status == NOT_EVALUATED else "Complete"

    @property
    def summary(self) -> str:
        """Status with every count, for the comparison page."""
        counts = [
            _plural(n, word)
            for n, word in ((self.errors, "error"), (self.warnings, "warning"))
            if n
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
        return "✓" if self.status == COMPLETE else "—"

    @property
    def heat(self) -> str:
        return {COMPLETE: GOOD, WARNINGS: FAIR, ERRORS: POOR}.get(self.status, NEUTRAL)

    @property
    def rank(self) -> tuple[int, int, int]:
        """Sort key: the worse the block, the higher."""
        order = {NOT_EVALUATED: -1, COMPLETE: 0, WARNINGS: 1, ERRORS: 2}[self.status]
        return (order, self.errors, self.warnings)


def _plural(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


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
    vendors: int
    runway_months: float | None
    runway_unlimited: bool
    readiness_yes: int
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
        return FAIR if self.vendors else GOOD

    @property
    def runway_heat(self) -> str:
        if self.runway_unlimited:
            return GOOD
        if self.runway_months is None or self.runway_months < RUNWAY_SHORT:
            return POOR
        return FAIR if self.runway_months < RUNWAY_OK else GOOD

    @property
    def readiness_heat(self) -> str:
        if self.readiness_yes == READINESS_TOTAL:
            return GOOD
        return FAIR if self.readiness_yes >= 3 else POOR


def _block_statuses(findings: Sequence[Mapping[str, Any]], evaluated: bool) -> tuple:
    if not evaluated:
        return tuple(BlockStatus(b, NOT_EVALUATED) for b in BLOCKS)
    counts = {b: dict.fromkeys(SEVERITIES, 0) for b in BLOCKS}
    for f in findings:
        counts[f["block"]][f["severity"]] += 1
    statuses = []
    for block in BLOCKS:
        c = counts[block]
        status = ERRORS if c["error"] else WARNINGS if c["warning"] else COMPLETE
        statuses.append(BlockStatus(block, status, c["error"], c["warning"], c["info"]))
    return tuple(statuses)


def row_for(venture: Any, canvas: Any | None) -> Row:
    """One dashboard row from a venture and its canvas (or None), cached fields only."""
    evaluation: Mapping[str, Any] = (canvas.evaluation if canvas is not None else None) or {}
    evaluated = bool(evaluation)
    findings = evaluation.get("findings", ())
    partners = evaluation.get("partners", ())
    activities = evaluation.get("activities", ())
    runway = canvas.runway_months if canvas is not None and evaluated else None
    fired = {f["rule"] for f in findings}
    unlimited = evaluated and unlimited_runway_in(runway, fired)
    readiness = sum(1 for q in READINESS_QUESTIONS if getattr(canvas, q) is True) if canvas else 0
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
        vendors=sum(1 for p in partners if p["verdict"] == "vendor"),
        runway_months=runway,
        runway_unlimited=unlimited,
        readiness_yes=readiness,
        updated_at=canvas.updated_at if canvas is not None else None,
        rules=tuple(sorted(fired, key=lambda r: _RULE_ORDER.get(r, len(_RULE_ORDER)))),
    )


def rows(ventures: Iterable[Any]) -> list[Row]:
    """Rows for ventures loaded with ``select_related("canvas")`` (a missing canvas is
    shown as not evaluated)."""
    result = []
    for venture in ventures:
        try:
            canvas = venture.canvas
        except AttributeError:  # RelatedObjectDoesNotExist is an AttributeError
            canvas = None
        result.append(row_for(venture, canvas))
    return result
