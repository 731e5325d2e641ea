"""Chart geometry (drawn as SVG by the template)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from statistics import median

from django.utils.safestring import SafeString, mark_safe

from .venture_rows import GOOD, NEUTRAL, POOR, Row, plural, score_level


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
class PlotBox:
    """A chart's SVG size and the box its data are drawn in (the axes run along its edges)."""

    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float


@dataclass(frozen=True, slots=True)
class BarChart(PlotBox):
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
                title=f"Score {lo}–{hi}: {plural(count, 'venture')}",
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
            f"Scores of {plural(len(scores), 'venture')}, from {min(scores)} to "
            f"{max(scores)}, median {median(scores):g}. The most common band is {lo}–{hi} "
            f"with {plural(counts[busiest], 'venture')}."
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
                f"{plural(r.core_activities, 'core activity', 'core activities')} "
                f"of {r.activities}",
            )
        )
    ticks = tuple(
        Tick(round(left + (right - left) * v / x_max, 1), str(v)) for v in _value_ticks(x_max)
    )
    none = [r.name for r in ordered if not r.core_activities]
    description = f"Core activities per venture for {plural(len(ordered), 'venture')}. " + (
        f"{plural(len(none), 'venture')} {'has' if len(none) == 1 else 'have'} no core "
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
class Scatter(PlotBox):
    unknown_x: float  # the strip for an unknown runway, left of the axis
    unlimited_x: float  # the strip for an unlimited runway, right of the axis
    dots: tuple[Dot, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    x_max: int
    description: str


def runway_scatter(table: Sequence[Row], width: int = 420, height: int = 250) -> Scatter:
    """Runway (x, months) against score (y), one dot per venture, coloured by runway
    against the venture's own milestone as rules KR02-KR04 judge it (red: cash runs out
    before the milestone, or runway unknown; amber: under six months left to raise; green:
    enough). An unknown runway sits in a strip left of the axis, an unlimited one in a
    strip right of it; runways past the axis end sit at its end."""
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
        dots.append(
            Dot(x, sy(r.score), r.runway_heat, f"{r.name}: score {r.score}, {r.runway_line}", r)
        )
    x_ticks = tuple(Tick(sx(m), str(m)) for m in range(0, x_max + 1, 6))
    y_ticks = tuple(Tick(sy(s), str(s)) for s in range(0, 101, 25))
    short = [r.name for r in evaluated if r.runway_heat == POOR]
    description = f"Runway against score for {plural(len(evaluated), 'venture')}. " + (
        f"Cash runs out before the milestone, or runway unknown: {', '.join(short)}."
        if short
        else "No venture runs out of cash before its milestone or has an unknown runway."
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
        x_max,
        description,
    )
