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
    rules_for,
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
    vendor,
)


def many_findings_data() -> dict:
    """A version-2 digital-medicine canvas that fires many rules, entries out of stage order."""
    return {
        "schema_version": 2,
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
            partner("Pilot sites", None, "significant"),
        ],
        "vendors": [vendor("Cloud host", "Hosting")],
        "activities": [
            activity("Sales", "low", "low", "low", declared_core=True, rationale=""),
            activity("ML model development", outsourced_to="Ghost Labs"),
            activity("Hosting", "low", "low", "medium", rationale=""),
            activity("Cloud ops", "low", "low", "low", outsourced_to="cloud HOST"),
            activity("Triage UX", "high", None, "medium", rationale=""),
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
    ("CH11", "Regional distributor support"),
    ("CH11", "Distributor launch"),
    ("KP02", "Office IT"),
    ("KP02", "Bookkeeper"),
    ("KP03", "Stats CRO"),
    ("KP04", "Epic"),
    ("KP06", "Pilot sites"),
    ("KA02", "Sales"),
    ("KA03", "ML model development"),
    ("KA04", "Hosting"),
    ("KA04", "Triage UX"),
    ("KA05", "Hosting"),
    ("KA06", "ML model development"),
    ("KA07", "ML model development"),
    ("KA08", "Triage UX"),
    ("KR01", None),
    ("KR02", None),
    ("KR05", "Chief AI Officer"),
    ("KR05", "De Novo clearance"),
    ("KR06", "Chief AI Officer"),
    ("KR06", "Data lead"),
    ("KR07", None),
    ("RD01", "assessment_before_signature"),
    ("RD01", "customer_success_owns_adoption"),
    ("RD02", None),
]


def sample_evaluations() -> list[Evaluation]:
    """Evaluations that between them fire every rule of rule set 2."""
    return [
        run(clean_data()),
        run(digital_clean_data()),
        run(many_findings_data()),
        run(variant({"finances.monthly_burn": 0})),
        run(variant({"finances.cash_on_hand": 599, "finances.months_to_milestone": None})),
        run(variant({"finances.cash_on_hand": 900000, "finances.months_to_milestone": None})),
        run(variant({"finances.cash_on_hand": 1100000})),
        run(variant({"finances.cash_on_hand": 1700000, "finances.next_milestone": ""})),
        run(variant({"finances.cash_on_hand": 0, "finances.monthly_burn": 0})),
        run(variant({"channels.1.tags": [], "activities.1.declared_core": True})),
        run(
            variant(
                {
                    "venture.revenue_model": "reimbursement",
                    "channels.3.tags": ["reference_site", "direct_to_patient"],
                },
                base="digital",
            )
        ),
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
                partner("Beta", None, None),
            ],
            "activities.1.outsourced_to": "Key",
        }
    )
    assert keys(run(data)) == [("KP02", "Zeta"), ("KP02", "Alpha"), ("KP06", "Beta")]


# --- score -----------------------------------------------------------------------------


def test_score_is_100_less_10_per_error_3_per_warning_and_15_for_kr02_never_below_0():
    evaluation = run(many_findings_data())
    assert (evaluation.errors, evaluation.warnings, evaluation.infos) == (3, 23, 10)
    assert [f.rule for f in evaluation.findings if f.severity == "error"] == [
        "CH01",
        "KA07",
        "KR02",
    ]
    assert sum(f.points for f in evaluation.findings) == 10 + 10 + 15 + 3 * 23 == 104
    assert evaluation.score == 0


def test_info_findings_do_not_lower_the_score():
    data = variant(
        {
            "channels.3.tags": [],
            "partners": [partner("CMO"), partner("CRO", "months", "moderate")],
            "activities.1.outsourced_to": None,
            "finances.months_to_milestone": None,
            "resources.0.replacement_months": 12,
            "readiness": None,
        }
    )
    evaluation = run(data)
    assert keys(evaluation) == [
        ("CH08", None),
        ("KP03", "CRO"),
        ("KA05", "Cartridge manufacturing"),
        ("KR06", "Chief Scientific Officer"),
        ("KR07", None),
        ("RD02", None),
    ]
    assert evaluation.infos == 6
    assert {f.points for f in evaluation.findings} == {0}
    assert evaluation.score == 100


