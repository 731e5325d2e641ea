"""The evaluator's rules and verdicts (SPEC §3, rule set 2), one case where each rule fires
and one where it does not, with its severity, block, subject and points. No database:
documents start from a clean version-2 canvas (no findings at all) and are changed with
small path edits before they are parsed.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest

from canvas.document import READINESS_QUESTIONS, parse_document
from canvas.evaluator import (
    Evaluation,
    Finding,
    evaluate,
    failed_tests,
    is_core,
    partner_verdict,
    ratings_of,
    runway_is_unlimited,
    runway_months,
    three_tests,
    unrated_tests,
)

# --- building documents ----------------------------------------------------------------

DELETE = object()  # an edit value that removes the key


def channel(stage: str, text: str, route: str = "direct", tags: list[str] | None = None) -> dict:
    return {
        "stage": stage,
        "channel": text,
        "relationship": "Collaborative",
        "route": route,
        "mode": "in_person",
        "tags": tags or [],
    }


def partner(
    name: str,
    recovery: str | None = "years",
    cost: str | None = "significant",
    strategic_value: str = "ISO 13485 facility",
    what_would_be_lost: str = "18-24 months to qualify another",
    partner_type: str = "contract_manufacturer",
) -> dict:
    return {
        "name": name,
        "partner_type": partner_type,
        "strategic_value": strategic_value,
        "what_would_be_lost": what_would_be_lost,
        "recovery_time": recovery,
        "replacement_cost": cost,
    }


def vendor(name: str, service: str = "A commodity service") -> dict:
    return {"name": name, "service": service}


def activity(
    name: str,
    relevance: str | None = "high",
    imitation: str | None = "high",
    breadth: str | None = "high",
    declared_core: bool = False,
    outsourced_to: str | None = None,
    rationale: str = "Because of the evidence",
) -> dict:
    return {
        "name": name,
        "relevance": {"rating": relevance, "rationale": rationale},
        "imitation": {"rating": imitation, "rationale": rationale},
        "breadth": {"rating": breadth, "rationale": rationale},
        "declared_core": declared_core,
        "outsourced_to": outsourced_to,
    }


def resource(name: str, category: str, risk: str = "Hard to replace", months=None) -> dict:
    return {
        "name": name,
        "category": category,
        "why_strategic": "Essential to delivery",
        "risk_if_lost": risk,
        "replacement_months": months,
    }


CMO = "BioMed Contract Manufacturing"
BOOKS = "Ledgerline Bookkeeping"
MILESTONE = "510(k) submitted with validation-study data"


def clean_data() -> dict[str, Any]:
    """A version-2 healthtech canvas that fires no rule at all: a key partner, a vendor that
    an activity is outsourced to, a milestone in 12 months and a runway of 24."""
    return {
        "schema_version": 2,
        "venture": {
            "name": "Sepsis Dx",
            "solution_type": "healthtech",
            "market_stage": "beachhead",
            "revenue_model": "capital_sale",
        },
        "channels": [
            channel(
                "get", "Clinical partnership with 3 academic EDs", tags=["clinical_partnership"]
            ),
            channel("keep", "Clinical support in the first 90 days", tags=["clinical_training"]),
            channel("keep", "Quarterly outcome review", tags=["evidence_partnership"]),
            channel("grow", "Reference site programme", tags=["reference_site"]),
        ],
        "partners": [partner(CMO)],
        "vendors": [vendor(BOOKS, "Monthly books and payroll")],
        "activities": [
            activity("Biosensor algorithm development", breadth="medium", declared_core=True),
            activity("Cartridge manufacturing", "low", "low", "low", outsourced_to=CMO),
            activity("General financial management", "low", "low", "low", outsourced_to=BOOKS),
        ],
        "resources": [
            resource("Chief Scientific Officer", "human", months=9),
            resource("Biosensor development lab", "physical"),
            resource("Patent portfolio", "intellectual"),
            resource("FDA 510(k) clearance", "regulatory"),
            resource("Seed funding", "financial"),
        ],
        "finances": {
            "cash_on_hand": 2400000,
            "monthly_burn": 100000,
            "currency": "USD",
            "next_milestone": MILESTONE,
            "months_to_milestone": 12,
        },
        "readiness": dict.fromkeys(READINESS_QUESTIONS, True),
    }


def digital_clean_data() -> dict[str, Any]:
    """A version-2 digital-medicine subscription canvas that fires no rule at all."""
    data = clean_data()
    data["venture"].update(solution_type="digital_medicine", revenue_model="subscription")
    data["channels"][0]["tags"] = ["pilot", "pilot_conversion"]
    data["channels"][1]["tags"] = ["it_security_review", "ehr_integration"]
    return data


BASES = {"healthtech": clean_data, "digital": digital_clean_data}


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    elif value is DELETE:
        del target[last]
    else:
        target[last] = value


def variant(edits: dict[str, Any], base: str = "healthtech") -> dict[str, Any]:
    data = BASES[base]()
    for path, value in edits.items():
        set_path(data, path, value if value is DELETE else copy.deepcopy(value))
    return data


def run(data: dict[str, Any]) -> Evaluation:
    return evaluate(parse_document(data))


def hits(evaluation: Evaluation, rule: str) -> list[Finding]:
    return [f for f in evaluation.findings if f.rule == rule]


def keys(evaluation: Evaluation) -> list[tuple[str, str | None]]:
    return [(f.rule, f.subject) for f in evaluation.findings]


def block_keys(evaluation: Evaluation, block: str) -> list[tuple[str, str | None]]:
    return [(f.rule, f.subject) for f in evaluation.findings_for(block)]


# The SPEC §3 table, written out independently of canvas.evaluator.RULES:
# rule -> (severity, block, points).
SPEC_RULES = {
    "CH01": ("error", "channels", 10),
    "CH02": ("warning", "channels", 3),
    "CH03": ("warning", "channels", 3),
    "CH04": ("warning", "channels", 3),
    "CH05": ("warning", "channels", 3),
    "CH06": ("warning", "channels", 3),
    "CH07": ("warning", "channels", 3),
    "CH08": ("info", "channels", 0),
    "CH09": ("info", "channels", 0),
    "CH10": ("info", "channels", 0),
    "CH11": ("warning", "channels", 3),
    "CH12": ("warning", "channels", 3),
    "KP01": ("error", "partners", 10),
    "KP02": ("warning", "partners", 3),
    "KP03": ("info", "partners", 0),
    "KP04": ("warning", "partners", 3),
    "KP05": ("warning", "partners", 3),
    "KP06": ("warning", "partners", 3),
    "KA01": ("error", "activities", 10),
    "KA02": ("warning", "activities", 3),
    "KA03": ("info", "activities", 0),
    "KA04": ("warning", "activities", 3),
    "KA05": ("info", "activities", 0),
    "KA06": ("warning", "activities", 3),
    "KA07": ("error", "activities", 10),
    "KA08": ("warning", "activities", 3),
    "KR01": ("warning", "resources", 3),
    "KR02": ("error", "resources", 15),
    "KR03": ("error", "resources", 25),
    "KR04": ("warning", "resources", 3),
    "KR05": ("warning", "resources", 3),
    "KR06": ("info", "resources", 0),
    "KR07": ("info", "resources", 0),
    "RD01": ("warning", "readiness", 3),
    "RD02": ("info", "readiness", 0),
}
RUNWAY_RULES = ("KR02", "KR03", "KR04")


def spec_points(evaluation: Evaluation) -> int:
    """What the findings cost by the SPEC table (not by the points the evaluator wrote)."""
    return sum(SPEC_RULES[f.rule][2] for f in evaluation.findings)


# --- the clean documents ---------------------------------------------------------------


@pytest.mark.parametrize("base", sorted(BASES))
def test_clean_document_has_no_findings_and_full_score(base):
    evaluation = run(BASES[base]())
    assert keys(evaluation) == []
    assert evaluation.score == 100
    assert evaluation.ruleset == 2
    assert evaluation.runway_months == 24.0


# --- every rule fires ------------------------------------------------------------------

GET, KEEP1, KEEP2, GROW = (c["channel"] for c in clean_data()["channels"])
ALGO, CARTRIDGE, FINANCE = (a["name"] for a in clean_data()["activities"])


def fires(rule: str, why: str, edits: dict, subjects: list, base: str = "healthtech"):
    return pytest.param(
        rule, base, edits, subjects, id=f"{rule.lower()} fires {why}".replace(" ", "_")
    )


def quiet(rule: str, why: str, edits: dict, base: str = "healthtech"):
    return pytest.param(rule, base, edits, id=f"{rule.lower()} quiet {why}".replace(" ", "_"))


DISTRIBUTOR = partner("MedSupply Distribution", "months", "significant", partner_type="distributor")
MARKET_ACCESS = partner("Payer Pathway Partners", partner_type="market_access")

FIRES = [
    fires("CH01", "when get has no entry", {"channels.0.stage": "keep"}, ["get"]),
    fires("CH01", "when grow has no entry", {"channels.3.stage": "get"}, ["grow"]),
    fires(
        "CH02",
        "when no keep entry is direct",
        {"channels.1.route": "partner", "channels.2.route": "self_serve"},
        [None],
    ),
    fires("CH03", "on a beachhead distributor", {"channels.0.route": "distributor"}, [GET]),
    fires(
        "CH03",
        "once per distributor entry in document order",
        {"channels.3.route": "distributor", "channels.0.route": "distributor"},
        [GET, GROW],
    ),
    fires(
        "CH04",
        "without it_security_review",
        {"channels.1.tags": ["ehr_integration"]},
        [None],
        "digital",
    ),
    fires("CH05", "without pilot_conversion", {"channels.0.tags": ["pilot"]}, [None], "digital"),
    fires(
        "CH06",
        "on a subscription distributor",
        {"channels.3.route": "distributor"},
        [GROW],
        "digital",
    ),
    fires("CH07", "without clinical_training", {"channels.1.tags": ["clinical_support"]}, [None]),
    fires("CH08", "without reference_site", {"channels.3.tags": ["internal_expansion"]}, [None]),
    fires(
        "CH08",
        "when only a keep entry is a reference site",
        {"channels.3.tags": [], "channels.2.tags": ["evidence_partnership", "reference_site"]},
        [None],
    ),
    fires("CH09", "without evidence_partnership", {"channels.2.tags": ["publication"]}, [None]),
    fires(
        "CH09",
        "when only a grow entry is an evidence partnership",
        {"channels.2.tags": [], "channels.3.tags": ["reference_site", "evidence_partnership"]},
        [None],
    ),
    fires(
        "CH10",
        "without ehr_integration",
        {"channels.1.tags": ["it_security_review"]},
        [None],
        "digital",
    ),
    fires(
        "CH11",
        "on a distributor route without a distributor partner",
        {"venture.market_stage": "target", "channels.3.route": "distributor"},
        [GROW],
    ),
    fires(
        "CH11",
        "when the distributor is only on the vendor list",
        {
            "venture.market_stage": "target",
            "channels.3.route": "distributor",
            "vendors": [vendor(BOOKS), vendor("MedSupply Distribution", "Ships our devices")],
        },
        [GROW],
    ),
    fires(
        "CH12",
        "on a direct-to-patient channel under reimbursement",
        {
            "venture.revenue_model": "reimbursement",
            "partners": [partner(CMO), MARKET_ACCESS],
            "channels.3.tags": ["reference_site", "direct_to_patient"],
        },
        [GROW],
        "digital",
    ),
    fires(
        "CH12",
        "on each direct-to-clinician or -patient channel in document order",
        {
            "venture.revenue_model": "reimbursement",
            "channels.3.tags": ["reference_site", "direct_to_patient"],
            "channels.0.tags": ["pilot_conversion", "direct_to_clinician"],
        },
        [GET, GROW],
        "digital",
    ),
    fires(
        "KP01", "when the only partner is borderline", {"partners.0.recovery_time": "weeks"}, [None]
    ),
    fires(
        "KP01", "when the only partner is unassessed", {"partners.0.recovery_time": None}, [None]
    ),
    fires(
        "KP01",
        "when there are vendors but no partners",
        {"partners": [], "activities.1.outsourced_to": BOOKS},
        [None],
    ),
    fires(
        "KP02",
        "on a partner whose verdict is vendor",
        {"partners": [partner(CMO), partner("Office IT", "weeks", "minimal")]},
        ["Office IT"],
    ),
    fires(
        "KP03",
        "on a borderline partner",
        {"partners": [partner(CMO), partner("CRO", "months", "moderate")]},
        ["CRO"],
    ),
    fires("KP04", "without strategic value", {"partners.0.strategic_value": ""}, [CMO]),
    fires("KP04", "without what would be lost", {"partners.0.what_would_be_lost": ""}, [CMO]),
    fires(
        "KP05",
        "under reimbursement without market access",
        {"venture.revenue_model": "reimbursement"},
        [None],
    ),  # fmt: skip
    fires(
        "KP05",
        "when the market access firm is only a vendor",
        {
            "venture.revenue_model": "reimbursement",
            "vendors": [vendor(BOOKS), vendor("Payer Pathway Partners", "Coding advice")],
        },
        [None],
    ),
    fires(
        "KP06",
        "without a recovery time",
        {"partners": [partner(CMO), partner("CRO", None, "moderate")]},
        ["CRO"],
    ),
    fires(
        "KP06",
        "without a replacement cost",
        {"partners": [partner(CMO), partner("CRO", "months", None)]},
        ["CRO"],
    ),
    fires(
        "KA01", "when no activity passes all tests", {"activities.0.breadth.rating": "low"}, [None]
    ),
    fires(
        "KA01",
        "when the only passing activity is not yet rated on one test",
        {"activities.0.breadth.rating": None},
        [None],
    ),
    fires(
        "KA02",
        "when a declared core activity fails",
        {"activities.0.imitation.rating": "low"},
        [ALGO],
    ),
    fires(
        "KA02",
        "when a declared core activity is not yet rated",
        {"activities.0.relevance.rating": None},
        [ALGO],
    ),
    fires(
        "KA03",
        "when a core activity is not declared",
        {"activities.0.declared_core": False},
        [ALGO],
    ),
    fires(
        "KA04",
        "on a medium rating without a reason",
        {"activities.0.breadth.rationale": ""},
        [ALGO],
    ),  # fmt: skip
    fires(
        "KA04",
        "on a high rating without a reason",
        {"activities.0.relevance.rationale": ""},
        [ALGO],
    ),  # fmt: skip
    fires(
        "KA05",
        "when a rated non-core activity names nobody",
        {"activities.1.outsourced_to": None},
        [CARTRIDGE],
    ),
    fires(
        "KA06",
        "on a name that is neither partner nor vendor",
        {"activities.1.outsourced_to": "Acme CMO"},
        [CARTRIDGE],
    ),
    fires("KA06", "on a core activity too", {"activities.0.outsourced_to": "Nobody"}, [ALGO]),
    fires("KA07", "on a core activity outsourced", {"activities.0.outsourced_to": CMO}, [ALGO]),
    fires(
        "KA07",
        "on a declared core activity outsourced although it fails the tests",
        {"activities.1.declared_core": True},
        [CARTRIDGE],
    ),
    fires(
        "KA07",
        "on an undeclared core activity outsourced to a vendor",
        {"activities.0.declared_core": False, "activities.0.outsourced_to": BOOKS},
        [ALGO],
    ),
    fires("KA08", "on an unrated test", {"activities.1.relevance.rating": None}, [CARTRIDGE]),
    fires("KR01", "on a missing category", {"resources.1.category": "human"}, [None]),
    fires("KR02", "when finances are null", {"finances": None}, [None]),
    fires(
        "KR02",
        "on no cash and no burn",
        {"finances.cash_on_hand": 0, "finances.monthly_burn": 0},
        [None],
    ),
    fires(
        "KR03",
        "on a runway of 11 months to a milestone in 12",
        {"finances.cash_on_hand": 1100000},
        [None],
    ),  # fmt: skip
    fires(
        "KR03",
        "on a runway of 5 months without a milestone",
        {"finances.cash_on_hand": 500000, "finances.months_to_milestone": None},
        [None],
    ),
    fires(
        "KR04",
        "on a runway of 17 months to a milestone in 12",
        {"finances.cash_on_hand": 1700000},
        [None],
    ),  # fmt: skip
    fires(
        "KR04",
        "on a runway of 9 months without a milestone",
        {"finances.cash_on_hand": 900000, "finances.months_to_milestone": None},
        [None],
    ),
    fires(
        "KR05", "on an empty risk if lost", {"resources.2.risk_if_lost": ""}, ["Patent portfolio"]
    ),
    fires(
        "KR06",
        "on a person 12 months to replace",
        {"resources.0.replacement_months": 12},
        ["Chief Scientific Officer"],
    ),
    fires("KR07", "without the milestone's text", {"finances.next_milestone": ""}, [None]),
    fires("KR07", "without the months to it", {"finances.months_to_milestone": None}, [None]),
    fires("KR07", "when finances are null", {"finances": None}, [None]),
    fires("KR07", "when finances are omitted", {"finances": DELETE}, [None]),
    fires("RD01", "on a no", {"readiness.requirements_mapped": False}, ["requirements_mapped"]),
    fires("RD02", "on a null", {"readiness.operational_case_studies": None}, [None]),
    fires("RD02", "on an omitted question", {"readiness.operational_case_studies": DELETE}, [None]),
]


@pytest.mark.parametrize(("rule", "base", "edits", "subjects"), FIRES)
def test_rule_fires_with_spec_severity_block_points_and_subject(rule, base, edits, subjects):
    evaluation = run(variant(edits, base))
    found = hits(evaluation, rule)
    assert [f.subject for f in found] == subjects
    assert {(f.severity, f.block, f.points) for f in found} == {SPEC_RULES[rule]}
    assert all(f.message for f in found)


def test_every_rule_has_a_case_where_it_fires():
    assert {case.values[0] for case in FIRES} == set(SPEC_RULES)


# --- and does not fire -----------------------------------------------------------------

DOES_NOT_FIRE = [
    quiet("CH01", "when every stage has an entry", {}),
    quiet("CH02", "when one keep entry is direct", {"channels.1.route": "partner"}),
    quiet("CH02", "without keep entries", {"channels.1.stage": "get", "channels.2.stage": "grow"}),
    quiet(
        "CH03",
        "outside the beachhead",
        {"channels.0.route": "distributor", "venture.market_stage": "target"},
    ),
    quiet("CH03", "on a beachhead partner route", {"channels.0.route": "partner"}),
    quiet("CH04", "for healthtech", {}),
    quiet(
        "CH04", "with it_security_review", {"channels.1.tags": ["it_security_review"]}, "digital"
    ),
    quiet("CH05", "for healthtech", {}),
    quiet("CH05", "with pilot_conversion", {}, "digital"),
    quiet(
        "CH06",
        "for a capital sale",
        {"venture.revenue_model": "capital_sale", "channels.3.route": "distributor"},
        "digital",
    ),
    quiet(
        "CH06",
        "for a healthtech subscription",
        {"venture.revenue_model": "subscription", "channels.3.route": "distributor"},
    ),
    quiet("CH06", "on a platform route", {"channels.3.route": "platform"}, "digital"),
    quiet(
        "CH07",
        "for digital medicine",
        {"channels.1.tags": ["it_security_review", "ehr_integration"]},
        "digital",
    ),
    quiet(
        "CH07",
        "with clinical_training on any stage",
        {"channels.1.tags": [], "channels.3.tags": ["reference_site", "clinical_training"]},
    ),
    quiet("CH08", "with a grow reference site", {}),
    quiet("CH09", "with a keep evidence partnership", {}),
    quiet("CH10", "for healthtech", {}),
    quiet("CH10", "with ehr_integration", {}, "digital"),
    quiet("CH11", "without a distributor route", {}),
    quiet(
        "CH11",
        "when a partner is a distributor",
        {
            "venture.market_stage": "target",
            "channels.3.route": "distributor",
            "partners": [partner(CMO), DISTRIBUTOR],
        },
    ),
    quiet(
        "CH12",
        "for a digital subscription",
        {"channels.3.tags": ["reference_site", "direct_to_patient"]},
        "digital",
    ),
    quiet(
        "CH12",
        "for healthtech under reimbursement",
        {
            "venture.revenue_model": "reimbursement",
            "channels.3.tags": ["reference_site", "direct_to_patient"],
        },
    ),
    quiet(
        "CH12",
        "under reimbursement without a direct tag",
        {"venture.revenue_model": "reimbursement"},
        "digital",
    ),
    quiet("KP01", "with a months-significant partner", {"partners.0.recovery_time": "months"}),
    quiet(
        "KP02",
        "on weeks-moderate",
        {"partners": [partner(CMO), partner("CRO", "weeks", "moderate")]},
    ),
    quiet("KP02", "on the same provider on the vendor list", {}),
    quiet("KP03", "on a key partner", {}),
    quiet(
        "KP03",
        "on an unassessed partner",
        {"partners": [partner(CMO), partner("CRO", None, "moderate")]},
    ),
    quiet(
        "KP04",
        "on a vendor, borderline or unassessed partner with empty texts",
        {
            "partners": [
                partner(CMO),
                partner("Office IT", "weeks", "minimal", "", ""),
                partner("CRO", "months", "moderate", "", ""),
                partner("Lab", None, "significant", "", ""),
            ]
        },
    ),
    quiet("KP05", "for a capital sale", {}),
    quiet(
        "KP05",
        "with a market access partner",
        {"venture.revenue_model": "reimbursement", "partners": [partner(CMO), MARKET_ACCESS]},
    ),
    quiet(
        "KP05",
        "with a market access partner that is not key",
        {
            "venture.revenue_model": "reimbursement",
            "partners": [partner(CMO), {**MARKET_ACCESS, "recovery_time": None}],
        },
    ),
    quiet("KP06", "on an assessed partner", {}),
    quiet("KP06", "on a vendor, which has no vendor test", {}),
    quiet("KA01", "at medium ratings", {"activities.0.breadth.rating": "medium"}),
    quiet("KA02", "on a declared core activity that passes", {}),
    quiet("KA02", "on an undeclared failing activity", {"activities.1.declared_core": False}),
    quiet(
        "KA02",
        "on an undeclared unrated activity",
        {"activities.1.relevance.rating": None, "activities.1.outsourced_to": None},
    ),
    quiet("KA03", "on a declared core activity", {}),
    quiet(
        "KA03",
        "on an undeclared activity not yet rated on one test",
        {"activities.0.declared_core": False, "activities.0.breadth.rating": None},
    ),
    quiet("KA04", "with every rationale", {}),
    quiet("KA04", "on a low rating without a reason", {"activities.1.breadth.rationale": ""}),
    quiet(
        "KA04",
        "on an unrated test without a reason",
        {"activities.1.breadth": {"rating": None, "rationale": ""}},
    ),
    quiet("KA05", "on an activity outsourced to a partner", {}),
    quiet("KA05", "on an activity outsourced to a vendor", {}),
    quiet("KA05", "on a core activity done in-house", {"activities.0.outsourced_to": None}),
    quiet(
        "KA05",
        "on an activity declared core",
        {"activities.1.outsourced_to": None, "activities.1.declared_core": True},
    ),
    quiet(
        "KA05",
        "on an activity with an unrated test",
        {"activities.1.outsourced_to": None, "activities.1.breadth.rating": None},
    ),
    quiet(
        "KA05",
        "on a core activity not declared",
        {"activities.0.declared_core": False},
    ),
    quiet("KA06", "on a partner name in another case", {"activities.1.outsourced_to": CMO.upper()}),
    quiet(
        "KA06",
        "on a padded lower-case partner name",
        {"activities.1.outsourced_to": "  biomed contract manufacturing "},
    ),
    quiet(
        "KA06", "on a vendor name in another case", {"activities.2.outsourced_to": BOOKS.upper()}
    ),
    quiet("KA07", "on a core activity done in-house", {}),
    quiet("KA07", "on an outsourced activity that is neither core nor declared", {}),
    quiet(
        "KA07",
        "on an outsourced activity not yet rated",
        {"activities.1.relevance.rating": None, "activities.1.imitation.rating": "high"},
    ),
    quiet("KA08", "when every test is rated", {}),
    quiet("KA08", "on low ratings without reasons", {"activities.1.relevance.rationale": ""}),
    quiet("KR01", "with all five categories", {}),
    quiet(
        "KR01",
        "for digital medicine without a physical resource",
        {"resources.1.category": "human"},
        "digital",
    ),
    quiet("KR02", "on zero burn with cash", {"finances.monthly_burn": 0}),
    quiet("KR02", "on no cash and a burn", {"finances.cash_on_hand": 0}),
    quiet("KR03", "at exactly the milestone", {"finances.cash_on_hand": 1200000}),
    quiet(
        "KR03",
        "at exactly 6 months without a milestone",
        {"finances.cash_on_hand": 600000, "finances.months_to_milestone": None},
    ),
    quiet(
        "KR03",
        "at 5 months to a milestone reached now",
        {"finances.cash_on_hand": 500000, "finances.months_to_milestone": 0},
    ),
    quiet("KR04", "at exactly the milestone plus six", {"finances.cash_on_hand": 1800000}),
    quiet("KR04", "just under the milestone", {"finances.cash_on_hand": 1199999}),
    quiet(
        "KR04",
        "at exactly 12 months without a milestone",
        {"finances.cash_on_hand": 1200000, "finances.months_to_milestone": None},
    ),
    quiet(
        "KR04",
        "just under 6 months without a milestone",
        {"finances.cash_on_hand": 599999, "finances.months_to_milestone": None},
    ),
    quiet("KR05", "on an empty why strategic", {"resources.2.why_strategic": ""}),
    quiet("KR06", "at 11.9 months", {"resources.0.replacement_months": 11.9}),
    quiet("KR06", "without replacement months", {"resources.0.replacement_months": None}),
    quiet("KR06", "on a non-human resource", {"resources.3.replacement_months": 24}),
    quiet("KR07", "with a milestone and its months", {}),
    quiet("KR07", "at a milestone 0 months away", {"finances.months_to_milestone": 0}),
    quiet("RD01", "on a null answer", {"readiness.requirements_mapped": None}),
    quiet("RD02", "on a no", {"readiness.requirements_mapped": False}),
]


@pytest.mark.parametrize(("rule", "base", "edits"), DOES_NOT_FIRE)
def test_rule_does_not_fire(rule, base, edits):
    assert hits(run(variant(edits, base)), rule) == []


def test_every_rule_has_a_case_where_it_does_not_fire():
    assert {case.values[0] for case in DOES_NOT_FIRE} == set(SPEC_RULES)


# --- points and score ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edits", "expected", "score"),
    [
        ({}, [], 100),
        ({"readiness.requirements_mapped": None}, [("RD02", None)], 100),
        ({"readiness.requirements_mapped": False}, [("RD01", "requirements_mapped")], 97),
        ({"channels.0.stage": "keep"}, [("CH01", "get")], 90),
        ({"finances.monthly_burn": None}, [("KR02", None)], 85),
        ({"finances": None}, [("KR02", None), ("KR07", None)], 85),
        ({"finances.cash_on_hand": 1100000}, [("KR03", None)], 75),
        (
            {"finances.cash_on_hand": 500000, "readiness.requirements_mapped": False},
            [("KR03", None), ("RD01", "requirements_mapped")],
            72,
        ),
        (
            {"activities.0.outsourced_to": CMO, "finances.cash_on_hand": 1700000},
            [("KA07", ALGO), ("KR04", None)],
            87,
        ),
    ],
)
def test_score_is_100_less_the_points_of_the_findings(edits, expected, score):
    evaluation = run(variant(edits))
    assert keys(evaluation) == expected
    assert evaluation.score == score == 100 - spec_points(evaluation)


def test_kr03_costs_more_than_two_ordinary_errors():
    short_of_milestone = run(variant({"finances.cash_on_hand": 1100000}))
    two_errors = run(variant({"channels.0.stage": "keep", "activities.0.outsourced_to": CMO}))
    assert keys(two_errors) == [("CH01", "get"), ("KA07", ALGO)]
    assert short_of_milestone.score == 75 < two_errors.score == 80


def test_score_has_a_floor_of_zero():
    data = variant(
        {
            "channels": [],
            "partners": [partner(f"Office IT {i}", "weeks", "minimal") for i in range(10)],
            "activities": [],
            "resources": [],
            "finances": None,
            "readiness": dict.fromkeys(READINESS_QUESTIONS, False),
        }
    )
    evaluation = run(data)
    assert 100 - spec_points(evaluation) < 0
    assert evaluation.score == 0


def test_every_finding_carries_the_points_of_its_rule():
    data = variant(
        {
            "channels": [],
            "partners": [partner("A", None, None), partner("B", "weeks", "minimal")],
            "activities.0.relevance.rating": None,
            "activities.1.declared_core": True,
            "resources": [],
            "finances": None,
            "readiness": None,
        }
    )
    evaluation = run(data)
    assert len({f.rule for f in evaluation.findings}) >= 12
    assert [f.points for f in evaluation.findings] == [
        SPEC_RULES[f.rule][2] for f in evaluation.findings
    ]


# --- channels --------------------------------------------------------------------------


def test_empty_channel_list_fires_ch01_three_times_and_the_healthtech_tag_rules():
    evaluation = run(variant({"channels": []}))
    assert [(f.rule, f.severity, f.subject) for f in evaluation.findings] == [
        ("CH01", "error", "get"),
        ("CH01", "error", "keep"),
        ("CH01", "error", "grow"),
        ("CH07", "warning", None),
        ("CH08", "info", None),
        ("CH09", "info", None),
    ]


def test_empty_channel_list_fires_the_digital_medicine_tag_rules_instead_of_ch07():
    evaluation = run(variant({"channels": []}, base="digital"))
    assert keys(evaluation) == [
        ("CH01", "get"),
        ("CH01", "keep"),
        ("CH01", "grow"),
        ("CH04", None),
        ("CH05", None),
        ("CH08", None),
        ("CH09", None),
        ("CH10", None),
    ]


def test_ch01_names_each_missing_stage_in_get_keep_grow_order():
    data = variant({"channels": [channel("keep", "Clinical support", tags=["clinical_training"])]})
    assert [f.subject for f in hits(run(data), "CH01")] == ["get", "grow"]


def test_ch01_lists_stages_in_spec_order_whatever_the_document_order():
    data = variant({"channels": [channel("grow", "Ref", tags=["reference_site"])]})
    assert [f.subject for f in hits(run(data), "CH01")] == ["get", "keep"]


def test_ch02_does_not_fire_without_keep_entries():
    data = variant({"channels": [channel("get", "Pilot", tags=["clinical_training"])]})
    evaluation = run(data)
    assert hits(evaluation, "CH02") == []
    assert [f.subject for f in hits(evaluation, "CH01")] == ["keep", "grow"]


def test_ch03_ch06_and_ch11_name_every_distributor_entry_in_document_order():
    data = variant(
        {"channels.3.route": "distributor", "channels.1.route": "distributor"}, base="digital"
    )
    evaluation = run(data)
    assert [f.subject for f in hits(evaluation, "CH03")] == [KEEP1, GROW]
    assert [f.subject for f in hits(evaluation, "CH06")] == [KEEP1, GROW]
    assert [f.subject for f in hits(evaluation, "CH11")] == [KEEP1, GROW]
    assert block_keys(evaluation, "channels") == [
        ("CH03", KEEP1),
        ("CH03", GROW),
        ("CH06", KEEP1),
        ("CH06", GROW),
        ("CH11", KEEP1),
        ("CH11", GROW),
    ]


def test_ch11_is_satisfied_by_a_distributor_partner_whatever_its_verdict():
    data = variant(
        {
            "venture.market_stage": "target",
            "channels.3.route": "distributor",
            "partners": [partner(CMO), {**DISTRIBUTOR, "recovery_time": None}],
        }
    )
    evaluation = run(data)
    assert hits(evaluation, "CH11") == []
    assert keys(evaluation) == [("KP06", "MedSupply Distribution")]


def test_ch11_message_says_choosing_a_distributor_is_strategic():
    data = variant({"venture.market_stage": "target", "channels.3.route": "distributor"})
    (finding,) = hits(run(data), "CH11")
    assert f"“{GROW}”" in finding.message
    assert "strategic decision, not a procurement one" in finding.message


def test_healthtech_gets_ch07_but_none_of_the_digital_medicine_rules():
    data = variant({f"channels.{i}.tags": [] for i in range(4)})
    data["venture"]["revenue_model"] = "reimbursement"
    data["venture"]["market_stage"] = "target"
    data["channels"][0]["tags"] = ["direct_to_patient"]
    data["partners"].append(MARKET_ACCESS)
    assert keys(run(data)) == [("CH07", None), ("CH08", None), ("CH09", None)]


def test_digital_medicine_gets_ch04_ch05_ch06_ch10_but_not_ch07():
    data = variant({f"channels.{i}.tags": [] for i in range(4)}, base="digital")
    data["channels"][0]["route"] = "distributor"
    data["venture"]["market_stage"] = "target"
    data["partners"].append(DISTRIBUTOR)
    assert keys(run(data)) == [
        ("CH04", None),
        ("CH05", None),
        ("CH06", GET),
        ("CH08", None),
        ("CH09", None),
        ("CH10", None),
    ]


@pytest.mark.parametrize(
    ("model", "ch06", "ch12"),
    [
        ("subscription", [GET], []),
        ("per_use", [], []),
        ("capital_sale", [], []),
        ("other", [], []),
        ("reimbursement", [], [GET]),
    ],
)
def test_ch06_needs_a_subscription_and_ch12_a_reimbursement_model(model, ch06, ch12):
    data = variant(
        {
            "venture.revenue_model": model,
            "channels.0.route": "distributor",
            "channels.0.tags": ["pilot_conversion", "direct_to_clinician"],
        },
        base="digital",
    )
    evaluation = run(data)
    assert [f.subject for f in hits(evaluation, "CH06")] == ch06
    assert [f.subject for f in hits(evaluation, "CH12")] == ch12


@pytest.mark.parametrize(
    ("tags", "whom"),
    [
        (["direct_to_patient"], "patients"),
        (["direct_to_clinician"], "clinicians"),
        (["direct_to_patient", "direct_to_clinician"], "patients and clinicians"),
    ],
)
def test_ch12_fires_once_per_entry_and_says_whom_it_sells_to(tags, whom):
    data = variant(
        {"venture.revenue_model": "reimbursement", "channels.3.tags": ["reference_site", *tags]},
        base="digital",
    )
    (finding,) = hits(run(data), "CH12")
    assert finding.subject == GROW
    assert f"sells directly to {whom}," in finding.message


def test_digital_medicine_tags_may_sit_on_any_stage():
    data = variant(
        {
            "channels.0.tags": ["it_security_review"],
            "channels.1.tags": ["clinical_training"],
            "channels.3.tags": ["reference_site", "pilot_conversion", "ehr_integration"],
        },
        base="digital",
    )
    assert keys(run(data)) == []


# --- partners: the vendor test ---------------------------------------------------------

VENDOR_TEST = [
    ("weeks", "minimal", "vendor"),
    ("weeks", "moderate", "borderline"),
    ("weeks", "significant", "borderline"),
    ("months", "minimal", "borderline"),
    ("months", "moderate", "borderline"),
    ("months", "significant", "key_partner"),
    ("years", "minimal", "borderline"),
    ("years", "moderate", "borderline"),
    ("years", "significant", "key_partner"),
    (None, "minimal", "unassessed"),
    (None, "moderate", "unassessed"),
    (None, "significant", "unassessed"),
    ("weeks", None, "unassessed"),
    ("months", None, "unassessed"),
    ("years", None, "unassessed"),
    (None, None, "unassessed"),
]


@pytest.mark.parametrize(("recovery", "cost", "verdict"), VENDOR_TEST)
def test_vendor_test_gives_the_spec_verdict(recovery, cost, verdict):
    doc = parse_document(variant({"partners": [partner("Acme", recovery, cost)]}))
    assert partner_verdict(doc.partners[0]) == verdict
    evaluation = evaluate(doc)
    assert evaluation.partner_verdict("Acme") == verdict
    expected = {
        "key_partner": [],
        "vendor": [("KP01", None), ("KP02", "Acme")],
        "borderline": [("KP01", None), ("KP03", "Acme")],
        "unassessed": [("KP01", None), ("KP06", "Acme")],
    }[verdict]
    assert block_keys(evaluation, "partners") == expected


def test_empty_partner_list_fires_kp01_once():
    evaluation = run(variant({"partners": [], "activities.1.outsourced_to": None}))
    assert block_keys(evaluation, "partners") == [("KP01", None)]
    assert "You list no partners." in hits(evaluation, "KP01")[0].message


def test_empty_partner_list_under_reimbursement_fires_kp01_and_kp05():
    data = variant(
        {
            "partners": [],
            "activities.1.outsourced_to": None,
            "venture.revenue_model": "reimbursement",
        }
    )
    assert block_keys(run(data), "partners") == [("KP01", None), ("KP05", None)]


def test_vendors_count_for_no_partner_rule_and_have_no_verdict():
    """A vendor is beside the canvas: not a key partner (KP01), not a market access partner
    (KP05), not a distributor (CH11), and not in the evaluation's partners."""
    data = variant(
        {
            "venture.market_stage": "target",
            "venture.revenue_model": "reimbursement",
            "channels.3.route": "distributor",
            "partners": [],
            "vendors": [
                vendor(BOOKS),
                vendor(CMO, "Cartridges"),
                vendor("Payer Pathway Partners", "Coding advice"),
                vendor("MedSupply Distribution", "Ships our devices"),
            ],
        }
    )
    evaluation = run(data)
    assert keys(evaluation) == [("CH11", GROW), ("KP01", None), ("KP05", None)]
    assert evaluation.partners == ()
    assert evaluation.partner_verdict(BOOKS) is None


