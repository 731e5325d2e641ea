"""Summary figures and the common gaps (the rules that fire, with their ventures)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from statistics import median

from django.utils.safestring import SafeString, mark_safe

from ..evaluator import BLOCK_LABELS, RULES_BY_ID, SEVERITIES, SEVERITY_LABELS
from .venture_rows import POOR, RULE_ORDER, Row, finding_url

_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True, slots=True)
class Summary:
    ventures: int
    median_score: float | None
    with_errors: int
    short_runway: int  # cash runs out before the milestone (KR03) or runway unknown (KR02)
    no_core: int
    no_key_partner: int


def summary(table: Sequence[Row]) -> Summary:
    """The cards above the table, for these ventures (the dashboard's filtered set)."""
    evaluated = [r for r in table if r.evaluated]
    return Summary(
        ventures=len(table),
        median_score=median(r.score for r in evaluated) if evaluated else None,
        with_errors=sum(1 for r in evaluated if r.errors),
        short_runway=sum(1 for r in evaluated if r.runway_heat == POOR),
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
    out_of: int  # the ventures the dashboard shows (its filters applied)

    @property
    def count(self) -> int:
        return len(self.ventures)

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.out_of) if self.out_of else 0

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
    """Every rule that fires for these ventures (the cohort, or the dashboard's filtered
    set) with the ventures it fires for; most frequent first, then errors before warnings
    before info, then rule order."""
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
    gaps.sort(key=lambda g: (-g.count, _SEVERITY_RANK[g.severity], RULE_ORDER[g.rule]))
    return gaps