def test_score_for_kr03_and_a_warning():
    data = variant({"finances.cash_on_hand": 500000, "readiness.requirements_mapped": False})
    evaluation = run(data)
    assert keys(evaluation) == [("KR03", None), ("RD01", "requirements_mapped")]
    assert [f.points for f in evaluation.findings] == [25, 3]
    assert evaluation.score == 72


def test_a_venture_about_to_run_out_of_cash_ranks_below_one_with_ten_months():
    """Issue 13: four months of runway used to cost the same as any other error."""
    no_milestone = {"finances.months_to_milestone": None}
    four = run(variant({**no_milestone, "finances.cash_on_hand": 400000}))
    ten = run(variant({**no_milestone, "finances.cash_on_hand": 1000000, "partners": []}))
    assert [f.rule for f in four.findings] == ["KR03", "KR07"]
    assert [f.rule for f in ten.findings] == ["KP01", "KA06", "KR04", "KR07"]
    assert four.score == 75 < ten.score == 84


# --- the evaluation object -------------------------------------------------------------


def test_findings_for_returns_one_block_in_order():
    evaluation = run(many_findings_data())
    for block in BLOCKS:
        assert [(f.rule, f.subject) for f in evaluation.findings_for(block)] == [
            k for k in MANY_FINDINGS if SPEC_RULES[k[0]][1] == block
        ]
    assert evaluation.findings_for("nonsense") == []


def test_partner_verdicts_list_partners_only_and_lookup_ignores_case():
    evaluation = run(many_findings_data())
    assert evaluation.partners == (
        PartnerVerdict("Office IT", "vendor"),
        PartnerVerdict("Stats CRO", "borderline"),
        PartnerVerdict("Epic", "key_partner"),
        PartnerVerdict("Bookkeeper", "vendor"),
        PartnerVerdict("Pilot sites", "unassessed"),
    )
    assert evaluation.partner_verdict("EPIC") == "key_partner"
    assert evaluation.partner_verdict("stats cro") == "borderline"
    assert evaluation.partner_verdict("Cloud host") is None  # a vendor: no verdict
    assert evaluation.partner_verdict("Nobody") is None


def test_activity_verdicts_list_core_failed_and_unrated_tests():
    evaluation = run(many_findings_data())
    assert evaluation.activities == (
        ActivityVerdict("Sales", False, ("relevance", "imitation", "breadth"), ()),
        ActivityVerdict("ML model development", True, (), ()),
        ActivityVerdict("Hosting", False, ("relevance", "imitation"), ()),
        ActivityVerdict("Cloud ops", False, ("relevance", "imitation", "breadth"), ()),
        ActivityVerdict("Triage UX", False, (), ("imitation",)),
    )
    assert evaluation.activity_verdict("hosting") == evaluation.activities[2]
    assert evaluation.activity_verdict("Nothing") is None
    assert [a.rated for a in evaluation.activities] == [True, True, True, True, False]


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
    assert list(data) == ["ruleset", "score", "runway_months", "partners", "activities", "findings"]
    assert data["ruleset"] == 2
    assert data["score"] == 0
    assert data["runway_months"] is None
    assert data["partners"][0] == {"name": "Office IT", "verdict": "vendor"}
    assert data["partners"][4] == {"name": "Pilot sites", "verdict": "unassessed"}
    assert [p["name"] for p in data["partners"]] == [
        "Office IT",
        "Stats CRO",
        "Epic",
        "Bookkeeper",
        "Pilot sites",
    ]
    assert data["activities"][2] == {
        "name": "Hosting",
        "core": False,
        "failed_tests": ["relevance", "imitation"],
        "unrated_tests": [],
    }
    assert data["activities"][4] == {
        "name": "Triage UX",
        "core": False,
        "failed_tests": [],
        "unrated_tests": ["imitation"],
    }
    assert all(list(p) == ["name", "verdict"] for p in data["partners"])
    assert all(
        list(a) == ["name", "core", "failed_tests", "unrated_tests"] for a in data["activities"]
    )
    assert all(
        list(f) == ["rule", "severity", "points", "block", "subject", "message"]
        for f in data["findings"]
    )
    finding = data["findings"][0]
    assert finding["rule"] == "CH01"
    assert finding["severity"] == "error"
    assert finding["points"] == 10
    assert finding["block"] == "channels"
    assert finding["subject"] == "grow"
    assert isinstance(finding["message"], str)
    points = {f["rule"]: f["points"] for f in data["findings"]}
    assert (points["KR02"], points["KA07"], points["KA04"], points["RD02"]) == (15, 10, 3, 0)


