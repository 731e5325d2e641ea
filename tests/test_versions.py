"""Versions: history, saving, viewing, downloading and restoring (issue #6)."""

import importlib
import json

import pytest

from canvas.models import ActivityLog, CanvasVersion, canvas_for_document, save_document
from tests.conftest import client_for

SLUG = "sepsis-dx"


def current_document(venture) -> dict:
    return canvas_for_document().get(venture=venture).to_document().to_data()


def edit_two_entries(venture, sepsis_data) -> dict:
    """Change two entries of the canvas directly (no version recorded); return the data."""
    data = json.loads(json.dumps(sepsis_data))
    data["partners"][0]["recovery_time"] = "weeks"
    data["resources"][1]["risk_if_lost"] = ""
    from canvas.document import parse_document

    save_document(venture, parse_document(data), source=None, log_action=None)
    return data


def add_versions(venture, count: int) -> None:
    from canvas.models import record_version

    canvas = canvas_for_document().get(venture=venture)
    doc = canvas.to_document()
    for i in range(count):
        record_version(canvas, doc, label=f"Version {i}", source=CanvasVersion.MANUAL)


# --- history ---------------------------------------------------------------------------


def test_history_lists_number_label_author_date_and_score(alice, alice_client, venture):
    CanvasVersion.objects.filter(canvas__venture=venture).update(author=alice)
    version = CanvasVersion.objects.get(canvas__venture=venture)
    page = alice_client.get("/ventures/sepsis-dx/versions/").content.decode()
    assert ">v1</a>" in page
    assert "Imported (command line)" in page
    assert alice.username in page
    assert version.created_at.strftime("%Y") in page
    assert f">{version.score}</span>" in page
    assert f'href="/ventures/{SLUG}/canvas.pdf?version=1"' in page
    assert f'href="/ventures/{SLUG}/versions/1.json"' in page
    assert f'href="/ventures/{SLUG}/compare/?from=1&amp;to=current"' in page


def test_history_draws_a_sparkline_of_score_with_a_text_alternative(alice_client, venture):
    add_versions(venture, 2)
    page = alice_client.get("/ventures/sepsis-dx/versions/").content.decode()
    assert '<svg viewBox="0 0 240 48"' in page and 'role="img"' in page
    assert '<title id="spark-title">Score over versions</title>' in page
    assert "over 3 versions" in page
    assert "<polyline points=" in page
    assert page.count("<circle ") == 3
    assert "style=" not in page


def test_history_has_an_empty_state(alice_client, venture):
    CanvasVersion.objects.all().delete()
    page = alice_client.get("/ventures/sepsis-dx/versions/").content.decode()
    assert "No versions yet" in page
    assert "<svg" not in page


def test_advisor_sees_the_history_without_the_save_form(bob_client, venture):
    page = bob_client.get("/ventures/sepsis-dx/versions/").content.decode()
    assert ">v1</a>" in page
    assert "Save version" not in page and "Restore" not in page


def test_staff_see_the_history(carol_client, venture):
    assert carol_client.get("/ventures/sepsis-dx/versions/").status_code == 200


