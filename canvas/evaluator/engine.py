"""The rule table and the entry point: ``RULES`` in SPEC order, ``score`` and ``evaluate``."""

from __future__ import annotations

from canvas.document import CanvasDocument, label

# Importing the rule modules registers their rules; import them in SPEC block order.
from . import channels, partners, activities, resources, readiness  # noqa: F401  # isort: skip
from .constants import BLOCKS, RULESET_VERSION
from .model import ActivityVerdict, Evaluation, Finding, PartnerVerdict
from .registry import REGISTERED, Facts, Rule

RULES: tuple[Rule, ...] = tuple(sorted(REGISTERED, key=lambda r: (BLOCKS.index(r.block), r.id)))
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def about(finding: Finding) -> str:
    """What the finding's subject names (its rule's ``about``): "entry" (an entry's name,
    or None for the block as a whole), "stage", "category", "question" or "runway"."""
    rule = RULES_BY_ID.get(finding.rule)
    return rule.about if rule is not None else "entry"


def subject_label(finding: Finding, *, questions: bool = True, short: bool = False) -> str:
    """The finding's subject as a person reads it: an entry's name, "Get stage", "Physical
    resources" or a readiness question; '' for the block as a whole, and for a question
    when ``questions`` is False (where the message shown beside it quotes the question).
    ``short`` leaves out the " stage" and " resources" ("Get", "Physical")."""
    subject, kind = finding.subject, about(finding)
    if subject is None or (kind == "question" and not questions):
        return ""
    if kind == "stage":
        return label("stage", subject) + ("" if short else " stage")
    if kind == "category":
        return label("category", subject) + ("" if short else " resources")
    if kind == "question":
        return label("question", subject)
    return subject


def rules_by_block() -> dict[str, tuple[Rule, ...]]:
    """The rules grouped by block, blocks in SPEC order."""
    return {block: tuple(r for r in RULES if r.block == block) for block in BLOCKS}


def score(findings: tuple[Finding, ...] | list[Finding]) -> int:
    """100 less what the findings cost, never below 0."""
    return max(0, 100 - sum(f.points for f in findings))


def rules_for(solution_type: str) -> tuple[Rule, ...]:
    """The rules that apply only to this solution type, in SPEC order."""
    return tuple(r for r in RULES if r.solution_type == solution_type)


def evaluate(doc: CanvasDocument) -> Evaluation:
    facts = Facts(doc)
    findings: list[Finding] = []
    for r in RULES:
        findings.extend(r.findings(facts))
    runway = None if facts.runway is None else round(facts.runway, 1) + 0.0  # no "-0.0"
    return Evaluation(
        ruleset=RULESET_VERSION,
        score=score(findings),
        runway_months=runway,
        runway_unlimited=facts.unlimited,
        partners=tuple(PartnerVerdict(p.name, verdict) for p, verdict in facts.partners),
        activities=tuple(
            ActivityVerdict(a.activity.name, a.core, a.failed, a.unrated) for a in facts.activities
        ),
        findings=tuple(findings),
    )
