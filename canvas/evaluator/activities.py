"""Key activities: rules KA01-KA06."""

from __future__ import annotations

from canvas.document import TESTS

from .constants import TEST_NAMES
from .registry import NO_PARAMS, Facts, Hits, rule
from .wording import _and

_TEST_WHY = {
    "relevance": "customers would choose you just the same without it",
    "imitation": "a well-funded competitor could match it within months",
    "breadth": "it serves only your current, narrow application",
}


@rule(
    "KA01",
    "error",
    "activities",
    title="No core activity",
    summary="At least one activity should pass all three core-competency tests.",
    message=(
        "{lead} Without a core activity there is nothing a better-funded competitor could not "
        "copy. Name what you must do better than anyone and rate it honestly for relevance, "
        "difficulty of imitation and breadth of application."
    ),
)
def _ka01(f: Facts) -> Hits:
    if all(failed for _, failed in f.activities):
        if f.activities:
            lead = "No activity passes all three core-competency tests."
        else:
            lead = "You list no activities."
        yield None, {"lead": lead}


@rule(
    "KA02",
    "warning",
    "activities",
    title="Declared core but fails tests",
    summary="An activity declared core must pass all three core-competency tests.",
    message=(
        "“{subject}” is declared core but fails {failed}. Treat it as important but not "
        "core, a candidate for a partner or outsourcing, or strengthen the case and update the "
        "ratings."
    ),
)
def _ka02(f: Facts) -> Hits:
    for activity, failed in f.activities:
        if activity.declared_core and failed:
            reasons = [f"{TESTS[t]} ({_TEST_WHY[t]})" for t in failed]
            yield activity.name, {"failed": _and(reasons)}


@rule(
    "KA03",
    "info",
    "activities",
    title="Core but not declared",
    summary="An activity that passes all three tests is core and should be declared so.",
    message=(
        "“{subject}” passes all three tests but is not declared core. Activities like this are "
        "where your advantage lies, and outsourcing or neglecting them leaves you exposed. Declare "
        "it core and keep it in-house, or revisit the ratings."
    ),
)
def _ka03(f: Facts) -> Hits:
    for activity, failed in f.activities:
        if not activity.declared_core and not failed:
            yield activity.name, NO_PARAMS


@rule(
    "KA04",
    "warning",
    "activities",
    title="Missing rationale",
    summary="Each of an activity's three ratings needs a rationale.",
    message=(
        "“{subject}” gives no reason for its {missing}. A rating without a reason cannot be "
        "challenged by your advisors or your own team, and these tests are where teams are most "
        "tempted to flatter themselves. Write one sentence for each rating."
    ),
)
def _ka04(f: Facts) -> Hits:
    for activity, _ in f.activities:
        missing = [TESTS[t] for t in TEST_NAMES if not getattr(activity, t).rationale]
        if missing:
            noun = "ratings" if len(missing) > 1 else "rating"
            yield activity.name, {"missing": f"{_and(missing)} {noun}"}


@rule(
    "KA05",
    "info",
    "activities",
    title="Non-core activity not assigned",
    summary="An activity that is not core should name who does it instead.",
    message=(
        "“{subject}” is not core, and nobody is named to do it instead. Work that matters but does "
        "not set you apart is a candidate for outsourcing, so your team can focus on what does. "
        "Name the partner or provider that will handle it under Outsourced to."
    ),
)
def _ka05(f: Facts) -> Hits:
    for activity, failed in f.activities:
        if failed and activity.outsourced_to is None:
            yield activity.name, NO_PARAMS


@rule(
    "KA06",
    "warning",
    "activities",
    title="Unknown partner",
    summary="An activity's Outsourced to must name a partner on the canvas.",
    message=(
        "“{subject}” is outsourced to “{target}”, which is not a partner on this canvas. Whoever "
        "does this work should pass through the vendor test like every other relationship. Add "
        "“{target}” to the partners or correct the name."
    ),
)
def _ka06(f: Facts) -> Hits:
    for activity, _ in f.activities:
        target = activity.outsourced_to
        if target is not None and f.doc.partner_named(target) is None:
            yield activity.name, {"target": target}
