"""WCAG 2.2 AA in a real browser: axe-core finds no serious or critical violation on any kind
of page (with the canvas as a founder with a form open, and as an advisor), and the cohort
dashboard is usable on a 375 px phone. The CSP watch of every page fails a test on any
Content-Security-Policy console error."""

from __future__ import annotations

import importlib

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from canvas.models import create_venture
from tests.browser import (
    assert_accessible,
    axe_violations,
    close_page,
    describe,
    new_page,
    shot,
)
from tests.conftest import form_opened, login
from tests.review_fixtures import make_invitation, make_share_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def second_venture(venture, cohort, sepsis_doc):
    """Another venture in the Northstar cohort, so that staff can compare two."""
    doc = sepsis_doc.model_copy(
        update={"venture": sepsis_doc.venture.model_copy(update={"name": "Wound Watch"})}
    )
    return create_venture("wound-watch", doc, cohort=cohort)


def open_form(page):
    partner = page.locator("#block-partners li.entry").first
    partner.get_by_role("link", name="Edit", exact=False).first.click()
    form_opened(page)


def open_comments(page):
    page.locator("#block-partners").get_by_text("Comments", exact=True).click()
    expect(page.locator("#comments-panel-partners")).to_be_visible()


# Who signs in, and the kinds of page they see (address, what to do there first). One test
# per person: signing in once keeps the suite quick.
PAGES = {
    "alice": {
        "home": ("/", None),
        "canvas-founder-with-a-form-open": ("/ventures/sepsis-dx/canvas/", open_form),
        "canvas-founder-with-comments-open": ("/ventures/sepsis-dx/canvas/", open_comments),
        "versions": ("/ventures/sepsis-dx/versions/", None),
        "compare": ("/ventures/sepsis-dx/compare/?from=1&to=current", None),
        "people": ("/ventures/sepsis-dx/people/", None),
        "share": ("/ventures/sepsis-dx/share/", None),
        "activity": ("/ventures/sepsis-dx/activity/", None),
        "rules": ("/rules/", None),
        "schema": ("/schema/", None),
        "not-found": ("/ventures/no-such-venture/canvas/", None),
    },
    "bob": {
        "canvas-advisor": ("/ventures/sepsis-dx/canvas/", None),
        "version": ("/ventures/sepsis-dx/versions/1/", None),
        "comments": ("/ventures/sepsis-dx/comments/partners/", None),
    },
    "carol": {
        "canvas-staff": ("/ventures/sepsis-dx/canvas/", None),
        "cohort-dashboard": ("/cohorts/northstar/", None),
        "cohort-comparison": ("/cohorts/northstar/compare/?v=sepsis-dx&v=wound-watch", None),
        "cohort-invite": ("/cohorts/northstar/invite/", None),
    },
}


@pytest.mark.parametrize("who", PAGES)
def test_every_kind_of_page_has_no_serious_accessibility_violation(
    request, browser_page, alice, bob, carol, venture, second_venture, who
):
    page = browser_page
    login(page, request.getfixturevalue(who))
    problems = []
    for kind, (path, action) in PAGES[who].items():
        page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")
        if action:
            action(page)
        violations = axe_violations(page)
        if violations:
            problems.append(f"{kind} ({path}):\n{describe(violations)}")
    assert not problems, "\n".join(problems)


def test_buttons_radios_and_checkboxes_are_at_least_24_px(browser_page, alice, venture):
    page = browser_page
    login(page, alice)
    page.goto(page.base_url + "/ventures/sepsis-dx/canvas/?edit=readiness")  # radios open
    entry = page.locator("#block-partners li.entry").first
    targets = [
        entry.get_by_role("link", name="Edit", exact=False).first,
        entry.get_by_role("button", name="up", exact=False),
        entry.get_by_role("button", name="down", exact=False),
        entry.locator("summary", has_text="Delete"),
        page.locator("#readiness input[type=radio]").first,
        page.get_by_role("button", name="Sign out"),
    ]
    boxes = [(target, target.bounding_box()) for target in targets]
    page.locator("#block-activities").get_by_role("link", name="Add an activity").click()
    form_opened(page)
    core = page.get_by_label("We declare this activity core")
    boxes.append((core, core.bounding_box()))
    for target, box in boxes:
        assert box and box["width"] >= 24 and box["height"] >= 24, (target, box)


def test_the_pages_of_people_without_an_account_are_accessible(
    browser_page, alice, venture, client
):
    page = browser_page
    page.goto(page.base_url + "/accounts/login/")
    assert_accessible(page, "login")

    token, _ = make_invitation(email="vera@example.org", venture=venture, invited_by=alice)
    page.goto(page.base_url + f"/invitations/{token}/")
    expect(page.get_by_role("heading", name="Join Sepsis Dx")).to_be_visible()
    assert_accessible(page, "invitation")
    page.goto(page.base_url + "/invitations/" + "x" * 43 + "/")
    expect(page.get_by_role("heading", name="This invitation cannot be used")).to_be_visible()
    assert_accessible(page, "a dead invitation")

    share_token, _ = make_share_link(venture, created_by=alice)
    page.goto(page.base_url + f"/s/{share_token}/")
    assert_accessible(page, "shared canvas")


def test_the_error_pages_are_the_apps_own_and_accessible(browser_page, alice, venture, monkeypatch):
    page = browser_page
    login(page, alice)

    # a form whose security token went stale (as after signing out and in in another tab)
    page.goto(page.base_url + "/ventures/sepsis-dx/people/")
    page.evaluate(
        "document.querySelectorAll('input[name=csrfmiddlewaretoken]')"
        ".forEach(i => i.value = 'stale'.repeat(13).slice(0, 64))"
    )
    page.get_by_label("Email address").fill("vera@example.org")
    page.get_by_label("Advisor (reads and comments; never edits)").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("heading", name="Please reload the form")).to_be_visible()
    assert_accessible(page, "CSRF failure")
    shot(page, "issue14-csrf-failure")
    page.get_by_role("link", name="Reload the page").click()
    expect(page.get_by_role("heading", name="People of Sepsis Dx")).to_be_visible()

    # the database is locked for a moment: 503 with the app's page
    def locked(user):
        raise OperationalError("database is locked")

    home = importlib.import_module("canvas.views.home")  # the module, not the view
    monkeypatch.setattr(home, "home_ventures", locked)
    response = page.goto(page.base_url + "/")
    assert response.status == 503
    assert response.headers["retry-after"] == "5"
    expect(page.get_by_role("heading", name="Busy for a moment")).to_be_visible()
    assert_accessible(page, "503")


def test_the_cohort_dashboard_is_usable_on_a_375_px_phone(
    chromium, live_server, carol, venture, second_venture
):
    page = new_page(chromium, live_server, width=375, height=740)
    try:
        login(page, carol)
        page.goto(page.base_url + "/cohorts/northstar/")
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the dashboard is {width}px wide"
        # every venture's score can be read without scrolling sideways
        for name in ("Sepsis Dx", "Wound Watch"):
            row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))
            score = row.locator("td.num").first  # the score, the first figure
            expect(score).to_be_visible()
            box = score.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
        assert_accessible(page, "cohort dashboard at 375 px")
        shot(page, "issue14-dashboard-375px", full_page=True)
        page.get_by_role("heading", name="Ventures").scroll_into_view_if_needed()
        shot(page, "issue14-dashboard-375px-table")
    finally:
        close_page(page)
