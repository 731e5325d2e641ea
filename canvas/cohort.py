"""The cohort dashboard's figures, computed from the cached evaluations.

Pure functions over ``(venture, canvas)`` pairs: nothing here queries the database or
evaluates a canvas (Django is used only to escape HTML). Every figure comes from the
cached fields that ``Canvas.refresh_evaluation()`` keeps current (score, counts, runway,
the SPEC §3 evaluation JSON) and the five readiness answers, so one query loads a whole
cohort.

- ``rows()`` builds one ``Row`` per venture; ``TableState`` reads the table's filter and
  sort from the query string and writes the links that change them.
- ``common_gaps()`` counts, for every rule that fires, the ventures it fires for.
- ``score_histogram()``, ``runway_scatter()`` and ``core_activity_bars()`` return chart
  geometry (plain numbers) that the template draws as SVG.
- ``comparison()`` lays out 2-4 canvases block by block for the comparison page.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from statistics import median
from typing import Any
from urllib.parse import urlencode

from django.utils.safestring import SafeString, mark_safe

from .document import CATEGORIES, MARKET_STAGES, READINESS_QUESTIONS, SOLUTION_TYPES, STAGES
from .document import label as vocab_label
from .evaluator import (
    BLOCK_LABELS,
    BLOCKS,
    RULES,
    RULES_BY_ID,
    SEVERITIES,
    SEVERITY_LABELS,
    TEST_NAMES,
    VERDICT_LABELS,
)

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
RUNWAY_SHORT = 6.0
RUNWAY_OK = 12.0
READINESS_TOTAL = len(READINESS_QUESTIONS)
_RULE_ORDER = {r.id: i for i, r in enumerate(RULES)}
_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def score_level(score: int) -> str:
    """The score bands used everywhere (home page chips too): >= 80, >= 50, below."""
    if score >= 80:
        return GOOD
    return FAIR if score >= 50 else POOR


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
    # A null runway without a KR02 (unknown runway) finding means nothing is burnt.
    fired = {f["rule"] for f in findings}
    unlimited = evaluated and runway is None and "KR02" not in fired
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


# --- the table: filters, sorting and its columns ---------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    numeric: bool = True
    first: str = "desc"  # the direction of a first click: numbers high first
    abbr: str = ""  # a fuller name for screen readers when the label is short
    sort: Any = field(default=None, compare=False)


def _block_sort(block: str) -> Any:
    index = BLOCKS.index(block)
    return lambda r: r.blocks[index].rank


COLUMNS: tuple[Column, ...] = (
    Column("name", "Venture", numeric=False, first="asc", sort=lambda r: r.name.casefold()),
    Column(
        "solution_type",
        "Type",
        numeric=False,
        first="asc",
        abbr="Solution type",
        sort=lambda r: r.solution_type_label,
    ),
    Column(
        "market_stage",
        "Stage",
        numeric=False,
        first="asc",
        abbr="Market stage",
        sort=lambda r: (
            list(MARKET_STAGES).index(r.market_stage) if r.market_stage in MARKET_STAGES else -1
        ),
    ),
    Column("score", "Score", first="asc", sort=lambda r: (r.evaluated, r.score)),
    Column("errors", "Errors", sort=lambda r: r.errors),
    Column("warnings", "Warnings", sort=lambda r: r.warnings),
    Column("infos", "Info", abbr="Info findings", sort=lambda r: r.infos),
    *(
        Column(
            f"block_{b}",
            SHORT_BLOCK_LABELS[b],
            numeric=False,
            abbr=BLOCK_LABELS[b],
            sort=_block_sort(b),
        )
        for b in BLOCKS
    ),
    Column("core", "Core activities", sort=lambda r: r.core_activities),
    Column("key_partners", "Key partners", sort=lambda r: r.key_partners),
    Column("vendors", "Vendors", abbr="Vendors left on the canvas", sort=lambda r: r.vendors),
    Column("runway", "Runway (months)", first="asc", sort=lambda r: r.runway_sort),
    Column(
        "readiness",
        "Readiness (of 5)",
        abbr="Readiness questions answered yes, of 5",
        sort=lambda r: r.readiness_yes,
    ),
    Column(
        "updated",
        "Updated",
        first="desc",
        abbr="Last updated",
        sort=lambda r: r.updated_at.timestamp() if r.updated_at else 0.0,
    ),
)
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT_SORT = "name"


@dataclass(frozen=True, slots=True)
class HeaderCell:
    column: Column
    href: str  # the query string that sorts by this column
    aria_sort: str  # "ascending", "descending" or "" (not sorted by this column)
    next_dir: str

    @property
    def label(self) -> str:
        return self.column.label


@dataclass(frozen=True, slots=True)
class TableState:
    """The table's view: filters and sort, read from and written to the query string."""

    solution_type: str = ""
    market_stage: str = ""
    sort: str = DEFAULT_SORT
    dir: str = "asc"

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> TableState:
        """Unknown values are ignored, so a hand-edited URL still shows a table."""
        solution_type = query.get("solution_type", "")
        market_stage = query.get("market_stage", "")
        sort = query.get("sort", DEFAULT_SORT)
        if sort not in COLUMNS_BY_KEY:
            sort = DEFAULT_SORT
        direction = query.get("dir") or COLUMNS_BY_KEY[sort].first
        return cls(
            solution_type=solution_type if solution_type in SOLUTION_TYPES else "",
            market_stage=market_stage if market_stage in MARKET_STAGES else "",
            sort=sort,
            dir=direction if direction in ("asc", "desc") else "asc",
        )

    @property
    def filtered(self) -> bool:
        return bool(self.solution_type or self.market_stage)

    def params(self, **changes: str) -> dict[str, str]:
        values = {
            "solution_type": self.solution_type,
            "market_stage": self.market_stage,
            "sort": self.sort,
            "dir": self.dir,
        }
        values.update(changes)
        if values["sort"] == DEFAULT_SORT and values["dir"] == "asc":
            values.pop("sort"), values.pop("dir")
        return {k: v for k, v in values.items() if v}

    def query(self, **changes: str) -> str:
        """``?solution_type=...&sort=...`` (or "?" alone for the default view)."""
        return "?" + urlencode(self.params(**changes))

    def apply(self, table: Iterable[Row]) -> list[Row]:
        """Filter, then sort (ties by name, so the order is stable)."""
        selected = [
            r
            for r in table
            if (not self.solution_type or r.solution_type == self.solution_type)
            and (not self.market_stage or r.market_stage == self.market_stage)
        ]
        selected.sort(key=lambda r: r.name.casefold())
        selected.sort(key=COLUMNS_BY_KEY[self.sort].sort, reverse=self.dir == "desc")
        return selected

    def headers(self) -> list[HeaderCell]:
        cells = []
        for column in COLUMNS:
            if column.key == self.sort:
                next_dir = "desc" if self.dir == "asc" else "asc"
                aria = "ascending" if self.dir == "asc" else "descending"
            else:
                next_dir, aria = column.first, ""
            cells.append(
                HeaderCell(column, self.query(sort=column.key, dir=next_dir), aria, next_dir)
            )
        return cells


