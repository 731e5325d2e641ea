"""What changed between two canvas documents, and between their evaluations.

Pure Python over ``CanvasDocument`` and ``Evaluation``; no Django imports.

``diff_documents(before, after)`` compares block by block. Entries are matched:

1. by name (a channel by its ``channel`` text), compared ignoring case; when a name
   occurs more than once in a block, the k-th occurrence before pairs with the k-th after;
2. then by position: an entry left unmatched at index i pairs with the entry left
   unmatched at index i on the other side (an entry renamed in place is "changed", with
   the name among its changed fields);
3. whatever is still unmatched was added or removed.

A matched pair whose fields differ is *changed* (field-level before/after). A matched pair
whose place in the order changed relative to the other matched entries is *moved* (the
fewest moves that explain the new order: the longest run that kept its order stays put).
Entries that merely shift because something was added or removed above them are not moved.

``diff_evaluations(before, after)`` gives the score before -> after and the findings
resolved, new and still open, matching findings by (rule, subject) with the subject
compared ignoring case.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from canvas.document import (
    ENTRY_LISTS,
    NOT_ASSESSED,
    NOT_RATED,
    READINESS_QUESTIONS,
    VENDORS_TITLE,
    CanvasDocument,
    label,
)
from canvas.evaluator import BLOCK_LABELS, VERDICT_LABELS, Evaluation, Finding
from canvas.evaluator import subject_label as evaluator_subject_label

NAME_FIELDS = {
    "channels": "channel",
    "partners": "name",
    "vendors": "name",
    "activities": "name",
    "resources": "name",
}
# each list's heading in the diff (vendors are no evaluator block)
LIST_LABELS = {**BLOCK_LABELS, "vendors": VENDORS_TITLE}

FIELD_LABELS: dict[str, str] = {
    # venture header
    "name": "Name",
    "solution_type": "Solution type",
    "market_stage": "Market stage",
    "revenue_model": "Revenue model",
    # channels
    "stage": "Stage",
    "channel": "Channel",
    "relationship": "Relationship",
    "route": "Route",
    "mode": "Mode",
    "tags": "Tags",
    # partners
    "partner_type": "Partner type",
    "strategic_value": "Strategic value",
    "what_would_be_lost": "What would be lost",
    "recovery_time": "Recovery time",
    "replacement_cost": "Replacement cost",
    # vendors
    "service": "Service",
    # activities
    "relevance.rating": "Relevance rating",
    "relevance.rationale": "Relevance rationale",
    "imitation.rating": "Difficulty of imitation rating",
    "imitation.rationale": "Difficulty of imitation rationale",
    "breadth.rating": "Breadth of application rating",
    "breadth.rationale": "Breadth of application rationale",
    "declared_core": "Declared core",
    "outsourced_to": "Outsourced to",
    # resources
    "category": "Category",
    "why_strategic": "Why strategic",
    "risk_if_lost": "Risk if lost",
    "replacement_months": "Months to replace",
    # finances
    "cash_on_hand": "Cash on hand",
    "monthly_burn": "Monthly burn",
    "currency": "Currency",
    "next_milestone": "Next fundable milestone",
    "months_to_milestone": "Months to the milestone",
    # readiness
    **READINESS_QUESTIONS,
}

# field -> vocabulary kind of canvas.document.LABELS
VOCABULARY: dict[str, str] = {
    "solution_type": "solution_type",
    "market_stage": "market_stage",
    "revenue_model": "revenue_model",
    "stage": "stage",
    "route": "route",
    "mode": "mode",
    "tags": "tag",
    "partner_type": "partner_type",
    "recovery_time": "recovery_time",
    "replacement_cost": "replacement_cost",
    "relevance.rating": "rating",
    "imitation.rating": "rating",
    "breadth.rating": "rating",
    "category": "category",
}

EMPTY_TEXT = "(empty)"
NONE_TEXT = "(not set)"
UNANSWERED_TEXT = "Not answered"


# --- readable values -------------------------------------------------------------------


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def value_text(name: str, value: Any) -> str:
    """A readable rendering of one field's value (vocabulary values as their labels)."""
    kind = VOCABULARY.get(name)
    if value is None:
        if name in READINESS_QUESTIONS:
            return UNANSWERED_TEXT
        if kind == "rating":
            return NOT_RATED
        if name in ("recovery_time", "replacement_cost"):
            return NOT_ASSESSED
        return NONE_TEXT
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(label(kind or "", str(v)) for v in value) if value else "(none)"
    if isinstance(value, int | float):
        return _number(value)
    if kind:
        return label(kind, value)
    return value if value != "" else EMPTY_TEXT


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{'relevance': {'rating': 'low'}} -> {'relevance.rating': 'low'} (lists kept whole)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str  # dotted path within the entry or section: "relevance.rating"
    label: str
    before: Any
    after: Any
    before_text: str
    after_text: str
    added: tuple[str, ...] = ()  # list fields (tags): readable labels of the items added
    removed: tuple[str, ...] = ()  # ... and removed


