"""The evaluator's output (SPEC §3): finding order, score, the JSON shape and its round trip,
the rule table, and the wording of the messages. No database.
"""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from canvas.document import parse_document
from canvas.evaluator import (
    BLOCKS,
    RULES,
    RULESET_VERSION,
    SEVERITY_LABELS,
    VERDICT_LABELS,
    ActivityVerdict,
    Evaluation,
    Finding,
    PartnerVerdict,
    evaluate,
    rules_by_block,
)
from tests.test_evaluator import (
    SPEC_RULES,
    activity,
    channel,
    clean_data,
    digital_clean_data,
    keys,
    partner,
    resource,
    run,
    variant,
)


def many_findings_data() -> dict:
    """A digital-medicine canvas that fires most rules, entries out of stage order."""
    return {
        "schema_version": 1,
        "venture": {
            "name": "Sepsis AI",
            "solution_type": "digital_medicine",
            "market_stage": "beachhead",
            "revenue_model": "subscription",
        },
        "channels": [
            channel("keep", "Regional distributor support", route="distributor"),
            channel("keep", "Referral network", route="partner", tags=["reference_site"]),
            channel("get", "Distributor launch", route="distributor"),
        ],
        "partners": [
            partner("Office IT", "weeks", "minimal"),
            partner("Stats CRO", "months", "moderate"),
            partner("Epic", "years", "significant", strategic_value=""),
            partner("Bookkeeper", "weeks", "minimal"),
        ],
        "activities": [
            activity("Sales", "low", "low", "low", declared_core=True, rationale=""),
            activity("ML model development", outsourced_to="Ghost Labs"),
            activity("Hosting", "low", "low", "medium", rationale=""),
        ],
        "resources": [
            resource("Chief AI Officer", "human", risk="", months=12),
            resource("De Novo clearance", "regulatory", risk=""),
            resource("Data lead", "human", months=24),
        ],
        "finances": None,
        "readiness": {
            "assessment_before_signature": False,
            "customer_success_owns_adoption": False,
            "operational_case_studies": True,
        },
    }


MANY_FINDINGS = [
    ("CH01", "grow"),
    ("CH02", None),
    ("CH03", "Regional distributor support"),
    ("CH03", "Distributor launch"),
    ("CH04", None),
    ("CH05", None),
    ("CH06", "Regional distributor support"),
    ("CH06", "Distributor launch"),
    ("CH08", None),
    ("CH09", None),
    ("CH10", None),
    ("KP02", "Office IT"),
    ("KP02", "Bookkeeper"),
    ("KP03", "Stats CRO"),
    ("KP04", "Epic"),
    ("KA02", "Sales"),
    ("KA03", "ML model development"),
    ("KA04", "Sales"),
    ("KA04", "Hosting"),
    ("KA05", "Sales"),
    ("KA05", "Hosting"),
    ("KA06", "ML model development"),
    ("KR01", "physical"),
    ("KR01", "intellectual"),
    ("KR01", "financial"),
    ("KR02", None),
    ("KR05", "Chief AI Officer"),
    ("KR05", "De Novo clearance"),
    ("KR06", "Chief AI Officer"),
    ("KR06", "Data lead"),
    ("RD01", "assessment_before_signature"),
    ("RD01", "customer_success_owns_adoption"),
    ("RD02", "requirements_mapped"),
    ("RD02", "frontline_staff_engaged"),
]


def sample_evaluations() -> list[Evaluation]:
    return [
        run(clean_data()),
        run(digital_clean_data()),
        run(many_findings_data()),
        run(variant({"finances.monthly_burn": 0})),
        run(variant({"finances.cash_on_hand": 599})),
        run(
            variant({"channels": [], "partners": [], "activities": [], "resources": []}),
        ),
    ]


# --- order -----------------------------------------------------------------------------


def test_findings_are_ordered_by_block_then_rule_then_document_order():
    assert keys(run(many_findings_data())) == MANY_FINDINGS


