"""Downloading a PDF in a real browser (issue #16): the paper is chosen beside "Download
PDF"; while the background worker makes the PDF, the "Preparing your PDF…" page polls with
htmx (strict CSP, no inline script) and the download starts by itself once it is stored; a
render that fails says so and offers to try again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from canvas.pdf import PdfTimeout
from tests.browser import assert_accessible, shot
from tests.conftest import login, run_tasks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_founder_downloads_the_canvas_on_a4_once_the_worker_has_made_it(
    browser_page, alice, venture
):
    page = browser_page
    login(page, alice)
    page.goto(page.base_url + "/ventures/sepsis-dx/canvas/")
    page.get_by_role("link", name="Download PDF on A4 paper").click()
    expect(page.get_by_role("status", name="Your PDF")).to_contain_text("Preparing your PDF…")
    expect(page).to_have_url(page.base_url + "/ventures/sepsis-dx/canvas.pdf?paper=a4")
    assert_accessible(page, "the Preparing page")
    shot(page, "pdf-preparing")
    with page.expect_download(timeout=30_000) as download:
        run_tasks()  # the background worker makes it; the page's poll then downloads it
    assert download.value.suggested_filename == "sepsis-dx-canvas-current-a4.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    expect(page.get_by_role("status", name="Your PDF")).to_contain_text("Your PDF is ready")
    expect(page.get_by_role("link", name="Download the PDF")).to_have_attribute(
        "href", "/ventures/sepsis-dx/canvas.pdf?paper=a4"
    )
    shot(page, "pdf-ready")
    # stored now: the same link downloads at once, with no page in between
    page.goto(page.base_url + "/ventures/sepsis-dx/canvas/")
    with page.expect_download(timeout=10_000) as again:
        page.get_by_role("link", name="Download PDF on A4 paper").click()
    assert again.value.suggested_filename == "sepsis-dx-canvas-current-a4.pdf"


def test_a_render_that_fails_is_explained_and_can_be_tried_again(
    browser_page, alice, venture, stub_renderer
):
    page = browser_page
    login(page, alice)
    stub_renderer.error = PdfTimeout("Rendering the PDF took longer than 60 s and was stopped.")
    page.goto(page.base_url + "/ventures/sepsis-dx/canvas.pdf?version=1")
    expect(page.get_by_role("status", name="Your PDF")).to_contain_text("Preparing your PDF…")
    run_tasks()
    status = page.get_by_role("status", name="Your PDF")
    expect(status).to_contain_text("The PDF could not be made.", timeout=10_000)
    expect(status).to_contain_text("took longer than 60 s")
    assert_accessible(page, "the failed PDF page")
    shot(page, "pdf-failed")
    stub_renderer.error = None
    page.get_by_role("link", name="Try again").click()
    expect(page.get_by_role("status", name="Your PDF")).to_contain_text("Preparing your PDF…")
    with page.expect_download(timeout=30_000) as download:
        run_tasks()
    assert download.value.suggested_filename == "sepsis-dx-canvas-v1.pdf"