def test_the_evaluations_partners_list_only_the_partners_in_document_order():
    data = variant(
        {
            "partners": [partner("Zeta", "weeks", "minimal"), partner(CMO), partner("Alpha", None)],
            "vendors": [vendor(BOOKS), vendor("Cloud host")],
        }
    )
    evaluation = run(data)
    assert [(p.name, p.verdict) for p in evaluation.partners] == [
        ("Zeta", "vendor"),
        (CMO, "key_partner"),
        ("Alpha", "unassessed"),
    ]


def test_a_bookkeeper_on_the_vendor_list_silences_both_kp02_and_ka06():
    """Issue 13: KA06 asked to add the bookkeeper as a partner, then KP02 asked to remove it.
    On the vendor list it satisfies KA06 and is never put through the vendor test."""
    as_partner = variant(
        {"partners": [partner(CMO), partner(BOOKS, "weeks", "minimal")], "vendors": []}
    )
    missing = variant({"vendors": []})
    assert keys(run(as_partner)) == [("KP02", BOOKS)]
    assert keys(run(missing)) == [("KA06", FINANCE)]
    assert keys(run(variant({}))) == []


def test_kp04_ignores_partners_that_are_not_key_partners_with_empty_texts():
    data = variant(
        {
            "partners": [
                partner(CMO, strategic_value="", what_would_be_lost=""),
                partner("Office IT", "weeks", "minimal", "", ""),
                partner("CRO", "years", "moderate", "", ""),
                partner("Lab", None, None, "", ""),
            ]
        }
    )
    evaluation = run(data)
    assert block_keys(evaluation, "partners") == [
        ("KP02", "Office IT"),
        ("KP03", "CRO"),
        ("KP04", CMO),
        ("KP06", "Lab"),
    ]
    message = hits(evaluation, "KP04")[0].message
    assert "strategic value and what would be lost are blank" in message


