"""The cohort dashboard in a real browser: htmx filter and sort with the URL kept, filters
that apply to every figure and to the CSV link, and the bulk export's live progress
(Playwright driving Debian chromium)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from canvas import tasks
from canvas.models import create_venture
from tests.conftest import login
from tests.test_cohort_export import FAKE_PDF, run_worker_once

pytestmark = pytest.mark.browser


@pytest.fixture
def northstar(venture, cohort, sepsis_doc):
    """Sepsis Dx (healthtech) plus a digital medicine venture in Northstar."""
    doc = sepsis_doc.model_copy(
        update={
            "venture": sepsis_doc.venture.model_copy(
                update={"name": "Predict AI", "solution_type": "digital_medicine"}
            )
        }
    )
    create_venture("predict-ai", doc, cohort=cohort)
    return cohort


def test_staff_filter_and_sort_the_table_and_the_url_keeps_the_view(browser_page, carol, northstar):
    page = browser_page
    login(page, carol)
    page.goto(page.base_url + "/cohorts/northstar/")
    table = page.get_by_role("region", name=re.compile("Ventures of Northstar"))
    expect(table.get_by_role("rowheader")).to_have_count(2)

    page.get_by_label("Solution type").select_option("digital_medicine")
    expect(table.get_by_role("rowheader")).to_have_count(1)
    expect(table.get_by_role("rowheader")).to_have_text("Predict AI")
    expect(page).to_have_url(re.compile(r"solution_type=digital_medicine"))
    expect(page.get_by_role("heading", name="Common gaps")).to_be_visible()  # not reloaded

    page.get_by_label("Solution type").select_option("")
    expect(table.get_by_role("rowheader")).to_have_count(2)
    page.get_by_role("link", name="Score").click()
    expect(page.locator("th[aria-sort]")).to_have_attribute("aria-sort", "ascending")
    expect(page).to_have_url(re.compile(r"sort=score"))

    page.reload()  # the shared URL shows the same view
    expect(page.locator("th[aria-sort]")).to_contain_text("Score")


def test_a_filter_with_no_venture_shows_0_on_every_card_and_the_csv_exports_the_filtered_set(
    browser_page, carol, northstar
):
    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, carol)
    page.goto(page.base_url + "/cohorts/northstar/")
    cards = page.get_by_role("region", name="At a glance").get_by_role("definition")
    expect(cards.first).to_have_text("2")

    # Digital Medicine in its expansion market: no venture of Northstar
    page.get_by_label("Solution type").select_option("digital_medicine")
    page.get_by_label("Market stage").select_option("expansion")
    expect(page).to_have_url(re.compile(r"market_stage=expansion"))
    expect(page.get_by_text("Filters on:")).to_be_visible()
    expect(page.get_by_text("Solution type: Digital Medicine")).to_be_visible()
    expect(cards.first).to_have_text("0 of 2")
    expect(cards).to_have_text(["0 of 2", "—", "0", "0", "0", "0"])
    expect(page.get_by_text("there is nothing to chart")).to_be_visible()
    expect(page.get_by_text("there are no gaps to show")).to_be_visible()
    assert page.get_by_role("img", name="Score distribution").count() == 0

    # back to all stages: one venture, and the CSV link exports that one alone
    page.get_by_label("Market stage").select_option("")
    expect(cards.first).to_have_text("1 of 2")
    link = page.get_by_role("link", name=re.compile(r"^Download CSV"))
    expect(link).to_have_accessible_name("Download CSV (1 venture, filtered)")
    with page.expect_download() as download:
        link.click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["slug"] for r in rows] == ["predict-ai"]
    expect(page.get_by_role("heading", name="Common gaps")).to_be_visible()  # no reload


def test_the_bulk_export_shows_live_progress_then_a_download_link(
    browser_page, carol, northstar, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(tasks, "bulk_pdf", lambda *args, **kwargs: FAKE_PDF)
    page = browser_page
    login(page, carol)
    page.goto(page.base_url + "/cohorts/northstar/")
    page.get_by_role("button", name="Export all PDFs (zip)").click()
    expect(page.get_by_role("status").filter(has_text="waiting for the worker")).to_be_visible()
    expect(page.get_by_label("PDFs made")).to_have_attribute("max", "2")

    assert run_worker_once() == 1  # the worker runs; the page polls every second
    expect(page.get_by_role("link", name="Download zip")).to_be_visible(timeout=5_000)
    expect(page.get_by_label("PDFs made")).to_have_attribute("value", "2")
