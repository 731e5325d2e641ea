"""canvas.diff: what changed between two documents and between two evaluations (no database)."""

import copy
from pathlib import Path

import pytest

from canvas.diff import (
    diff_documents,
    diff_evaluations,
    diff_findings,
    match_entries,
    subject_label,
)
from canvas.document import label, parse_document
from canvas.evaluator import Evaluation, Finding, evaluate
from tests.conftest import load_fixture


@pytest.fixture
def base() -> dict:
    return load_fixture("sepsis-dx.json")


def changed(base: dict, edit) -> tuple:
    """(before, after) documents where ``edit`` mutated a copy of ``base``."""
    data = copy.deepcopy(base)
    edit(data)
    return parse_document(base), parse_document(data)


def test_identical_documents_have_no_changes(base):
    diff = diff_documents(parse_document(base), parse_document(base))
    assert not diff.has_changes
    assert all(b.unchanged == len(base[b.block]) for b in diff.blocks)


def test_an_added_entry_is_reported_with_its_position_and_details(base):
    def edit(d):
        d["partners"].insert(1, dict(d["partners"][0], name="New Lab"))

    diff = diff_documents(*changed(base, edit))
    partners = diff.block("partners")
    assert [(e.name, e.number) for e in partners.added] == [("New Lab", 2)]
    assert ("Partner type", "Clinical research partner") in partners.added[0].details
    assert not partners.removed and not partners.changed and not partners.moved
    assert diff.added == 1 and diff.changed == diff.removed == diff.moved == 0


def test_a_removed_entry_is_reported_and_the_rest_do_not_count_as_moved(base):
    removed_name = base["activities"][0]["name"]
    diff = diff_documents(*changed(base, lambda d: d["activities"].pop(0)))
    activities = diff.block("activities")
    assert [e.name for e in activities.removed] == [removed_name]
    assert activities.removed[0].number == 1
    assert not activities.moved and not activities.changed
    assert activities.unchanged == len(base["activities"]) - 1


def test_a_changed_entry_lists_each_field_with_readable_before_and_after(base):
    def edit(d):
        d["partners"][0]["recovery_time"] = "weeks"
        d["partners"][0]["strategic_value"] = ""

    diff = diff_documents(*changed(base, edit))
    (change,) = diff.block("partners").changed
    assert change.name == base["partners"][0]["name"]
    assert change.matched_by == "name" and not change.moved and not change.renamed
    fields = {f.field: f for f in change.fields}
    assert set(fields) == {"recovery_time", "strategic_value"}
    assert (fields["recovery_time"].before, fields["recovery_time"].after) == ("months", "weeks")
    assert fields["recovery_time"].before_text == "Months"
    assert fields["recovery_time"].after_text == "Weeks (under a month)"
    assert fields["strategic_value"].after_text == "(empty)"


def test_a_nested_rating_change_is_named_by_its_dotted_field(base):
    def edit(d):
        d["activities"][3]["imitation"]["rating"] = "high"

    (change,) = diff_documents(*changed(base, edit)).block("activities").changed
    (field,) = change.fields
    assert field.field == "imitation.rating"
    assert field.label == "Difficulty of imitation rating"
    assert (field.before_text, field.after_text) == ("Low", "High")


def test_tag_changes_list_the_tags_added_and_removed(base):
    def edit(d):
        d["channels"][0]["tags"] = ["pilot", "ehr_integration"]

    (change,) = diff_documents(*changed(base, edit)).block("channels").changed
    (field,) = change.fields
    assert field.field == "tags"
    assert field.added == ("EHR integration",)
    assert field.removed == ("Clinical partnership",)
    assert field.after_text == "Pilot, EHR integration"


def test_swapping_two_entries_is_a_move_not_a_change(base):
    def edit(d):
        d["channels"][0], d["channels"][1] = d["channels"][1], d["channels"][0]

    channels = diff_documents(*changed(base, edit)).block("channels")
    assert channels.reordered
    assert not channels.changed and not channels.added and not channels.removed
    assert len(channels.moved) == 1
    moved = channels.moved[0]
    assert {moved.before_number, moved.after_number} == {1, 2}
    assert channels.unchanged == len(base["channels"])


def test_moving_one_entry_to_the_top_reports_only_that_entry(base):
    def edit(d):
        d["channels"].insert(0, d["channels"].pop(4))

    channels = diff_documents(*changed(base, edit)).block("channels")
    assert [(c.name, c.before_number, c.after_number) for c in channels.moved] == [
        (base["channels"][4]["channel"], 5, 1)
    ]


