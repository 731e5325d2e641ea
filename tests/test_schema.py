"""The document format: /schema/canvas.json and its readable page (issue #6), in document
version 2 (issue 13): vendors, null ratings and answers, the milestone."""

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


def test_the_json_schema_served_describes_version_2_and_vendors(mallory_client):
    schema = json.loads(mallory_client.get("/schema/canvas.json").content)
    assert schema["properties"]["schema_version"]["enum"] == [1, 2]
    assert schema["properties"]["vendors"]["items"] == {"$ref": "#/$defs/Vendor"}
    assert set(schema["$defs"]["Vendor"]["properties"]) == {"name", "service"}
    assert {"next_milestone", "months_to_milestone"} <= set(
        schema["$defs"]["Finances"]["properties"]
    )
    rating = schema["$defs"]["Assessment"]["properties"]["rating"]
    assert {"type": "null"} in rating["anyOf"]


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
        "vendors[].name",
        "vendors[].service",
        "activities[].relevance.rating",
        "finances.next_milestone",
        "finances.months_to_milestone",
        "readiness.requirements_mapped",
    ):
        assert path in {r.path for r in rows}


def test_the_format_page_says_which_ratings_and_answers_may_be_null():
    rows = {r.path: r for r in schema_fields()}
    for path in (
        "activities[].relevance.rating",
        "partners[].recovery_time",
        "partners[].replacement_cost",
        "finances.months_to_milestone",
    ):
        assert rows[path].nullable, path
    assert rows["activities[].relevance.rating"].required
    assert not rows["vendors"].nullable
    assert not rows["vendors"].required


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


def test_the_example_on_the_format_page_is_a_valid_version_2_document(mallory_client):
    doc = parse_document(EXAMPLE)
    assert doc.schema_version == 2
    assert doc.vendors
    page = html.unescape(mallory_client.get("/schema/").content.decode())
    assert '"schema_version": 2' in page
    assert '"vendors": [' in page
