"""Wording helpers shared by the rule messages."""

import math


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _months(value: float, limit: float) -> str:
    """Months for a message, to one decimal, never rounded up to the limit it is under
    (5.99 under 6 reads 5.9)."""
    shown = round(value, 1)
    if shown >= limit > value:
        shown = math.floor(value * 10) / 10
    return f"{shown:.1f}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
