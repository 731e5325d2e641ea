"""A founder works on her canvas in a real browser: every change is checked at once."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import form_opened, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANVAS = "/ventures/sepsis-dx/canvas/"


@pytest.fixture(autouse=True)
def settle_before_teardown(browser_page):
    """Let every request of the page finish before the database is flushed."""
    yield
    for page in browser_page.context.pages:
        page.wait_for_load_state("networkidle")


def open_canvas(page, user):
    login(page, user)
    page.goto(page.base_url + CANVAS)
    expect(page.get_by_role("heading", name="Sepsis Dx")).to_be_visible()
    page.evaluate("window.loadedOnce = true")  # gone if the page ever reloads


def findings(page):
    return page.locator("#findings")


def test_founder_adds_a_vendor_then_turns_it_into_a_key_partner(browser_page, alice, venture):
    page = browser_page
    open_canvas(page, alice)
    partners = page.locator("#partners-list")  # the vendors sit in the same block

    partners.get_by_role("link", name="Add a partner").click()
    form = partners.locator("form.entry-form")
    form.get_by_label("Name").fill("Courier Express")
    form.get_by_label("Type").select_option("other")
    form.get_by_label("Recovery time").select_option("weeks")
    form.get_by_label("Replacement cost").select_option("minimal")
    form.get_by_role("button", name="Add partner").click()

    added = partners.locator("li.entry", has_text="Courier Express")
    expect(added.locator(".verdict")).to_have_text("Vendor")
    card = page.locator("#" + added.get_attribute("id"))  # also while it shows its form
    expect(card.get_by_role("link", name="Edit Courier Express")).to_be_focused()
    kp02 = findings(page).locator("li.finding", has_text="KP02")
    expect(kp02).to_contain_text("Courier Express")

    kp02.get_by_role("link").click()  # a finding leads to its entry
    expect(card).to_have_class(re.compile("is-highlighted"))
    expect(card).to_be_focused()

    card.get_by_role("link", name="Edit Courier Express").click()
    form_opened(page)
    card.get_by_label("Recovery time").select_option("years")
    card.get_by_label("Replacement cost").select_option("significant")
    card.get_by_role("button", name="Save").click()

    expect(card.locator(".verdict")).to_have_text("Key partner")
    expect(findings(page).locator("li.finding", has_text="KP02")).to_have_count(0)

    names = partners.locator("li.entry .entry-name")
    expect(names.last).to_have_text("Courier Express")
    partners.get_by_role("button", name="Move Courier Express up").click()
    expect(names.nth(4)).to_have_text("Courier Express")
    expect(partners.get_by_role("button", name="Move Courier Express up")).to_be_focused()

    partners.locator("li.entry", has_text="Courier Express").locator("summary").click()
    partners.get_by_role("button", name="Yes, delete").click()
    expect(partners.locator("li.entry", has_text="Courier Express")).to_have_count(0)
    assert page.evaluate("window.loadedOnce") is True


def test_activity_declared_core_that_fails_a_test_gets_ka02(browser_page, alice, venture):
    page = browser_page
    open_canvas(page, alice)
    activities = page.locator("#block-activities")

    activities.get_by_role("link", name="Add an activity").click()
    form = activities.locator("form.entry-form")
    form.get_by_label("Activity", exact=True).fill("Sterilisation")
    form.get_by_label("Relevance", exact=True).select_option("high")
    form.get_by_label("Difficulty of imitation", exact=True).select_option("low")
    form.get_by_label("Breadth of application", exact=True).select_option("medium")
    form.get_by_label("We declare this activity core").check()
    form.get_by_role("button", name="Add activity").click()

    card = activities.locator("li.entry", has_text="Sterilisation")
    expect(card.locator(".verdict")).to_have_text("Not core")
    expect(card).to_contain_text("Fails Difficulty of imitation")
    ka02 = findings(page).locator("li.finding", has_text="KA02")
    expect(ka02).to_contain_text("Sterilisation")
    expect(ka02).to_contain_text("fails Difficulty of imitation")


def test_switching_the_solution_type_switches_the_variant_rules(browser_page, alice, venture):
    page = browser_page
    open_canvas(page, alice)
    guidance = page.locator("#channels-help")
    guidance.get_by_text("Guidance").click()
    expect(guidance).to_contain_text("Checks for HealthTech")
    expect(guidance.locator(".variant-rules")).to_contain_text("CH07")
    expect(findings(page)).not_to_contain_text("CH04")

    page.get_by_role("link", name="Edit venture details").click()
    page.get_by_label("Solution type").select_option("digital_medicine")
    page.get_by_role("button", name="Save details").click()

    expect(page.locator(".venture-facts")).to_contain_text("Digital Medicine")
    expect(findings(page)).to_contain_text("CH04")  # no IT security review channel
    guidance = page.locator("#channels-help")
    guidance.get_by_text("Guidance").click()
    expect(guidance).to_contain_text("For software and SaMD (Digital Medicine)")
    expect(guidance.locator(".variant-rules")).to_contain_text("CH04")
    expect(guidance.locator(".variant-rules")).not_to_contain_text("CH07")


def test_a_conflict_between_two_pages_is_reported_and_can_be_reapplied(
    browser_page, alice, venture
):
    first = browser_page
    open_canvas(first, alice)
    second = first.context.new_page()
    second.goto(first.base_url + CANVAS)

    edit = "Edit BioMed Contract Manufacturing"
    for page in (first, second):
        page.get_by_role("link", name=edit).click()
        form_opened(page)
    first.get_by_label("Strategic value").fill("Saved from the first page")
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.locator("#block-partners")).to_contain_text("Saved from the first page")

    second.get_by_label("Strategic value").fill("Typed on the second page")
    second.get_by_role("button", name="Save", exact=True).click()
    alert = second.get_by_role("alert")
    expect(alert).to_contain_text("This partner changed meanwhile.")
    expect(second.locator(".conflict-current")).to_contain_text("Saved from the first page")
    expect(second.get_by_label("Strategic value")).to_have_value("Typed on the second page")

    second.get_by_role("button", name="Re-apply my changes").click()
    expect(second.locator("#block-partners")).to_contain_text("Typed on the second page")
    second.close()


def test_advisor_sees_the_canvas_without_edit_controls(browser_page, bob, venture):
    page = browser_page
    login(page, bob)
    page.goto(page.base_url + CANVAS)
    expect(page.get_by_role("note")).to_contain_text("Read-only")
    expect(page.get_by_role("link", name=re.compile("^Edit"))).to_have_count(0)
    expect(page.get_by_role("button")).to_have_count(1)  # only "Sign out"
