"""The partner and activity verdicts, the runway and the milestone, each a small pure
function."""

from __future__ import annotations

import math
from functools import cache

from canvas.document import Activity, Finances, Partner

from .constants import PASSING_RATINGS, TEST_NAMES


def partner_verdict(partner: Partner) -> str:
    """The vendor test: 'key_partner', 'vendor', 'borderline', or 'unassessed' while
    either answer is missing."""
    recovery, cost = partner.recovery_time, partner.replacement_cost
    if recovery is None or cost is None:
        return "unassessed"
    if cost == "significant" and recovery in ("months", "years"):
        return "key_partner"
    if cost == "minimal" and recovery == "weeks":
        return "vendor"
    return "borderline"


def ratings_of(activity: Activity) -> tuple[str | None, str | None, str | None]:
    """The activity's three ratings, in the order of ``TEST_NAMES``: relevance, imitation,
    breadth."""
    return (activity.relevance.rating, activity.imitation.rating, activity.breadth.rating)


@cache
def three_tests(
    ratings: tuple[str | None, ...],
) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
    """The three-tests verdict of three ratings: (core, the tests rated low, the tests not
    yet rated), each in the order relevance, imitation, breadth. Core: all three pass (each
    rated medium or high). Cached: there are only 64 combinations of ratings."""
    failed = tuple(t for t, r in zip(TEST_NAMES, ratings, strict=True) if r == "low")
    unrated = tuple(t for t, r in zip(TEST_NAMES, ratings, strict=True) if r is None)
    return all(r in PASSING_RATINGS for r in ratings), failed, unrated


def failed_tests(activity: Activity) -> tuple[str, ...]:
    """The Prahalad & Hamel tests rated low, in the order relevance, imitation, breadth."""
    return three_tests(ratings_of(activity))[1]


def unrated_tests(activity: Activity) -> tuple[str, ...]:
    """The tests not yet rated (null), in the order relevance, imitation, breadth."""
    return three_tests(ratings_of(activity))[2]


def is_core(activity: Activity) -> bool:
    """Core: passes all three tests (each rated medium or high)."""
    return three_tests(ratings_of(activity))[0]


def runway_is_unlimited(finances: Finances | None) -> bool:
    """True when cash is held and nothing is burnt (or cash/burn is too large to express)."""
    if finances is None or finances.monthly_burn is None or not finances.cash_on_hand:
        return False
    if finances.monthly_burn == 0:
        return True
    return math.isinf(finances.cash_on_hand / finances.monthly_burn)


def runway_months(finances: Finances | None) -> float | None:
    """Cash on hand / monthly burn, unrounded; None when unknown or unlimited."""
    if finances is None or finances.cash_on_hand is None or not finances.monthly_burn:
        return None
    months = finances.cash_on_hand / finances.monthly_burn
    return None if math.isinf(months) else months


def milestone_months(finances: Finances | None) -> float | None:
    """Months to the next fundable milestone, when given (0 included), whatever the
    milestone's text says; None otherwise."""
    return None if finances is None else finances.months_to_milestone