@dataclass(frozen=True, slots=True)
class EntryRef:
    """An entry that was added (it exists only after) or removed (only before)."""

    name: str
    position: int  # 0-based index in its block
    data: dict[str, Any]
    details: tuple[tuple[str, str], ...]  # (field label, readable value), non-empty fields

    @property
    def number(self) -> int:  # 1-based, as people count
        return self.position + 1


@dataclass(frozen=True, slots=True)
class EntryChange:
    """One entry present on both sides (matched by name or by position)."""

    name: str  # its name after
    before_name: str
    before_position: int
    after_position: int
    matched_by: str  # "name" or "position"
    fields: tuple[FieldChange, ...]
    moved: bool

    @property
    def renamed(self) -> bool:
        return self.name != self.before_name

    @property
    def before_number(self) -> int:
        return self.before_position + 1

    @property
    def after_number(self) -> int:
        return self.after_position + 1


@dataclass(frozen=True, slots=True)
class BlockDiff:
    block: str
    label: str
    added: tuple[EntryRef, ...]
    removed: tuple[EntryRef, ...]
    changed: tuple[EntryChange, ...]  # matched entries whose fields differ
    moved: tuple[EntryChange, ...]  # matched entries whose place in the order changed
    unchanged: int  # matched entries with no field change (whether moved or not)

    @property
    def reordered(self) -> bool:
        return bool(self.moved)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.moved)


@dataclass(frozen=True, slots=True)
class CanvasDiff:
    venture: tuple[FieldChange, ...]
    blocks: tuple[BlockDiff, ...]
    finances: tuple[FieldChange, ...]
    readiness: tuple[FieldChange, ...]

    def block(self, name: str) -> BlockDiff:
        return next(b for b in self.blocks if b.block == name)

    @property
    def solution_type_switch(self) -> FieldChange | None:
        """The change of solution type (HealthTech <-> Digital Medicine), if any: it
        switches which channel rules apply."""
        return next((c for c in self.venture if c.field == "solution_type"), None)

    @property
    def added(self) -> int:
        return sum(len(b.added) for b in self.blocks)

    @property
    def removed(self) -> int:
        return sum(len(b.removed) for b in self.blocks)

    @property
    def changed(self) -> int:
        return sum(len(b.changed) for b in self.blocks)

    @property
    def moved(self) -> int:
        return sum(len(b.moved) for b in self.blocks)

    @property
    def has_changes(self) -> bool:
        return bool(
            self.venture
            or self.finances
            or self.readiness
            or any(b.has_changes for b in self.blocks)
        )


# --- documents ---------------------------------------------------------------------------


def _field_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    """Field-level differences of two flat mappings, in the order of the fields."""
    changes = []
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if old == new and type(old) is type(new):
            continue
        if isinstance(old, int | float) and isinstance(new, int | float) and old == new:
            continue  # 2400000 and 2400000.0 are the same amount
        added = removed = ()
        if isinstance(old, list) or isinstance(new, list):
            kind = VOCABULARY.get(name, "")
            old_items, new_items = list(old or []), list(new or [])
            added = tuple(label(kind, v) for v in new_items if v not in old_items)
            removed = tuple(label(kind, v) for v in old_items if v not in new_items)
        changes.append(
            FieldChange(
                field=name,
                label=FIELD_LABELS.get(name, name.replace("_", " ").capitalize()),
                before=old,
                after=new,
                before_text=value_text(name, old),
                after_text=value_text(name, new),
                added=added,
                removed=removed,
            )
        )
    return tuple(changes)


