"""The canvas reads as a canvas (issue 15), in a real browser: the Operations tier on one
screen, an entry edited in a panel beside the grid, the phone's score bar, the first run."""

import re

import pytest
from playwright.sync_api import expect

from canvas.document import parse_document
from canvas.models import Membership, create_venture
from tests.browser import assert_accessible, close_page, new_page, shot
from tests.conftest import form_opened, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANVAS = "/ventures/sepsis-dx/canvas/"
HEADINGS = ("Key Partners", "Key Activities", "Key Resources", "Channels & Customer Relationships")


def in_first_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] + box["width"] <= size["width"]
    )


def score_of(text: str) -> int:
    return int(re.search(r"\d+", text).group())


def test_at_1440_the_four_blocks_and_the_score_are_on_the_first_screen(
    chromium, live_server, alice, venture
):
    page = new_page(chromium, live_server, width=1440, height=900)
    login(page, alice)
    page.goto(page.base_url + CANVAS)
    for heading in HEADINGS:
        assert in_first_viewport(page, page.get_by_role("heading", name=heading, exact=True))
    assert in_first_viewport(page, page.locator("#score .score-chip"))
    # the whole tier: every block's last entry, and the finances and readiness strip
    for block in ("partners", "vendors", "activities", "resources"):
        assert in_first_viewport(page, page.locator(f"#{block}-list li.entry").last), block
    assert in_first_viewport(page, page.locator("#channel-lanes li.entry").last)
    assert in_first_viewport(page, page.locator("#finances"))
    assert in_first_viewport(page, page.locator("#readiness"))
    shot(page, "overview-1440")

    # Clicking an entry opens it in the panel beside the grid, with the score in view.
    card = page.locator("#partners-list li.entry").first
    card.locator(".entry-open").click()
    form = page.locator("#partners-list li.is-editing form.entry-form")
    form_opened(page)
    box = form.bounding_box()
    grid = page.locator(".canvas-grid").bounding_box()
    assert box["x"] >= grid["x"] + grid["width"] - 1  # beside the grid, not inside it
    assert in_first_viewport(page, form.get_by_role("button", name="Save"))
    assert_accessible(page, "the canvas with the editing panel open")
    shot(page, "overview-panel")
    form.get_by_role("link", name="Cancel").click()
    expect(page.locator("#partners-list li.is-editing")).to_have_count(0)

    # Enter on a card that holds the focus (a finding's link focuses it) opens it too.
    activity = page.locator("#activities-list li.entry").first
    activity.focus()
    page.keyboard.press("Enter")
    form_opened(page)
    expect(page.locator("#activities-list li.is-editing")).to_have_count(1)
    close_page(page)


def test_at_375_a_save_shows_the_new_score_in_the_bar_without_scrolling(
    chromium, live_server, alice, venture
):
    page = new_page(chromium, live_server, width=375, height=812)
    login(page, alice)
    page.goto(page.base_url + CANVAS)
    bar = page.locator("#score-bar")
    before = score_of(bar.locator(".score-chip").inner_text())

    resources = page.locator("#block-resources")
    resources.get_by_role("link", name="Add a resource").click()
    form = page.locator("#add-resources form.entry-form")
    form_opened(page)
    form.get_by_label("Resource", exact=True).fill("Bench-top analyser")
    form.get_by_label("Category").select_option("physical")
    form.get_by_role("button", name="Add resource").click()  # no risk if lost: KR05, -3
    added = resources.locator("li.entry", has_text="Bench-top analyser")
    expect(added.locator(".entry-findings")).to_contain_text("KR05")
    expect(bar.locator(".score-chip")).to_have_text(str(before - 3))
    expect(added).to_be_in_viewport()  # the person stays where they worked ...
    assert in_first_viewport(page, bar)  # ... and the bar with the new score is in view
    shot(page, "phone-after-save")

    bar.get_by_role("link").click()  # the bar opens the findings
    expect(page.locator("#findings")).to_be_in_viewport()
    shot(page, "phone-findings")
    assert_accessible(page, "the canvas on a phone")
    close_page(page)


def test_a_new_venture_starts_with_the_checklist_and_no_score(
    chromium, live_server, alice, venture
):
    doc = parse_document(
        {
            "schema_version": 2,
            "venture": {
                "name": "NewCo Health",
                "solution_type": "digital_medicine",
                "market_stage": "beachhead",
                "revenue_model": "subscription",
            },
            "channels": [],
            "partners": [],
            "activities": [],
            "resources": [],
        }
    )
    Membership.objects.create(venture=create_venture("newco", doc), user=alice, role="founder")
    page = new_page(chromium, live_server, width=1440, height=900)
    login(page, alice)
    page.goto(page.base_url + "/ventures/newco/canvas/")
    checklist = page.get_by_role("region", name="Start here")
    expect(checklist).to_contain_text("1 of 7 steps done")
    expect(page.locator("#score")).to_contain_text("Not scored yet")
    expect(page.locator("#findings")).to_contain_text("CH01")
    shot(page, "first-run")

    checklist.get_by_role("link", name="List your key resources").click()
    form = page.locator("#add-resources form.entry-form")
    form_opened(page)
    form.get_by_label("Resource", exact=True).fill("Founding team")
    form.get_by_label("Category").select_option("human")
    form.get_by_role("button", name="Add resource").click()
    expect(checklist).to_contain_text("2 of 7 steps done")
    expect(page.locator("#score")).to_contain_text("Not scored yet")
    assert_accessible(page, "the first run")
    close_page(page)
