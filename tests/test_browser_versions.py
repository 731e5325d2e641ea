"""A founder saves a version, changes two entries in the editor, compares, and restores."""

import re

import pytest

from canvas.models import CanvasVersion, canvas_for_document
from tests.conftest import form_opened, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER = "Massachusetts General Hospital ED"
RESOURCE = "Dr. Chen — Chief Scientific Officer"


def current_document(venture) -> dict:
    return canvas_for_document().get(venture=venture).to_document().to_data()


def edit_entry(page, name: str, field: str, value: str, *, select: bool = False) -> None:
    """Open an entry's edit form in the editor, change one field, save, and wait for the
    server's answer (the database is read next: the form leaving the page is not enough)."""
    page.get_by_role("link", name=f"Edit {name}").click()
    form_opened(page)
    form = page.locator("form.entry-form").filter(has=page.get_by_label(field, exact=True))
    control = form.get_by_label(field, exact=True)
    if select:
        control.select_option(value)
    else:
        control.fill(value)
    with page.expect_response(lambda r: r.request.method == "POST" and "/canvas/" in r.url) as r:
        form.get_by_role("button", name="Save", exact=True).click()
    assert r.value.status == 200, r.value.text()
    form.wait_for(state="detached")


def test_founder_saves_changes_compares_and_restores(browser_page, alice, venture):
    page = browser_page
    login(page, alice)

    # Save a named version of the canvas as it is.
    page.goto(page.base_url + "/ventures/sepsis-dx/versions/")
    page.get_by_label("Version label").fill("Before advisory board, March")
    page.get_by_role("button", name="Save version").click()
    page.get_by_role("status").filter(has_text="Saved v2").wait_for()
    assert page.get_by_role("link", name="v2", exact=True).is_visible()
    saved = CanvasVersion.objects.get(canvas__venture=venture, number=2)
    assert saved.document == current_document(venture)

    # Change two entries in the editor.
    page.goto(page.base_url + "/ventures/sepsis-dx/canvas/")
    edit_entry(page, PARTNER, "Recovery time", "weeks", select=True)
    edit_entry(page, RESOURCE, "Risk if lost", "")
    edited = current_document(venture)
    assert edited != saved.document
    after_score = canvas_for_document().get(venture=venture).score
    assert after_score < saved.score

    # Compare the saved version with the current canvas: exactly those two changes.
    page.goto(page.base_url + "/ventures/sepsis-dx/versions/")
    page.get_by_role("link", name="What changed since v2").click()
    comparison = page.locator("#comparison")
    comparison.get_by_role("heading", name=re.compile("From v2")).wait_for()
    summary = comparison.locator(".change-summary")
    assert summary.inner_text() == "2 changed · 0 added · 0 removed · 0 moved"
    changed = comparison.locator(".entry-changed")
    assert changed.count() == 2
    partner = changed.filter(has=page.get_by_role("heading", name=PARTNER))
    assert partner.get_by_role("row").filter(has_text="Recovery time").inner_text().split("\t") == [
        "Recovery time",
        "Months",
        "Weeks (under a month)",
    ]
    resource = changed.filter(has=page.get_by_role("heading", name=RESOURCE))
    row = resource.get_by_role("row").filter(has_text="Risk if lost").inner_text().split("\t")
    assert row[0] == "Risk if lost" and row[2] == "(empty)"
    assert comparison.locator(".field-changes tbody tr").count() == 2
    delta = after_score - saved.score
    score_line = " ".join(comparison.locator(".score-line").text_content().split())
    assert score_line == f"Score {saved.score} → {after_score} ({delta:+d} points)"
    assert comparison.get_by_role("heading", name=re.compile(r"^New")).is_visible()
    assert comparison.locator(".finding", has_text="KR05").count() >= 1

    # Restore the saved version, confirming first.
    comparison.get_by_role("link", name="Restore v2…").click()
    page.get_by_role("heading", name="Restore v2?").wait_for()
    page.get_by_role("button", name="Restore v2").click()
    page.get_by_text(re.compile(r"Restored v2: it is now the current canvas")).wait_for()
    assert current_document(venture) == saved.document
    kept = CanvasVersion.objects.get(canvas__venture=venture, label="Before restoring v2")
    assert kept.document == edited
    assert page.get_by_role("cell", name=re.compile("Before restoring v2")).is_visible()
