"""The evaluator's rules and verdicts (SPEC §3), one case where each rule fires and one where
it does not. No database: documents start from a clean canvas (no findings at all) and are
changed with small path edits before they are parsed.
"""

from __future__ import annotations

import copy
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
    runway_is_unlimited,
    runway_months,
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
    recovery: str = "years",
    cost: str = "significant",
    strategic_value: str = "ISO 13485 facility",
    what_would_be_lost: str = "18-24 months to qualify another",
) -> dict:
    return {
        "name": name,
        "partner_type": "contract_manufacturer",
        "strategic_value": strategic_value,
        "what_would_be_lost": what_would_be_lost,
        "recovery_time": recovery,
        "replacement_cost": cost,
    }


def activity(
    name: str,
    relevance: str = "high",
    imitation: str = "high",
    breadth: str = "high",
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


def clean_data() -> dict[str, Any]:
    """A healthtech canvas that fires no rule at all."""
    return {
        "schema_version": 1,
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
        "activities": [
            activity("Biosensor algorithm development", breadth="medium", declared_core=True),
            activity("Cartridge manufacturing", "low", "low", "low", outsourced_to=CMO),
        ],
        "resources": [
            resource("Chief Scientific Officer", "human", months=9),
            resource("Biosensor development lab", "physical"),
            resource("Patent portfolio", "intellectual"),
            resource("FDA 510(k) clearance", "regulatory"),
            resource("Seed funding", "financial"),
        ],
        "finances": {"cash_on_hand": 2400000, "monthly_burn": 100000, "currency": "USD"},
        "readiness": dict.fromkeys(READINESS_QUESTIONS, True),
    }


def digital_clean_data() -> dict[str, Any]:
    """A digital-medicine subscription canvas that fires no rule at all."""
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


# The SPEC §3 table, written out independently of canvas.evaluator.RULES.
SPEC_RULES = {
    "CH01": ("error", "channels"),
    "CH02": ("warning", "channels"),
    "CH03": ("warning", "channels"),
    "CH04": ("warning", "channels"),
    "CH05": ("warning", "channels"),
    "CH06": ("warning", "channels"),
    "CH07": ("warning", "channels"),
    "CH08": ("info", "channels"),
    "CH09": ("info", "channels"),
    "CH10": ("info", "channels"),
    "KP01": ("error", "partners"),
    "KP02": ("warning", "partners"),
    "KP03": ("info", "partners"),
    "KP04": ("warning", "partners"),
    "KA01": ("error", "activities"),
    "KA02": ("warning", "activities"),
    "KA03": ("info", "activities"),
    "KA04": ("warning", "activities"),
    "KA05": ("info", "activities"),
    "KA06": ("warning", "activities"),
    "KR01": ("warning", "resources"),
    "KR02": ("error", "resources"),
    "KR03": ("error", "resources"),
    "KR04": ("warning", "resources"),
    "KR05": ("warning", "resources"),
    "KR06": ("info", "resources"),
    "RD01": ("warning", "readiness"),
    "RD02": ("info", "readiness"),
}


# --- the clean documents ---------------------------------------------------------------


@pytest.mark.parametrize("base", sorted(BASES))
def test_clean_document_has_no_findings_and_full_score(base):
    evaluation = run(BASES[base]())
    assert keys(evaluation) == []
    assert evaluation.score == 100
    assert evaluation.runway_months == 24.0


# --- every rule fires ------------------------------------------------------------------

GET, KEEP1, KEEP2, GROW = (c["channel"] for c in clean_data()["channels"])
ALGO, CARTRIDGE = (a["name"] for a in clean_data()["activities"])


def fires(rule: str, why: str, edits: dict, subjects: list, base: str = "healthtech"):
    return pytest.param(
        rule, base, edits, subjects, id=f"{rule.lower()} fires {why}".replace(" ", "_")
    )


def quiet(rule: str, why: str, edits: dict, base: str = "healthtech"):
    return pytest.param(rule, base, edits, id=f"{rule.lower()} quiet {why}".replace(" ", "_"))


FIRES = [
    fires("CH01", "when get has no entry", {"channels.0.stage": "keep"}, ["get"]),
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
        "KP01", "when the only partner is borderline", {"partners.0.recovery_time": "weeks"}, [None]
    ),
    fires(
        "KP02",
        "on a vendor",
        {"partners": [partner(CMO), partner("Bookkeeper", "weeks", "minimal")]},
        ["Bookkeeper"],
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
        "KA01", "when no activity passes all tests", {"activities.0.breadth.rating": "low"}, [None]
    ),
    fires(
        "KA02",
        "when a declared core activity fails",
        {"activities.0.imitation.rating": "low"},
        [ALGO],
    ),
    fires(
        "KA03",
        "when a core activity is not declared",
        {"activities.0.declared_core": False},
        [ALGO],
    ),
    fires("KA04", "on an empty rationale", {"activities.1.breadth.rationale": ""}, [CARTRIDGE]),
    fires(
        "KA05",
        "when a non-core activity names nobody",
        {"activities.1.outsourced_to": None},
        [CARTRIDGE],
    ),
    fires("KA06", "on an unknown partner", {"activities.1.outsourced_to": "Acme CMO"}, [CARTRIDGE]),
    fires("KA06", "on a core activity too", {"activities.0.outsourced_to": "Nobody"}, [ALGO]),
    fires("KR01", "on a missing category", {"resources.1.category": "human"}, ["physical"]),
    fires("KR02", "when finances are null", {"finances": None}, [None]),
    fires("KR03", "on a runway of 5 months", {"finances.cash_on_hand": 500000}, [None]),
    fires("KR04", "on a runway of 9 months", {"finances.cash_on_hand": 900000}, [None]),
    fires(
        "KR05", "on an empty risk if lost", {"resources.2.risk_if_lost": ""}, ["Patent portfolio"]
    ),
    fires(
        "KR06",
        "on a person 12 months to replace",
        {"resources.0.replacement_months": 12},
        ["Chief Scientific Officer"],
    ),
    fires("RD01", "on a no", {"readiness.requirements_mapped": False}, ["requirements_mapped"]),
    fires(
        "RD02",
        "on a null",
        {"readiness.operational_case_studies": None},
        ["operational_case_studies"],
    ),
]