# --- summary, common gaps -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Summary:
    ventures: int
    median_score: float | None
    with_errors: int
    short_runway: int  # under 6 months or unknown
    no_core: int
    no_key_partner: int


def summary(table: Sequence[Row]) -> Summary:
    evaluated = [r for r in table if r.evaluated]
    return Summary(
        ventures=len(table),
        median_score=median(r.score for r in evaluated) if evaluated else None,
        with_errors=sum(1 for r in evaluated if r.errors),
        short_runway=sum(
            1
            for r in evaluated
            if not r.runway_unlimited and (r.runway_months is None or r.runway_months < 6)
        ),
        no_core=sum(1 for r in evaluated if not r.core_activities),
        no_key_partner=sum(1 for r in evaluated if not r.key_partners),
    )


@dataclass(frozen=True, slots=True)
class Gap:
    rule: str
    title: str
    summary: str
    severity: str
    block: str
    ventures: tuple[Row, ...]
    cohort_size: int

    @property
    def count(self) -> int:
        return len(self.ventures)

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.cohort_size) if self.cohort_size else 0

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]

    @property
    def block_label(self) -> str:
        return BLOCK_LABELS[self.block]

    @property
    def links(self) -> list[tuple[Row, str]]:
        return [(r, finding_url(r.slug, self.rule)) for r in self.ventures]

    @property
    def links_html(self) -> SafeString:
        """The ventures as list items linking to their canvas at this rule's findings.
        Built here, every value escaped, because a cohort has up to ~30 rules x 100
        ventures and the template engine would spend most of the page's time on them."""
        return mark_safe(  # safe: every value is escaped
            "".join(
                f'<li><a href="{escape(url)}">{escape(r.name)}</a></li>' for r, url in self.links
            )
        )