def _key(name: str) -> str:
    return name.strip().casefold()


def pair_by_key[K](
    before: Sequence[K], after: Sequence[K]
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair positions of ``before`` and ``after`` whose keys are equal, occurrence by
    occurrence (the first ``x`` before with the first ``x`` after, and so on): the pairs in
    ``after``'s order, then the positions left unpaired on each side, in order."""
    waiting: dict[K, deque[int]] = defaultdict(deque)
    for i, key in enumerate(before):
        waiting[key].append(i)
    pairs: list[tuple[int, int]] = []
    unpaired_after: list[int] = []
    for j, key in enumerate(after):
        queue = waiting.get(key)
        if queue:
            pairs.append((queue.popleft(), j))
        else:
            unpaired_after.append(j)
    paired = {i for i, _ in pairs}
    return pairs, [i for i in range(len(before)) if i not in paired], unpaired_after


def match_entries(
    before_names: Sequence[str], after_names: Sequence[str]
) -> tuple[list[tuple[int, int, str]], list[int], list[int]]:
    """Pair entries of one block: ([(before_i, after_i, 'name'|'position')], removed_i,
    added_i). See the module docstring for the rules."""
    by_name, unmatched_before, unmatched_after = pair_by_key(
        [_key(n) for n in before_names], [_key(n) for n in after_names]
    )
    pairs = [(i, j, "name") for i, j in by_name]
    free = set(unmatched_before)
    added = []
    for j in unmatched_after:
        if j in free:
            pairs.append((j, j, "position"))
            free.discard(j)
        else:
            added.append(j)
    pairs.sort()
    return pairs, sorted(free), added


def _longest_increasing(values: Sequence[int]) -> set[int]:
    """Indexes (into ``values``) of one longest strictly increasing subsequence."""
    tails: list[int] = []  # index into values of the smallest tail of each length
    previous: list[int | None] = [None] * len(values)
    for i, value in enumerate(values):
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if values[tails[mid]] < value:
                lo = mid + 1
            else:
                hi = mid
        previous[i] = tails[lo - 1] if lo else None
        if lo == len(tails):
            tails.append(i)
        else:
            tails[lo] = i
    keep: set[int] = set()
    current = tails[-1] if tails else None
    while current is not None:
        keep.add(current)
        current = previous[current]
    return keep


def _details(entry: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (FIELD_LABELS.get(name, name), value_text(name, value))
        for name, value in _flatten(entry).items()
        if value not in (None, "", [])
    )


def diff_block(
    block: str, before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]
) -> BlockDiff:
    """Compare the JSON entries of one block (lists of ``entry.model_dump(mode='json')``)."""
    name_field = NAME_FIELDS[block]
    before_names = [e[name_field] for e in before]
    after_names = [e[name_field] for e in after]
    pairs, removed, added = match_entries(before_names, after_names)
    kept_order = _longest_increasing([j for _, j, _ in pairs])
    changed, moved, unchanged = [], [], 0
    for k, (i, j, how) in enumerate(pairs):
        fields = _field_changes(_flatten(before[i]), _flatten(after[j]))
        change = EntryChange(
            name=after_names[j],
            before_name=before_names[i],
            before_position=i,
            after_position=j,
            matched_by=how,
            fields=fields,
            moved=k not in kept_order,
        )
        if fields:
            changed.append(change)
        else:
            unchanged += 1
        if change.moved:
            moved.append(change)
    return BlockDiff(
        block=block,
        label=LIST_LABELS[block],
        added=tuple(EntryRef(after_names[j], j, after[j], _details(after[j])) for j in added),
        removed=tuple(
            EntryRef(before_names[i], i, before[i], _details(before[i])) for i in removed
        ),
        changed=tuple(sorted(changed, key=lambda c: c.after_position)),
        moved=tuple(sorted(moved, key=lambda c: c.after_position)),
        unchanged=unchanged,
    )


def diff_documents(before: CanvasDocument, after: CanvasDocument) -> CanvasDiff:
    """Everything that differs from ``before`` to ``after``."""
    old, new = before.to_data(), after.to_data()
    return CanvasDiff(
        venture=_field_changes(old["venture"], new["venture"]),
        blocks=tuple(diff_block(b, old[b], new[b]) for b in ENTRY_LISTS),
        finances=_field_changes(old["finances"] or {}, new["finances"] or {}),
        readiness=_field_changes(old["readiness"] or {}, new["readiness"] or {}),
    )


