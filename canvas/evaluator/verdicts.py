"""The partner and activity verdicts and the runway, each a small pure function."""

from __future__ import annotations

import math

from canvas.document import Activity, Finances, Partner

from .constants import PASSING_RATINGS, TEST_NAMES


def partner_verdict(partner: Partner) -> str:
    """The vendor test: 'key_partner', 'vendor' or 'borderline'."""
    recovery, cost = partner.recovery_time, partner.replacement_cost
    if cost == "significant" and recovery in ("months", "years"):
        return "key_partner"
    if cost == "minimal" and recovery == "weeks":
        return "vendor"
    return "borderline"


def failed_tests(activity: Activity) -> tuple[str, ...]:
    """The Prahalad & Hamel tests the activity fails, in the order relevance, imitation, breadth."""
    return tuple(t for t in TEST_NAMES if getattr(activity, t).rating not in PASSING_RATINGS)


def is_core(activity: Activity) -> bool:
    return not failed_tests(activity)


def runway_is_unlimited(finances: Finances | None) -> bool:
    """True when nothing is burnt (or cash/burn is so large it cannot be expressed)."""
    if finances is None or finances.monthly_burn is None:
        return False
    if finances.monthly_burn == 0:
        return True
    return finances.cash_on_hand is not None and math.isinf(
        finances.cash_on_hand / finances.monthly_burn
    )


def runway_months(finances: Finances | None) -> float | None:
    """Cash on hand / monthly burn, unrounded; None when unknown or unlimited."""
    if finances is None or finances.cash_on_hand is None or not finances.monthly_burn:
        return None
    months = finances.cash_on_hand / finances.monthly_burn
    return None if math.isinf(months) else months