def test_kp03_message_states_both_answers():
    data = variant({"partners": [partner(CMO), partner("CRO", "weeks", "significant")]})
    message = hits(run(data), "KP03")[0].message
    assert "“CRO”" in message
    assert "weeks" in message
    assert "significant" in message


@pytest.mark.parametrize(
    ("recovery", "cost", "missing"),
    [
        (None, "moderate", "its recovery time is not yet assessed"),
        ("weeks", None, "its replacement cost is not yet assessed"),
        (None, None, "its recovery time and its replacement cost are not yet assessed"),
    ],
)
def test_kp06_names_the_missing_answers(recovery, cost, missing):
    data = variant({"partners": [partner(CMO), partner("CRO", recovery, cost)]})
    (finding,) = hits(run(data), "KP06")
    assert "“CRO”" in finding.message
    assert missing in finding.message


def test_kp02_tells_the_founder_to_move_the_partner_to_the_vendor_list():
    data = variant({"partners": [partner(CMO), partner("Office IT", "weeks", "minimal")]})
    (finding,) = hits(run(data), "KP02")
    assert "vendor list" in finding.message


# --- activities: the three tests -------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "core", "failed", "unrated"),
    [
        (("high", "high", "high"), True, (), ()),
        (("medium", "medium", "medium"), True, (), ()),
        (("high", "medium", "high"), True, (), ()),
        (("low", "medium", "medium"), False, ("relevance",), ()),
        (("medium", "low", "medium"), False, ("imitation",), ()),
        (("medium", "medium", "low"), False, ("breadth",), ()),
        (("low", "high", "low"), False, ("relevance", "breadth"), ()),
        (("low", "low", "low"), False, ("relevance", "imitation", "breadth"), ()),
        ((None, "high", "high"), False, (), ("relevance",)),
        (("high", None, "high"), False, (), ("imitation",)),
        (("high", "high", None), False, (), ("breadth",)),
        (("low", None, "medium"), False, ("relevance",), ("imitation",)),
        ((None, "low", None), False, ("imitation",), ("relevance", "breadth")),
        ((None, None, None), False, (), ("relevance", "imitation", "breadth")),
    ],
)
def test_a_test_passes_at_medium_or_high_fails_at_low_and_is_unrated_at_null(
    ratings, core, failed, unrated
):
    doc = parse_document(variant({"activities": [activity("Work", *ratings)]}))
    assert failed_tests(doc.activities[0]) == failed
    assert unrated_tests(doc.activities[0]) == unrated
    assert is_core(doc.activities[0]) is core
    evaluation = evaluate(doc)
    verdict = evaluation.activity_verdict("Work")
    assert verdict is not None
    assert (verdict.core, verdict.failed_tests, verdict.unrated_tests) == (core, failed, unrated)
    assert verdict.rated is (unrated == ())
    assert [f.subject for f in hits(evaluation, "KA08")] == (["Work"] if unrated else [])


