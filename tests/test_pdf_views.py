"""GET /ventures/<slug>/canvas.pdf (and ?version=N): who may download it, what it holds,
and a query count that does not grow with the canvas (issue #4)."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from canvas.models import Comment, save_document
from canvas.pdf import PdfTimeout
from canvas.views import exports
from tests.conftest import big_document, client_for

URL = "/ventures/sepsis-dx/canvas.pdf"


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


@pytest.fixture
def stub_render(monkeypatch):
    """Record the render's arguments instead of rendering (for access and query tests)."""
    calls = []

    def render(doc, evaluation=None, **kwargs):
        calls.append((doc, evaluation, kwargs))
        return b"%PDF-1.7 stub"

    monkeypatch.setattr(exports, "render_canvas_pdf", render)
    return calls


@pytest.fixture
def renamed(venture, sepsis_doc):
    """Version 2 renames the first partner; version 1 keeps its old name."""
    first = sepsis_doc.partners[0]
    doc = sepsis_doc.model_copy(
        update={
            "partners": [
                first.model_copy(update={"name": "Renamed Partner Ltd"}),
                *sepsis_doc.partners[1:],
            ]
        }
    )
    save_document(venture, doc, source="manual", label="Renamed")
    return first.name


def test_advisor_downloads_the_current_canvas_with_their_open_comments(bob, alice, venture):
    canvas = venture.canvas
    Comment.objects.create(
        canvas=canvas,
        author=bob,
        block="partners",
        entry_name="HealthEcon Advisors",
        body="Which payors have signed?",
    )
    Comment.objects.create(
        canvas=canvas,
        author=bob,
        block="activities",
        body="Resolved already",
        resolved_at="2026-01-01T00:00:00Z",
    )
    Comment.objects.create(canvas=canvas, author=alice, block="partners", body="A founder's note")
    response = client_for(bob).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="sepsis-dx-canvas-current.pdf"'
    text = pdf_text(response.content)
    assert "Sepsis Dx" in text and "Massachusetts General Hospital ED" in text
    assert "Which payors have signed?" in text
    assert "Resolved already" not in text
    assert "A founder's note" not in text


def test_a_saved_version_renders_its_own_document_and_label(alice, renamed):
    response = client_for(alice).get(URL + "?version=1")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sepsis-dx-canvas-v1.pdf"'
    text = pdf_text(response.content)
    assert renamed in text
    assert "Renamed Partner Ltd" not in text
    assert "v1" in text


def test_the_version_label_is_shown(alice, renamed, stub_render):
    client_for(alice).get(URL + "?version=2")
    doc, evaluation, kwargs = stub_render[-1]
    assert kwargs["version_label"] == "v2 · Renamed"
    assert doc.partners[0].name == "Renamed Partner Ltd"
    assert evaluation is not None


@pytest.mark.parametrize("user", ["alice", "bob", "carol"])
def test_everyone_who_may_see_the_venture_may_download_it(request, venture, user, stub_render):
    response = client_for(request.getfixturevalue(user)).get(URL)
    assert response.status_code == 200
    assert response.content == b"%PDF-1.7 stub"


@pytest.mark.parametrize("user", ["mallory", "erin", "frank"])
def test_people_outside_the_venture_get_404(request, venture, user, stub_render):
    assert client_for(request.getfixturevalue(user)).get(URL).status_code == 404
    assert stub_render == []


def test_anonymous_visitors_are_sent_to_sign_in(venture, stub_render):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert stub_render == []


@pytest.mark.parametrize("version", ["abc", "-1", "0", "99", "1.0", " 1", "1e3", ""])
def test_a_version_that_does_not_exist_answers_404(alice, version, stub_render):
    assert client_for(alice).get(URL, {"version": version}).status_code == 404


def test_the_pdf_cannot_be_posted(alice, stub_render):
    assert client_for(alice).post(URL).status_code == 405


def test_a_render_that_times_out_answers_503_with_a_message(alice, monkeypatch):
    def too_slow(*args, **kwargs):
        raise PdfTimeout("Rendering the PDF took longer than 20 s and was stopped.")

    monkeypatch.setattr(exports, "render_canvas_pdf", too_slow)
    response = client_for(alice).get(URL)
    assert response.status_code == 503
    assert "took too long" in response.content.decode()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_canvas(alice, venture, bob, stub_render):
    client = client_for(alice)
    Comment.objects.create(canvas=venture.canvas, author=bob, block="partners", body="One")
    small = count_queries(client, URL)
    small_version = count_queries(client, URL + "?version=1")
    save_document(venture, big_document(50), source="manual", label="Big")
    for i in range(20):
        Comment.objects.create(canvas=venture.canvas, author=bob, block="partners", body=f"C{i}")
    assert count_queries(client, URL) == small
    assert count_queries(client, URL + "?version=2") == small_version
    assert len(stub_render[-2][0].partners) == 50
    assert len(stub_render[-1][2]["comments"]) == 21


def test_the_current_canvas_takes_nine_queries_and_a_version_five(
    alice, venture, stub_render, django_assert_num_queries
):
    client = client_for(alice)
    # session, user, venture; canvas with its four blocks; open advisor comments
    with django_assert_num_queries(9):
        client.get(URL)
    # session, user, venture; the version; open advisor comments
    with django_assert_num_queries(5):
        client.get(URL + "?version=1")
