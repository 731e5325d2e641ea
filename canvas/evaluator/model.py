"""The results: ``Finding``, the verdict records and ``Evaluation``, with their JSON shape."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# What a finding cost under rule set 1, whose stored findings carry no points.
_RULESET_1_POINTS = {"error": 10, "warning": 3, "info": 0}


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: str
    block: str
    subject: str | None
    message: str
    points: int = 0  # what the finding costs the score

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "points": self.points,
            "block": self.block,
            "subject": self.subject,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """Rebuild a finding from ``to_dict()`` output (for example a cached evaluation);
        a rule-set-1 finding, stored without points, costs what rule set 1 charged."""
        points = data.get("points")
        if points is None:
            points = _RULESET_1_POINTS.get(data["severity"], 0)
        return cls(
            data["rule"],
            data["severity"],
            data["block"],
            data["subject"],
            data["message"],
            int(points),
        )


@dataclass(frozen=True, slots=True)
class PartnerVerdict:
    name: str
    verdict: str  # key_partner, vendor, borderline or unassessed

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "verdict": self.verdict}


@dataclass(frozen=True, slots=True)
class ActivityVerdict:
    name: str
    core: bool
    failed_tests: tuple[str, ...]  # rated low
    unrated_tests: tuple[str, ...] = ()  # not yet rated

    @property
    def rated(self) -> bool:
        """Whether all three tests are rated: only then is "not core" a verdict."""
        return not self.unrated_tests

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "core": self.core,
            "failed_tests": list(self.failed_tests),
            "unrated_tests": list(self.unrated_tests),
        }


@dataclass(frozen=True, slots=True)
class Evaluation:
    ruleset: int  # the rule set it was made under (RULESET_VERSION when current)
    score: int
    runway_months: float | None  # rounded to one decimal; None when unknown or unlimited
    runway_unlimited: bool
    partners: tuple[PartnerVerdict, ...]
    activities: tuple[ActivityVerdict, ...]
    findings: tuple[Finding, ...]

    def _count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> int:
        return self._count("error")

    @property
    def warnings(self) -> int:
        return self._count("warning")

    @property
    def infos(self) -> int:
        return self._count("info")

    def findings_for(self, block: str) -> list[Finding]:
        return [f for f in self.findings if f.block == block]

    def partner_verdict(self, name: str) -> str | None:
        key = name.casefold()
        return next((p.verdict for p in self.partners if p.name.casefold() == key), None)

    def activity_verdict(self, name: str) -> ActivityVerdict | None:
        exact = next((a for a in self.activities if a.name == name), None)
        if exact is not None:
            return exact
        key = name.casefold()
        return next((a for a in self.activities if a.name.casefold() == key), None)

    def to_dict(self) -> dict[str, Any]:
        """The SPEC §3 'Evaluation output (JSON)' shape, nothing more."""
        return {
            "ruleset": self.ruleset,
            "score": self.score,
            "runway_months": self.runway_months,
            "partners": [p.to_dict() for p in self.partners],
            "activities": [a.to_dict() for a in self.activities],
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evaluation:
        """Rebuild an evaluation from ``to_dict()`` output (for example a cached copy). One
        stored under rule set 1 carries no rule-set number: it reads as rule set 1."""
        findings = tuple(Finding.from_dict(f) for f in data["findings"])
        runway = data["runway_months"]
        return cls(
            ruleset=int(data.get("ruleset", 1)),
            score=int(data["score"]),
            runway_months=None if runway is None else float(runway),
            runway_unlimited=unlimited_runway_in(runway, (f.rule for f in findings)),
            partners=tuple(PartnerVerdict(p["name"], p["verdict"]) for p in data["partners"]),
            activities=tuple(
                ActivityVerdict(
                    a["name"],
                    bool(a["core"]),
                    tuple(a["failed_tests"]),
                    tuple(a.get("unrated_tests", ())),
                )
                for a in data["activities"]
            ),
            findings=findings,
        )


def unlimited_runway_in(runway_months: float | None, rules: Iterable[str]) -> bool:
    """Whether evaluation output (its runway and the rule ids of its findings) means an
    unlimited runway: a null runway without a KR02 (unknown runway) finding can only mean
    that nothing is burnt."""
    return runway_months is None and "KR02" not in set(rules)
