"""Uploading a document to replace the canvas: validated, atomic, versioned (issue #6)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from canvas.models import ActivityLog, CanvasVersion, canvas_for_document
from tests.conftest import FIXTURES, client_for, load_fixture

URL = "/ventures/sepsis-dx/upload/"


# Each kind of invalid document from the foundation issue, with the JSON path it names.
INVALID = [
    ("invalid_unknown_field.json", "channels.0.budget"),
    ("invalid_vocabulary.json", "venture.solution_type"),
    ("invalid_nested_rating.json", "activities.2.relevance.rating"),
    ("invalid_duplicate_partner.json", "partners.1.name"),
    ("invalid_long_text.json", "channels.0.relationship"),
    ("invalid_negative_money.json", "finances.monthly_burn"),
    ("invalid_malformed.json", "(document)"),
    ("invalid_schema_version.json", "schema_version"),
    ("invalid_empty_name.json", "partners.0.name"),
]


def json_file(data, name: str = "canvas.json") -> SimpleUploadedFile:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, raw, content_type="application/json")


def snapshot(venture) -> tuple:
    """The current canvas document and the list of versions, to check nothing changed."""
    canvas = canvas_for_document().get(venture=venture)
    versions = list(
        CanvasVersion.objects.filter(canvas=canvas).values_list("number", "label", "document")
    )
    return canvas.to_document().to_data(), canvas.score, versions


def test_the_upload_page_has_labelled_fields(alice_client, venture):
    page = alice_client.get(URL).content.decode()
    assert '<label for="id_document">Canvas document (JSON)</label>' in page
    assert '<label for="id_label">Version label (optional)</label>' in page
    assert 'enctype="multipart/form-data"' in page
    assert "at most 1 MB" in page


def test_founder_uploads_a_document_that_replaces_the_canvas(alice, alice_client, venture):
    data = load_fixture("sepsis-predict.json")
    response = alice_client.post(URL, {"document": json_file(data, "predict.json")})
    assert response.status_code == 303
    assert response["Location"] == "/ventures/sepsis-dx/versions/"
    canvas = canvas_for_document().get(venture=venture)
    assert canvas.to_document().to_data() == data
    version = CanvasVersion.objects.get(canvas=canvas, number=2)
    assert (version.source, version.label, version.author) == (
        "upload",
        "Uploaded predict.json",
        alice,
    )
    assert version.document == data
    assert ActivityLog.objects.filter(action="imported", actor=alice).exists()
    page = alice_client.get("/ventures/sepsis-dx/versions/").content.decode()
    assert "saved as v2" in page


def test_an_upload_may_carry_its_own_label(alice_client, venture):
    data = load_fixture("demo-rhythmwear.json")
    alice_client.post(URL, {"document": json_file(data), "label": "From the board pack"})
    assert CanvasVersion.objects.get(number=2).label == "From the board pack"


def test_a_downloaded_canvas_uploads_back_unchanged(alice_client, venture):
    before = snapshot(venture)[0]
    raw = alice_client.get("/ventures/sepsis-dx/canvas.json").content
    alice_client.post(URL, {"document": json_file(raw)})
    assert snapshot(venture)[0] == before
    assert CanvasVersion.objects.filter(canvas__venture=venture).count() == 2


@pytest.mark.parametrize(("name", "path"), INVALID)
def test_an_invalid_document_is_refused_with_its_json_path_and_nothing_changes(
    alice_client, venture, name, path
):
    before = snapshot(venture)
    raw = (FIXTURES / name).read_bytes()
    response = alice_client.post(URL, {"document": json_file(raw, name)})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'<code class="json-path">{path}</code>' in page
    assert "Nothing was changed" in page
    assert snapshot(venture) == before


def test_every_problem_of_a_document_is_listed(alice_client, venture):
    data = load_fixture("sepsis-dx.json")
    data["venture"]["market_stage"] = "moon"
    data["partners"][0]["recovery_time"] = "decades"
    data["extra"] = 1
    page = alice_client.post(URL, {"document": json_file(data)}).content.decode()
    assert "3 problems" in page
    for path in ("venture.market_stage", "partners.0.recovery_time", "extra"):
        assert f'<code class="json-path">{path}</code>' in page


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "is not UTF-8 text"),
        (b"name,score\nSepsis,90\n", "is not valid JSON"),
        (b"[1, 2, 3]", "must be a JSON object"),
        (b"", "The file is empty"),
    ],
)
def test_a_file_that_is_not_a_canvas_document_changes_nothing(alice_client, venture, raw, message):
    before = snapshot(venture)
    response = alice_client.post(URL, {"document": json_file(raw, "notes.txt")})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(venture) == before


def test_an_upload_without_a_file_asks_for_one(alice_client, venture):
    before = snapshot(venture)
    response = alice_client.post(URL, {"label": "nothing"})
    assert response.status_code == 400
    assert "Choose a JSON file to upload." in response.content.decode()
    assert snapshot(venture) == before


def test_an_upload_just_over_1_mb_is_refused_without_being_kept(alice_client, venture):
    before = snapshot(venture)
    data = load_fixture("sepsis-dx.json")
    raw = json.dumps(data).encode()
    raw = raw[:-1] + b" " * (1024 * 1024 + 10 - len(raw)) + b"}"  # valid JSON, 1 MB + 10 bytes
    response = alice_client.post(URL, {"document": json_file(raw)})
    assert response.status_code == 413
    assert "larger than 1 MB" in response.content.decode()
    assert snapshot(venture) == before


def test_a_much_larger_upload_is_refused_from_its_headers(alice_client, venture):
    before = snapshot(venture)
    raw = b"{" + b" " * (3 * 1024 * 1024) + b"}"
    response = alice_client.post(URL, {"document": json_file(raw)})
    assert response.status_code == 413
    assert "larger than 1 MB" in response.content.decode()
    assert snapshot(venture) == before


def test_a_document_of_exactly_1_mb_is_accepted(alice_client, venture):
    raw = json.dumps(load_fixture("demo-rhythmwear.json")).encode()
    raw = raw[:-1] + b" " * (1024 * 1024 - len(raw)) + b"}"
    assert len(raw) == 1024 * 1024
    assert alice_client.post(URL, {"document": json_file(raw)}).status_code == 303
    assert CanvasVersion.objects.filter(canvas__venture=venture).count() == 2


@pytest.mark.parametrize("who", ["bob", "carol"])
def test_advisors_and_staff_cannot_upload(request, venture, who):
    before = snapshot(venture)
    client = client_for(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    data = load_fixture("sepsis-predict.json")
    assert client.post(URL, {"document": json_file(data)}).status_code == 404
    assert snapshot(venture) == before


def test_an_upload_needs_the_csrf_token(alice, venture):
    before = snapshot(venture)
    client = client_for(alice, enforce_csrf_checks=True)
    data = load_fixture("sepsis-predict.json")
    assert client.post(URL, {"document": json_file(data)}).status_code == 403
    assert snapshot(venture) == before
    client.get(URL)
    token = client.cookies["csrftoken"].value
    response = client.post(URL, {"csrfmiddlewaretoken": token, "document": json_file(data)})
    assert response.status_code == 303


@pytest.mark.parametrize("size", [1024 * 1024 + 10, 3 * 1024 * 1024])
def test_an_over_large_upload_is_never_parsed(alice_client, venture, monkeypatch, size):
    import importlib

    def fail(raw):
        raise AssertionError("an over-large upload reached the parser")

    monkeypatch.setattr(importlib.import_module("canvas.views.versions"), "parse_document", fail)
    response = alice_client.post(URL, {"document": json_file(b"{" + b" " * size + b"}")})
    assert response.status_code == 413