def test_to_dict_matches_the_spec_example_figures():
    data = variant(
        {
            "partners": [partner("BioMed Contract Manufacturing")],
            "finances": {
                "cash_on_hand": 2400000,
                "monthly_burn": 133000,
                "currency": "USD",
                "next_milestone": "510(k) submitted with validation-study data",
                "months_to_milestone": 14,
            },
        }
    )
    out = run(data).to_dict()
    assert out["ruleset"] == 2
    assert out["runway_months"] == 18.0
    assert out["partners"] == [{"name": "BioMed Contract Manufacturing", "verdict": "key_partner"}]
    assert out["activities"][1] == {
        "name": "Cartridge manufacturing",
        "core": False,
        "failed_tests": ["relevance", "imitation", "breadth"],
        "unrated_tests": [],
    }
    # 18.0 months against a milestone in 14 leaves 4 of the 6 months a raise takes
    assert [(f["rule"], f["points"]) for f in out["findings"]] == [("KR04", 3)]
    assert out["score"] == 97


@pytest.mark.parametrize("index", range(len(sample_evaluations())))
def test_from_dict_rebuilds_the_same_evaluation_through_json(index):
    evaluation = sample_evaluations()[index]
    text = json.dumps(evaluation.to_dict(), ensure_ascii=False)
    rebuilt = Evaluation.from_dict(json.loads(text))
    assert rebuilt == evaluation
    assert rebuilt.to_dict() == evaluation.to_dict()


def test_from_dict_recovers_an_unlimited_runway_from_the_missing_kr02():
    unlimited = Evaluation.from_dict(run(variant({"finances.monthly_burn": 0})).to_dict())
    unknown = Evaluation.from_dict(run(variant({"finances": None})).to_dict())
    no_cash = Evaluation.from_dict(
        run(variant({"finances.monthly_burn": 0, "finances.cash_on_hand": 0})).to_dict()
    )
    assert (unlimited.runway_months, unlimited.runway_unlimited) == (None, True)
    assert (unknown.runway_months, unknown.runway_unlimited) == (None, False)
    assert (no_cash.runway_months, no_cash.runway_unlimited) == (None, False)


# A canvas evaluation as rule set 1 stored it: no "ruleset", no "points", no
# "unrated_tests" (the worked example Sepsis Dx, score 94 = 100 - 3 - 3).
RULESET_1_STORED = {
    "score": 94,
    "runway_months": 18.0,
    "partners": [{"name": "BioMed Contract Manufacturing", "verdict": "key_partner"}],
    "activities": [
        {"name": "Biosensor algorithm development", "core": True, "failed_tests": []},
        {
            "name": "General financial management",
            "core": False,
            "failed_tests": ["relevance", "imitation", "breadth"],
        },
    ],
    "findings": [
        {
            "rule": "KA04",
            "severity": "warning",
            "block": "activities",
            "subject": "General financial management",
            "message": "“General financial management” gives no reason for its Breadth rating.",
        },
        {
            "rule": "KA05",
            "severity": "info",
            "block": "activities",
            "subject": "General financial management",
            "message": "“General financial management” is not core.",
        },
        {
            "rule": "RD01",
            "severity": "warning",
            "block": "readiness",
            "subject": "requirements_mapped",
            "message": "You answered no.",
        },
    ],
}


