"""Key resources, finances and the milestone: rules KR01-KR07."""

from __future__ import annotations

from canvas.document import CATEGORIES

from .constants import KEY_PERSON_MONTHS, MONTHS_TO_RAISE, RUNWAY_COMFORTABLE, RUNWAY_CRITICAL
from .registry import NO_PARAMS, Facts, Hits, rule
from .wording import and_list, months_text, number_text

# The categories a canvas is expected to list, by solution type: software needs no
# physical resource of its own (SPEC §3, KR01).
EXPECTED_CATEGORIES = {
    "healthtech": tuple(CATEGORIES),
    "digital_medicine": tuple(c for c in CATEGORIES if c != "physical"),
}

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
    title="Missing categories",
    summary=(
        "List a resource in each expected category: all five for HealthTech, all but physical "
        "for Digital Medicine."
    ),
    message=(
        "You list no {labels} resources. {why} Add the resources your model depends on in "
        "{each} and say what losing them would cost."
    ),
)
def _kr01(f: Facts) -> Hits:
    present = {r.category for r in f.doc.resources}
    expected = EXPECTED_CATEGORIES[f.doc.venture.solution_type]
    missing = [c for c in expected if c not in present]
    if missing:
        labels = and_list([CATEGORIES[c].lower() for c in missing])
        why = " ".join(_CATEGORY_WHY[c] for c in missing[:2])
        each = "each of them" if len(missing) > 1 else "it"
        yield None, {"labels": labels, "why": why, "each": each}


@rule(
    "KR02",
    "error",
    "resources",
    title="Runway unknown",
    summary="Cash on hand and monthly burn must both be given so runway is known.",
    message=(
        "Your runway is unknown because {missing}. Running out of cash before a fundable milestone "
        "is one of the most common and most avoidable reasons medtech ventures fail, so runway is "
        "the one figure to always know. {todo}"
    ),
    about="runway",
    points=15,
)
def _kr02(f: Facts) -> Hits:
    if f.runway is None and not f.unlimited:
        fin = f.doc.finances
        todo = "Enter your cash on hand and monthly burn."
        if fin.cash_on_hand is None and fin.monthly_burn is None:
            missing = "cash on hand and monthly burn are missing"
        elif fin.cash_on_hand is None:
            missing = "cash on hand is missing"
        elif fin.monthly_burn is None:
            missing = "monthly burn is missing"
        else:  # no cash and nothing burnt: there is no runway to measure
            missing = "there is no cash on hand and no monthly burn"
            todo = "Enter the cash you hold and what you spend each month."
        yield None, {"missing": missing, "todo": todo}


@rule(
    "KR03",
    "error",
    "resources",
    title="Cash runs out before the milestone",
    summary=(
        "Runway shorter than the months to the next fundable milestone (or, with no milestone, "
        "under six months) means cash runs out first."
    ),
    message=(
        "Your runway is {months} months, {against}. You risk running out of cash before a "
        "milestone investors will fund, or being pushed into a raise on poor terms. Cut burn or "
        "secure funding now, and aim the raise at your next milestone."
    ),
    about="runway",
    points=25,
)
def _kr03(f: Facts) -> Hits:
    if f.runway is None:
        return
    if f.milestone is not None:
        if f.runway < f.milestone:
            against = f"but the next milestone is {number_text(f.milestone)} months away"
            yield None, {"months": months_text(f.runway, f.milestone), "against": against}
    elif f.runway < RUNWAY_CRITICAL:
        yield None, {"months": months_text(f.runway, RUNWAY_CRITICAL), "against": "under six"}


@rule(
    "KR04",
    "warning",
    "resources",
    title="No time to raise",
    summary=(
        "Runway that reaches the milestone but leaves under six months to raise the next round "
        "(or, with no milestone, six to twelve months) calls for fundraising plans now."
    ),
    message=(
        "Your runway is {months} months, {against}. Healthcare fundraising takes many months, and "
        "starting late risks a raise on unfavourable terms or losing key hires. Start preparing the"
        " next round now, or extend runway."
    ),
    about="runway",
)
def _kr04(f: Facts) -> Hits:
    if f.runway is None:
        return
    if f.milestone is not None:
        limit = f.milestone + MONTHS_TO_RAISE
        if f.milestone <= f.runway < limit:
            spare = f.runway - f.milestone
            raise_months = number_text(MONTHS_TO_RAISE)
            milestone = number_text(f.milestone)
            against = (
                f"enough to reach the next milestone in {milestone} months but leaving "
                f"{months_text(spare, MONTHS_TO_RAISE)} of the {raise_months} months a raise takes"
            )
            yield None, {"months": months_text(f.runway, limit), "against": against}
    elif RUNWAY_CRITICAL <= f.runway < RUNWAY_COMFORTABLE:
        yield None, {"months": months_text(f.runway, RUNWAY_COMFORTABLE), "against": "under a year"}


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
            yield resource.name, {"months": number_text(months)}


@rule(
    "KR07",
    "info",
    "resources",
    title="No fundable milestone",
    summary="Name the next fundable milestone and the months to reach it.",
    message=(
        "{lead} Runway only means something measured against what the cash must reach: the next "
        "milestone an investor will fund, such as a clearance submission or a pilot's results. "
        "Name it and estimate the months to reach it, so runway is judged against it."
    ),
    about="runway",
)
def _kr07(f: Facts) -> Hits:
    fin = f.doc.finances
    if not fin.next_milestone and fin.months_to_milestone is None:
        lead = "You name no next fundable milestone."
    elif not fin.next_milestone:
        lead = "You give months to a milestone but do not say what the milestone is."
    elif fin.months_to_milestone is None:
        lead = (
            f"You name “{fin.next_milestone}” as the next milestone but not when you will reach it."
        )
    else:
        return
    yield None, {"lead": lead}
