"""The dashboard's filters apply to every figure on it: the cards, the table, the charts,
the common gaps and the CSV link; the page says which filters are on."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

from canvas import cohort as figures
from canvas.models import Venture
from tests.conftest import client_for
from tests.test_cohort_dashboard import DEMO, load_demo, table_of

NOTHING = DEMO + "?solution_type=digital_medicine&market_stage=expansion"  # no demo venture
HEALTHTECH = {"rhythmwear", "sepsis-dx", "sonopoint"}


@pytest.fixture
def demo_client(db, settings):
    return client_for(load_demo(settings))


def cards(page: str) -> dict[str, str]:
    """The summary cards: their label and their visible value."""
    found = re.findall(r'<div class="stat[^"]*"><dt>(.*?)</dt><dd>(.*?)</dd></div>', page, re.S)
    return {label: " ".join(re.sub(r"<[^>]+>", " ", value).split()) for label, value in found}


def csv_link(page: str) -> str:
    return html.unescape(re.search(r'<a class="button csv-link" href="([^"]+)"', page).group(1))


def demo_rows(slugs=None) -> list[figures.Row]:
    ventures = Venture.objects.filter(cohort__slug="demo-cohort").select_related("canvas")
    return [r for r in figures.rows(ventures) if slugs is None or r.slug in slugs]


def test_filtering_to_no_venture_shows_0_on_every_card(demo_client):
    page = demo_client.get(NOTHING).content.decode()
    values = cards(page)
    assert values.pop("Ventures") == "0 of 7"
    assert values.pop("Median score") == "—"  # no score to take the median of
    assert values and set(values.values()) == {"0"}, values


def test_filtering_to_no_venture_shows_empty_charts_and_gaps_not_the_cohorts(demo_client):
    page = demo_client.get(NOTHING).content.decode()
    assert "No venture matches these filters, so there is nothing to chart." in page
    assert "<svg" not in page.split('id="charts-heading"')[1].split('id="gaps-heading"')[0]
    assert "No venture matches these filters, so there are no gaps to show." in page
    assert '<li class="gap">' not in page


def test_cards_charts_and_gaps_cover_only_the_filtered_ventures(demo_client):
    page = demo_client.get(DEMO + "?solution_type=healthtech").content.decode()
    shown = demo_rows(HEALTHTECH)
    summary = figures.summary(shown)
    values = cards(page)
    assert values["Ventures"] == "3 of 7"
    assert values["With errors"] == str(summary.with_errors)
    assert values["No core activity"] == str(summary.no_core)
    assert page.count('<circle class="dot') == 3
    assert f'<desc id="hist-desc">{figures.score_histogram(shown).description}' in page
    gaps = figures.common_gaps(shown)
    assert re.findall(r"<code>(\w+)</code>", page.split('id="gaps-heading"')[1]) == [
        g.rule for g in gaps
    ]
    assert f"{gaps[0].count} of 3 " in page
    outside = {r.name for r in demo_rows()} - {r.name for r in shown}
    gaps_html = page.split('id="gaps-heading"')[1]
    assert not any(f">{html.escape(name)}</a>" in gaps_html for name in outside)


def test_the_page_says_which_filters_are_on(demo_client):
    page = demo_client.get(DEMO + "?solution_type=healthtech&market_stage=expansion").content
    text = " ".join(re.sub(r"<[^>]+>", " ", page.decode()).split())
    assert "Filters on: Solution type: HealthTech Market stage: Expansion" in text
    assert "covers the 1 of 7 ventures that match" in text
    assert 'href="/cohorts/demo-cohort/">Clear filters</a>' in page.decode()
    unfiltered = " ".join(re.sub(r"<[^>]+>", " ", demo_client.get(DEMO).content.decode()).split())
    assert "No filters on: every figure on this page covers all 7 ventures" in unfiltered


def test_the_csv_link_exports_exactly_the_filtered_ventures(demo_client):
    page = demo_client.get(DEMO + "?solution_type=healthtech&sort=score&dir=desc").content
    link = csv_link(page.decode())
    assert link == "/cohorts/demo-cohort/canvases.csv?solution_type=healthtech&sort=score&dir=desc"
    rows = list(csv.DictReader(io.StringIO(demo_client.get(link).content.decode())))
    assert {r["slug"] for r in rows} == HEALTHTECH
    assert [r["slug"] for r in rows] == table_of(page.decode()).order  # and in the same order


def test_the_csv_link_of_an_empty_filter_exports_the_header_alone(demo_client):
    link = csv_link(demo_client.get(NOTHING).content.decode())
    lines = demo_client.get(link).content.decode().splitlines()
    assert lines == [",".join(figures.CSV_HEADER)]


def test_the_unfiltered_csv_link_is_the_plain_address(demo_client):
    assert csv_link(demo_client.get(DEMO).content.decode()) == "/cohorts/demo-cohort/canvases.csv"
    response = demo_client.get("/cohorts/demo-cohort/canvases.csv")
    assert len(response.content.decode().splitlines()) == 1 + 7


def test_the_filter_fragment_holds_every_figure_and_not_the_filter_form(demo_client):
    response = demo_client.get(NOTHING, headers={"HX-Request": "true", "HX-Target": "dashboard"})
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="dashboard"')
    assert "<html" not in fragment and '<form id="filters"' not in fragment
    assert cards(fragment)["Ventures"] == "0 of 7"
    assert 'id="table"' in fragment and "Common gaps" in fragment and "Charts" in fragment
    assert "canvases.csv?solution_type=digital_medicine&amp;market_stage=expansion" in fragment


def test_sorting_swaps_the_table_with_its_csv_link(demo_client):
    fragment = demo_client.get(
        DEMO + "?market_stage=target&sort=score&dir=desc",
        headers={"HX-Request": "true", "HX-Target": "table"},
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="table"')
    assert csv_link(fragment).endswith("canvases.csv?market_stage=target&sort=score&dir=desc")