def test_three_tests_for_every_combination_of_ratings():
    names = ("relevance", "imitation", "breadth")
    for ratings in itertools.product(("high", "medium", "low", None), repeat=3):
        doc = parse_document(variant({"activities": [activity("Work", *ratings)]}))
        work = doc.activities[0]
        assert ratings_of(work) == ratings
        failed = tuple(n for n, r in zip(names, ratings, strict=True) if r == "low")
        unrated = tuple(n for n, r in zip(names, ratings, strict=True) if r is None)
        core = set(ratings) <= {"high", "medium"}
        assert three_tests(ratings) == (core, failed, unrated), ratings
        assert (is_core(work), failed_tests(work), unrated_tests(work)) == (core, failed, unrated)


def test_empty_activity_list_fires_ka01_once():
    evaluation = run(variant({"activities": []}))
    assert block_keys(evaluation, "activities") == [("KA01", None)]
    assert "You list no activities." in hits(evaluation, "KA01")[0].message


def test_an_activity_saved_with_only_its_name_is_unrated_not_core():
    data = variant(
        {
            "activities": [
                *clean_data()["activities"],
                activity("New work", None, None, None, rationale=""),
            ]
        }
    )
    evaluation = run(data)
    assert block_keys(evaluation, "activities") == [("KA08", "New work")]
    verdict = evaluation.activity_verdict("New work")
    assert verdict is not None
    assert (verdict.core, verdict.rated) == (False, False)


