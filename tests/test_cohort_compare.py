"""/cohorts/<slug>/compare/?v=...: 2-4 ventures side by side, block by block."""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from canvas.evaluator import (
    BLOCK_LABELS,
    VERDICT_LABELS,
    evaluate,
    readiness_summary,
    runway_summary,
)
from canvas.models import Canvas, create_venture
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


def test_vendors_runway_against_milestone_and_readiness_read_as_the_evaluator_says(demo_client):
    page = demo_client.get(COMPARE + "?v=sepsis-dx&v=recoverwell").content.decode()
    for slug in ("sepsis-dx", "recoverwell"):
        doc = Canvas.objects.get(venture__slug=slug).to_document()
        ev = evaluate(doc)
        if doc.vendors:
            names = ", ".join(escape(v.name) for v in doc.vendors)
            assert f"Vendors ({len(doc.vendors)}): {names}" in page
        else:
            assert "No vendors listed." in page
        assert escape(runway_summary(doc.finances, ev)) in page
        assert readiness_summary(doc.readiness) in page
    assert "months of runway · milestone in 14 months · 4 months to raise" in page


def test_an_activity_shows_its_verdict_and_the_claim_only_where_it_differs(demo_client):
    page = demo_client.get(COMPARE + "?v=sepsis-dx&v=glucosight").content.decode()
    assert "not declared core" not in page and "declared core</span>" not in page
    for slug in ("sepsis-dx", "glucosight"):
        doc = Canvas.objects.get(venture__slug=slug).to_document()
        ev = evaluate(doc)
        for activity, verdict in zip(doc.activities, ev.activities, strict=True):
            name = re.escape(escape(activity.name))
            item = re.search(rf"{name}</span>(.*?)</li>", page, re.S).group(1)
            if verdict.core:
                assert ">Core</span>" in item
                assert ("Not yet declared core" in item) == (not activity.declared_core)
            else:
                assert ("Declared core by the team" in item) == activity.declared_core
                expected = "Not yet rated" if verdict.unrated_tests else "Not core: fails"
                assert expected in item


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
    # session, user, cohort, the cohort's ventures, then one query per kind of entry
    # (channels, partners, vendors, activities, resources)
    with django_assert_num_queries(9):
        assert demo_client.get(url).status_code == 200


def test_an_unrated_activity_reads_not_yet_rated_never_a_verdict(carol_client, venture, sepsis_doc):
    first = sepsis_doc.activities[0]
    unrated = first.model_copy(
        update={
            "name": "Unrated work",
            "relevance": first.relevance.model_copy(update={"rating": None}),
        }
    )
    doc = sepsis_doc.model_copy(
        update={
            "venture": sepsis_doc.venture.model_copy(update={"name": "Unrated Co"}),
            "activities": [unrated],
        }
    )
    create_venture("unrated-co", doc, cohort=venture.cohort)
    page = carol_client.get("/cohorts/northstar/compare/?v=sepsis-dx&v=unrated-co").content
    item = re.search(r"Unrated work</span>(.*?)</li>", page.decode(), re.S).group(1)
    assert "Not yet rated" in item and "Core<" not in item and "Not core" not in item
