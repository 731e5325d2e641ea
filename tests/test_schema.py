"""The document format: /schema/canvas.json and its readable page (issue #6)."""

import html
import json

from canvas.document import LABELS, json_schema, parse_document
from canvas.views.schema import EXAMPLE, NOTES, schema_fields


def test_the_json_schema_is_served_to_signed_in_people(mallory_client):
    response = mallory_client.get("/schema/canvas.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    schema = json.loads(response.content)
    assert schema == json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_schema_requires_sign_in(client, db):
    for url in ("/schema/canvas.json", "/schema/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_format_page_names_every_field_of_the_schema(mallory_client):
    page = html.unescape(mallory_client.get("/schema/").content.decode())
    rows = schema_fields()
    assert len(rows) > 40
    for row in rows:
        assert f"<code>{row.path}</code>" in page, row.path
    for path in (
        "channels[].tags",
        "activities[].relevance.rating",
        "readiness.requirements_mapped",
    ):
        assert path in {r.path for r in rows}


def test_the_format_page_lists_every_vocabulary_with_its_labels(mallory_client):
    page = html.unescape(mallory_client.get("/schema/").content.decode())
    for kind, vocabulary in LABELS.items():
        if kind in ("test", "question"):  # field names, not values
            continue
        for value, label in vocabulary.items():
            assert f"<code>{value}</code> — {label}" in page, (kind, value)


def test_the_format_page_states_the_limits_and_required_fields(mallory_client):
    page = mallory_client.get("/schema/").content.decode()
    assert "at most 2,000 characters" in page
    assert "at most 200 entries" in page
    assert "<strong>required</strong>" in page
    assert "activities.2.relevance.rating" in page


def test_the_readiness_questions_are_explained(mallory_client):
    rows = {r.path: r for r in schema_fields()}
    row = rows["readiness.customer_success_owns_adoption"]
    assert row.nullable and "customer-success function" in row.note
    assert row.kind == "true or false or null"


def test_every_note_belongs_to_a_real_field():
    paths = {r.path for r in schema_fields()}
    assert set(NOTES) <= paths


def test_the_example_on_the_format_page_is_a_valid_document(mallory_client):
    parse_document(EXAMPLE)
    page = html.unescape(mallory_client.get("/schema/").content.decode())
    assert '"schema_version": 1' in page