def test_from_dict_reads_an_evaluation_stored_under_rule_set_1():
    stored = json.loads(json.dumps(RULESET_1_STORED))
    evaluation = Evaluation.from_dict(stored)
    assert evaluation.ruleset == 1
    assert evaluation.score == 94
    assert evaluation.runway_months == 18.0
    assert evaluation.runway_unlimited is False
    assert [(f.rule, f.points) for f in evaluation.findings] == [
        ("KA04", 3),
        ("KA05", 0),
        ("RD01", 3),
    ]
    assert evaluation.activities[1] == ActivityVerdict(
        "General financial management", False, ("relevance", "imitation", "breadth"), ()
    )
    assert evaluation.partner_verdict("biomed contract manufacturing") == "key_partner"
    assert stored == RULESET_1_STORED  # reading does not change what was stored


def test_a_rule_set_1_evaluation_is_written_back_with_its_rule_set_number():
    out = Evaluation.from_dict(RULESET_1_STORED).to_dict()
    assert out["ruleset"] == 1
    assert [f["points"] for f in out["findings"]] == [3, 0, 3]
    assert out["activities"][0]["unrated_tests"] == []
    assert Evaluation.from_dict(out) == Evaluation.from_dict(RULESET_1_STORED)


def test_a_rule_set_1_runway_error_costs_what_rule_set_1_charged():
    stored = {
        **RULESET_1_STORED,
        "runway_months": None,
        "findings": [
            {"rule": "KR02", "severity": "error", "block": "resources", "subject": None,
             "message": "Your runway is unknown."},
            {"rule": "KR03", "severity": "error", "block": "resources", "subject": None,
             "message": "Your runway is 4.0 months."},
        ],
    }  # fmt: skip
    evaluation = Evaluation.from_dict(stored)
    assert [f.points for f in evaluation.findings] == [10, 10]
    assert (evaluation.runway_months, evaluation.runway_unlimited) == (None, False)


def test_to_dict_items_of_each_result_type():
    assert Finding("KR02", "error", "resources", None, "m", 15).to_dict() == {
        "rule": "KR02",
        "severity": "error",
        "points": 15,
        "block": "resources",
        "subject": None,
        "message": "m",
    }
    assert PartnerVerdict("A", "unassessed").to_dict() == {"name": "A", "verdict": "unassessed"}
    assert ActivityVerdict("B", False, ("breadth",), ("relevance",)).to_dict() == {
        "name": "B",
        "core": False,
        "failed_tests": ["breadth"],
        "unrated_tests": ["relevance"],
    }


def test_evaluation_accepts_a_document_parsed_from_json_text():
    doc = parse_document(json.dumps(clean_data()))
    assert evaluate(doc).score == 100


# --- the rule table --------------------------------------------------------------------


def test_rule_table_matches_the_spec_table_and_rule_set_2():
    assert {r.id: (r.severity, r.block, r.points) for r in RULES} == SPEC_RULES
    assert RULESET_VERSION == 2
    assert run(clean_data()).ruleset == RULESET_VERSION


def test_rule_table_is_sorted_by_block_then_id():
    order = [(BLOCKS.index(r.block), r.id) for r in RULES]
    assert order == sorted(order)


def test_rules_by_block_groups_every_rule_in_block_order():
    grouped = rules_by_block()
    assert list(grouped) == list(BLOCKS)
    assert [r for rules in grouped.values() for r in rules] == list(RULES)
    assert [r.id for r in grouped["partners"]] == ["KP01", "KP02", "KP03", "KP04", "KP05", "KP06"]
    assert [r.id for r in grouped["resources"]] == [f"KR0{i}" for i in range(1, 8)]


