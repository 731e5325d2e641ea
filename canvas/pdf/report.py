"""The report's view model: what the template shows, worked out from the document and its
evaluation (labels, verdict badges, findings by block, the tables), and the board plan."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.template import Context

from canvas import document as d
from canvas.board import ANSWER_LABELS, runway_text, score_class
from canvas.evaluator import (
    BLOCKS,
    PASSING_RATINGS,
    POINTS,
    RULES,
    RULES_BY_ID,
    RULESET_VERSION,
    SEVERITY_LABELS,
    VERDICT_LABELS,
    Evaluation,
    Finding,
    about,
    readiness_summary,
    subject_label,
)

from .comments import ReviewComment
from .fetcher import StaticFilesOnly
from .layout import (
    DEFAULT_PAPER,
    GAP,
    LEVELS,
    PT,
    Block,
    Item,
    Note,
    Paper,
    Region,
    line_count,
    measure_page,
    plan_column,
)
from .render import Styles, layout_html, printable, template_engine

log = logging.getLogger("canvas.pdf")

TEMPLATE = "canvas/pdf/canvas.html"

BLOCK_QUESTIONS = {
    "partners": "Who would be hard to replace?",
    "activities": "What must we do ourselves?",
    "resources": "What do we need to own?",
    "channels": "How do we reach, keep and grow customers?",
}
ROUTE_SHORT = {
    "direct": "Direct",
    "distributor": "Distributor",
    "platform": "Platform",
    "partner": "Partner",
    "self_serve": "Self-serve",
}


def _lane_of(finding: Finding) -> str | None:
    """The lane a channel finding is shown in on page 1: its stage subject (CH01), or the
    stage its rule declares (``Rule.stage``), or None (the block as a whole)."""
    if about(finding) == "stage":
        return finding.subject
    rule = RULES_BY_ID.get(finding.rule)
    return rule.stage if rule is not None else None


def _assessed(kind: str, value: str | None) -> str:
    """A vendor-test answer's short label, or 'Not yet assessed'."""
    return d.label(kind, value).split(" (")[0] if value else d.NOT_ASSESSED


def _findings_count(n: int) -> str:
    return f"{n} finding{'s' if n != 1 else ''}"


def _money(amount: float | None, currency: str) -> str:
    if amount is None:
        return "Not given"
    return f"{currency} {amount:,.0f}"


def _months(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g} month{'s' if value != 1 else ''}"


def _activity_badge(verdict: Any) -> tuple[str, str]:
    """The three-tests verdict as (badge, class): Core, Not core, or Not yet rated."""
    if verdict is None:
        return "Not evaluated", "not-core"
    if verdict.core:
        return "Core", "core"
    if verdict.unrated_tests:
        return d.NOT_RATED, "unrated"
    return "Not core", "not-core"


def _claim(declared_core: bool, verdict: Any) -> str:
    if verdict is None:
        return ""
    if declared_core and not verdict.core:
        return "Declared core by the team"
    if verdict.core and not declared_core:
        return "Not yet declared core by the team"
    return ""


NEARLY_EMPTY = 0.2  # of the page's height: a last page that ends above this is nearly empty


def ends_nearly_empty(document: Any) -> bool:
    """Whether the report's last page holds only a few lines: the ``report-end`` mark sits
    in the top fifth of a last page that follows page 1 and at least one report page."""
    pages = document.pages
    if len(pages) < 3:
        return False
    end = pages[-1].anchors.get("report-end")
    if end is None or len(end) < 4:
        return False
    return end[3] < NEARLY_EMPTY * pages[-1].height


@dataclass
class FindingRow:
    finding: Finding
    severity: str
    subject: str