@pytest.mark.parametrize(("rule", "base", "edits", "subjects"), FIRES)
def test_rule_fires_with_spec_severity_block_and_subject(rule, base, edits, subjects):
    evaluation = run(variant(edits, base))
    found = hits(evaluation, rule)
    severity, block = SPEC_RULES[rule]
    assert [f.subject for f in found] == subjects
    assert {(f.severity, f.block) for f in found} == {(severity, block)}
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
    quiet("KP01", "with a months-significant partner", {"partners.0.recovery_time": "months"}),
    quiet(
        "KP02",
        "on weeks-moderate",
        {"partners": [partner(CMO), partner("CRO", "weeks", "moderate")]},
    ),
    quiet("KP03", "on a key partner", {}),
    quiet(
        "KP04",
        "on a vendor or borderline partner with empty texts",
        {
            "partners": [
                partner(CMO),
                partner("Bookkeeper", "weeks", "minimal", "", ""),
                partner("CRO", "months", "moderate", "", ""),
            ]
        },
    ),
    quiet("KA01", "at medium ratings", {"activities.0.breadth.rating": "medium"}),
    quiet("KA02", "on a declared core activity that passes", {}),
    quiet("KA02", "on an undeclared failing activity", {"activities.1.declared_core": False}),
    quiet("KA03", "on a declared core activity", {}),
    quiet("KA04", "with every rationale", {}),
    quiet("KA05", "on a core activity done in-house", {"activities.0.outsourced_to": None}),
    quiet("KA06", "on a partner name in another case", {"activities.1.outsourced_to": CMO.upper()}),
    quiet(
        "KA06",
        "on a padded lower-case partner name",
        {"activities.1.outsourced_to": "  biomed contract manufacturing "},
    ),
    quiet("KR01", "with all five categories", {}),
    quiet("KR02", "on zero burn", {"finances.monthly_burn": 0}),
    quiet("KR03", "at exactly 6 months", {"finances.cash_on_hand": 600000}),
    quiet("KR04", "at exactly 12 months", {"finances.cash_on_hand": 1200000}),
    quiet("KR04", "just under 6 months", {"finances.cash_on_hand": 599999}),
    quiet("KR05", "on an empty why strategic", {"resources.2.why_strategic": ""}),
    quiet("KR06", "at 11.9 months", {"resources.0.replacement_months": 11.9}),
    quiet("KR06", "without replacement months", {"resources.0.replacement_months": None}),
    quiet("KR06", "on a non-human resource", {"resources.3.replacement_months": 24}),
    quiet("RD01", "on a null answer", {"readiness.requirements_mapped": None}),
    quiet("RD02", "on a no", {"readiness.requirements_mapped": False}),
]