def test_rules_declare_the_solution_type_they_concern():
    assert [r.id for r in rules_for("digital_medicine")] == ["CH04", "CH05", "CH06", "CH10", "CH12"]
    assert [r.id for r in rules_for("healthtech")] == ["CH07"]


def test_rules_declare_what_their_subjects_name():
    kinds = {r.id: r.about for r in RULES}
    assert kinds["CH01"] == "stage"
    assert kinds["RD01"] == "question"
    assert {rule for rule, kind in kinds.items() if kind == "runway"} == {
        "KR02",
        "KR03",
        "KR04",
        "KR07",
    }
    assert kinds["KR01"] == "entry"  # one finding for the block: subject null


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_a_short_title_and_a_one_sentence_summary(rule):
    assert 0 < len(rule.title) <= 40
    assert rule.summary.endswith(".")
    assert rule.summary.count(". ") == 0
    assert callable(rule.check)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.severity = "info"  # type: ignore[misc]


def test_labels_cover_every_verdict_and_severity():
    assert set(VERDICT_LABELS) == {"key_partner", "vendor", "borderline", "unassessed"}
    assert VERDICT_LABELS["key_partner"] == "Key partner"
    assert VERDICT_LABELS["unassessed"] == "Not yet assessed"
    assert set(SEVERITY_LABELS) == {"error", "warning", "info"}


# --- messages --------------------------------------------------------------------------

ENTRY_RULES = {"CH03", "CH06", "CH11", "CH12", "KP02", "KP03", "KP04", "KP06"}
ENTRY_RULES |= {"KA02", "KA03", "KA04", "KA05", "KA06", "KA07", "KA08", "KR05", "KR06"}


def all_sample_findings() -> list[Finding]:
    return [f for evaluation in sample_evaluations() for f in evaluation.findings]


def test_samples_cover_every_rule():
    assert {f.rule for f in all_sample_findings()} == set(SPEC_RULES)


def sentences(message: str) -> int:
    return len(re.findall(r"[.!?](?=\s|$)", message))


def test_every_message_is_what_is_wrong_why_and_what_to_do_in_finished_sentences():
    for finding in all_sample_findings():
        # KR01 explains up to two missing categories, one sentence each
        most = 4 if finding.rule == "KR01" else 3
        assert 1 <= sentences(finding.message) <= most, finding
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
    assert "vendor list" in messages["KP02"]
    assert "months" in messages["KA02"] or "choose" in messages["KA02"]
    assert "must do itself" in messages["KA07"]
    assert "runway" in messages["KR02"].lower()
    assert "milestone" in messages["KR03"]
    assert "milestone" in messages["KR07"]
    assert "before" in messages["RD02"]


def test_each_rule_says_what_its_findings_subjects_name():
    # board links, the PDF's subject column and the version diff read a finding's subject
    # through its rule's ``about``; check it against real subjects of every kind
    from canvas.document import READINESS_QUESTIONS, STAGES
    from canvas.evaluator import about
    from tests.conftest import big_document, load_fixture

    short_runway = load_fixture("sepsis-dx.json")
    short_runway["finances"]["monthly_burn"] = short_runway["finances"]["cash_on_hand"]
    docs = [
        parse_document(short_runway),
        parse_document(load_fixture("sepsis-dx.json")),
        parse_document(load_fixture("sepsis-predict.json")),
        parse_document(many_findings_data()),
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
                "question": READINESS_QUESTIONS,
                "runway": {None},
            }.get(kind, names.get(f.block, set()) | {None})
            assert f.subject in expected, (f.rule, kind, f.subject)
    assert seen == {"entry", "stage", "question", "runway"}
    assert about(Finding("XX99", "info", "channels", "x", "")) == "entry"
    with pytest.raises(ValueError, match="about must be one of"):
        from canvas.evaluator import rule

        rule("XX98", "info", "channels", "t", "s", "m", about="lane")


def test_vendor_names_are_never_finding_subjects():
    evaluation = run(many_findings_data())
    assert "Cloud host" not in {f.subject for f in evaluation.findings}
