"""Comparing two versions, or a version and the current canvas (issue #6)."""

import html
import json
import re

import pytest

from canvas.document import parse_document
from canvas.models import CanvasVersion, canvas_for_document, save_document


def text(response) -> str:
    """The page as plain text: tags dropped, entities decoded, whitespace collapsed."""
    body = re.sub(r"</?(?:span|strong|a|code|del|ins|time)\b[^>]*>", "", response.content.decode())
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())


def change(venture, sepsis_data, edit, *, label: str | None = None) -> dict:
    data = json.loads(json.dumps(sepsis_data))
    edit(data)
    source = CanvasVersion.MANUAL if label else None
    save_document(venture, parse_document(data), label=label or "", source=source, log_action=None)
    return data


def two_entry_edit(data: dict) -> None:
    data["partners"][0]["recovery_time"] = "weeks"
    data["resources"][1]["risk_if_lost"] = ""


def test_a_version_against_the_current_canvas_shows_the_changes_and_the_score_delta(
    bob_client, venture, sepsis_data
):
    before = CanvasVersion.objects.get(number=1)
    change(venture, sepsis_data, two_entry_edit)
    after = canvas_for_document().get(venture=venture).score
    page = text(bob_client.get("/ventures/sepsis-dx/compare/?from=1&to=current"))
    assert "From v1 to Current canvas" in page
    assert "2 changed · 0 added · 0 removed · 0 moved" in page
    assert f"Score {before.score} → {after} ({after - before.score:+d} points)" in page
    assert "Recovery time Months Weeks (under a month)" in page
    assert "Risk if lost" in page and "(empty)" in page
    assert "Resolved 0" in page
    assert "KR05" in page  # the emptied risk is a new warning
    assert "Key partner → Borderline" in page
    assert "Restore v1" not in page  # advisors cannot restore


def test_founders_are_offered_to_restore_the_compared_version(alice_client, venture, sepsis_data):
    change(venture, sepsis_data, two_entry_edit)
    page = alice_client.get("/ventures/sepsis-dx/compare/?from=1&to=current").content.decode()
    assert 'href="/ventures/sepsis-dx/versions/1/restore/"' in page


def test_two_versions_are_compared_with_added_removed_and_moved_entries(
    carol_client, venture, sepsis_data
):
    def edit(d):
        d["channels"].insert(0, d["channels"].pop(3))
        d["activities"].pop()
        d["partners"].append(dict(d["partners"][0], name="New Research Partner"))

    change(venture, sepsis_data, edit, label="Reworked")
    page = text(carol_client.get("/ventures/sepsis-dx/compare/?from=1&to=2"))
    assert "From v1" in page and "to v2 “Reworked”" in page
    assert "0 changed · 1 added · 1 removed · 1 moved" in page
    assert "Added New Research Partner (position 6)" in page
    assert f"Removed {sepsis_data['activities'][-1]['name']} (was position 5)" in page
    assert f"Moved {sepsis_data['channels'][3]['channel']}: position 4 → 1" in page


def test_the_current_canvas_can_be_the_before_side(alice_client, venture, sepsis_data):
    change(venture, sepsis_data, two_entry_edit)
    page = text(alice_client.get("/ventures/sepsis-dx/compare/?from=current&to=1"))
    assert "From Current canvas to v1" in page
    assert "Recovery time Weeks (under a month) Months" in page


def test_a_solution_type_switch_is_called_out(alice_client, venture, sepsis_data):
    change(venture, sepsis_data, lambda d: d["venture"].update(solution_type="digital_medicine"))
    page = text(alice_client.get("/ventures/sepsis-dx/compare/?from=1&to=current"))
    assert "The solution type switched from HealthTech to Digital Medicine" in page
    assert "Solution type HealthTech Digital Medicine" in page


def test_comparing_identical_canvases_says_so(alice_client, venture):
    page = text(alice_client.get("/ventures/sepsis-dx/compare/?from=1&to=current"))
    assert "No differences: both sides hold the same canvas." in page
    assert "(±0 points)" in page


def test_without_parameters_the_latest_version_is_compared_with_the_current_canvas(
    alice_client, venture, sepsis_data
):
    change(venture, sepsis_data, lambda d: None, label="Second")
    response = alice_client.get("/ventures/sepsis-dx/compare/")
    page = response.content.decode()
    assert '<option value="2" selected>' in page
    assert '<option value="current" selected>Current canvas</option>' in page
    assert '<label for="compare-from">From</label>' in page
    assert '<label for="compare-to">To</label>' in page


def test_compare_answers_the_htmx_form_with_the_comparison_fragment(alice_client, venture):
    response = alice_client.get(
        "/ventures/sepsis-dx/compare/?from=1&to=current", headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="comparison"')
    assert "<html" not in page and 'id="compare-from"' not in page


def test_an_htmx_history_restore_gets_the_whole_page(alice_client, venture):
    response = alice_client.get(
        "/ventures/sepsis-dx/compare/?from=1&to=current",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


@pytest.mark.parametrize("query", ["?from=9&to=current", "?from=1&to=7", "?from=abc", "?to=-1"])
def test_an_unknown_version_is_404(alice_client, venture, query):
    assert alice_client.get("/ventures/sepsis-dx/compare/" + query).status_code == 404


def test_compare_has_an_empty_state_without_versions(bob_client, venture):
    CanvasVersion.objects.all().delete()
    response = bob_client.get("/ventures/sepsis-dx/compare/?from=1&to=current")
    assert response.status_code == 200
    assert "There are no saved versions to compare yet." in text(response)