@pytest.mark.parametrize(("rule", "base", "edits"), DOES_NOT_FIRE)
def test_rule_does_not_fire(rule, base, edits):
    assert hits(run(variant(edits, base)), rule) == []


def test_every_rule_has_a_case_where_it_does_not_fire():
    assert {case.values[0] for case in DOES_NOT_FIRE} == set(SPEC_RULES)


# --- channels --------------------------------------------------------------------------


def test_ch01_fires_three_times_in_stage_order_for_an_empty_channel_list():
    found = hits(run(variant({"channels": []})), "CH01")
    assert [(f.severity, f.block, f.subject) for f in found] == [
        ("error", "channels", "get"),
        ("error", "channels", "keep"),
        ("error", "channels", "grow"),
    ]


def test_empty_channel_list_also_misses_the_tagged_channels():
    evaluation = run(variant({"channels": []}))
    assert keys(evaluation) == [
        ("CH01", "get"),
        ("CH01", "keep"),
        ("CH01", "grow"),
        ("CH07", None),
        ("CH08", None),
        ("CH09", None),
    ]


def test_ch01_names_each_missing_stage_in_get_keep_grow_order():
    data = variant({"channels": [channel("keep", "Clinical support", tags=["clinical_training"])]})
    assert [f.subject for f in hits(run(data), "CH01")] == ["get", "grow"]


def test_ch02_fires_when_no_keep_entry_is_direct():
    data = variant({"channels.1.route": "distributor", "channels.2.route": "platform"})
    assert [f.subject for f in hits(run(data), "CH02")] == [None]


def test_ch02_does_not_fire_without_keep_entries():
    data = variant({"channels": [channel("get", "Pilot", tags=["clinical_training"])]})
    evaluation = run(data)
    assert hits(evaluation, "CH02") == []
    assert [f.subject for f in hits(evaluation, "CH01")] == ["keep", "grow"]


def test_ch03_and_ch06_name_every_distributor_entry_in_document_order():
    data = variant(
        {"channels.3.route": "distributor", "channels.1.route": "distributor"}, base="digital"
    )
    evaluation = run(data)
    assert [f.subject for f in hits(evaluation, "CH03")] == [KEEP1, GROW]
    assert [f.subject for f in hits(evaluation, "CH06")] == [KEEP1, GROW]


def test_healthtech_gets_ch07_but_none_of_the_digital_medicine_rules():
    data = variant({f"channels.{i}.tags": [] for i in range(4)})
    data["venture"]["revenue_model"] = "subscription"
    data["channels"][0]["route"] = "distributor"
    data["venture"]["market_stage"] = "target"
    assert keys(run(data)) == [("CH07", None), ("CH08", None), ("CH09", None)]


def test_digital_medicine_gets_ch04_ch05_ch06_ch10_but_not_ch07():
    data = variant({f"channels.{i}.tags": [] for i in range(4)}, base="digital")
    data["channels"][0]["route"] = "distributor"
    data["venture"]["market_stage"] = "target"
    assert keys(run(data)) == [
        ("CH04", None),
        ("CH05", None),
        ("CH06", GET),
        ("CH08", None),
        ("CH09", None),
        ("CH10", None),
    ]


def test_ch06_needs_a_subscription_revenue_model():
    for model, expected in [("subscription", [GET]), ("per_use", []), ("reimbursement", [])]:
        data = variant(
            {"venture.revenue_model": model, "channels.0.route": "distributor"}, base="digital"
        )
        assert [f.subject for f in hits(run(data), "CH06")] == expected, model


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
    }[verdict]
    assert [k for k in keys(evaluation) if k[0].startswith("KP")] == expected


def test_kp01_fires_once_for_an_empty_partner_list():
    evaluation = run(variant({"partners": [], "activities.1.outsourced_to": None}))
    assert [(f.rule, f.subject) for f in evaluation.findings_for("partners")] == [("KP01", None)]
    assert "no partners" in hits(evaluation, "KP01")[0].message


def test_kp04_ignores_vendors_and_borderline_partners_with_empty_texts():
    data = variant(
        {
            "partners": [
                partner(CMO, strategic_value="", what_would_be_lost=""),
                partner("Bookkeeper", "weeks", "minimal", "", ""),
                partner("CRO", "years", "moderate", "", ""),
            ]
        }
    )
    evaluation = run(data)
    assert [k for k in keys(evaluation) if k[0].startswith("KP")] == [
        ("KP02", "Bookkeeper"),
        ("KP03", "CRO"),
        ("KP04", CMO),
    ]
    message = hits(evaluation, "KP04")[0].message
    assert "strategic value and what would be lost are blank" in message