def test_an_entry_that_moved_and_changed_is_in_both_lists(base):
    def edit(d):
        entry = d["resources"].pop(0)
        entry["risk_if_lost"] = "Everything"
        d["resources"].append(entry)

    resources = diff_documents(*changed(base, edit)).block("resources")
    assert [c.name for c in resources.changed] == [base["resources"][0]["name"]]
    assert [c.name for c in resources.moved] == [base["resources"][0]["name"]]
    assert resources.changed[0].moved


def test_an_entry_renamed_in_place_is_matched_by_position(base):
    def edit(d):
        d["partners"][2]["name"] = "Renamed partner"

    partners = diff_documents(*changed(base, edit)).block("partners")
    (change,) = partners.changed
    assert change.matched_by == "position" and change.renamed
    assert change.before_name == base["partners"][2]["name"]
    assert [(f.field, f.after) for f in change.fields] == [("name", "Renamed partner")]
    assert not partners.added and not partners.removed


def test_names_match_ignoring_case(base):
    def edit(d):
        d["partners"].reverse()
        d["partners"][0]["name"] = d["partners"][0]["name"].upper()

    partners = diff_documents(*changed(base, edit)).block("partners")
    (change,) = partners.changed
    assert change.matched_by == "name"
    assert [f.field for f in change.fields] == ["name"]
    assert not partners.added and not partners.removed


def test_an_entry_renamed_and_moved_is_removed_and_added(base):
    def edit(d):
        entry = d["partners"].pop(0)
        d["partners"].append(dict(entry, name="Somewhere else"))

    partners = diff_documents(*changed(base, edit)).block("partners")
    assert [e.name for e in partners.removed] == [base["partners"][0]["name"]]
    assert [e.name for e in partners.added] == ["Somewhere else"]
    assert not partners.changed


def test_channels_are_matched_by_their_channel_text_and_a_stage_switch_is_a_change(base):
    def edit(d):
        d["channels"][3]["stage"] = "grow"

    (change,) = diff_documents(*changed(base, edit)).block("channels").changed
    assert change.name == base["channels"][3]["channel"]
    assert [(f.field, f.before_text, f.after_text) for f in change.fields] == [
        ("stage", "Keep", "Grow")
    ]


def test_duplicate_names_pair_in_order():
    before = [{"name": "QA", "x": 1}, {"name": "QA", "x": 2}]
    after = [{"name": "qa", "x": 1}, {"name": "QA", "x": 3}]
    pairs, removed, added = match_entries([e["name"] for e in before], [e["name"] for e in after])
    assert pairs == [(0, 0, "name"), (1, 1, "name")] and removed == added == []


def test_position_fallback_pairs_only_the_same_index():
    pairs, removed, added = match_entries(["A", "B", "C"], ["X", "A", "C"])
    assert pairs == [(0, 1, "name"), (2, 2, "name")]
    assert removed == [1] and added == [0]


def test_the_solution_type_switch_is_reported_and_changes_the_channel_rules(base):
    def edit(d):
        d["venture"]["solution_type"] = "digital_medicine"

    before, after = changed(base, edit)
    diff = diff_documents(before, after)
    switch = diff.solution_type_switch
    assert switch is not None
    assert (switch.before_text, switch.after_text) == ("HealthTech", "Digital Medicine")
    assert [c.field for c in diff.venture] == ["solution_type"]
    assert not any(b.has_changes for b in diff.blocks)
    ediff = diff_evaluations(evaluate(before), evaluate(after))
    assert {f.rule for f in ediff.new} >= {"CH04", "CH05"}
    assert "CH07" not in {f.rule for f in ediff.new}


def test_the_venture_header_finances_and_readiness_changes_are_readable(base):
    def edit(d):
        d["venture"]["market_stage"] = "target"
        d["finances"]["monthly_burn"] = 150000
        d["readiness"]["requirements_mapped"] = None

    diff = diff_documents(*changed(base, edit))
    assert [(c.label, c.before_text, c.after_text) for c in diff.venture] == [
        ("Market stage", "Beachhead market", "Target market")
    ]
    (burn,) = diff.finances
    assert (burn.label, burn.before_text, burn.after_text) == ("Monthly burn", "133,333", "150,000")
    (answer,) = diff.readiness
    assert answer.field == "requirements_mapped"
    assert answer.after_text == "Not answered"
    assert answer.label.startswith("The operational requirements")


def test_whole_number_money_equals_its_float(base):
    data = copy.deepcopy(base)
    data["finances"]["cash_on_hand"] = float(base["finances"]["cash_on_hand"])
    diff = diff_documents(parse_document(base), parse_document(data))
    assert not diff.finances


# --- evaluations ------------------------------------------------------------------------


def F(rule: str, subject: str | None, severity: str = "warning") -> Finding:  # noqa: N802
    return Finding(rule, severity, "partners", subject, f"{rule} about {subject}")