def test_findings_keep_document_order_of_entries_not_alphabetical_order():
    data = variant(
        {
            "partners": [
                partner("Zeta", "weeks", "minimal"),
                partner("Alpha", "weeks", "minimal"),
                partner("Key", "years", "significant"),
            ],
            "activities.1.outsourced_to": "Key",
        }
    )
    assert keys(run(data)) == [("KP02", "Zeta"), ("KP02", "Alpha")]


# --- score -----------------------------------------------------------------------------


def test_score_is_100_minus_10_per_error_and_3_per_warning():
    evaluation = run(many_findings_data())
    assert (evaluation.errors, evaluation.warnings, evaluation.infos) == (2, 21, 11)
    assert evaluation.score == 100 - 10 * 2 - 3 * 21 == 17


def test_info_findings_do_not_lower_the_score():
    data = variant(
        {
            "channels.3.tags": [],
            "partners": [partner("CMO"), partner("CRO", "months", "moderate")],
            "activities.1.outsourced_to": None,
            "readiness": None,
        }
    )
    evaluation = run(data)
    assert evaluation.infos == 8
    assert (evaluation.errors, evaluation.warnings) == (0, 0)
    assert evaluation.score == 100


def test_score_has_a_floor_of_zero():
    vendors = [partner(f"Vendor {i}", "weeks", "minimal") for i in range(3)]
    data = variant({"channels": [], "partners": vendors, "activities": [], "resources": []})
    data["finances"] = None
    data["readiness"] = dict.fromkeys(data["readiness"], False)
    evaluation = run(data)
    assert 100 - 10 * evaluation.errors - 3 * evaluation.warnings < 0
    assert evaluation.score == 0


def test_score_for_a_single_error_and_warning():
    data = variant({"finances.cash_on_hand": 500000, "readiness.requirements_mapped": False})
    evaluation = run(data)
    assert keys(evaluation) == [("KR03", None), ("RD01", "requirements_mapped")]
    assert evaluation.score == 87


# --- the evaluation object -------------------------------------------------------------


def test_findings_for_returns_one_block_in_order():
    evaluation = run(many_findings_data())
    for block in BLOCKS:
        assert [(f.rule, f.subject) for f in evaluation.findings_for(block)] == [
            k for k in MANY_FINDINGS if SPEC_RULES[k[0]][1] == block
        ]
    assert evaluation.findings_for("nonsense") == []


def test_partner_verdict_lookup_ignores_case():
    evaluation = run(many_findings_data())
    assert evaluation.partners == (
        PartnerVerdict("Office IT", "vendor"),
        PartnerVerdict("Stats CRO", "borderline"),
        PartnerVerdict("Epic", "key_partner"),
        PartnerVerdict("Bookkeeper", "vendor"),
    )
    assert evaluation.partner_verdict("EPIC") == "key_partner"
    assert evaluation.partner_verdict("stats cro") == "borderline"
    assert evaluation.partner_verdict("Nobody") is None


def test_activity_verdicts_list_core_and_failed_tests():
    evaluation = run(many_findings_data())
    assert evaluation.activities == (
        ActivityVerdict("Sales", False, ("relevance", "imitation", "breadth")),
        ActivityVerdict("ML model development", True, ()),
        ActivityVerdict("Hosting", False, ("relevance", "imitation")),
    )
    assert evaluation.activity_verdict("hosting") == evaluation.activities[2]
    assert evaluation.activity_verdict("Nothing") is None


def test_activity_verdict_prefers_the_exact_name():
    data = variant({"activities": [activity("ops", "low"), activity("OPS", declared_core=True)]})
    evaluation = run(data)
    assert evaluation.activity_verdict("OPS") == ActivityVerdict("OPS", True, ())
    assert evaluation.activity_verdict("ops") == ActivityVerdict("ops", False, ("relevance",))


def test_results_are_immutable():
    evaluation = run(clean_data())
    with pytest.raises(dataclasses.FrozenInstanceError):
        evaluation.score = 0  # type: ignore[misc]


# --- JSON shape ------------------------------------------------------------------------


