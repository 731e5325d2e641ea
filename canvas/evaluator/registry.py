"""What rules are made of: the ``Facts`` a check reads, the ``Rule`` row and the ``rule``
decorator that registers each check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from canvas.document import CanvasDocument

from .model import Finding
from .verdicts import failed_tests, partner_verdict, runway_is_unlimited, runway_months


class Facts:
    """What the checks need, computed once: verdicts, runway, channel tags."""

    __slots__ = ("doc", "partners", "activities", "runway", "unlimited", "tags", "stage_tags")

    def __init__(self, doc: CanvasDocument):
        self.doc = doc
        self.partners = [(p, partner_verdict(p)) for p in doc.partners]
        self.activities = [(a, failed_tests(a)) for a in doc.activities]
        self.runway = runway_months(doc.finances)
        self.unlimited = runway_is_unlimited(doc.finances)
        self.stage_tags: dict[str, set[str]] = {}
        for ch in doc.channels:
            self.stage_tags.setdefault(ch.stage, set()).update(ch.tags)
        self.tags = set().union(*self.stage_tags.values())


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

    def findings(self, facts: Facts) -> Iterator[Finding]:
        for subject, params in self.check(facts):
            text = self.message.format(subject=subject, **params)
            yield Finding(self.id, self.severity, self.block, subject, text)


_registered: list[Rule] = []


ABOUT = ("entry", "stage", "category", "question", "runway")


def rule(
    id: str,
    severity: str,
    block: str,
    title: str,
    summary: str,
    message: str,
    about: str = "entry",
) -> Callable[[Callable[[Facts], Hits]], Callable[[Facts], Hits]]:
    """Register the decorated check as a rule."""
    if about not in ABOUT:
        raise ValueError(f"rule {id}: about must be one of {ABOUT}, not {about!r}")

    def register(check: Callable[[Facts], Hits]) -> Callable[[Facts], Hits]:
        _registered.append(Rule(id, severity, block, title, summary, message, check, about))
        return check

    return register