# --- evaluations -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerdictChange:
    kind: str  # "partner" or "activity"
    name: str
    before: str  # readable: "Key partner", "Core", ...
    after: str


@dataclass(frozen=True, slots=True)
class EvaluationDiff:
    score_before: int
    score_after: int
    errors_before: int
    errors_after: int
    warnings_before: int
    warnings_after: int
    runway_before: float | None
    runway_after: float | None
    resolved: tuple[Finding, ...]  # in before, gone after
    new: tuple[Finding, ...]  # only after
    still_open: tuple[Finding, ...]  # in both (as they read after)
    verdicts: tuple[VerdictChange, ...] = field(default=())

    @property
    def delta(self) -> int:
        return self.score_after - self.score_before

    @property
    def delta_text(self) -> str:
        """'+6', '-3' or '±0'."""
        return f"{self.delta:+d}" if self.delta else "±0"

    @property
    def has_changes(self) -> bool:
        return bool(self.delta or self.resolved or self.new or self.verdicts)

    # (finding, readable subject) pairs for the pages
    @property
    def resolved_items(self) -> list[tuple[Finding, str]]:
        return [(f, subject_label(f)) for f in self.resolved]

    @property
    def new_items(self) -> list[tuple[Finding, str]]:
        return [(f, subject_label(f)) for f in self.new]

    @property
    def still_open_items(self) -> list[tuple[Finding, str]]:
        return [(f, subject_label(f)) for f in self.still_open]


def subject_label(finding: Finding) -> str:
    """The subject as a person reads it; '' for the block as a whole or a readiness
    question (the message beside it quotes the question)."""
    return evaluator_subject_label(finding, questions=False)


def finding_key(finding: Finding) -> tuple[str, str | None]:
    subject = finding.subject.casefold() if finding.subject is not None else None
    return finding.rule, subject


def _verdict_changes(before: Evaluation, after: Evaluation) -> tuple[VerdictChange, ...]:
    changes = []
    old_partners = {p.name.casefold(): p.verdict for p in before.partners}
    for p in after.partners:
        old = old_partners.get(p.name.casefold())
        if old is not None and old != p.verdict:
            changes.append(
                VerdictChange("partner", p.name, VERDICT_LABELS[old], VERDICT_LABELS[p.verdict])
            )
    old_core: dict[str, bool] = {}
    for a in before.activities:
        old_core.setdefault(a.name.casefold(), a.core)
    seen: set[str] = set()
    for a in after.activities:
        key = a.name.casefold()
        if key in seen or key not in old_core:
            continue
        seen.add(key)
        if old_core[key] != a.core:
            word = {True: "Core", False: "Not core"}
            changes.append(VerdictChange("activity", a.name, word[old_core[key]], word[a.core]))
    return tuple(changes)


def diff_findings(
    before: Iterable[Finding], after: Iterable[Finding]
) -> tuple[tuple[Finding, ...], tuple[Finding, ...], tuple[Finding, ...]]:
    """(resolved, new, still_open), matching by (rule, subject ignoring case); a key that
    occurs n times pairs occurrence by occurrence."""
    before, after = tuple(before), tuple(after)
    pairs, resolved, new = pair_by_key(
        [finding_key(f) for f in before], [finding_key(f) for f in after]
    )
    return (
        tuple(before[i] for i in resolved),
        tuple(after[j] for j in new),
        tuple(after[j] for _, j in pairs),
    )


def diff_evaluations(before: Evaluation, after: Evaluation) -> EvaluationDiff:
    resolved, new, still_open = diff_findings(before.findings, after.findings)
    return EvaluationDiff(
        score_before=before.score,
        score_after=after.score,
        errors_before=before.errors,
        errors_after=after.errors,
        warnings_before=before.warnings,
        warnings_after=after.warnings,
        runway_before=before.runway_months,
        runway_after=after.runway_months,
        resolved=resolved,
        new=new,
        still_open=still_open,
        verdicts=_verdict_changes(before, after),
    )