def test_to_dict_has_exactly_the_spec_shape():
    data = run(many_findings_data()).to_dict()
    assert list(data) == ["score", "runway_months", "partners", "activities", "findings"]
    assert data["score"] == 17
    assert data["runway_months"] is None
    assert data["partners"][0] == {"name": "Office IT", "verdict": "vendor"}
    assert data["activities"][2] == {
        "name": "Hosting",
        "core": False,
        "failed_tests": ["relevance", "imitation"],
    }
    assert all(list(p) == ["name", "verdict"] for p in data["partners"])
    assert all(list(a) == ["name", "core", "failed_tests"] for a in data["activities"])
    finding = data["findings"][0]
    assert list(finding) == ["rule", "severity", "block", "subject", "message"]
    assert finding["rule"] == "CH01"
    assert finding["severity"] == "error"
    assert finding["block"] == "channels"
    assert finding["subject"] == "grow"
    assert isinstance(finding["message"], str)


def test_to_dict_matches_the_spec_example_figures():
    data = variant(
        {
            "partners": [partner("BioMed Contract Manufacturing")],
            "finances": {"cash_on_hand": 2400000, "monthly_burn": 133000, "currency": "USD"},
        }
    )
    out = run(data).to_dict()
    assert out["runway_months"] == 18.0
    assert out["partners"] == [{"name": "BioMed Contract Manufacturing", "verdict": "key_partner"}]
    assert out["activities"][1] == {
        "name": "Cartridge manufacturing",
        "core": False,
        "failed_tests": ["relevance", "imitation", "breadth"],
    }


@pytest.mark.parametrize("index", range(6))
def test_from_dict_rebuilds_the_same_evaluation_through_json(index):
    evaluation = sample_evaluations()[index]
    text = json.dumps(evaluation.to_dict(), ensure_ascii=False)
    rebuilt = Evaluation.from_dict(json.loads(text))
    assert rebuilt == evaluation
    assert rebuilt.to_dict() == evaluation.to_dict()


def test_from_dict_recovers_an_unlimited_runway_from_the_missing_kr02():
    unlimited = Evaluation.from_dict(run(variant({"finances.monthly_burn": 0})).to_dict())
    unknown = Evaluation.from_dict(run(variant({"finances": None})).to_dict())
    assert (unlimited.runway_months, unlimited.runway_unlimited) == (None, True)
    assert (unknown.runway_months, unknown.runway_unlimited) == (None, False)


def test_to_dict_items_of_each_result_type():
    assert Finding("KR02", "error", "resources", None, "m").to_dict() == {
        "rule": "KR02",
        "severity": "error",
        "block": "resources",
        "subject": None,
        "message": "m",
    }
    assert PartnerVerdict("A", "vendor").to_dict() == {"name": "A", "verdict": "vendor"}
    assert ActivityVerdict("B", False, ("breadth",)).to_dict() == {
        "name": "B",
        "core": False,
        "failed_tests": ["breadth"],
    }


def test_evaluation_accepts_a_document_parsed_from_json_text():
    doc = parse_document(json.dumps(clean_data()))
    assert evaluate(doc).score == 100


# --- the rule table --------------------------------------------------------------------


def test_rule_table_matches_the_spec_table():
    assert {r.id: (r.severity, r.block) for r in RULES} == SPEC_RULES
    assert RULESET_VERSION == "1"


def test_rule_table_is_sorted_by_block_then_id():
    order = [(BLOCKS.index(r.block), r.id) for r in RULES]
    assert order == sorted(order)


def test_rules_by_block_groups_every_rule_in_block_order():
    grouped = rules_by_block()
    assert list(grouped) == list(BLOCKS)
    assert [r for rules in grouped.values() for r in rules] == list(RULES)
    assert [r.id for r in grouped["partners"]] == ["KP01", "KP02", "KP03", "KP04"]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_a_short_title_and_a_one_sentence_summary(rule):
    assert 0 < len(rule.title) <= 40
    assert rule.summary.endswith(".")
    assert rule.summary.count(". ") == 0
    assert callable(rule.check)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.severity = "info"  # type: ignore[misc]


