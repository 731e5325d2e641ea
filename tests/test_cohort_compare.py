"""/cohorts/<slug>/compare/?v=...: 2-4 ventures side by side, block by block."""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from canvas.evaluator import BLOCK_LABELS, VERDICT_LABELS, evaluate
from canvas.models import Canvas
from tests.conftest import client_for
from tests.test_cohort_dashboard import load_demo

COMPARE = "/cohorts/demo-cohort/compare/"


@pytest.fixture
def demo_client(db, settings):
    return client_for(load_demo(settings))


def test_two_ventures_are_compared_block_by_block_with_verdicts(demo_client):
    page = demo_client.get(COMPARE + "?v=sepsis-dx&v=recoverwell").content.decode()
    for label in BLOCK_LABELS.values():
        assert f'<th scope="row" class="compare-block">{label}</th>' in page
    assert page.count('<td class="compare-cell">') == 2 * len(BLOCK_LABELS)
    for slug in ("sepsis-dx", "recoverwell"):
        canvas = Canvas.objects.get(venture__slug=slug)
        ev = evaluate(canvas.to_document())
        assert f'href="/ventures/{slug}/canvas/"' in page
        for partner in ev.partners:
            label = VERDICT_LABELS[partner.verdict]
            name = re.escape(escape(partner.name))
            pattern = rf"{name}</span>.*?<span class=\"badge [\w-]+\">{label}"
            assert re.search(pattern, page, re.S), partner.name
        for activity in ev.activities:
            assert escape(activity.name) in page
    # the verdicts counted: RecoverWell has three vendors on its canvas
    assert page.count(">Vendor</span>") == sum(
        1
        for slug in ("sepsis-dx", "recoverwell")
        for p in evaluate(Canvas.objects.get(venture__slug=slug).to_document()).partners
        if p.verdict == "vendor"
    )


def test_activities_show_core_or_the_tests_they_fail(demo_client):
    page = demo_client.get(COMPARE + "?v=sepsis-dx&v=glucosight").content.decode()
    assert ">Core</span>" in page
    assert "Not core: fails" in page


def test_findings_in_a_comparison_link_to_the_canvas_at_that_finding(demo_client):
    page = demo_client.get(COMPARE + "?v=recoverwell&v=woundlens").content.decode()
    assert 'href="/ventures/recoverwell/canvas/?finding=KP01#findings"' in page


def test_one_venture_is_not_enough(demo_client):
    response = demo_client.get(COMPARE + "?v=sepsis-dx")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose at least two ventures to compare." in page
    assert '<td class="compare-cell">' not in page
    assert 'value="sepsis-dx" checked' in page


def test_five_ventures_are_too_many(demo_client):
    query = "&".join(
        f"v={s}" for s in ("sepsis-dx", "sepsis-predict", "glucosight", "woundlens", "sonopoint")
    )
    page = demo_client.get(COMPARE + "?" + query).content.decode()
    assert "Choose at most 4 ventures to compare." in page


def test_without_a_choice_the_page_offers_the_cohorts_ventures(demo_client):
    page = demo_client.get(COMPARE).content.decode()
    assert page.count('name="v"') == 7
    assert "Choose at least two" in page


def test_a_venture_of_another_cohort_is_not_shown(carol_client, venture, other_venture):
    page = carol_client.get("/cohorts/northstar/compare/?v=sepsis-dx&v=other-co").content.decode()
    assert "not in this cohort" in page
    assert "Other Co" not in page


def test_the_dashboard_table_is_the_comparison_picker(demo_client):
    page = demo_client.get("/cohorts/demo-cohort/").content.decode()
    assert '<form id="compare" method="get" action="/cohorts/demo-cohort/compare/">' in page
    assert page.count('name="v"') == 7 and page.count('form="compare"') == 8


@pytest.mark.parametrize("slugs", [("sepsis-dx", "woundlens"), ("sepsis-dx", "woundlens",
                                   "glucosight", "recoverwell")])  # fmt: skip
def test_comparison_query_count_does_not_grow_with_the_ventures(
    demo_client, django_assert_num_queries, slugs
):
    url = COMPARE + "?" + "&".join(f"v={s}" for s in slugs)
    # session, user, cohort, the cohort's ventures, then one query per block kind
    with django_assert_num_queries(8):
        assert demo_client.get(url).status_code == 200