def test_kp03_message_states_both_answers():
    data = variant({"partners": [partner(CMO), partner("CRO", "weeks", "significant")]})
    message = hits(run(data), "KP03")[0].message
    assert "“CRO”" in message
    assert "weeks" in message
    assert "significant" in message


# --- activities: the three tests -------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "failed"),
    [
        (("high", "high", "high"), ()),
        (("medium", "medium", "medium"), ()),
        (("low", "medium", "medium"), ("relevance",)),
        (("medium", "low", "medium"), ("imitation",)),
        (("medium", "medium", "low"), ("breadth",)),
        (("low", "high", "low"), ("relevance", "breadth")),
        (("low", "low", "low"), ("relevance", "imitation", "breadth")),
    ],
)
def test_a_test_passes_at_medium_and_fails_at_low(ratings, failed):
    doc = parse_document(variant({"activities": [activity("Work", *ratings)]}))
    assert failed_tests(doc.activities[0]) == failed
    assert is_core(doc.activities[0]) is (failed == ())
    verdict = evaluate(doc).activity_verdict("Work")
    assert verdict is not None
    assert (verdict.core, verdict.failed_tests) == (failed == (), failed)


def test_ka01_fires_once_for_an_empty_activity_list():
    evaluation = run(variant({"activities": []}))
    assert [(f.rule, f.subject) for f in evaluation.findings_for("activities")] == [("KA01", None)]


def test_ka02_message_names_the_failing_tests_by_their_labels():
    data = variant({"activities.0.relevance.rating": "low", "activities.0.breadth.rating": "low"})
    (finding,) = hits(run(data), "KA02")
    assert "“Biosensor algorithm development”" in finding.message
    assert "Relevance" in finding.message
    assert "Breadth of application" in finding.message
    assert "Difficulty of imitation" not in finding.message


def test_ka02_names_difficulty_of_imitation_when_that_test_fails():
    (finding,) = hits(run(variant({"activities.0.imitation.rating": "low"})), "KA02")
    assert "Difficulty of imitation" in finding.message
    assert "Relevance" not in finding.message


def test_ka04_names_each_empty_rationale():
    data = variant({"activities.0.relevance.rationale": "", "activities.0.breadth.rationale": ""})
    (finding,) = hits(run(data), "KA04")
    assert finding.subject == ALGO
    assert "Relevance and Breadth of application ratings" in finding.message


def test_ka05_and_ka06_cover_non_core_activities_and_unknown_partners():
    data = variant(
        {
            "activities": [
                activity("Algorithm", declared_core=True),
                activity("Bookkeeping", "low", "low", "low"),
                activity("Cloud hosting", "low", "low", "low", outsourced_to="AWS"),
                activity("Cartridges", "low", "low", "low", outsourced_to=CMO.lower()),
            ]
        }
    )
    assert [k for k in keys(run(data)) if k[0].startswith("KA")] == [
        ("KA05", "Bookkeeping"),
        ("KA06", "Cloud hosting"),
    ]


def test_ka06_quotes_the_unknown_partner_name():
    (finding,) = hits(run(variant({"activities.1.outsourced_to": "Acme CMO"})), "KA06")
    assert "“Acme CMO”" in finding.message


# --- resources and runway --------------------------------------------------------------


def test_kr01_fires_five_times_in_category_order_for_an_empty_resource_list():
    evaluation = run(variant({"resources": []}))
    assert [(f.rule, f.subject) for f in evaluation.findings_for("resources")] == [
        ("KR01", "human"),
        ("KR01", "physical"),
        ("KR01", "intellectual"),
        ("KR01", "regulatory"),
        ("KR01", "financial"),
    ]


def finances(cash: Any, burn: Any) -> dict[str, Any]:
    return {"finances": {"cash_on_hand": cash, "monthly_burn": burn, "currency": "USD"}}


@pytest.mark.parametrize(
    ("cash", "burn", "rules", "months"),
    [
        (600, 100, ["KR04"], 6.0),
        (1200, 100, [], 12.0),
        (599, 100, ["KR03"], 6.0),
        (1199, 100, ["KR04"], 12.0),
        (0, 100, ["KR03"], 0.0),
        (2400000, 133000, [], 18.0),
        (1000, 300, ["KR03"], 3.3),
        (1000, 400, ["KR03"], 2.5),
        (9750, 1000, ["KR04"], 9.8),
        (1e9, 0.5, [], 2e9),
    ],
)
def test_runway_thresholds_use_the_unrounded_value(cash, burn, rules, months):
    evaluation = run(variant(finances(cash, burn)))
    assert [f.rule for f in evaluation.findings_for("resources")] == rules
    assert evaluation.runway_months == months
    assert evaluation.runway_unlimited is False


