"""Wording helpers shared by the rule messages."""


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _months(value: float, limit: float) -> str:
    """Months for a message, to one decimal, never rounded up to the limit (5.99 reads 5.9)."""
    return f"{min(round(value, 1), limit - 0.1):.1f}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
