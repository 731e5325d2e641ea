"""Share and revoke, in a real browser: a founder creates a share link, someone with no
account opens it and downloads the PDF (made by the background worker, as in production),
the founder revokes the link and it answers 404."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, close_page, new_page
from tests.conftest import login, run_tasks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_share_link_opens_the_canvas_and_its_pdf_until_the_founder_revokes_it(
    browser_page, chromium, live_server, alice, venture
):
    founder = browser_page
    login(founder, alice)
    founder.goto(founder.base_url + "/ventures/sepsis-dx/share/")
    founder.get_by_label("Label (optional)").fill("Board pack")
    founder.get_by_role("button", name="Create link").click()
    link = founder.get_by_label("Copy this link now: it is shown only once").input_value()
    assert "/s/" in link

    # someone without an account opens it and downloads the PDF
    holder = new_page(chromium, live_server, accept_downloads=True)
    response = holder.goto(link)
    assert response.status == 200
    expect(holder.get_by_role("heading", name="Sepsis Dx")).to_be_visible()
    expect(holder.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_accessible(holder, "the shared canvas")
    with holder.expect_download(timeout=30_000) as download:
        holder.get_by_role("link", name="Download PDF", exact=True).click()
        expect(holder.get_by_text("Preparing your PDF")).to_be_visible()
        run_tasks()  # the background worker makes it; the page polls and then downloads
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.value.suggested_filename.endswith(".pdf")

    # the founder revokes it: the canvas and its PDF answer 404 from then on
    founder.get_by_text("Revoke…").click()
    founder.get_by_role("button", name="Yes, revoke “Board pack”").click()
    expect(founder.get_by_text("no longer works")).to_be_visible()
    assert holder.goto(link).status == 404
    expect(holder.get_by_role("heading", name="Page not found")).to_be_visible()
    assert holder.request.get(link + "canvas.pdf").status == 404
    close_page(holder)
