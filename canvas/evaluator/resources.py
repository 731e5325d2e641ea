"""Key resources and finances: rules KR01-KR06."""

from __future__ import annotations

from canvas.document import CATEGORIES

from .constants import KEY_PERSON_MONTHS, RUNWAY_COMFORTABLE, RUNWAY_CRITICAL
from .registry import NO_PARAMS, Facts, Hits, rule
from .wording import _months, _number

_CATEGORY_WHY = {
    "human": (
        "In a knowledge-intensive health business, people such as technical leads, clinical and "
        "regulatory experts and advisors are usually the hardest resource to replace."
    ),
    "physical": (
        "Even labs and equipment you lease or borrow through an incubator or partner should be "
        "listed if your development depends on them."
    ),
    "intellectual": (
        "Patents, know-how, datasets and contracts protect the business, not just the technology, "
        "and make up most of a company's value."
    ),
    "regulatory": (
        "Clearances, certifications and IRB approvals take years to earn, cannot be bought, and are"
        " among the most defensible assets you can hold."
    ),
    "financial": (
        "Cash, grants and investment decide how long you can keep going; managing them is about "
        "survival, not bookkeeping."
    ),
}


@rule(
    "KR01",
    "warning",
    "resources",
    title="Missing category",
    summary="List at least one resource in each of the five categories.",
    message=(
        "You list no {label} resource. {why} Add the {label} resources your model depends on and "
        "what losing them would cost."
    ),
    about="category",
)
def _kr01(f: Facts) -> Hits:
    present = {r.category for r in f.doc.resources}
    for category, label in CATEGORIES.items():
        if category not in present:
            yield category, {"label": label.lower(), "why": _CATEGORY_WHY[category]}


@rule(
    "KR02",
    "error",
    "resources",
    title="Runway unknown",
    summary="Cash on hand and monthly burn must both be given so runway is known.",
    message=(
        "Your runway is unknown because {missing}. Running out of cash before a fundable milestone "
        "is one of the most common and most avoidable reasons medtech ventures fail, so runway is "
        "the one figure to always know. Enter your cash on hand and monthly burn."
    ),
    about="runway",
)
def _kr02(f: Facts) -> Hits:
    if f.runway is None and not f.unlimited:
        fin = f.doc.finances
        if fin.cash_on_hand is None and fin.monthly_burn is None:
            missing = "cash on hand and monthly burn are missing"
        else:
            missing = f"{'cash on hand' if fin.cash_on_hand is None else 'monthly burn'} is missing"
        yield None, {"missing": missing}


@rule(
    "KR03",
    "error",
    "resources",
    title="Runway under 6 months",
    summary="Runway under six months is critical.",
    message=(
        "Your runway is {months} months, under six. You risk running out of cash before a milestone"
        " investors will fund, or being pushed into a raise on poor terms. Cut burn or secure "
        "funding now, and aim the raise at your next milestone."
    ),
    about="runway",
)
def _kr03(f: Facts) -> Hits:
    if f.runway is not None and f.runway < RUNWAY_CRITICAL:
        yield None, {"months": _months(f.runway, RUNWAY_CRITICAL)}


@rule(
    "KR04",
    "warning",
    "resources",
    title="Runway under 12 months",
    summary="Runway between six and twelve months calls for fundraising plans now.",
    message=(
        "Your runway is {months} months, under a year. Healthcare fundraising takes many months, "
        "and starting late risks a raise on unfavourable terms or losing key hires. Start preparing"
        " the next round, or extend runway, well before you reach six months."
    ),
    about="runway",
)
def _kr04(f: Facts) -> Hits:
    if f.runway is not None and RUNWAY_CRITICAL <= f.runway < RUNWAY_COMFORTABLE:
        yield None, {"months": _months(f.runway, RUNWAY_COMFORTABLE)}


@rule(
    "KR05",
    "warning",
    "resources",
    title="Risk if lost missing",
    summary="Each resource should say what losing it would cost.",
    message=(
        "“{subject}” does not say what losing it would cost. Naming the damage and the time to "
        "replace it is what shows whether this is truly a key resource and how hard to protect it. "
        "Describe the risk if it were lost."
    ),
)
def _kr05(f: Facts) -> Hits:
    for resource in f.doc.resources:
        if not resource.risk_if_lost:
            yield resource.name, NO_PARAMS


@rule(
    "KR06",
    "info",
    "resources",
    title="Key-person risk",
    summary="A person who would take a year or more to replace is a key-person risk.",
    message=(
        "“{subject}” would take {months} months to replace. Losing someone that hard to replace "
        "would set back your technology, relationships or regulatory path. Plan retention and "
        "succession, and write down what only this person knows."
    ),
)
def _kr06(f: Facts) -> Hits:
    for resource in f.doc.resources:
        months = resource.replacement_months
        if resource.category == "human" and months is not None and months >= KEY_PERSON_MONTHS:
            yield resource.name, {"months": _number(months)}
