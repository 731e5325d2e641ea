"""canvas.cohort: the dashboard's pure computations (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from canvas import cohort as figures
from canvas.evaluator import evaluate
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
            updated_at=WHEN,
            **readiness,
        )
    return venture


def with_finances(doc, cash, burn):
    finances = doc.finances.model_copy(update={"cash_on_hand": cash, "monthly_burn": burn})
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


def test_block_status_is_the_worst_severity_in_the_block():
    doc = big_document(2).model_copy(update={"partners": []})  # KP01 error
    r = row("v", doc)
    partners = r.blocks[1]
    assert partners.status == figures.ERRORS and partners.text == "1 error"
    assert partners.mark == "✕ 1" and partners.heat == figures.POOR


@pytest.mark.parametrize(
    ("cash", "burn", "text", "unlimited", "heat"),
    [
        (100, 0, "Unlimited", True, figures.GOOD),
        (None, 10, "Unknown", False, figures.POOR),
        (50, 10, "5.0", False, figures.POOR),
        (90, 10, "9.0", False, figures.FAIR),
        (120, 10, "12.0", False, figures.GOOD),
    ],
)
def test_runway_text_and_heat(cash, burn, text, unlimited, heat):
    r = row("v", with_finances(big_document(2), cash, burn))
    assert (r.runway_text, r.runway_unlimited, r.runway_heat) == (text, unlimited, heat)


def test_readiness_counts_only_yes_answers():
    r = row("v", None, assessment_before_signature=True, requirements_mapped=False,
            customer_success_owns_adoption=None, operational_case_studies=True,
            frontline_staff_engaged=True)  # fmt: skip
    assert r.readiness_yes == 3 and r.readiness_heat == figures.FAIR


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
