"""Every flow between two people, in a real browser (Chromium posts forms with its Origin, as
Django's CSRF check sees it): invite and accept (a new account, an existing account signed
out or signed in), comment and reply, and cohort staff bringing in a new venture. The
invitation links come from the test outbox, as the invited person would get them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, close_page, invitation_link, new_page, shot
from tests.conftest import PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "plum-harbour-7-lantern"
CANVAS = "/ventures/sepsis-dx/canvas/"
QUESTION = "If BioMed's line is booked by a bigger client, what is plan B?"
ANSWER = "We have a call with a second manufacturer in March."


def invite(page, email: str, role_label: str) -> None:
    page.goto(page.base_url + "/ventures/sepsis-dx/people/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label(role_label).check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"Invitation sent to {email}")).to_be_visible()


def test_a_new_advisor_accepts_comments_and_the_founder_replies_and_resolves(
    browser_page, chromium, live_server, alice, venture, mailoutbox
):
    partner = venture.canvas.to_document().partners[0].name
    founder = browser_page
    login(founder, alice)
    invite(founder, "vera@example.org", "Advisor (reads and comments; never edits)")

    # vera, in her own browser, creates her account from the e-mail's link
    advisor = new_page(chromium, live_server)
    advisor.goto(advisor.base_url + invitation_link(mailoutbox))
    expect(advisor.get_by_role("heading", name="Join Sepsis Dx")).to_be_visible()
    advisor.get_by_label("Choose a password").fill(NEW_PASSWORD)
    advisor.get_by_label("Type the password again").fill(NEW_PASSWORD)
    assert_accessible(advisor, "the invitation page (new account)")
    shot(advisor, "issue14-invitation-new-account", full_page=True)
    advisor.get_by_role("button", name="Create account and accept").click()
    advisor.wait_for_url("**" + CANVAS)
    expect(advisor.get_by_text("Welcome to Sepsis Dx. You are now its advisor.")).to_be_visible()
    shot(advisor, "issue14-invitation-new-account-accepted")
    expect(advisor.get_by_role("note")).to_contain_text("Read-only")
    expect(advisor.get_by_role("link", name=f"Edit {partner}")).to_have_count(0)

    # ... and comments on one partner
    partners = advisor.locator("#block-partners")
    partners.get_by_text("Comments", exact=True).click()
    panel = partners.locator("#comments-panel-partners")
    panel.get_by_label("About").select_option(label=partner)
    panel.get_by_label("New comment on Key Partners").fill(QUESTION)
    panel.get_by_role("button", name="Comment", exact=True).click()
    expect(panel.locator("li.thread", has_text=QUESTION)).to_be_visible()
    expect(advisor.get_by_role("link", name=f"1 open comment on {partner}")).to_be_visible()
    close_page(advisor)

    # alice sees the marker on that entry, opens the thread, replies and resolves it
    founder.goto(founder.base_url + CANVAS)
    marker = founder.get_by_role("link", name=f"1 open comment on {partner}")
    expect(marker).to_be_visible()
    entry = founder.locator("#block-partners li.entry", has=marker)
    shot(entry, "issue14-comment-marker-on-entry")
    marker.click()
    thread = founder.locator("#comments-panel-partners li.thread", has_text=QUESTION)
    expect(thread).to_be_focused()
    expect(thread).to_contain_text("vera@example.org")
    thread.get_by_text("Reply", exact=True).click()
    thread.get_by_label("Your reply").fill(ANSWER)
    thread.get_by_role("button", name="Send reply").click()
    thread = founder.locator("#comments-panel-partners li.thread", has_text=QUESTION)
    expect(thread).to_contain_text(ANSWER)
    thread.get_by_role("button", name="Resolve").click()
    panel = founder.locator("#comments-panel-partners")
    expect(panel.get_by_text("No open comments on Key Partners.")).to_be_visible()
    expect(founder.get_by_role("link", name=f"1 open comment on {partner}")).to_have_count(0)
    expect(founder.locator("#comment-count-partners")).to_contain_text("0")


def test_someone_with_an_account_who_is_signed_out_signs_in_to_accept(
    browser_page, chromium, live_server, alice, frank, venture, mailoutbox
):
    login(browser_page, alice)
    invite(browser_page, "frank@example.org", "Co-founder (edits the canvas)")

    page = new_page(chromium, live_server)
    page.goto(page.base_url + invitation_link(mailoutbox))
    expect(page.get_by_role("heading", name="Sign in to accept")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    assert_accessible(page, "the invitation page (existing account)")
    shot(page, "issue14-invitation-existing-account", full_page=True)
    page.get_by_role("button", name="Sign in and accept").click()
    page.wait_for_url("**" + CANVAS)
    expect(page.get_by_text("Welcome to Sepsis Dx. You are now its founder.")).to_be_visible()
    expect(page.get_by_role("link", name="Add a partner")).to_be_visible()  # he may edit
    shot(page, "issue14-invitation-existing-account-accepted")
    close_page(page)


def test_someone_already_signed_in_accepts_with_one_button(
    browser_page, chromium, live_server, alice, frank, venture, mailoutbox
):
    login(browser_page, alice)
    invite(browser_page, "frank@example.org", "Advisor (reads and comments; never edits)")

    page = new_page(chromium, live_server)
    login(page, frank)
    page.goto(page.base_url + invitation_link(mailoutbox))
    page.get_by_role("button", name="Accept the invitation").click()
    page.wait_for_url("**" + CANVAS)
    expect(page.get_by_text("Welcome to Sepsis Dx. You are now its advisor.")).to_be_visible()
    page.goto(page.base_url + "/")
    expect(page.get_by_role("link", name="Sepsis Dx")).to_be_visible()
    expect(page.get_by_role("link", name="Other Co")).to_be_visible()  # his own venture stays
    close_page(page)


def test_cohort_staff_invite_a_founder_who_accepts_and_fills_in_a_first_entry(
    browser_page, chromium, live_server, carol, cohort, mailoutbox
):
    staff = browser_page
    login(staff, carol)
    staff.goto(staff.base_url + "/cohorts/northstar/invite/")
    staff.get_by_label("Venture name").fill("Wound Watch")
    staff.get_by_label("Founder's email address").fill("wes@example.org")
    staff.get_by_role("button", name="Send invitation").click()
    expect(staff.get_by_text("Invitation sent to wes@example.org")).to_be_visible()

    founder = new_page(chromium, live_server)
    founder.goto(founder.base_url + invitation_link(mailoutbox))
    expect(founder.get_by_role("heading", name="Bring Wound Watch into Northstar")).to_be_visible()
    founder.get_by_label("Choose a password").fill(NEW_PASSWORD)
    founder.get_by_label("Type the password again").fill(NEW_PASSWORD)
    founder.get_by_role("button", name="Create account and accept").click()
    founder.wait_for_url("**/ventures/wound-watch/canvas/")
    expect(founder.get_by_role("heading", name="Wound Watch")).to_be_visible()

    partners = founder.locator("#block-partners")
    partners.get_by_role("link", name="Add a partner").click()
    form = partners.locator("form.entry-form")
    form.get_by_label("Name").fill("Mercy Wound Clinic")
    form.get_by_label("Type").select_option("clinical_research")
    form.get_by_role("button", name="Add partner").click()
    expect(partners.locator("li.entry", has_text="Mercy Wound Clinic")).to_be_visible()
    expect(founder.locator("#app-status")).to_contain_text("Saved.")
    close_page(founder)

    # the new venture is on the staff's dashboard, and its canvas leads back there
    staff.goto(staff.base_url + "/ventures/wound-watch/canvas/")
    expect(
        staff.locator("#block-partners").get_by_text("Mercy Wound Clinic", exact=True)
    ).to_be_visible()
    staff.get_by_role("link", name="Northstar dashboard").click()
    staff.wait_for_url("**/cohorts/northstar/")
    expect(staff.get_by_role("link", name="Wound Watch").first).to_be_visible()
