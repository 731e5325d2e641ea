"""Review in a real browser: an advisor comments on a partner and the founder resolves it;
a canvas full of script payloads opens no dialog; the people and sharing pages work by
keyboard and on a 375 px screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import login
from tests.test_xss import XSS, xss  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANVAS = "/ventures/sepsis-dx/canvas/"


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")


def test_advisor_comments_on_a_partner_and_the_founder_resolves_it(
    browser_page, alice, bob, venture
):
    page = browser_page
    partner = venture.canvas.to_document().partners[0].name

    # bob, the advisor, comments on one partner
    login(page, bob)
    page.goto(page.base_url + CANVAS)
    partners = page.locator("#block-partners")
    partners.get_by_text("Comments", exact=True).click()
    panel = partners.locator("#comments-panel-partners")
    expect(panel.get_by_text("No open comments on Key Partners.")).to_be_visible()
    panel.get_by_label("About").select_option(label=partner)
    panel.get_by_label("New comment on Key Partners").fill("What if they double the price?")
    panel.get_by_role("button", name="Comment", exact=True).click()
    thread = panel.locator("li.thread", has_text="What if they double the price?")
    expect(thread).to_be_visible()
    expect(thread).to_contain_text(f"On {partner}")
    expect(partners.locator("#comment-count-partners")).to_contain_text("1")
    expect(thread.get_by_role("button", name="Resolve")).to_have_count(0)  # advisors cannot
    sign_out(page)

    # alice, the founder, sees the count, reads the thread, resolves it
    login(page, alice)
    page.goto(page.base_url + CANVAS)
    partners = page.locator("#block-partners")
    expect(partners.locator("#comment-count-partners")).to_contain_text("1 open comment")
    partners.get_by_text("Comments", exact=True).click()
    panel = partners.locator("#comments-panel-partners")
    thread = panel.locator("li.thread", has_text="What if they double the price?")
    expect(thread).to_contain_text("bob@example.org")
    expect(thread).to_contain_text("Advisor")
    thread.get_by_role("button", name="Resolve").click()
    expect(panel.get_by_text("No open comments on Key Partners.")).to_be_visible()
    expect(partners.locator("#comment-count-partners")).to_contain_text("0")

    # ... and reopens it
    panel.get_by_text("1 resolved thread").click()
    panel.get_by_role("button", name="Reopen").click()
    expect(panel.locator("li.thread", has_text="What if they double the price?")).to_be_visible()
    expect(partners.locator("#comment-count-partners")).to_contain_text("1")

    # the activity log says who did what
    page.goto(page.base_url + "/ventures/sepsis-dx/activity/")
    log = page.locator("#log")
    expect(log).to_contain_text("Comment reopened")
    expect(log).to_contain_text("Comment resolved")
    expect(log).to_contain_text("Comment added")


def test_a_canvas_full_of_script_payloads_opens_no_dialog(browser_page, alice, xss):  # noqa: F811
    page = browser_page
    dialogs: list[str] = []

    def record(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    login(page, alice)
    page.goto(page.base_url + "/ventures/xss/canvas/")
    expect(page.get_by_role("heading", name=f"Venture {XSS}")).to_be_visible()
    # the payload is shown as text
    expect(page.locator("#block-partners")).to_contain_text("<script>alert(1)</script>")

    # open an entry's edit form and a comment thread: more of the text, in forms and fragments
    partners = page.locator("#block-partners")
    partners.locator("li.entry").first.get_by_role("link", name="Edit").first.click()
    expect(partners.locator("form.entry-form").first).to_be_visible()
    partners.get_by_text("Comments", exact=True).click()
    expect(partners.locator("#comments-panel-partners")).to_contain_text("Advisor says")

    for path in (
        "/ventures/xss/versions/",
        "/ventures/xss/versions/1/",
        "/ventures/xss/compare/?from=1&to=2",
        "/ventures/xss/people/",
        "/ventures/xss/share/",
        "/ventures/xss/activity/",
        "/ventures/xss/comments/partners/",
        f"/s/{xss['share_token']}/",
        f"/invitations/{xss['invite_token']}/",
        "/",
    ):
        page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")
    assert dialogs == []


def test_a_founder_revokes_a_share_link_by_keyboard(browser_page, alice, venture):
    page = browser_page
    login(page, alice)
    page.goto(page.base_url + "/ventures/sepsis-dx/share/")
    page.get_by_label("Label (optional)").fill("Board pack")
    page.get_by_role("button", name="Create link").click()
    link = page.get_by_label("Copy this link now: it is shown only once").input_value()
    assert "/s/" in link

    revoke = page.get_by_text("Revoke…")
    revoke.focus()
    page.keyboard.press("Enter")  # opens the confirmation
    confirm = page.get_by_role("button", name="Yes, revoke “Board pack”")
    expect(confirm).to_be_visible()
    confirm.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("no longer works")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Revoked")

    response = page.request.get(link)
    assert response.status == 404


@pytest.mark.parametrize(
    "path", ["/ventures/sepsis-dx/people/", "/ventures/sepsis-dx/share/", CANVAS]
)
def test_review_pages_fit_a_375_px_screen(chromium, live_server, alice, bob, venture, path):
    context = chromium.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.base_url = live_server.url
    try:
        login(page, alice)
        page.goto(page.base_url + path)
        if path == CANVAS:
            page.locator("#block-partners").get_by_text("Comments", exact=True).click()
            expect(page.locator("#comments-panel-partners")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width}px wide"
    finally:
        context.close()