def test_findings_are_resolved_new_or_still_open_by_rule_and_subject():
    before = [F("KP02", "Acme"), F("KP03", "Beta", "info"), F("KP01", None, "error")]
    after = [F("KP02", "acme"), F("KP03", "Gamma", "info"), F("KP02", "Beta")]
    resolved, new, still_open = diff_findings(before, after)
    assert [(f.rule, f.subject) for f in resolved] == [("KP03", "Beta"), ("KP01", None)]
    assert [(f.rule, f.subject) for f in new] == [("KP03", "Gamma"), ("KP02", "Beta")]
    assert [(f.rule, f.subject) for f in still_open] == [("KP02", "acme")]


def test_a_finding_that_occurs_twice_pairs_occurrence_by_occurrence():
    before = [F("KA04", "QA"), F("KA04", "QA")]
    resolved, new, still_open = diff_findings(before, [F("KA04", "QA")])
    assert len(resolved) == 1 and not new and len(still_open) == 1


def test_the_evaluation_delta_gives_score_before_after_and_delta(base):
    def edit(d):
        d["partners"][0]["recovery_time"] = "weeks"  # key partner -> borderline
        d["resources"] = [r for r in d["resources"] if r["category"] != "regulatory"]

    before, after = changed(base, edit)
    old, new = evaluate(before), evaluate(after)
    ediff = diff_evaluations(old, new)
    assert (ediff.score_before, ediff.score_after) == (old.score, new.score)
    assert ediff.delta == new.score - old.score < 0
    assert ediff.delta_text == f"{ediff.delta:+d}"
    assert ("KR01", None) in {(f.rule, f.subject) for f in ediff.new}  # names regulatory
    assert "regulatory" in next(f.message for f in ediff.new if f.rule == "KR01")
    assert ("KP03", base["partners"][0]["name"]) in {(f.rule, f.subject) for f in ediff.new}
    assert len(ediff.still_open) + len(ediff.resolved) == len(old.findings)
    assert [(v.kind, v.before, v.after) for v in ediff.verdicts] == [
        ("partner", "Key partner", "Borderline")
    ]


def test_an_unchanged_evaluation_has_no_delta(base):
    evaluation = evaluate(parse_document(base))
    ediff = diff_evaluations(evaluation, Evaluation.from_dict(evaluation.to_dict()))
    assert not ediff.has_changes
    assert ediff.delta_text == "±0"
    assert len(ediff.still_open) == len(evaluation.findings)


def test_fixing_an_activity_shows_it_becoming_core(base):
    def edit(d):
        for test in ("relevance", "imitation", "breadth"):
            d["activities"][3][test]["rating"] = "high"

    before, after = changed(base, edit)
    ediff = diff_evaluations(evaluate(before), evaluate(after))
    assert ("activity", base["activities"][3]["name"], "Not core", "Core") in {
        (v.kind, v.name, v.before, v.after) for v in ediff.verdicts
    }


def test_the_diff_module_imports_nothing_from_django():
    import ast

    import canvas.diff

    tree = ast.parse(Path(canvas.diff.__file__).read_text(encoding="utf-8"))
    modules = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert modules and not [m for m in modules if m.split(".")[0] == "django"]


@pytest.mark.parametrize(
    ("rule", "subject", "shown"),
    [
        ("CH01", "keep", "Keep stage"),
        ("KR01", None, ""),
        ("RD01", "requirements_mapped", ""),
        ("KP01", None, ""),
        ("KP02", "Acme Logistics", "Acme Logistics"),
    ],
)
def test_finding_subjects_read_as_labels(rule, subject, shown):
    assert subject_label(F(rule, subject)) == shown


def test_pair_by_key_pairs_repeated_keys_occurrence_by_occurrence():
    from canvas.diff import pair_by_key

    pairs, before_left, after_left = pair_by_key(["a", "b", "a", "c"], ["a", "a", "a", "d", "b"])
    assert pairs == [(0, 0), (2, 1), (1, 4)]  # in after's order
    assert before_left == [3] and after_left == [2, 3]


@pytest.mark.parametrize(
    ("rule", "subject", "shown"),
    [
        ("CH01", "keep", "Keep"),
        ("KR01", None, ""),
        ("RD01", "requirements_mapped", label("question", "requirements_mapped")),
        ("KP01", None, ""),
        ("KP02", "Acme Logistics", "Acme Logistics"),
    ],
)
def test_short_subject_labels_as_the_cohort_comparison_shows_them(rule, subject, shown):
    from canvas.evaluator import subject_label as evaluator_subject_label

    assert evaluator_subject_label(F(rule, subject), short=True) == shown
