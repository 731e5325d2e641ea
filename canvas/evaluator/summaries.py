"""One-line summaries that pages, the PDF, the CLI and the cohort dashboard share, so the
words agree everywhere: runway against the milestone, and readiness as what it is."""

from __future__ import annotations

from collections.abc import Iterable

from canvas.document import READINESS_QUESTIONS, Finances, Readiness

from .model import Evaluation


def months_text(value: float) -> str:
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return f"{text} month" + ("" if text == "1" else "s")


def runway_line(runway_months: float | None, unlimited: bool, milestone: float | None) -> str:
    """'18.0 months of runway · milestone in 14 months · 4 months to raise', from the
    rounded runway (or 'unlimited'/'unknown') and the months to the milestone (or None)."""
    if unlimited:
        parts = ["Unlimited runway (no monthly burn)"]
    elif runway_months is None:
        parts = ["Runway unknown"]
    else:
        parts = [f"{runway_months:.1f} months of runway"]
    if milestone is None:
        parts.append("no milestone set")
        return " · ".join(parts)
    parts.append(f"milestone in {months_text(milestone)}")
    if runway_months is not None and not unlimited:
        spare = round(runway_months - milestone, 1)
        if spare >= 0:
            parts.append(f"{months_text(spare)} to raise")
        else:
            parts.append(f"cash runs out {months_text(-spare)} before it")
    return " · ".join(parts)


def runway_summary(finances: Finances | None, evaluation: Evaluation) -> str:
    """``runway_line`` for a document's finances and its evaluation."""
    milestone = None if finances is None else finances.months_to_milestone
    return runway_line(evaluation.runway_months, evaluation.runway_unlimited, milestone)


def runway_level(rules: Iterable[str]) -> str:
    """'poor', 'fair' or 'good', as the runway rules judged it (KR02/KR03, KR04, neither),
    so a colour never disagrees with a finding."""
    found = set(rules)
    if found & {"KR02", "KR03"}:
        return "poor"
    return "fair" if "KR04" in found else "good"


def readiness_counts(answers: Iterable[bool | None]) -> tuple[int, int, int]:
    """(answered, yes, questions) for the readiness answers in question order."""
    values = list(answers)
    answered = sum(1 for a in values if a is not None)
    yes = sum(1 for a in values if a is True)
    return answered, yes, len(values)


def readiness_line(answers: Iterable[bool | None]) -> str:
    """'3 of 5 answered · 2 yes' (never 'Complete' when nothing is answered)."""
    answered, yes, total = readiness_counts(answers)
    return f"{answered} of {total} answered · {yes} yes"


def readiness_summary(readiness: Readiness | None) -> str:
    if readiness is None:
        return readiness_line([None] * len(READINESS_QUESTIONS))
    return readiness_line(answer for _, answer in readiness.answers())