def test_history_fragment_for_htmx(alice_client, venture):
    response = alice_client.get("/ventures/sepsis-dx/versions/", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="history"')
    assert "<html" not in page


# --- saving a version --------------------------------------------------------------------


def test_founder_saves_a_named_version_of_the_current_canvas(alice, alice_client, venture):
    response = alice_client.post(
        "/ventures/sepsis-dx/versions/", {"label": "Before advisory board, March"}
    )
    assert response.status_code == 303
    assert response["Location"] == "/ventures/sepsis-dx/versions/"
    version = CanvasVersion.objects.get(canvas__venture=venture, number=2)
    assert version.label == "Before advisory board, March"
    assert version.source == CanvasVersion.MANUAL
    assert version.author == alice
    assert version.document == current_document(venture)
    assert version.score == venture.canvas.score == version.evaluation["score"]
    assert ActivityLog.objects.filter(action="version_saved", actor=alice).exists()
    page = alice_client.get("/ventures/sepsis-dx/versions/").content.decode()
    assert "Saved v2 “Before advisory board, March”." in page


def test_saving_with_htmx_returns_the_refreshed_history(alice_client, venture):
    response = alice_client.post(
        "/ventures/sepsis-dx/versions/", {"label": "Pre-board"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="history"')
    assert "Saved v2 “Pre-board”." in page and ">v2</a>" in page


@pytest.mark.parametrize(
    ("label", "message"),
    [("", "Give the version a label"), ("   ", "Give the version a label"), ("x" * 201, "200")],
)
def test_a_version_needs_a_label_of_at_most_200_characters(alice_client, venture, label, message):
    response = alice_client.post("/ventures/sepsis-dx/versions/", {"label": label})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'aria-invalid="true"' in page
    assert CanvasVersion.objects.filter(canvas__venture=venture).count() == 1


def test_a_label_of_exactly_200_characters_is_accepted(alice_client, venture):
    alice_client.post("/ventures/sepsis-dx/versions/", {"label": "x" * 200})
    assert CanvasVersion.objects.get(number=2).label == "x" * 200


@pytest.mark.parametrize("who", ["bob", "carol"])
def test_advisors_and_staff_cannot_save_a_version(request, venture, who):
    client = client_for(request.getfixturevalue(who))
    response = client.post("/ventures/sepsis-dx/versions/", {"label": "Sneaky"})
    assert response.status_code == 404
    assert CanvasVersion.objects.filter(canvas__venture=venture).count() == 1


# --- viewing and downloading ----------------------------------------------------------------


def test_a_version_is_shown_read_only_with_its_downloads(bob_client, venture, sepsis_doc):
    page = bob_client.get("/ventures/sepsis-dx/versions/1/").content.decode()
    assert "v1" in page and "Read-only snapshot" in page
    assert sepsis_doc.partners[0].name in page
    assert "<form" not in page.split('id="main"')[1].split("</main>")[0]
    assert 'href="/ventures/sepsis-dx/canvas.pdf?version=1"' in page
    assert 'href="/ventures/sepsis-dx/versions/1.json"' in page
    assert "Restore v1" not in page


def test_the_version_page_links_to_restore_for_founders(alice_client, venture):
    page = alice_client.get("/ventures/sepsis-dx/versions/1/").content.decode()
    assert 'href="/ventures/sepsis-dx/versions/1/restore/"' in page


def test_an_old_version_shows_its_own_content_not_the_current_canvas(
    alice_client, venture, sepsis_data
):
    edit_two_entries(venture, sepsis_data)
    data = json.loads(json.dumps(sepsis_data))
    data["partners"][0]["name"] = "A partner only in v2"
    from canvas.document import parse_document

    save_document(venture, parse_document(data), label="v2")
    page = alice_client.get("/ventures/sepsis-dx/versions/1/").content.decode()
    assert "A partner only in v2" not in page
    assert sepsis_data["partners"][0]["name"] in page
    assert "v2 is newer" in page


def test_a_missing_version_is_404(alice_client, venture):
    assert alice_client.get("/ventures/sepsis-dx/versions/9/").status_code == 404
    assert alice_client.get("/ventures/sepsis-dx/versions/9.json").status_code == 404


def test_a_version_downloads_as_its_document(bob_client, venture, sepsis_doc):
    response = bob_client.get("/ventures/sepsis-dx/versions/1.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="sepsis-dx-v1.json"'
    assert json.loads(response.content) == sepsis_doc.to_data()


def test_the_current_canvas_downloads_as_a_document(carol_client, venture, sepsis_data):
    edit_two_entries(venture, sepsis_data)
    response = carol_client.get("/ventures/sepsis-dx/canvas.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sepsis-dx-canvas.json"'
    data = json.loads(response.content)
    assert data == current_document(venture)
    assert data["partners"][0]["recovery_time"] == "weeks"


# --- restoring ---------------------------------------------------------------------------


def test_restore_asks_for_confirmation_first(alice_client, venture, sepsis_data):
    edit_two_entries(venture, sepsis_data)
    before = current_document(venture)
    response = alice_client.get("/ventures/sepsis-dx/versions/1/restore/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Restore v1?" in page
    assert "Before restoring v1" in page
    assert "restoring changes 2 entries" in page
    assert '<button type="submit" class="button primary">Restore v1</button>' in page
    assert current_document(venture) == before
    assert CanvasVersion.objects.count() == 1


def test_restore_makes_the_version_current_and_keeps_the_state_before(
    alice, alice_client, venture, sepsis_data, sepsis_doc
):
    edit_two_entries(venture, sepsis_data)
    edited = current_document(venture)
    response = alice_client.post("/ventures/sepsis-dx/versions/1/restore/")
    assert response.status_code == 303
    assert current_document(venture) == sepsis_doc.to_data()
    versions = {v.number: v for v in CanvasVersion.objects.filter(canvas__venture=venture)}
    assert sorted(versions) == [1, 2, 3]
    kept, restored = versions[2], versions[3]
    assert (kept.source, kept.label, kept.author) == ("auto", "Before restoring v1", alice)
    assert kept.document == edited  # nothing is lost
    assert (restored.source, restored.label) == ("restore", "Restored v1")
    assert restored.document == versions[1].document
    assert ActivityLog.objects.filter(action="restored", actor=alice).exists()
    page = alice_client.get("/ventures/sepsis-dx/versions/").content.decode()
    assert "kept as v2" in page
    assert venture.canvas.__class__.objects.get(pk=venture.canvas.pk).score == versions[1].score


def test_restoring_the_kept_state_brings_the_edits_back(alice_client, venture, sepsis_data):
    edit_two_entries(venture, sepsis_data)
    edited = current_document(venture)
    alice_client.post("/ventures/sepsis-dx/versions/1/restore/")
    alice_client.post("/ventures/sepsis-dx/versions/2/restore/")
    assert current_document(venture) == edited
    assert CanvasVersion.objects.filter(canvas__venture=venture).count() == 5


def test_a_failed_restore_changes_nothing(alice_client, venture, sepsis_data, monkeypatch):
    edit_two_entries(venture, sepsis_data)
    edited = current_document(venture)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    module = importlib.import_module("canvas.views.versions")
    monkeypatch.setattr(module, "save_document", broken)
    with pytest.raises(RuntimeError):
        alice_client.post("/ventures/sepsis-dx/versions/1/restore/")
    assert current_document(venture) == edited
    assert CanvasVersion.objects.filter(canvas__venture=venture).count() == 1


@pytest.mark.parametrize("who", ["bob", "carol"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_advisors_and_staff_cannot_restore(request, venture, sepsis_data, who, method):
    edit_two_entries(venture, sepsis_data)
    edited = current_document(venture)
    client = client_for(request.getfixturevalue(who))
    response = getattr(client, method)("/ventures/sepsis-dx/versions/1/restore/")
    assert response.status_code == 404
    assert current_document(venture) == edited
    assert CanvasVersion.objects.filter(canvas__venture=venture).count() == 1


def test_restoring_a_missing_version_is_404(alice_client, venture):
    assert alice_client.post("/ventures/sepsis-dx/versions/7/restore/").status_code == 404
    assert CanvasVersion.objects.count() == 1


# --- who may see what ------------------------------------------------------------------------

READ_URLS = [
    "/ventures/sepsis-dx/versions/",
    "/ventures/sepsis-dx/versions/1/",
    "/ventures/sepsis-dx/versions/1.json",
    "/ventures/sepsis-dx/compare/",
    "/ventures/sepsis-dx/compare/?from=1&to=current",
    "/ventures/sepsis-dx/canvas.json",
]
WRITE_URLS = [
    "/ventures/sepsis-dx/versions/",
    "/ventures/sepsis-dx/versions/1/restore/",
    "/ventures/sepsis-dx/upload/",
]


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_everyone_on_the_venture_may_read(request, venture, who):
    client = client_for(request.getfixturevalue(who))
    for url in READ_URLS:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["mallory", "erin", "frank"])
def test_outsiders_get_404_on_every_page(request, venture, who):
    client = client_for(request.getfixturevalue(who))
    for url in [*READ_URLS, "/ventures/sepsis-dx/versions/1/restore/"]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["mallory", "erin", "frank"])
def test_outsiders_get_404_on_every_write(request, venture, who):
    client = client_for(request.getfixturevalue(who))
    for url in WRITE_URLS:
        assert client.post(url, {"label": "x"}).status_code == 404, url
    assert CanvasVersion.objects.filter(canvas__venture=venture).count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, venture):
    for url in [*READ_URLS, *WRITE_URLS, "/schema/", "/schema/canvas.json"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")
        assert client.post(url).status_code == 302, url
    assert CanvasVersion.objects.filter(canvas__venture=venture).count() == 1


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [1, 29])
def test_history_runs_a_constant_number_of_queries(
    alice_client, venture, django_assert_num_queries, extra
):
    add_versions(venture, extra)  # 2 and 30 versions in all
    # session, user, venture, role, versions (documents deferred), canvas score
    with django_assert_num_queries(6):
        response = alice_client.get("/ventures/sepsis-dx/versions/")
    assert response.content.decode().count("<circle ") == 1 + extra


@pytest.mark.parametrize("extra", [1, 29])
def test_staff_history_runs_a_constant_number_of_queries(
    carol_client, venture, django_assert_num_queries, extra
):
    add_versions(venture, extra)
    # as above, plus one more to find the staff role through the cohort
    with django_assert_num_queries(7):
        assert carol_client.get("/ventures/sepsis-dx/versions/").status_code == 200


@pytest.mark.parametrize("extra", [1, 29])
def test_a_version_page_runs_a_constant_number_of_queries(
    alice_client, venture, django_assert_num_queries, extra
):
    add_versions(venture, extra)
    # session, user, venture, role, the version with its author, latest/previous numbers
    with django_assert_num_queries(6):
        assert alice_client.get("/ventures/sepsis-dx/versions/2/").status_code == 200


@pytest.mark.parametrize("extra", [1, 29])
def test_compare_with_current_runs_a_constant_number_of_queries(
    alice_client, venture, django_assert_num_queries, extra
):
    add_versions(venture, extra)
    # session, user, venture, role, version choices, the compared version,
    # the current canvas (canvas + venture, then four blocks of entries)
    with django_assert_num_queries(12):
        assert alice_client.get("/ventures/sepsis-dx/compare/?from=1&to=current").status_code == 200


@pytest.mark.parametrize("extra", [1, 29])
def test_compare_of_two_versions_runs_a_constant_number_of_queries(
    alice_client, venture, django_assert_num_queries, extra
):
    add_versions(venture, extra)
    # session, user, venture, role, version choices, both compared versions in one query
    with django_assert_num_queries(6):
        assert alice_client.get("/ventures/sepsis-dx/compare/?from=1&to=2").status_code == 200


def test_an_invalid_label_with_htmx_returns_the_form_with_its_error(alice_client, venture):
    response = alice_client.post(
        "/ventures/sepsis-dx/versions/", {"label": ""}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert response.status_code == 200  # htmx swaps 2xx answers only
    assert page.lstrip().startswith('<div id="history"')
    assert "Give the version a label" in page
    assert CanvasVersion.objects.filter(canvas__venture=venture).count() == 1


def test_a_venture_without_a_canvas_yet_downloads_an_empty_document(alice_client, venture):
    from canvas.models import Canvas

    Canvas.objects.filter(venture=venture).delete()
    response = alice_client.get("/ventures/sepsis-dx/canvas.json")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["venture"]["name"] == venture.name
    assert data["channels"] == data["partners"] == data["activities"] == data["resources"] == []
    assert alice_client.get("/ventures/sepsis-dx/versions/").status_code == 200
