"""Key activities: rules KA01-KA08."""

from __future__ import annotations

from canvas.document import TESTS

from .constants import PASSING_RATINGS, TEST_NAMES
from .registry import NO_PARAMS, Facts, Hits, rule
from .wording import and_list

_TEST_WHY = {
    "relevance": "customers would choose you just the same without it",
    "imitation": "a well-funded competitor could match it within months",
    "breadth": "it serves only your current, narrow application",
}


def _tests(names: tuple[str, ...]) -> str:
    return and_list([TESTS[t] for t in names])


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
    if not any(a.core for a in f.activities):
        if f.activities:
            lead = "No activity passes all three core-competency tests."
        else:
            lead = "You list no activities."
        yield None, {"lead": lead}


@rule(
    "KA02",
    "warning",
    "activities",
    title="Declared core but not core",
    summary="An activity declared core must pass all three core-competency tests.",
    message=(
        "“{subject}” is declared core but {why}. Until it passes all three tests it is important "
        "but not core: {advice}"
    ),
)
def _ka02(f: Facts) -> Hits:
    for a in f.activities:
        if a.activity.declared_core and not a.core:
            parts = []
            if a.failed:
                reasons = [f"{TESTS[t]} ({_TEST_WHY[t]})" for t in a.failed]
                parts.append(f"fails {and_list(reasons)}")
            if a.unrated:
                parts.append(f"is not yet rated for {_tests(a.unrated)}")
            if a.failed:
                advice = (
                    "a candidate for a partner or outsourcing. Strengthen the case and update the "
                    "ratings, or stop declaring it core."
                )
            else:
                advice = "rate the missing tests honestly before you claim it."
            yield a.activity.name, {"why": ", and ".join(parts), "advice": advice}


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
    for a in f.activities:
        if not a.activity.declared_core and a.core:
            yield a.activity.name, NO_PARAMS


@rule(
    "KA04",
    "warning",
    "activities",
    title="Passing rating without a reason",
    summary="A Medium or High rating needs its rationale; a Low rating needs none.",
    message=(
        "“{subject}” gives no reason for its {missing}. A passing rating without a reason cannot "
        "be challenged by your advisors or your own team, and these tests are where teams are most "
        "tempted to flatter themselves. Write one sentence for each."
    ),
)
def _ka04(f: Facts) -> Hits:
    for a in f.activities:
        missing = [
            TESTS[t]
            for t in TEST_NAMES
            if getattr(a.activity, t).rating in PASSING_RATINGS
            and not getattr(a.activity, t).rationale
        ]
        if missing:
            noun = "ratings" if len(missing) > 1 else "rating"
            yield a.activity.name, {"missing": f"{and_list(missing)} {noun}"}


@rule(
    "KA05",
    "info",
    "activities",
    title="Non-core activity not assigned",
    summary="An activity that is not core should name who does it instead.",
    message=(
        "“{subject}” is not core, and nobody is named to do it instead. Work that matters but does "
        "not set you apart is a candidate for outsourcing, so your team can focus on what does. "
        "Name the partner or vendor that will handle it under Outsourced to."
    ),
)
def _ka05(f: Facts) -> Hits:
    for a in f.activities:
        activity = a.activity
        if (
            not a.core
            and not activity.declared_core
            and not a.unrated
            and activity.outsourced_to is None
        ):
            yield activity.name, NO_PARAMS


@rule(
    "KA06",
    "warning",
    "activities",
    title="Unknown partner or vendor",
    summary="An activity's Outsourced to must name a partner or a vendor on the canvas.",
    message=(
        "“{subject}” is outsourced to “{target}”, which is neither a partner nor a vendor on this "
        "canvas. Whoever does this work should be on the canvas: as a key partner if losing them "
        "would hurt, otherwise on the vendor list. Add “{target}” to one of them, or correct the "
        "name."
    ),
)
def _ka06(f: Facts) -> Hits:
    for a in f.activities:
        target = a.activity.outsourced_to
        if target is not None and target.casefold() not in f.providers:
            yield a.activity.name, {"target": target}


@rule(
    "KA07",
    "error",
    "activities",
    title="Core activity outsourced",
    summary="A core activity, or one declared core, must be done in-house, not outsourced.",
    message=(
        "“{subject}” is {which}, yet it is outsourced to “{target}”. Key activities are the "
        "things your company must do itself: hand them to someone else and the advantage is "
        "theirs. Bring it in-house, or, if it is not really core, revisit the ratings{claim}."
    ),
)
def _ka07(f: Facts) -> Hits:
    for a in f.activities:
        activity = a.activity
        if activity.outsourced_to is not None and (a.core or activity.declared_core):
            if a.core and activity.declared_core:
                which, claim = "core and declared core", " and the claim"
            elif a.core:
                which, claim = "core (it passes all three tests)", ""
            else:
                which, claim = "declared core", " and the claim"
            yield activity.name, {"which": which, "target": activity.outsourced_to, "claim": claim}


@rule(
    "KA08",
    "warning",
    "activities",
    title="Tests not yet rated",
    summary="Each activity needs all three tests rated before it has a verdict.",
    message=(
        "“{subject}” is not yet rated for {tests}. Until all three tests are rated it has no "
        "verdict, core or not, and the canvas cannot show where your advantage lies. Rate each "
        "test High, Medium or Low and give the reason for each passing rating."
    ),
)
def _ka08(f: Facts) -> Hits:
    for a in f.activities:
        if a.unrated:
            yield a.activity.name, {"tests": _tests(a.unrated)}
