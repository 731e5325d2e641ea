"""Wording helpers shared by the rule messages."""

import math


def and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def months_text(value: float, limit: float) -> str:
    """Months for a message, to one decimal, never rounded up to the limit it is under
    (5.99 under 6 reads 5.9)."""
    shown = round(value, 1)
    if shown >= limit > value:
        shown = math.floor(value * 10) / 10
    return f"{shown:.1f}"


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