def common_gaps(table: Sequence[Row]) -> list[Gap]:
    """Every rule that fires in the cohort with the ventures it fires for; most frequent
    first, then errors before warnings before info, then rule order."""
    by_rule: dict[str, list[Row]] = {}
    for row in sorted(table, key=lambda r: r.name.casefold()):
        for rule_id in row.rules:
            by_rule.setdefault(rule_id, []).append(row)
    gaps = []
    for rule_id, ventures in by_rule.items():
        r = RULES_BY_ID.get(rule_id)
        if r is None:  # a cached evaluation from a retired rule
            continue
        gaps.append(
            Gap(rule_id, r.title, r.summary, r.severity, r.block, tuple(ventures), len(table))
        )
    gaps.sort(key=lambda g: (-g.count, _SEVERITY_RANK[g.severity], _RULE_ORDER[g.rule]))
    return gaps


# --- chart geometry (drawn as SVG by the template) ---------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str  # the category (x axis) or the venture (one bar per venture)
    level: str = NEUTRAL
    label_x: float = 0.0
    label_y: float = 0.0
    value_x: float = 0.0
    value_y: float = 0.0
    title: str = ""
    name: str = ""  # the full venture name (one bar per venture)
    label_anchor: str = ""  # "" draws no label next to the bar
    value_anchor: str = "middle"
    show_zero: bool = False

    @property
    def svg(self) -> SafeString:
        """The bar's SVG: a group with its title, rectangle and texts. Built here, escaped,
        as a chart can hold 100 bars."""
        parts = [f"<g><title>{escape(self.title)}</title>"]
        if self.label_anchor:
            parts.append(
                f'<text class="tick name" x="{_n(self.label_x)}" y="{_n(self.label_y)}" '
                f'text-anchor="{self.label_anchor}">{escape(self.label)}</text>'
            )
        parts.append(
            f'<rect class="bar fill-{self.level}" x="{_n(self.x)}" y="{_n(self.y)}" '
            f'width="{_n(self.width)}" height="{_n(self.height)}"/>'
        )
        if self.value or self.show_zero:
            parts.append(
                f'<text class="value" x="{_n(self.value_x)}" y="{_n(self.value_y)}" '
                f'text-anchor="{self.value_anchor}">{self.value}</text>'
            )
        parts.append("</g>")
        return mark_safe("".join(parts))  # safe: every text is escaped


def _n(value: float) -> str:
    """An SVG coordinate: at most one decimal, no trailing zeros."""
    return f"{value:.1f}".removesuffix(".0")


@dataclass(frozen=True, slots=True)
class Tick:
    position: float  # x or y in SVG units
    label: str


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]  # value-axis ticks
    description: str
    edges: tuple[Tick, ...] = ()  # category-axis ticks at the band edges (histogram)


def _nice_max(value: int) -> int:
    """A round axis maximum at or above ``value`` (at least 1)."""
    if value <= 5:
        return max(value, 1)
    step = 2 if value <= 10 else 5 if value <= 25 else 10
    return math.ceil(value / step) * step


