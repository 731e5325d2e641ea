"""Rule set 2 in a real browser, on one page with no reload: nothing is rated for the
founder, a partner that is really a vendor moves to the vendor list in one click, and
runway is judged against the next fundable milestone."""

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


def score(page) -> int:
    text = page.locator("#score .score-chip").inner_text()
    return int(re.search(r"\d+", text).group())


def finding(page, rule: str, subject: str = ""):
    found = page.locator("#findings li.finding", has=page.locator("code", has_text=rule))
    return found.filter(has_text=subject) if subject else found


def add_partner(page, name: str, kind: str, recovery: str = "", cost: str = "") -> None:
    partners = page.locator("#block-partners")
    partners.get_by_role("link", name="Add a partner").click()
    form = page.locator("#add-partners form.entry-form")
    form_opened(page)
    form.get_by_label("Name").fill(name)
    form.get_by_label("Type").select_option(kind)
    if recovery:
        form.get_by_label("Recovery time").select_option(recovery)
    if cost:
        form.get_by_label("Replacement cost").select_option(cost)
    form.get_by_role("button", name="Add partner").click()
    expect(partners.locator("li.entry", has_text=name)).to_have_count(1)


def test_rule_set_2_on_one_page(browser_page, alice, venture):
    page = browser_page
    login(page, alice)
    page.goto(page.base_url + CANVAS)
    expect(page.get_by_role("heading", name="Sepsis Dx")).to_be_visible()
    page.evaluate("window.loadedOnce = true")  # gone if the page ever reloads

    # 1. An activity saved with only its name is not rated, and so has no verdict.
    activities = page.locator("#block-activities")
    activities.get_by_role("link", name="Add an activity").click()
    form = page.locator("#add-activities form.entry-form")
    form_opened(page)
    for label in ("Relevance", "Difficulty of imitation", "Breadth of application"):
        expect(form.get_by_label(label, exact=True)).to_have_value("")  # "Not yet rated"
    form.get_by_label("Activity", exact=True).fill("Payer evidence dossier")
    form.get_by_role("button", name="Add activity").click()
    new = activities.locator("li.entry", has_text="Payer evidence dossier")
    expect(new.locator(".verdict")).to_have_text("Not yet rated")
    expect(new.locator(".badge", has_text=re.compile(r"^Core$"))).to_have_count(0)
    expect(new.locator(".entry-findings")).to_contain_text("KA08")
    expect(finding(page, "KA08", "Payer evidence dossier")).to_have_count(1)

    # 2. A partner saved without the vendor-test answers is unassessed: KP06.
    add_partner(page, "Regional payer alliance", "market_access")
    unassessed = page.locator("#block-partners li.entry", has_text="Regional payer alliance")
    expect(unassessed.locator(".verdict")).to_have_text("Not yet assessed")
    expect(finding(page, "KP06", "Regional payer alliance")).to_have_count(1)

    # 3. A partner rated as a vendor gets KP02; an activity outsourced to it; Move to vendors.
    add_partner(page, "Courier Express", "other", "weeks", "minimal")
    expect(finding(page, "KP02", "Courier Express")).to_have_count(1)
    activities.get_by_role("link", name="Add an activity").click()
    form = page.locator("#add-activities form.entry-form")
    form_opened(page)
    form.get_by_label("Activity", exact=True).fill("Sample shipping")
    for label in ("Relevance", "Difficulty of imitation", "Breadth of application"):
        form.get_by_label(label, exact=True).select_option("low")
    form.get_by_label("Outsourced to").select_option("Courier Express")
    form.get_by_role("button", name="Add activity").click()
    shipping = activities.locator("li.entry", has_text="Sample shipping")
    expect(shipping.locator(".verdict")).to_have_text("Not core")
    courier = page.locator("#partners-list li.entry", has_text="Courier Express")
    courier.get_by_role("button", name=re.compile("^Move to vendors")).click()
    vendors = page.locator("#vendors-list")
    expect(vendors.locator("li.entry", has_text="Courier Express")).to_have_count(1)
    expect(page.locator("#partners-list li.entry", has_text="Courier Express")).to_have_count(0)
    expect(finding(page, "KP02")).to_have_count(0)
    expect(finding(page, "KA06", "Sample shipping")).to_have_count(0)
    expect(shipping).to_contain_text("Outsourced to Courier Express")
    expect(shipping.locator(".unknown-partner")).to_have_count(0)

    # 4. Runway against the milestone: 18.0 months of runway.
    finances = page.locator("#finances")
    finances.get_by_role("link", name="Edit finances").click()
    form_opened(page)
    finances.get_by_label("Months to the milestone").fill("10")  # 18 >= 10 + 6: no finding
    finances.get_by_role("button", name="Save finances").click()
    expect(finances.locator(".runway")).to_contain_text("milestone in 10 months")
    expect(finding(page, "KR04")).to_have_count(0)
    before = score(page)
    finances.get_by_role("link", name="Edit finances").click()
    form_opened(page)
    finances.get_by_label("Months to the milestone").fill("20")  # cash runs out first
    finances.get_by_role("button", name="Save finances").click()
    expect(finances.locator(".runway")).to_contain_text("cash runs out 2 months before it")
    expect(finding(page, "KR03")).to_have_count(1)
    expect(page.locator("#score .score-chip")).to_contain_text(str(before - 25))
    assert page.evaluate("window.loadedOnce") is True