def test_ka02_message_names_the_failing_tests_by_their_labels():
    data = variant({"activities.0.relevance.rating": "low", "activities.0.breadth.rating": "low"})
    (finding,) = hits(run(data), "KA02")
    assert "“Biosensor algorithm development”" in finding.message
    assert "Relevance" in finding.message
    assert "Breadth of application" in finding.message
    assert "Difficulty of imitation" not in finding.message
    assert "not yet rated" not in finding.message


def test_ka02_message_names_the_failing_and_the_unrated_tests():
    data = variant({"activities.0.relevance.rating": "low", "activities.0.breadth.rating": None})
    evaluation = run(data)
    (finding,) = hits(evaluation, "KA02")
    assert "fails Relevance" in finding.message
    assert "not yet rated for Breadth of application" in finding.message
    assert "Difficulty of imitation" not in finding.message
    assert [f.subject for f in hits(evaluation, "KA08")] == [ALGO]


def test_ka02_message_for_an_unrated_claim_asks_for_the_ratings():
    data = variant({"activities.0.imitation.rating": None})
    (finding,) = hits(run(data), "KA02")
    assert "not yet rated for Difficulty of imitation" in finding.message
    assert "fails" not in finding.message


def test_ka04_fires_once_per_activity_naming_each_passing_rating_without_a_reason():
    data = variant(
        {
            "activities.0.relevance.rationale": "",
            "activities.0.breadth.rationale": "",
            "activities.1.relevance.rationale": "",
        }
    )
    (finding,) = hits(run(data), "KA04")
    assert finding.subject == ALGO
    assert "Relevance and Breadth of application ratings" in finding.message


