"""Key partners: rules KP01-KP04."""

from __future__ import annotations

from .registry import NO_PARAMS, Facts, Hits, rule
from .wording import _and


@rule(
    "KP01",
    "error",
    "partners",
    title="No key partner",
    summary="At least one partner should pass the vendor test as a key partner.",
    message=(
        "{lead} A key partner takes months or years and significant strategic cost to replace; "
        "anything you could replace in weeks is a vendor. Name the organisations your value "
        "proposition truly depends on and rate honestly how hard each would be to replace."
    ),
)
def _kp01(f: Facts) -> Hits:
    if all(verdict != "key_partner" for _, verdict in f.partners):
        lead = "No partner passes the key-partner test." if f.partners else "You list no partners."
        yield None, {"lead": lead}


@rule(
    "KP02",
    "warning",
    "partners",
    title="Vendor listed as partner",
    summary="A partner you could replace in weeks at minimal cost is a vendor, not a key partner.",
    message=(
        "“{subject}” is a vendor: you could replace it within weeks at minimal cost. Commodity "
        "providers belong on a vendor list, not among the partners that shape your competitive "
        "position. Remove it from the canvas, or correct its ratings if losing it would really "
        "hurt."
    ),
)
def _kp02(f: Facts) -> Hits:
    for partner, verdict in f.partners:
        if verdict == "vendor":
            yield partner.name, NO_PARAMS


@rule(
    "KP03",
    "info",
    "partners",
    title="Borderline partner",
    summary="A partner whose recovery time and replacement cost disagree needs a second look.",
    message=(
        "“{subject}” sends mixed signals: {recovery} to recover, {cost} cost to replace. A key "
        "partner takes months or years and significant cost to replace, a vendor weeks and little "
        "cost. Review both answers and decide which this relationship really is."
    ),
)
def _kp03(f: Facts) -> Hits:
    for partner, verdict in f.partners:
        if verdict == "borderline":
            params = {"recovery": partner.recovery_time, "cost": partner.replacement_cost}
            yield partner.name, params


@rule(
    "KP04",
    "warning",
    "partners",
    title="Key partner undocumented",
    summary="A key partner should state its strategic value and what would be lost without it.",
    message=(
        "“{subject}” is a key partner, but {missing} blank. Spelling out what the partner brings "
        "and what you would lose shows advisors and investors why it matters, and helps you sell "
        "your mission to the partner itself. Fill in what is missing."
    ),
)
def _kp04(f: Facts) -> Hits:
    for partner, verdict in f.partners:
        if verdict != "key_partner":
            continue
        missing = [
            text
            for text, value in (
                ("its strategic value", partner.strategic_value),
                ("what would be lost", partner.what_would_be_lost),
            )
            if not value
        ]
        if missing:
            yield partner.name, {"missing": _and(missing) + (" are" if len(missing) > 1 else " is")}
