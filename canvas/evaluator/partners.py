"""Key partners: rules KP01-KP06. Vendors are not partners: no rule here reads them."""

from __future__ import annotations

from .registry import NO_PARAMS, Facts, Hits, rule
from .wording import and_list


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
    summary=(
        "A partner you could replace in weeks at minimal cost is a vendor: move it to the vendor "
        "list."
    ),
    message=(
        "“{subject}” is a vendor: you could replace it within weeks at minimal cost. Commodity "
        "providers belong on the vendor list beside the canvas, not among the partners that "
        "shape your competitive position. Move it to the vendor list, or correct its answers if "
        "losing it would really hurt."
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
            yield (
                partner.name,
                {"missing": and_list(missing) + (" are" if len(missing) > 1 else " is")},
            )


@rule(
    "KP05",
    "warning",
    "partners",
    title="No market access partner",
    summary="A reimbursement model needs a market access partner among the key partners.",
    message=(
        "Your revenue model is reimbursement, but no partner works on market access. Coding, "
        "coverage and payment decisions take specialist knowledge and relationships with payers, "
        "and revenue waits until they are in place. Add the market access partner you rely on, or "
        "the one you need."
    ),
)
def _kp05(f: Facts) -> Hits:
    if f.doc.venture.revenue_model == "reimbursement" and all(
        p.partner_type != "market_access" for p in f.doc.partners
    ):
        yield None, NO_PARAMS


@rule(
    "KP06",
    "warning",
    "partners",
    title="Partner not yet assessed",
    summary="Each partner needs both vendor-test answers: recovery time and replacement cost.",
    message=(
        "“{subject}” has not been through the vendor test: {missing} not yet assessed. Until you "
        "say how long recovery would take and what the loss would cost, nobody can tell whether it "
        "is a key partner or a vendor. Answer both questions honestly."
    ),
)
def _kp06(f: Facts) -> Hits:
    for partner, verdict in f.partners:
        if verdict == "unassessed":
            missing = [
                text
                for text, value in (
                    ("its recovery time", partner.recovery_time),
                    ("its replacement cost", partner.replacement_cost),
                )
                if value is None
            ]
            yield (
                partner.name,
                {"missing": and_list(missing) + (" are" if len(missing) > 1 else " is")},
            )