def test_ka04_skips_low_and_unrated_tests_of_the_same_activity():
    data = variant(
        {
            "activities.0": activity(ALGO, "high", "low", None, declared_core=True, rationale=""),
        }
    )
    (finding,) = hits(run(data), "KA04")
    assert "Relevance rating." in finding.message
    assert "Difficulty of imitation" not in finding.message
    assert "Breadth" not in finding.message


def test_ka05_ka06_and_ka07_on_activities_in_document_order():
    data = variant(
        {
            "activities": [
                activity("Algorithm", declared_core=True),
                activity("Bookkeeping", "low", "low", "low"),
                activity("Cloud hosting", "low", "low", "low", outsourced_to="AWS"),
                activity("Cartridges", "low", "low", "low", outsourced_to=CMO.lower()),
                activity("Payroll", "low", "low", "low", outsourced_to=BOOKS.lower()),
                activity("Evidence", "high", "medium", "high", True, outsourced_to="Ghost CRO"),
                activity("Support", "low", None, "low"),
            ]
        }
    )
    assert block_keys(run(data), "activities") == [
        ("KA05", "Bookkeeping"),
        ("KA06", "Cloud hosting"),
        ("KA06", "Evidence"),
        ("KA07", "Evidence"),
        ("KA08", "Support"),
    ]


