"""What rules are made of: the ``Facts`` a check reads, the ``Rule`` row and the ``rule``
decorator that registers each check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from canvas.document import CanvasDocument

from .constants import POINTS
from .model import Finding
from .verdicts import (
    milestone_months,
    partner_verdict,
    ratings_of,
    runway_is_unlimited,
    runway_months,
    three_tests,
)


class ActivityFacts:
    """One activity with its three-tests verdict."""

    __slots__ = ("activity", "core", "failed", "unrated")

    def __init__(self, activity):
        self.activity = activity
        self.core, self.failed, self.unrated = three_tests(ratings_of(activity))


class Facts:
    """What the checks need, computed once: verdicts, runway, milestone, channel tags and
    the names activities may be outsourced to."""

    __slots__ = (
        "doc",
        "partners",
        "activities",
        "runway",
        "unlimited",
        "milestone",
        "tags",
        "stage_tags",
        "providers",
    )

    def __init__(self, doc: CanvasDocument):
        self.doc = doc
        self.partners = [(p, partner_verdict(p)) for p in doc.partners]
        self.activities = [ActivityFacts(a) for a in doc.activities]
        self.runway = runway_months(doc.finances)
        self.unlimited = runway_is_unlimited(doc.finances)
        self.milestone = milestone_months(doc.finances)
        self.stage_tags: dict[str, set[str]] = {}
        for ch in doc.channels:
            self.stage_tags.setdefault(ch.stage, set()).update(ch.tags)
        self.tags = set().union(*self.stage_tags.values())
        # whom an activity may be outsourced to: the partners' and vendors' names, compared
        # ignoring case (CanvasDocument.provider_named, as a set)
        self.providers = {p.name.casefold() for p in doc.partners}
        self.providers.update(v.name.casefold() for v in doc.vendors)


Hits = Iterator[tuple[str | None, dict[str, Any]]]
NO_PARAMS: dict[str, Any] = {}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    block: str
    title: str  # short, for badges and headings
    summary: str  # one sentence, for the rule table shown to users
    message: str  # template; {subject} plus the params the check yields
    check: Callable[[Facts], Hits] = field(repr=False, compare=False)
    # What a finding's subject names: an "entry" of the block (or None: the block as a
    # whole), a channel "stage", a resource "category" or a readiness "question"; "runway"
    # for the findings about cash and burn (no subject).
    about: str = "entry"
    # What a finding costs the score: by severity unless the rule says otherwise.
    points: int = 0
    # The solution type the rule applies to (None: both); the channel stage (lane) its
    # findings concern (None: no one stage). Guidance, pages and the PDF read these here.
    solution_type: str | None = None
    stage: str | None = None

    def findings(self, facts: Facts) -> Iterator[Finding]:
        for subject, params in self.check(facts):
            text = self.message.format(subject=subject, **params)
            yield Finding(self.id, self.severity, self.block, subject, text, self.points)


REGISTERED: list[Rule] = []


ABOUT = ("entry", "stage", "category", "question", "runway")


def rule(
    id: str,
    severity: str,
    block: str,
    title: str,
    summary: str,
    message: str,
    about: str = "entry",
    *,
    points: int | None = None,
    solution_type: str | None = None,
    stage: str | None = None,
) -> Callable[[Callable[[Facts], Hits]], Callable[[Facts], Hits]]:
    """Register the decorated check as a rule. ``points`` defaults to the severity's
    (error 10, warning 3, info 0)."""
    if about not in ABOUT:
        raise ValueError(f"rule {id}: about must be one of {ABOUT}, not {about!r}")
    cost = POINTS[severity] if points is None else points

    def register(check: Callable[[Facts], Hits]) -> Callable[[Facts], Hits]:
        REGISTERED.append(
            Rule(
                id,
                severity,
                block,
                title,
                summary,
                message,
                check,
                about,
                cost,
                solution_type,
                stage,
            )
        )
        return check

    return register