def test_labels_cover_every_verdict_and_severity():
    assert set(VERDICT_LABELS) == {"key_partner", "vendor", "borderline"}
    assert VERDICT_LABELS["key_partner"] == "Key partner"
    assert set(SEVERITY_LABELS) == {"error", "warning", "info"}


# --- messages --------------------------------------------------------------------------

ENTRY_RULES = {"CH03", "CH06", "KP02", "KP03", "KP04", "KA02", "KA03", "KA04", "KA05", "KA06"}
ENTRY_RULES |= {"KR05", "KR06"}


def all_sample_findings() -> list[Finding]:
    return [f for evaluation in sample_evaluations() for f in evaluation.findings]


def test_samples_cover_every_rule():
    assert {f.rule for f in all_sample_findings()} >= set(SPEC_RULES) - {"CH07", "KR04", "KA01"}
    assert {f.rule for f in run(variant({"channels.1.tags": []})).findings} == {"CH07"}


def sentences(message: str) -> int:
    return len(re.findall(r"[.!?](?=\s|$)", message))


def test_every_message_is_one_to_three_finished_sentences():
    for finding in all_sample_findings():
        assert 1 <= sentences(finding.message) <= 3, finding
        assert finding.message.endswith("."), finding
        assert "{" not in finding.message and "}" not in finding.message, finding
        assert " None" not in finding.message, finding


def test_entry_messages_quote_the_entry():
    for finding in all_sample_findings():
        if finding.rule in ENTRY_RULES:
            assert f"“{finding.subject}”" in finding.message, finding


def test_messages_keep_braces_in_names_literally():
    data = variant({"activities.1.outsourced_to": "{subject} {0}"})
    (finding,) = [f for f in run(data).findings if f.rule == "KA06"]
    assert "“{subject} {0}”" in finding.message


def test_messages_explain_the_reasoning_of_the_source():
    messages = {f.rule: f.message for f in all_sample_findings()}
    assert "strategic asset" in messages["CH02"]
    assert "weeks" in messages["KP02"]
    assert "months" in messages["KA02"] or "choose" in messages["KA02"]
    assert "runway" in messages["KR02"].lower()
    assert "before" in messages["RD02"]


def test_each_rule_says_what_its_findings_subjects_name():
    # board links, the PDF's subject column and the version diff read a finding's subject
    # through its rule's ``about``; check it against real subjects of every kind
    from canvas.document import CATEGORIES, READINESS_QUESTIONS, STAGES
    from canvas.evaluator import about
    from tests.conftest import big_document, load_fixture

    short_runway = load_fixture("sepsis-dx.json")
    short_runway["finances"]["monthly_burn"] = short_runway["finances"]["cash_on_hand"]
    docs = [
        parse_document(short_runway),
        parse_document(load_fixture("sepsis-dx.json")),
        parse_document(load_fixture("sepsis-predict.json")),
        big_document(3, outsourced=True),
        big_document(0),
    ]
    seen = set()
    for doc in docs:
        names = {
            "channels": {c.channel for c in doc.channels},
            "partners": {p.name for p in doc.partners},
            "activities": {a.name for a in doc.activities},
            "resources": {r.name for r in doc.resources},
        }
        for f in evaluate(doc).findings:
            kind = about(f)
            seen.add(kind)
            expected = {
                "stage": STAGES,
                "category": CATEGORIES,
                "question": READINESS_QUESTIONS,
                "runway": {None},
            }.get(kind, names.get(f.block, set()) | {None})
            assert f.subject in expected, (f.rule, kind, f.subject)
    assert seen == {"entry", "stage", "category", "question", "runway"}
    assert about(Finding("XX99", "info", "channels", "x", "")) == "entry"
    with pytest.raises(ValueError, match="about must be one of"):
        from canvas.evaluator import rule

        rule("XX98", "info", "channels", "t", "s", "m", about="lane")