@dataclass
class Report:
    """One PDF: plans page 1 on creation (for ``paper``), renders the template, lays it
    out, checks page 1 against the plan (``adjust``) and writes the PDF (``write_pdf``)."""

    doc: d.CanvasDocument
    evaluation: Evaluation
    version_label: str
    generated_at: datetime
    comments: Sequence[ReviewComment]
    author: str
    paper: Paper = DEFAULT_PAPER
    blocks: list[Block] = field(default_factory=list)
    header_height: float = 0.0
    corrections: int = 0  # times laid_out corrected the plan after measuring page 1
    tight: bool = False  # the report pages laid out closer, to spare a nearly empty last page

    def __post_init__(self) -> None:
        self.by_subject: dict[tuple[str, str], list[Finding]] = {}
        self.block_level: dict[str, list[Finding]] = {}
        for f in self.evaluation.findings:
            if f.subject is not None and about(f) == "entry":
                self.by_subject.setdefault((f.block, f.subject), []).append(f)
            else:
                self.block_level.setdefault(f.block, []).append(f)
        self.plan()

    # -- entries --
    def _chips(self, block: str, name: str) -> list[Finding]:
        return self.by_subject.get((block, name), [])

    def partner_items(self) -> list[Item]:
        items = []
        for p in self.doc.partners:
            verdict = self.evaluation.partner_verdict(p.name) or ""
            meta = [
                (d.label("partner_type", p.partner_type), ""),
                (f"Recovery: {_assessed('recovery_time', p.recovery_time)}", ""),
                (f"Replacement: {_assessed('replacement_cost', p.replacement_cost)}", ""),
            ]
            items.append(
                Item(
                    "partner",
                    p.name,
                    VERDICT_LABELS.get(verdict, "Not evaluated"),
                    f"verdict-{verdict or 'none'}",
                    meta,
                    p.strategic_value,
                    self._chips("partners", p.name),
                )
            )
        return items

    def activity_items(self) -> list[Item]:
        items = []
        for a in self.doc.activities:
            verdict = self.evaluation.activity_verdict(a.name)
            meta = []
            for test, title in (
                ("relevance", "Relevance"),
                ("imitation", "Imitation"),
                ("breadth", "Breadth"),
            ):
                rating = getattr(a, test).rating
                if rating is None:
                    meta.append((f"{title} not yet rated", "unrated"))
                    continue
                passed = rating in PASSING_RATINGS
                meta.append((f"{title} {d.label('rating', rating)}", "pass" if passed else "fail"))
            if a.outsourced_to:
                meta.append((f"Outsourced to {a.outsourced_to}", ""))
            badge, badge_class = _activity_badge(verdict)
            items.append(
                Item(
                    "activity",
                    a.name,
                    badge,
                    badge_class,
                    meta,
                    "",
                    self._chips("activities", a.name),
                )
            )
        return items

    def resource_items(self) -> list[Item]:
        items = []
        for r in self.doc.resources:
            meta = []
            if r.replacement_months is not None:
                meta.append((f"Replacement: {_months(r.replacement_months)}", ""))
            if r.risk_if_lost:
                meta.append((f"If lost: {r.risk_if_lost}", ""))
            items.append(
                Item(
                    "resource",
                    r.name,
                    d.label("category", r.category),
                    f"category-{r.category}",
                    meta,
                    r.why_strategic,
                    self._chips("resources", r.name),
                )
            )
        return items

    def channel_items(self, stage: str) -> list[Item]:
        items = []
        for c in self.doc.channels:
            if c.stage != stage:
                continue
            meta = [(d.label("mode", c.mode), "")] if c.mode else []
            if c.tags:
                meta.append((", ".join(d.label("tag", t) for t in c.tags), ""))
            items.append(
                Item(
                    "channel",
                    c.channel,
                    ROUTE_SHORT.get(c.route, c.route),
                    f"route-{c.route}",
                    meta,
                    c.relationship,
                    self._chips("channels", c.channel),
                )
            )
        return items

    def notes(self, block: str, stage: str | None = None) -> list[Note]:
        """Findings about a block (or, for channels, one lane) as a whole."""
        notes = []
        for f in self.block_level.get(block, []):
            if block == "channels" and _lane_of(f) != stage:
                continue
            text = RULES_BY_ID[f.rule].title if f.rule in RULES_BY_ID else ""
            notes.append(Note(f, text))
        return notes

    # -- layout --
    def plan(self) -> None:
        def block(key: str, items: list[Item], empty: str) -> Block:
            region = Region(key, d.BLOCK_TITLES[key], items, self.notes(key), empty)
            return Block(key, d.BLOCK_TITLES[key], BLOCK_QUESTIONS[key], [region])

        partners = block("partners", self.partner_items(), "No partners on the canvas yet.")
        activities = block("activities", self.activity_items(), "No activities yet.")
        resources = block("resources", self.resource_items(), "No resources yet.")
        lanes = [
            Region(
                f"channels-{stage}",
                f"{d.BLOCK_TITLES['channels']} — {label}",
                self.channel_items(stage),
                self.notes("channels", stage),
                f"No {label} channel yet.",
                lane=True,
            )
            for stage, label in d.STAGES.items()
        ]
        channels = Block("channels", d.BLOCK_TITLES["channels"], BLOCK_QUESTIONS["channels"], lanes)
        # findings about the channels as a whole go under the block title, in the Get lane
        channels.regions[0].notes = self.notes("channels") + channels.regions[0].notes
        self.blocks = [partners, activities, resources, channels]
        self.header_height = self.estimate_header()
        self.layout()

    def layout(self) -> None:
        top = self.header_height + GAP
        height = self.paper.content_h - top - self.paper.key_height - 1.0
        widths = [0.29, 0.355, 0.355]
        free = self.paper.content_w - 2 * GAP
        x = 0.0
        columns = [[self.blocks[0]], [self.blocks[1], self.blocks[2]], [self.blocks[3]]]
        for column, share_ in zip(columns, widths, strict=True):
            plan_column(column, x, top, free * share_, height)
            x += free * share_ + GAP

    def estimate_header(self) -> float:
        name = self.doc.venture.name
        size = 22 if len(name) <= 45 else 16 if len(name) <= 90 else 11
        self.title_size = size
        lines = line_count(name, self.paper.title_width - 5, size, 700)
        label_lines = line_count(self.version_label, 60, 8.5, 400)
        return max(24.0, 8.0 + lines * size * 1.15 * PT, 14.0 + label_lines * 8.5 * 1.3 * PT)

    def shown_in_full(self, block: str) -> bool:
        """Whether page 1 shows every entry of ``block`` with all of its text."""
        regions = next(b.regions for b in self.blocks if b.key == block)
        return all(r.level.detail == 2 and not r.rest for r in regions)

    @property
    def regions(self) -> list[Region]:
        return [r for b in self.blocks for r in b.regions]

    @property
    def continued(self) -> list[Region]:
        return [r for r in self.regions if r.rest]

    # -- report pages --
    def finding_groups(self) -> list[dict[str, Any]]:
        groups = []
        for block in BLOCKS:
            rows = [
                FindingRow(
                    f,
                    SEVERITY_LABELS.get(f.severity, f.severity),
                    subject_label(f) or ("Runway" if about(f) == "runway" else ""),
                )
                for f in self.evaluation.findings_for(block)
            ]
            groups.append({"title": d.BLOCK_TITLES[block], "rows": rows, "count": str(len(rows))})
        return groups

    def activity_rows(self) -> list[dict[str, Any]]:
        rows = []
        for a in self.doc.activities:
            verdict = self.evaluation.activity_verdict(a.name)
            tests = []
            for t in d.TESTS:
                rating = getattr(a, t).rating
                state = "unrated" if rating is None else "pass" if rating != "low" else "fail"
                tests.append(
                    {
                        "label": d.TESTS[t],
                        "rating": d.label("rating", rating) if rating else d.NOT_RATED,
                        "rationale": getattr(a, t).rationale,
                        "passed": state == "pass",
                        "state": state,
                        # a passing rating needs its reason (KA04); a low or no rating none
                        "needs_reason": state == "pass",
                    }
                )
            badge, badge_class = _activity_badge(verdict)
            rows.append(
                {
                    "activity": a,
                    "tests": tests,
                    "core": verdict.core if verdict else None,
                    "badge": badge,
                    "badge_class": badge_class,
                    # the claim only where it differs from the verdict (KA02, KA03)
                    "claim": _claim(a.declared_core, verdict),
                    "failed": ", ".join(d.TESTS[t] for t in verdict.failed_tests)
                    if verdict
                    else "",
                    "unrated": ", ".join(d.TESTS[t] for t in verdict.unrated_tests)
                    if verdict
                    else "",
                }
            )
        return rows

    def partner_rows(self) -> list[dict[str, Any]]:
        rows = []
        for p in self.doc.partners:
            verdict = self.evaluation.partner_verdict(p.name) or ""
            rows.append(
                {
                    "partner": p,
                    "type": d.label("partner_type", p.partner_type),
                    "recovery": d.label("recovery_time", p.recovery_time) or d.NOT_ASSESSED,
                    "cost": d.label("replacement_cost", p.replacement_cost) or d.NOT_ASSESSED,
                    "verdict": VERDICT_LABELS.get(verdict, "Not evaluated"),
                    "verdict_key": verdict or "none",
                }
            )
        return rows

    def runway(self) -> str:
        return runway_text(self.doc, self.evaluation)[0]

    def context(self) -> dict[str, Any]:
        doc, e = self.doc, self.evaluation
        v = doc.venture
        fired = {f.rule for f in e.findings}
        counts: dict[str, int] = {}
        for f in e.findings:
            counts[f.rule] = counts.get(f.rule, 0) + 1
        title = f"{v.name} — Operations canvas ({self.version_label})"
        when = self.generated_at.astimezone(UTC)
        return {
            "title": title,
            "author": self.author or v.name,
            "created": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "generated": when.strftime("%-d %B %Y, %H:%M UTC"),
            "version_label": self.version_label,
            "venture": v,
            "title_size": f"{self.title_size}pt",
            "solution_type": d.label("solution_type", v.solution_type),
            "market_stage": d.label("market_stage", v.market_stage),
            "revenue_model": d.label("revenue_model", v.revenue_model),
            "score": str(e.score),
            "score_class": score_class(e.score),
            "counts": [
                (str(n), word if n == 1 else plural, sev if n else "zero")
                for n, word, plural, sev in (
                    (e.errors, "error", "errors", "error"),
                    (e.warnings, "warning", "warnings", "warning"),
                    (e.infos, "info", "info", "info"),
                )
            ],
            "runway": self.runway(),
            "tight": self.tight,
            "points": POINTS,
            "ruleset": e.ruleset,
            "current_ruleset": RULESET_VERSION,
            "header_style": f"height:{self.header_height:.2f}mm",
            "key_style": f"top:{self.paper.content_h - self.paper.key_height + 1.2:.2f}mm",
            "paper": self.paper.key,
            "blocks": self.blocks,
            "roomy": LEVELS[1],
            "continued": self.continued,
            "findings": self.finding_groups(),
            "activity_rows": self.activity_rows(),
            "partner_rows": self.partner_rows(),
            "vendors": doc.vendors,
            # page 1 shows each partner's strategic value unless it had to shorten them
            "partner_value_column": not self.shown_in_full("partners"),
            # Resources and channels have no table of their own when page 1 shows every
            # one of their entries with all its text; otherwise, here is all of it.
            "resources": [
                {
                    "r": r,
                    "category": d.label("category", r.category),
                    "months": _months(r.replacement_months),
                }
                for r in doc.resources
            ]
            if not self.shown_in_full("resources")
            else [],
            "channels": [
                {
                    "c": c,
                    "stage": d.label("stage", c.stage),
                    "route": d.label("route", c.route),
                    "mode": d.label("mode", c.mode) or "—",
                    "tags": ", ".join(d.label("tag", t) for t in c.tags),
                }
                for c in doc.channels
            ]
            if not self.shown_in_full("channels")
            else [],
            "finances": {
                "cash": _money(doc.finances.cash_on_hand, doc.finances.currency),
                "burn": _money(doc.finances.monthly_burn, doc.finances.currency),
                "milestone": doc.finances.next_milestone or "Not given",
                "milestone_months": _months(doc.finances.months_to_milestone) or "Not given",
            },
            "readiness_summary": readiness_summary(doc.readiness),
            "readiness": [
                {
                    "question": d.label("question", q),
                    "answer": ANSWER_LABELS[a],
                    "key": str(a).lower(),
                }
                for q, a in doc.readiness.answers()
            ],
            "comments": [
                {
                    "c": c,
                    "block": d.BLOCK_TITLES.get(c.block, c.block),
                    "date": c.created_at.astimezone(UTC).strftime("%-d %b %Y"),
                    "lines": c.body.splitlines(),
                }
                for c in self.comments
            ],
            # The legend explains the codes the report shows: every rule that raised a
            # finding in full; the rules that were checked without a finding by id and
            # title, one line per block (a paragraph each would double the render time).
            "rule_total": str(len(RULES)),
            "rules_fired": [
                {
                    "rule": r,
                    "severity": SEVERITY_LABELS.get(r.severity, r.severity),
                    "block": d.BLOCK_TITLES.get(r.block, r.block),
                    "count": _findings_count(counts[r.id]),
                }
                for r in RULES
                if r.id in fired
            ],
            "rules_quiet": [
                {
                    "block": d.BLOCK_TITLES.get(block, block),
                    "rules": " · ".join(f"{r.id} {r.title}" for r in quiet),
                }
                for block in BLOCKS
                if (quiet := [r for r in RULES if r.block == block and r.id not in fired])
            ],
        }

    # -- output --
    def html(self) -> str:
        """The report's HTML."""
        context = Context(self.context(), autoescape=True, use_l10n=False, use_tz=False)
        return printable(template_engine().get_template(TEMPLATE).render(context))

    def laid_out(self) -> tuple[str, Any]:
        """The final HTML and its laid-out document. When page 1 turns out not to hold
        what the plan expected, the plan is corrected and the page laid out again (rare:
        the estimates are conservative)."""
        fetcher, styles = StaticFilesOnly(), Styles()
        html = self.html()
        document = layout_html(html, fetcher, styles)
        for _attempt in range(3):
            if not self.adjust(document):
                break
            self.corrections += 1
            html = self.html()
            document = layout_html(html, fetcher, styles)
        if ends_nearly_empty(document):
            # A few lines alone on the last page: lay the report pages out a little closer,
            # and keep that when it saves the page (the render runs in the background).
            self.tight = True
            tight_html = self.html()
            tight = layout_html(tight_html, fetcher, styles)
            if len(tight.pages) < len(document.pages):
                return tight_html, tight
            self.tight = False
        return html, document

    def write_pdf(self) -> bytes:
        """The PDF's bytes."""
        return self.laid_out()[1].write_pdf()

    def adjust(self, document: Any) -> bool:
        """Compare page 1 as laid out with the plan; shrink what did not fit.

        Returns True when the plan changed and page 1 must be laid out again."""
        measured = measure_page(document.pages[0], self.regions)
        changed = False
        header = measured.get("header")
        if header and header["needed"] > header["height"] + 0.5:
            self.header_height += header["needed"] - header["height"] + 1.0
            self.layout()
            return True
        for region in self.regions:
            seen = measured.get(region.key)
            if not seen:
                continue
            fitting = seen["fitting"]
            if fitting < region.shown:
                if not region.rest:  # make room for the "more on the following pages" line
                    fitting = max(0, fitting - 1)
                log.info("PDF: %s fits %d entries, not %d", region.key, fitting, region.shown)
                region.shown = fitting
                changed = True
        return changed