def test_runway_months_is_unrounded_and_rounding_happens_in_the_evaluation():
    doc = parse_document(variant(finances(599, 100)))
    assert runway_months(doc.finances) == pytest.approx(5.99)
    assert evaluate(doc).runway_months == 6.0
    assert evaluate(doc).to_dict()["runway_months"] == 6.0


@pytest.mark.parametrize(
    ("cash", "rule", "shown"),
    [(599, "KR03", "5.9 months"), (1196, "KR04", "11.9 months"), (750, "KR04", "7.5 months")],
)
def test_runway_message_never_rounds_up_to_the_next_band(cash, rule, shown):
    (finding,) = hits(run(variant(finances(cash, 100))), rule)
    assert shown in finding.message


@pytest.mark.parametrize("cash", [0, 2400000, None])
def test_zero_burn_means_unlimited_runway_without_a_runway_finding(cash):
    evaluation = run(variant(finances(cash, 0)))
    assert evaluation.runway_months is None
    assert evaluation.runway_unlimited is True
    assert evaluation.findings_for("resources") == []
    assert evaluation.to_dict()["runway_months"] is None


def test_a_runway_too_large_to_express_counts_as_unlimited():
    doc = parse_document(variant(finances(1e308, 1e-308)))
    assert runway_is_unlimited(doc.finances) is True
    assert runway_months(doc.finances) is None
    assert evaluate(doc).findings_for("resources") == []


@pytest.mark.parametrize(
    ("edits", "missing"),
    [
        ({"finances": DELETE}, "cash on hand and monthly burn are missing"),
        ({"finances": None}, "cash on hand and monthly burn are missing"),
        ({"finances": {}}, "cash on hand and monthly burn are missing"),
        (finances(None, 100000), "cash on hand is missing"),
        (finances(2400000, None), "monthly burn is missing"),
        (finances(None, None), "cash on hand and monthly burn are missing"),
    ],
)
def test_kr02_fires_when_runway_is_unknown(edits, missing):
    evaluation = run(variant(edits))
    assert [(f.rule, f.severity, f.subject) for f in evaluation.findings_for("resources")] == [
        ("KR02", "error", None)
    ]
    assert missing in evaluation.findings[0].message
    assert evaluation.runway_months is None
    assert evaluation.runway_unlimited is False


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
    assert [(f.rule, f.subject) for f in evaluation.findings_for("resources")] == [
        ("KR05", "Chief AI Officer"),
        ("KR05", "Training dataset"),
        ("KR06", "Chief AI Officer"),
        ("KR06", "Clinical lead"),
    ]
    assert "18.5 months" in hits(evaluation, "KR06")[1].message


# --- readiness -------------------------------------------------------------------------

QUESTIONS = list(READINESS_QUESTIONS)


@pytest.mark.parametrize("readiness", [DELETE, None, {}])
def test_unanswered_readiness_fires_rd02_for_all_five_questions_in_order(readiness):
    evaluation = run(variant({"readiness": readiness}))
    assert [(f.rule, f.severity, f.subject) for f in evaluation.findings_for("readiness")] == [
        ("RD02", "info", q) for q in QUESTIONS
    ]


def test_readiness_answered_false_fires_rd01_per_question():
    evaluation = run(variant({"readiness": dict.fromkeys(QUESTIONS, False)}))
    assert [(f.rule, f.severity, f.subject) for f in evaluation.findings_for("readiness")] == [
        ("RD01", "warning", q) for q in QUESTIONS
    ]


def test_mixed_readiness_lists_rd01_before_rd02_each_in_question_order():
    data = variant(
        {
            "readiness": {
                "assessment_before_signature": None,
                "requirements_mapped": False,
                "customer_success_owns_adoption": True,
                "frontline_staff_engaged": False,
            }
        }
    )
    assert [(f.rule, f.subject) for f in run(data).findings_for("readiness")] == [
        ("RD01", "requirements_mapped"),
        ("RD01", "frontline_staff_engaged"),
        ("RD02", "assessment_before_signature"),
        ("RD02", "operational_case_studies"),
    ]


def test_readiness_messages_quote_the_question():
    (finding,) = hits(run(variant({"readiness.requirements_mapped": False})), "RD01")
    assert f"“{READINESS_QUESTIONS['requirements_mapped']}”" in finding.message