def test_ka06_is_satisfied_by_a_vendor_name_in_any_case():
    for name in (BOOKS, BOOKS.lower(), BOOKS.upper(), f"  {BOOKS.swapcase()} "):
        evaluation = run(variant({"activities.2.outsourced_to": name}))
        assert keys(evaluation) == [], name


def test_ka06_quotes_the_unknown_name_and_offers_both_lists():
    (finding,) = hits(run(variant({"activities.1.outsourced_to": "Acme CMO"})), "KA06")
    assert "“Acme CMO”" in finding.message
    assert "vendor list" in finding.message
    assert "partner" in finding.message


@pytest.mark.parametrize(
    ("edits", "which"),
    [
        ({"activities.0.outsourced_to": CMO}, "core and declared core"),
        (
            {"activities.0.outsourced_to": CMO, "activities.0.declared_core": False},
            "core (it passes all three tests)",
        ),
        ({"activities.1.declared_core": True}, "declared core"),
    ],
)
def test_ka07_says_whether_the_outsourced_activity_is_core_declared_or_both(edits, which):
    (finding,) = hits(run(variant(edits)), "KA07")
    assert f"is {which}, yet it is outsourced to “{CMO}”" in finding.message


# --- resources -------------------------------------------------------------------------


def test_empty_resource_list_fires_kr01_once_naming_all_five_categories_in_order():
    evaluation = run(variant({"resources": []}))
    assert block_keys(evaluation, "resources") == [("KR01", None)]
    (finding,) = hits(evaluation, "KR01")
    assert "You list no human, physical, intellectual, regulatory and financial resources." in (
        finding.message
    )


def test_empty_resource_list_for_digital_medicine_does_not_expect_physical():
    (finding,) = hits(run(variant({"resources": []}, base="digital")), "KR01")
    assert "You list no human, intellectual, regulatory and financial resources." in (
        finding.message
    )


def test_kr01_names_the_missing_categories_in_spec_order_not_document_order():
    data = variant(
        {
            "resources": [
                resource("Seed funding", "financial"),
                resource("Patent portfolio", "intellectual"),
                resource("Chief Scientific Officer", "human"),
            ]
        }
    )
    (finding,) = hits(run(data), "KR01")
    assert finding.subject is None
    assert "You list no physical and regulatory resources." in finding.message


def test_kr01_for_one_missing_category():
    (finding,) = hits(run(variant({"resources.4.category": "human"})), "KR01")
    assert "You list no financial resources." in finding.message
    assert "in it and" in finding.message


def test_digital_medicine_may_list_a_physical_resource_without_a_finding():
    assert keys(run(digital_clean_data())) == []
    data = variant({"resources.1.category": "human"}, base="digital")
    assert keys(run(data)) == []


def test_kr05_and_kr06_name_resources_in_document_order():
    data = variant(
        {
            "resources": [
                resource("Chief AI Officer", "human", risk="", months=12),
                resource("Training dataset", "intellectual", risk=""),
                resource("Clinical lead", "human", months=18.5),
                resource("Lab", "physical", months=30),
                resource("De Novo clearance", "regulatory"),
                resource("Seed funding", "financial"),
            ]
        }
    )
    evaluation = run(data)
    assert block_keys(evaluation, "resources") == [
        ("KR05", "Chief AI Officer"),
        ("KR05", "Training dataset"),
        ("KR06", "Chief AI Officer"),
        ("KR06", "Clinical lead"),
    ]
    assert "18.5 months" in hits(evaluation, "KR06")[1].message


# --- runway and milestone --------------------------------------------------------------


def finances(cash: Any, burn: Any, milestone: Any = None, text: str = MILESTONE) -> dict:
    return {
        "finances": {
            "cash_on_hand": cash,
            "monthly_burn": burn,
            "currency": "USD",
            "next_milestone": text,
            "months_to_milestone": milestone,
        }
    }


def runway_rules(evaluation: Evaluation) -> list[str]:
    return [f.rule for f in evaluation.findings if f.rule in RUNWAY_RULES]


@pytest.mark.parametrize(
    ("cash", "burn", "milestone", "rules", "months"),
    [
        # no milestone: fixed 6 and 12 months
        (600, 100, None, ["KR04"], 6.0),
        (1200, 100, None, [], 12.0),
        (599, 100, None, ["KR03"], 6.0),
        (1199, 100, None, ["KR04"], 12.0),
        (0, 100, None, ["KR03"], 0.0),
        (2400000, 133000, None, [], 18.0),
        (1000, 300, None, ["KR03"], 3.3),
        (9750, 1000, None, ["KR04"], 9.8),
        (1e9, 0.5, None, [], 2e9),
        # a milestone in 14 months: below it KR03, below it plus six KR04
        (1399, 100, 14, ["KR03"], 14.0),
        (1400, 100, 14, ["KR04"], 14.0),
        (1999, 100, 14, ["KR04"], 20.0),
        (2000, 100, 14, [], 20.0),
        (2400000, 133333, 14, ["KR04"], 18.0),
        (500, 100, 14, ["KR03"], 5.0),
        (1200, 100, 14, ["KR03"], 12.0),
        # a milestone reached now (0 is a milestone, not a missing one)
        (0, 100, 0, ["KR04"], 0.0),
        (599, 100, 0, ["KR04"], 6.0),
        (600, 100, 0, [], 6.0),
        # fractions of a month
        (249, 100, 2.5, ["KR03"], 2.5),
        (250, 100, 2.5, ["KR04"], 2.5),
        (850, 100, 2.5, [], 8.5),
        # a far milestone: 12 months of runway is not enough
        (1200, 100, 30, ["KR03"], 12.0),
        (3500, 100, 30, ["KR04"], 35.0),
    ],
)
def test_runway_is_judged_against_the_milestone_on_the_unrounded_value(
    cash, burn, milestone, rules, months
):
    evaluation = run(variant(finances(cash, burn, milestone)))
    assert runway_rules(evaluation) == rules
    assert evaluation.runway_months == months
    assert evaluation.runway_unlimited is False


def test_months_to_milestone_counts_whatever_the_milestone_text_says():
    evaluation = run(variant(finances(1399, 100, 14, text="")))
    assert keys(evaluation) == [("KR03", None), ("KR07", None)]
    assert "the next milestone is 14 months away" in hits(evaluation, "KR03")[0].message


def test_a_milestone_text_without_months_is_judged_against_fixed_months():
    evaluation = run(variant(finances(900, 100, None)))
    assert keys(evaluation) == [("KR04", None), ("KR07", None)]
    assert "under a year" in hits(evaluation, "KR04")[0].message