def _value_ticks(top: int) -> list[int]:
    step = 1 if top <= 5 else 2 if top <= 10 else 5 if top <= 25 else 10
    return list(range(0, top + 1, step))


SCORE_BINS: tuple[tuple[int, int], ...] = tuple((lo, lo + 9) for lo in range(0, 90, 10)) + (
    (90, 100),
)


def score_histogram(table: Sequence[Row], width: int = 420, height: int = 230) -> BarChart:
    """Ventures per score band of ten (0-9, ..., 80-89, 90-100)."""
    scores = [r.score for r in table if r.evaluated]
    counts = [sum(1 for s in scores if lo <= s <= hi) for lo, hi in SCORE_BINS]
    left, right, top, bottom = 36.0, width - 16.0, 16.0, height - 34.0
    y_max = _nice_max(max(counts, default=0))
    slot = (right - left) / len(SCORE_BINS)
    bars = []
    for i, ((lo, hi), count) in enumerate(zip(SCORE_BINS, counts, strict=True)):
        h = (bottom - top) * count / y_max
        x = left + i * slot + 3
        w = slot - 6
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(bottom - h, 1),
                width=round(w, 1),
                height=round(h, 1),
                value=count,
                label=f"{lo}–{hi}",
                level=score_level(lo),
                label_x=round(x + w / 2, 1),
                label_y=bottom + 16,
                value_x=round(x + w / 2, 1),
                value_y=round(bottom - h - 4, 1),
                title=f"Score {lo}–{hi}: {_plural(count, 'venture')}",
            )
        )
    ticks = tuple(
        Tick(round(bottom - (bottom - top) * v / y_max, 1), str(v)) for v in _value_ticks(y_max)
    )
    busiest = max(range(len(counts)), key=lambda i: counts[i]) if scores else None
    if busiest is None:
        description = "No venture has an evaluated canvas yet."
    else:
        lo, hi = SCORE_BINS[busiest]
        description = (
            f"Scores of {_plural(len(scores), 'venture')}, from {min(scores)} to "
            f"{max(scores)}, median {median(scores):g}. The most common band is {lo}–{hi} "
            f"with {_plural(counts[busiest], 'venture')}."
        )
    edges = tuple(
        Tick(round(left + i * slot, 1), str(lo)) for i, (lo, _hi) in enumerate(SCORE_BINS)
    ) + (Tick(right, "100"),)
    return BarChart(width, height, left, right, top, bottom, tuple(bars), ticks, description, edges)


def core_activity_bars(table: Sequence[Row], width: int = 420, bar_height: int = 18) -> BarChart:
    """One horizontal bar per venture: its core activities, most first."""
    ordered = sorted(table, key=lambda r: (-r.core_activities, r.name.casefold()))
    left, right, top = 150.0, width - 30.0, 8.0
    x_max = _nice_max(max((r.core_activities for r in ordered), default=0))
    bottom = top + bar_height * max(len(ordered), 1)
    height = int(bottom + 28)
    bars = []
    for i, r in enumerate(ordered):
        w = (right - left) * r.core_activities / x_max
        y = top + i * bar_height + 2
        bars.append(
            Bar(
                x=left,
                y=y,
                width=round(w, 1),
                height=bar_height - 4,
                value=r.core_activities,
                label=_truncate(r.name, 22),
                name=r.name,
                label_anchor="end",
                value_anchor="start",
                show_zero=True,
                level=GOOD if r.core_activities else POOR,
                label_x=left - 6,
                label_y=round(y + bar_height / 2 + 2, 1),
                value_x=round(left + w + 4, 1),
                value_y=round(y + bar_height / 2 + 2, 1),
                title=f"{r.name}: "
                f"{_plural(r.core_activities, 'core activity', 'core activities')} "
                f"of {r.activities}",
            )
        )
    ticks = tuple(
        Tick(round(left + (right - left) * v / x_max, 1), str(v)) for v in _value_ticks(x_max)
    )
    none = [r.name for r in ordered if not r.core_activities]
    description = f"Core activities per venture for {_plural(len(ordered), 'venture')}. " + (
        f"{_plural(len(none), 'venture')} {'has' if len(none) == 1 else 'have'} no core "
        f"activity: {', '.join(none)}."
        if none
        else "Every venture has at least one core activity."
    )
    return BarChart(width, height, left, right, top, bottom, tuple(bars), ticks, description)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    level: str
    title: str
    row: Row

    @property
    def svg(self) -> SafeString:
        return mark_safe(  # safe: the title is escaped
            f'<circle class="dot fill-{self.level}" cx="{_n(self.x)}" cy="{_n(self.y)}" r="6">'
            f"<title>{escape(self.title)}</title></circle>"
        )


