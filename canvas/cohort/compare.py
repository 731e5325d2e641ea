"""Comparison of 2-4 canvases, block by block."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..document import CATEGORIES, NOT_RATED, READINESS_QUESTIONS, STAGES, TESTS
from ..document import label as vocab_label
from ..evaluator import (
    BLOCK_LABELS,
    BLOCKS,
    RULES_BY_ID,
    SEVERITY_LABELS,
    TEST_NAMES,
    VERDICT_LABELS,
    Finding,
    subject_label,
)
from .venture_rows import (
    FAIR,
    GOOD,
    NEUTRAL,
    POOR,
    BlockStatus,
    Row,
    finding_url,
    row_for,
)

MIN_COMPARE, MAX_COMPARE = 2, 4
VERDICT_LEVELS = {"key_partner": GOOD, "borderline": FAIR, "vendor": POOR, "unassessed": NEUTRAL}


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
    canvas's entry objects (channels, partners, vendors, activities, resources) in order;
    the verdicts come from each canvas's cached evaluation (when it is current). Vendors
    are listed under the partners, beside them rather than among them."""
    pairs = []
    for v in ventures:
        try:
            canvas = v.canvas
        except AttributeError:
            canvas = None
        vendors = len(entries.get("vendors", {}).get(canvas.pk, ())) if canvas is not None else 0
        pairs.append((v, canvas, row_for(v, canvas, vendors)))

    blocks = []
    for index, block in enumerate(BLOCKS):
        cells = []
        for _venture, canvas, row in pairs:
            evaluation = canvas.evaluation if row.evaluated else {}
            findings = tuple(
                {
                    "rule": f["rule"],
                    "severity": f["severity"],
                    "severity_label": SEVERITY_LABELS[f["severity"]],
                    "title": RULES_BY_ID[f["rule"]].title if f["rule"] in RULES_BY_ID else "",
                    "subject": subject_label(Finding.from_dict(f), short=True),
                    "url": finding_url(row.slug, f["rule"]),
                }
                for f in evaluation.get("findings", ())
                if f["block"] == block
            )
            own = entries.get(block, {}).get(canvas.pk, ()) if canvas is not None else ()
            items, note = _items(block, own, canvas, evaluation, row)
            if block == "partners" and canvas is not None:
                note = _vendor_note(entries.get("vendors", {}).get(canvas.pk, ()))
            cells.append(Cell(row, row.blocks[index], items, findings, note))
        blocks.append(CompareBlock(block, BLOCK_LABELS[block], tuple(cells)))
    return blocks


def _vendor_note(vendors: Sequence[Any]) -> str:
    """The vendor list, beside the partners: 'Vendors (2): Acme Bookkeeping, CloudHost'."""
    if not vendors:
        return "No vendors listed."
    return f"Vendors ({len(vendors)}): " + ", ".join(v.name for v in vendors)


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
            # the verdict, and the founder's claim only where it differs (KA02, KA03)
            if v is None:
                items.append(Item(e.name))
            elif v["core"]:
                claim = "" if e.declared_core else "Not yet declared core by the team"
                items.append(Item(e.name, claim, "Core", GOOD))
            else:
                claim = "Declared core by the team" if e.declared_core else ""
                level = POOR if e.declared_core else NEUTRAL
                failed = [TESTS[t].lower() for t in TEST_NAMES if t in v["failed_tests"]]
                if v.get("unrated_tests"):
                    items.append(Item(e.name, claim, NOT_RATED, level))
                else:
                    items.append(Item(e.name, claim, "Not core: fails " + ", ".join(failed), level))
        return tuple(items), ""
    if block == "resources":
        items = tuple(Item(e.name, CATEGORIES.get(e.category, e.category)) for e in own)
        return items, row.runway_line if row.evaluated else ""
    # readiness: every question's answer
    items = []
    for question, text in READINESS_QUESTIONS.items():
        answer = getattr(canvas, question) if canvas is not None else None
        verdict, level = {True: ("Yes", GOOD), False: ("No", POOR)}.get(
            answer, ("Not answered", NEUTRAL)
        )
        items.append(Item(text, "", verdict, level))
    return tuple(items), row.readiness_text