def test_runway_months_is_unrounded_and_rounding_happens_in_the_evaluation():
    doc = parse_document(variant(finances(599, 100)))
    assert runway_months(doc.finances) == pytest.approx(5.99)
    assert evaluate(doc).runway_months == 6.0
    assert evaluate(doc).to_dict()["runway_months"] == 6.0


@pytest.mark.parametrize(
    ("cash", "milestone", "rule", "shown"),
    [
        (599, None, "KR03", "5.9 months"),
        (1196, None, "KR04", "11.9 months"),
        (750, None, "KR04", "7.5 months"),
        (1399, 14, "KR03", "13.9 months"),
        (1999, 14, "KR04", "19.9 months"),
        (1000, 14, "KR03", "10.0 months"),
    ],
)
def test_runway_message_never_rounds_up_to_the_limit_it_is_under(cash, milestone, rule, shown):
    (finding,) = hits(run(variant(finances(cash, 100, milestone))), rule)
    assert f"Your runway is {shown}," in finding.message


def test_kr04_message_says_how_much_of_the_six_months_to_raise_is_left():
    (finding,) = hits(run(variant(finances(2400000, 133333, 14))), "KR04")
    assert "next milestone in 14 months" in finding.message
    assert "leaving 4.0 of the 6 months a raise takes" in finding.message


@pytest.mark.parametrize("milestone", [None, 0, 14, 1000])
@pytest.mark.parametrize("cash", [1, 2400000])
def test_zero_burn_with_cash_means_unlimited_runway_without_a_runway_finding(cash, milestone):
    evaluation = run(variant(finances(cash, 0, milestone)))
    assert evaluation.runway_months is None
    assert evaluation.runway_unlimited is True
    assert runway_rules(evaluation) == []
    assert evaluation.to_dict()["runway_months"] is None


def test_a_runway_too_large_to_express_counts_as_unlimited():
    doc = parse_document(variant(finances(1e308, 1e-308, 14)))
    assert runway_is_unlimited(doc.finances) is True
    assert runway_months(doc.finances) is None
    assert evaluate(doc).findings_for("resources") == []


@pytest.mark.parametrize(
    ("edits", "missing"),
    [
        ({"finances": DELETE}, "cash on hand and monthly burn are missing"),
        ({"finances": None}, "cash on hand and monthly burn are missing"),
        ({"finances": {}}, "cash on hand and monthly burn are missing"),
        (finances(None, 100000, 14), "cash on hand is missing"),
        (finances(2400000, None, 14), "monthly burn is missing"),
        (finances(None, None, 14), "cash on hand and monthly burn are missing"),
        (finances(None, 0, 14), "cash on hand is missing"),
        (finances(0, None, 14), "monthly burn is missing"),
        (finances(0, 0, 14), "there is no cash on hand and no monthly burn"),
    ],
)
def test_kr02_fires_when_runway_is_unknown(edits, missing):
    evaluation = run(variant(edits))
    (finding,) = hits(evaluation, "KR02")
    assert runway_rules(evaluation) == ["KR02"]
    assert (finding.severity, finding.points, finding.subject) == ("error", 15, None)
    assert missing in finding.message
    assert evaluation.runway_months is None
    assert evaluation.runway_unlimited is False


@pytest.mark.parametrize("finances_value", [DELETE, None, {}])
def test_no_finances_fire_kr02_and_kr07_and_cost_15_points(finances_value):
    evaluation = run(variant({"finances": finances_value}))
    assert block_keys(evaluation, "resources") == [("KR02", None), ("KR07", None)]
    assert evaluation.score == 85


@pytest.mark.parametrize(
    ("text", "milestone", "lead"),
    [
        ("", None, "You name no next fundable milestone."),
        ("", 14, "You give months to a milestone but do not say what the milestone is."),
        (MILESTONE, None, f"You name “{MILESTONE}” as the next milestone but not when"),
    ],
)
def test_kr07_says_what_is_missing_of_the_milestone(text, milestone, lead):
    (finding,) = hits(run(variant(finances(2400000, 100000, milestone, text))), "KR07")
    assert (finding.severity, finding.points, finding.subject) == ("info", 0, None)
    assert finding.message.startswith(lead)


# --- readiness -------------------------------------------------------------------------

QUESTIONS = list(READINESS_QUESTIONS)


@pytest.mark.parametrize("readiness", [DELETE, None, {}])
def test_unanswered_readiness_fires_rd02_once_naming_all_five_questions_in_order(readiness):
    evaluation = run(variant({"readiness": readiness}))
    assert [(f.rule, f.severity, f.subject) for f in evaluation.findings_for("readiness")] == [
        ("RD02", "info", None)
    ]
    message = hits(evaluation, "RD02")[0].message
    quoted = [f"“{READINESS_QUESTIONS[q]}”" for q in QUESTIONS]
    assert message.startswith("Not yet answered: " + "; ".join(quoted) + ".")


def test_readiness_answered_false_fires_rd01_per_question_in_order():
    evaluation = run(variant({"readiness": dict.fromkeys(QUESTIONS, False)}))
    assert [(f.rule, f.severity, f.subject) for f in evaluation.findings_for("readiness")] == [
        ("RD01", "warning", q) for q in QUESTIONS
    ]
    assert evaluation.score == 100 - 5 * 3


def test_mixed_readiness_lists_rd01_before_rd02_and_rd02_names_only_the_unanswered():
    data = variant(
        {
            "readiness": {
                "frontline_staff_engaged": False,
                "requirements_mapped": False,
                "assessment_before_signature": None,
                "customer_success_owns_adoption": True,
            }
        }
    )
    evaluation = run(data)
    assert block_keys(evaluation, "readiness") == [
        ("RD01", "requirements_mapped"),
        ("RD01", "frontline_staff_engaged"),
        ("RD02", None),
    ]
    message = hits(evaluation, "RD02")[0].message
    first = f"“{READINESS_QUESTIONS['assessment_before_signature']}”"
    second = f"“{READINESS_QUESTIONS['operational_case_studies']}”"
    assert message.startswith(f"Not yet answered: {first}; {second}.")
    for answered in ("requirements_mapped", "customer_success_owns_adoption"):
        assert READINESS_QUESTIONS[answered] not in message


def test_readiness_messages_quote_the_question():
    (finding,) = hits(run(variant({"readiness.requirements_mapped": False})), "RD01")
    assert f"“{READINESS_QUESTIONS['requirements_mapped']}”" in finding.message


# --- order across blocks ---------------------------------------------------------------


def test_findings_are_ordered_by_block_then_rule_then_document_order():
    data = variant(
        {
            "venture.market_stage": "target",
            "channels": [
                channel("grow", "Distributor upsell", route="distributor"),
                channel("get", "Conference", tags=["clinical_training"]),
            ],
            "partners": [
                partner("Zeta", None, "minimal"),
                partner("Alpha", "weeks", "minimal"),
                partner(CMO),
                partner("Beta", "weeks", "minimal"),
            ],
            "activities": [
                activity("Zed", "low", "low", "low"),
                activity("Alpha work", "high", None, "high", declared_core=True),
                activity(ALGO, "high", "high", "medium", declared_core=True),
            ],
            "readiness": {"frontline_staff_engaged": False, "assessment_before_signature": False},
            "finances.cash_on_hand": 1100000,
        }
    )
    assert keys(run(data)) == [
        ("CH01", "keep"),
        ("CH08", None),
        ("CH09", None),
        ("CH11", "Distributor upsell"),
        ("KP02", "Alpha"),
        ("KP02", "Beta"),
        ("KP06", "Zeta"),
        ("KA02", "Alpha work"),
        ("KA05", "Zed"),
        ("KA08", "Alpha work"),
        ("KR03", None),
        ("RD01", "assessment_before_signature"),
        ("RD01", "frontline_staff_engaged"),
        ("RD02", None),
    ]
