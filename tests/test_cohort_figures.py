"""canvas.cohort: the dashboard's pure computations (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from canvas import cohort as figures
from canvas.document import READINESS_QUESTIONS
from canvas.evaluator import evaluate, runway_level, runway_summary
from tests.conftest import big_document

WHEN = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def fake(slug: str, doc=None, *, name: str | None = None, canvas: bool = True, **answers):
    """A (venture, canvas) stand-in carrying a cached evaluation, as the ORM would."""
    doc = doc or big_document(3)
    ev = evaluate(doc)
    venture = SimpleNamespace(
        slug=slug,
        name=name or slug.title(),
        solution_type=doc.venture.solution_type,
        market_stage=doc.venture.market_stage,
    )
    if canvas:
        readiness = dict(doc.readiness.answers()) | answers
        venture.canvas = SimpleNamespace(
            pk=hash(slug),
            evaluation=ev.to_dict(),
            score=ev.score,
            error_count=ev.errors,
            warning_count=ev.warnings,
            info_count=ev.infos,
            runway_months=ev.runway_months,
            months_to_milestone=doc.finances.months_to_milestone,
            next_milestone=doc.finances.next_milestone,
            updated_at=WHEN,
            **readiness,
        )
    return venture


def with_finances(doc, cash, burn, milestone=None):
    finances = doc.finances.model_copy(
        update={"cash_on_hand": cash, "monthly_burn": burn, "months_to_milestone": milestone}
    )
    return doc.model_copy(update={"finances": finances})


def row(slug="v", doc=None, **kw) -> figures.Row:
    return figures.rows([fake(slug, doc, **kw)])[0]


def test_a_row_takes_its_figures_from_the_cached_evaluation():
    doc = big_document(4)
    ev = evaluate(doc)
    r = row("v", doc)
    assert (r.score, r.errors, r.warnings, r.infos) == (ev.score, ev.errors, ev.warnings, ev.infos)
    assert r.core_activities == sum(a.core for a in ev.activities)
    assert r.activities == len(doc.activities) and r.partners == len(doc.partners)
    assert r.rules == tuple(dict.fromkeys(f.rule for f in ev.findings))


def test_a_venture_without_a_canvas_shows_as_not_evaluated():
    r = row("empty", canvas=False)
    assert not r.evaluated
    assert [b.status for b in r.blocks] == [figures.NOT_EVALUATED] * 5
    assert r.score_heat == figures.NEUTRAL and r.updated_at is None


def test_a_block_with_info_findings_alone_is_never_called_complete():
    doc = big_document(2)
    unanswered = doc.model_copy(
        update={"readiness": doc.readiness.model_copy(update=dict.fromkeys(READINESS_QUESTIONS))}
    )
    readiness = row("v", unanswered).blocks[-1]
    assert readiness.status == figures.INFOS  # RD02 alone: questions not answered
    assert (readiness.label, readiness.text, readiness.mark) == ("Info only", "1 info", "i 1")
    assert readiness.heat == figures.NEUTRAL and "Complete" not in readiness.summary


def test_block_status_is_the_worst_severity_in_the_block():
    doc = big_document(2).model_copy(update={"partners": []})  # KP01 error
    r = row("v", doc)
    partners = r.blocks[1]
    assert partners.status == figures.ERRORS and partners.text == "1 error"
    assert partners.mark == "✕ 1" and partners.heat == figures.POOR


@pytest.mark.parametrize(
    ("cash", "burn", "milestone", "text", "unlimited", "heat"),
    [
        (100, 0, None, "Unlimited", True, figures.GOOD),
        (None, 10, None, "Unknown", False, figures.POOR),  # KR02
        (50, 10, None, "5.0", False, figures.POOR),  # KR03: under six months
        (90, 10, None, "9.0", False, figures.FAIR),  # KR04: six to twelve
        (120, 10, None, "12.0", False, figures.GOOD),
        (100, 10, 14, "10.0", False, figures.POOR),  # KR03: cash runs out before the milestone
        (150, 10, 14, "15.0", False, figures.FAIR),  # KR04: one month left to raise
        (240, 10, 14, "24.0", False, figures.GOOD),
    ],
)
def test_runway_text_and_heat_follow_the_runway_rules(cash, burn, milestone, text, unlimited, heat):
    doc = with_finances(big_document(2), cash, burn, milestone)
    r = row("v", doc)
    assert (r.runway_text, r.runway_unlimited, r.runway_heat) == (text, unlimited, heat)
    ev = evaluate(doc)
    assert r.runway_line == runway_summary(doc.finances, ev)
    assert r.runway_heat == runway_level(f.rule for f in ev.findings)


def test_runway_against_the_milestone_reads_as_the_evaluator_says():
    r = row("v", with_finances(big_document(2), 180, 10, 14))
    assert r.runway_line == "18.0 months of runway · milestone in 14 months · 4 months to raise"
    assert r.runway_against == "milestone in 14 mo · 4 mo to raise"
    short = row("v", with_finances(big_document(2), 100, 10, 14))
    assert short.runway_against == "milestone in 14 mo · cash runs out 4 mo before it"
    assert row("v", with_finances(big_document(2), 100, 10)).runway_against == "no milestone set"


def test_readiness_is_summarised_as_what_it_is():
    r = row("v", None, assessment_before_signature=True, requirements_mapped=False,
            customer_success_owns_adoption=None, operational_case_studies=True,
            frontline_staff_engaged=None)  # fmt: skip
    assert (r.readiness_answered, r.readiness_yes, r.readiness_questions) == (3, 2, 5)
    assert r.readiness_text == "3 of 5 answered · 2 yes"
    assert r.readiness_heat == figures.POOR  # under half of the questions answered yes
    nothing = row("v", None, **dict.fromkeys(READINESS_QUESTIONS))
    assert nothing.readiness_text == "0 of 5 answered · 0 yes"
    assert nothing.readiness_heat == figures.POOR


@pytest.mark.parametrize(
    ("answers", "text", "heat"),
    [
        ((True, True, True), "3 of 3 answered · 3 yes", figures.GOOD),
        ((True, True, None), "2 of 3 answered · 2 yes", figures.FAIR),
        ((True, False, None), "2 of 3 answered · 1 yes", figures.POOR),
        ((True,) * 7, "7 of 7 answered · 7 yes", figures.GOOD),
    ],
)
def test_readiness_text_and_heat_follow_the_number_of_questions_asked(answers, text, heat):
    r = replace(row("v"), readiness_answers=answers)
    assert (r.readiness_text, r.readiness_heat) == (text, heat)
    assert r.readiness_questions == len(answers)


def test_table_state_reads_and_writes_the_query_string():
    state = figures.TableState.from_query(
        {"solution_type": "healthtech", "market_stage": "x", "sort": "score", "dir": "desc"}
    )
    assert state == figures.TableState("healthtech", "", "score", "desc")
    assert state.query() == "?solution_type=healthtech&sort=score&dir=desc"
    assert figures.TableState().query() == ""
    assert figures.TableState.from_query({"sort": "score"}).dir == "asc"
    assert figures.TableState.from_query({"sort": "errors"}).dir == "desc"


def test_headers_toggle_the_sorted_column_and_mark_it_for_screen_readers():
    headers = {h.column.key: h for h in figures.TableState(sort="score", dir="asc").headers()}
    assert headers["score"].aria_sort == "ascending" and headers["score"].next_dir == "desc"
    assert headers["name"].aria_sort == "" and headers["name"].next_dir == "asc"
    assert headers["errors"].href == "?sort=errors&dir=desc"


def test_common_gaps_break_ties_by_severity_then_rule_order():
    doc = big_document(2)
    table = figures.rows([fake("a", doc), fake("b", doc.model_copy(update={"partners": []}))])
    gaps = figures.common_gaps(table)
    counts = [g.count for g in gaps]
    assert counts == sorted(counts, reverse=True)
    once = [g for g in gaps if g.count == 1]
    ranks = [("error", "warning", "info").index(g.severity) for g in once]
    assert ranks == sorted(ranks)
    kp01 = next(g for g in gaps if g.rule == "KP01")
    assert [r.slug for r in kp01.ventures] == ["b"] and kp01.percent == 50
    assert kp01.links[0][1] == "/ventures/b/canvas/?finding=KP01#findings"


def test_score_histogram_bins_by_ten_with_100_in_the_top_band():
    table = [replace(row(slug), score=score) for slug, score in (("a", 0), ("b", 89), ("c", 100))]
    chart = figures.score_histogram(table)
    counts = {b.label: b.value for b in chart.bars}
    assert len(chart.bars) == 10
    assert counts["0–9"] == 1 and counts["80–89"] == 1 and counts["90–100"] == 1
    assert sum(counts.values()) == 3
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.y == chart.plot_top and tallest.y + tallest.height == chart.plot_bottom
    assert [t.label for t in chart.edges] == [str(n) for n in range(0, 101, 10)]


def test_runway_scatter_places_unknown_and_unlimited_runways_in_their_strips():
    doc = big_document(2)
    table = figures.rows(
        [
            fake("unknown", with_finances(doc, None, 10)),
            fake("unlimited", with_finances(doc, 10, 0)),
            fake("long", with_finances(doc, 1000, 10)),  # 100 months: past the axis end
            fake("half", with_finances(doc, 120, 10)),
        ]
    )
    chart = figures.runway_scatter(table)
    x = {d.row.slug: d.x for d in chart.dots}
    assert x["unknown"] == chart.unknown_x < chart.plot_left
    assert x["unlimited"] == chart.unlimited_x > chart.plot_right
    assert x["long"] == chart.plot_right and chart.x_max == 48
    assert chart.plot_left < x["half"] < chart.plot_right
    assert "Unknown" in chart.description  # named as short of runway


def test_core_activity_bars_put_the_most_core_activities_first():
    doc = big_document(5)
    none = doc.model_copy(update={"activities": []})
    chart = figures.core_activity_bars(figures.rows([fake("none", none), fake("some", doc)]))
    assert [b.name for b in chart.bars] == ["Some", "None"]
    assert chart.bars[1].value == 0 and chart.bars[1].level == figures.POOR
    assert "None" in chart.description