@dataclass(frozen=True, slots=True)
class Scatter:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    unknown_x: float  # the strip for an unknown runway, left of the axis
    unlimited_x: float  # the strip for an unlimited runway, right of the axis
    dots: tuple[Dot, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    guides: tuple[Tick, ...]  # the 6- and 12-month lines
    x_max: int
    description: str


def runway_scatter(table: Sequence[Row], width: int = 420, height: int = 250) -> Scatter:
    """Runway (x, months) against score (y), one dot per venture. An unknown runway sits
    in a strip left of the axis, an unlimited one in a strip right of it; runways past
    the axis end sit at its end."""
    evaluated = [r for r in table if r.evaluated]
    known = [r.runway_months for r in evaluated if r.runway_months is not None]
    x_max = min(48, max(24, math.ceil(max(known, default=0) / 6) * 6))
    unknown_x, left = 24.0, 56.0
    right, unlimited_x = width - 40.0, width - 16.0
    top, bottom = 24.0, height - 40.0

    def sx(months: float) -> float:
        return round(left + (right - left) * min(months, x_max) / x_max, 1)

    def sy(score: float) -> float:
        return round(bottom - (bottom - top) * score / 100, 1)

    dots = []
    for r in evaluated:
        if r.runway_unlimited:
            x = unlimited_x
        elif r.runway_months is None:
            x = unknown_x
        else:
            x = sx(r.runway_months)
        runway = r.runway_text.lower() if r.runway_months is None else f"{r.runway_text} months"
        dots.append(
            Dot(
                x,
                sy(r.score),
                score_level(r.score),
                f"{r.name}: score {r.score}, runway {runway}",
                r,
            )
        )
    x_ticks = tuple(Tick(sx(m), str(m)) for m in range(0, x_max + 1, 6))
    y_ticks = tuple(Tick(sy(s), str(s)) for s in range(0, 101, 25))
    guides = (Tick(sx(RUNWAY_SHORT), "6 months"), Tick(sx(RUNWAY_OK), "12 months"))
    short = [r.name for r in evaluated if r.runway_heat == POOR]
    description = f"Runway against score for {_plural(len(evaluated), 'venture')}. " + (
        f"Runway under 6 months or unknown: {', '.join(short)}."
        if short
        else "No venture has a runway under 6 months or an unknown runway."
    )
    return Scatter(
        width,
        height,
        left,
        right,
        top,
        bottom,
        unknown_x,
        unlimited_x,
        tuple(dots),
        x_ticks,
        y_ticks,
        guides,
        x_max,
        description,
    )


# --- comparison of 2-4 canvases --------------------------------------------------------

MIN_COMPARE, MAX_COMPARE = 2, 4
VERDICT_LEVELS = {"key_partner": GOOD, "borderline": FAIR, "vendor": POOR}


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of one block, with its verdict badge when the block has verdicts."""

    name: str
    detail: str = ""
    verdict: str = ""
    level: str = NEUTRAL


@dataclass(frozen=True, slots=True)
class Cell:
    row: Row
    status: BlockStatus
    items: tuple[Item, ...]
    findings: tuple[dict[str, Any], ...]  # {"rule", "severity", "title", "subject"}
    note: str = ""


@dataclass(frozen=True, slots=True)
class CompareBlock:
    block: str
    label: str
    cells: tuple[Cell, ...]


def comparison(
    ventures: Sequence[Any], entries: Mapping[str, Mapping[int, Sequence[Any]]]
) -> list[CompareBlock]:
    """Block by block, one cell per venture. ``entries[block][canvas_id]`` holds that
    canvas's entry objects (channels, partners, activities, resources) in order; the
    verdicts come from each canvas's cached evaluation."""
    pairs = []
    for v in ventures:
        try:
            canvas = v.canvas
        except AttributeError:
            canvas = None
        pairs.append((v, canvas, row_for(v, canvas)))

    blocks = []
    for index, block in enumerate(BLOCKS):
        cells = []
        for _venture, canvas, row in pairs:
            evaluation = (canvas.evaluation if canvas is not None else None) or {}
            findings = tuple(
                {
                    "rule": f["rule"],
                    "severity": f["severity"],
                    "severity_label": SEVERITY_LABELS[f["severity"]],
                    "title": RULES_BY_ID[f["rule"]].title if f["rule"] in RULES_BY_ID else "",
                    "subject": _subject_label(f.get("subject")),
                    "url": finding_url(row.slug, f["rule"]),
                }
                for f in evaluation.get("findings", ())
                if f["block"] == block
            )
            own = entries.get(block, {}).get(canvas.pk, ()) if canvas is not None else ()
            items, note = _items(block, own, canvas, evaluation, row)
            cells.append(Cell(row, row.blocks[index], items, findings, note))
        blocks.append(CompareBlock(block, BLOCK_LABELS[block], tuple(cells)))
    return blocks


def _subject_label(subject: str | None) -> str:
    if subject is None:
        return ""
    for kind in ("stage", "category", "question"):
        text = vocab_label(kind, subject)
        if text != subject:
            return text
    return subject


def _items(block: str, own: Sequence[Any], canvas: Any, evaluation: Mapping, row: Row):
    if block == "channels":
        return tuple(
            Item(e.channel, f"{STAGES.get(e.stage, e.stage)} · {vocab_label('route', e.route)}")
            for e in own
        ), ""
    if block == "partners":
        verdicts = {p["name"].casefold(): p["verdict"] for p in evaluation.get("partners", ())}
        items = []
        for e in own:
            verdict = verdicts.get(e.name.casefold(), "")
            items.append(
                Item(
                    e.name,
                    vocab_label("partner_type", e.partner_type),
                    VERDICT_LABELS.get(verdict, ""),
                    VERDICT_LEVELS.get(verdict, NEUTRAL),
                )
            )
        return tuple(items), ""
    if block == "activities":
        verdicts = {a["name"].casefold(): a for a in evaluation.get("activities", ())}
        items = []
        for e in own:
            v = verdicts.get(e.name.casefold())
            declared = "declared core" if e.declared_core else "not declared core"
            if v is None:
                items.append(Item(e.name, declared))
            elif v["core"]:
                items.append(Item(e.name, declared, "Core", GOOD))
            else:
                failed = [t for t in TEST_NAMES if t in v["failed_tests"]]
                items.append(
                    Item(
                        e.name,
                        declared,
                        "Not core: fails " + ", ".join(failed),
                        POOR if e.declared_core else NEUTRAL,
                    )
                )
        return tuple(items), ""
    if block == "resources":
        items = tuple(Item(e.name, CATEGORIES.get(e.category, e.category)) for e in own)
        runway = (
            row.runway_text.lower() if row.runway_months is None else (f"{row.runway_text} months")
        )
        return items, f"Runway: {runway}" if row.evaluated else ""
    # readiness: the five answers
    items = []
    for question, text in READINESS_QUESTIONS.items():
        answer = getattr(canvas, question) if canvas is not None else None
        verdict, level = {True: ("Yes", GOOD), False: ("No", POOR)}.get(
            answer, ("Not answered", NEUTRAL)
        )
        items.append(Item(text, "", verdict, level))
    return tuple(items), f"{row.readiness_yes} of {READINESS_TOTAL} answered yes"


# --- CSV ---------------------------------------------------------------------------------

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
