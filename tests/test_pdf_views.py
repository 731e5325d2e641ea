"""GET /ventures/<slug>/canvas.pdf (?version=N, ?paper=): who may download it, what it holds,
and how it is made (issues #4, #16): never in the request. A stored PDF is sent at once;
otherwise the request queues one render and answers a "Preparing your PDF…" page that
polls the same address with htmx; the worker renders; the same address then sends the
file. The query count of a download does not grow with the canvas."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from canvas.models import Comment, StoredPdf, save_document
from canvas.pdf import PdfTimeout
from tests.conftest import big_document, client_for, pdf_bytes, run_tasks

URL = "/ventures/sepsis-dx/canvas.pdf"


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


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


# --- what the PDF holds (rendered for real, in the worker's render child) ---------------


def test_advisor_downloads_the_current_canvas_with_their_open_comments(
    bob, alice, venture, get_pdf
):
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
    response = get_pdf(client_for(bob), URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="sepsis-dx-canvas-current.pdf"'
    text = pdf_text(pdf_bytes(response))
    assert "Sepsis Dx" in text and "Massachusetts General Hospital ED" in text
    assert "Which payors have signed?" in text
    assert "Resolved already" not in text
    assert "A founder's note" not in text


def test_a_saved_version_renders_its_own_document_and_label(alice, renamed, get_pdf):
    response = get_pdf(client_for(alice), URL + "?version=1")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sepsis-dx-canvas-v1.pdf"'
    text = pdf_text(pdf_bytes(response))
    assert renamed in text
    assert "Renamed Partner Ltd" not in text
    assert "v1" in text


# --- who may download it ----------------------------------------------------------------


def test_the_version_label_is_shown(alice, renamed, stub_renderer, get_pdf):
    get_pdf(client_for(alice), URL + "?version=2")
    job = stub_renderer.jobs[-1]
    assert job["version_label"] == "v2 · Renamed"
    assert job["document"]["partners"][0]["name"] == "Renamed Partner Ltd"
    assert job["evaluation"]["findings"] is not None


@pytest.mark.parametrize("user", ["alice", "bob", "carol"])
def test_everyone_who_may_see_the_venture_may_download_it(
    request, venture, user, stub_renderer, get_pdf
):
    response = get_pdf(client_for(request.getfixturevalue(user)), URL)
    assert response.status_code == 200
    assert pdf_bytes(response) == stub_renderer.PDF


@pytest.mark.parametrize("user", ["mallory", "erin", "frank"])
def test_people_outside_the_venture_get_404(request, venture, user, stub_renderer):
    assert client_for(request.getfixturevalue(user)).get(URL).status_code == 404
    assert not StoredPdf.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(venture, stub_renderer):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not StoredPdf.objects.exists()


@pytest.mark.parametrize("version", ["abc", "-1", "0", "99", "1.0", " 1", "1e3", ""])
def test_a_version_that_does_not_exist_answers_404(alice, version, stub_renderer):
    assert client_for(alice).get(URL, {"version": version}).status_code == 404


@pytest.mark.parametrize("paper", ["b5", "A4", "", "a4 "])
def test_a_paper_that_is_not_offered_answers_404(alice, paper, stub_renderer):
    assert client_for(alice).get(URL, {"paper": paper}).status_code == 404


def test_the_pdf_cannot_be_posted(alice, stub_renderer):
    assert client_for(alice).post(URL).status_code == 405


# --- how it is made ---------------------------------------------------------------------


def test_the_first_request_answers_at_once_with_a_page_that_polls_with_htmx(
    alice, stub_renderer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).get(URL + "?version=1&paper=a4")
    assert response.status_code == 202
    assert response["Retry-After"] == "2"
    assert response["Cache-Control"] == "private, no-store"
    page = response.content.decode()
    assert "Preparing your PDF…" in page
    key = StoredPdf.objects.get().key
    poll = (
        f'hx-get="/ventures/sepsis-dx/canvas.pdf?version=1&amp;paper=a4&amp;pdf={key}" '
        'hx-trigger="every 2s"'
    )
    assert poll in page
    assert 'role="status"' in page
    assert "hx-on" not in page and "<script>" not in page  # strict CSP: no inline code
    assert stub_renderer.jobs == []  # nothing rendered in the request
    assert DBTaskResult.objects.filter(task_path="canvas.tasks.make_pdf").count() == 1


def test_the_poll_gets_a_fragment_then_the_ready_fragment_then_a_redirect_to_the_file(
    alice, stub_renderer, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    htmx = {"HX-Request": "true", "HX-Target": "pdf-status", "HX-Trigger": "pdf-status"}
    with django_capture_on_commit_callbacks(execute=True):
        client.get(URL)
    poll = f"{URL}?pdf={StoredPdf.objects.get().key}"
    waiting = client.get(poll, headers=htmx)
    assert waiting.status_code == 200
    fragment = waiting.content.decode()
    assert fragment.strip().startswith('<div id="pdf-status"') and "<html" not in fragment
    assert 'hx-trigger="every 2s"' in fragment
    run_tasks()
    ready = client.get(poll, headers=htmx).content.decode()
    assert "Your PDF is ready" in ready and 'href="/ventures/sepsis-dx/canvas.pdf"' in ready
    assert 'id="pdf-download" hx-get="/ventures/sepsis-dx/canvas.pdf" hx-trigger="load"' in ready
    assert "every 2s" not in ready  # the polling stops
    go = client.get(URL, headers={"HX-Request": "true", "HX-Trigger": "pdf-download"})
    assert go.status_code == 204
    assert go["HX-Redirect"] == URL
    assert pdf_bytes(client.get(URL)) == stub_renderer.PDF


def test_many_requests_for_one_pdf_make_one_render(
    alice, bob, carol, stub_renderer, django_capture_on_commit_callbacks
):
    clients = [client_for(alice), client_for(bob), client_for(carol)]
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            for client in clients:
                assert client.get(URL + "?version=1").status_code == 202
    assert StoredPdf.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    run_tasks()
    assert len(stub_renderer.jobs) == 1
    for client in clients:
        assert client.get(URL + "?version=1").status_code == 200
    assert len(stub_renderer.jobs) == 1


def test_a_saved_versions_pdf_is_rendered_once_and_each_paper_once(
    alice, venture, renamed, stub_renderer, get_pdf
):
    client = client_for(alice)
    for _ in range(2):
        assert get_pdf(client, URL + "?version=1").status_code == 200
    save_document(venture, big_document(3), source="manual", label="Later")
    assert get_pdf(client, URL + "?version=1").status_code == 200
    assert len(stub_renderer.jobs) == 1  # the canvas changed; version 1 did not
    response = get_pdf(client, URL + "?version=1&paper=letter")
    assert (
        response["Content-Disposition"] == 'attachment; filename="sepsis-dx-canvas-v1-letter.pdf"'
    )
    assert [job["paper"] for job in stub_renderer.jobs] == ["a3", "letter"]


def test_the_current_pdf_is_reused_until_something_on_it_changes(
    alice, bob, venture, sepsis_doc, stub_renderer, get_pdf
):
    client = client_for(alice)
    get_pdf(client, URL)
    get_pdf(client, URL)
    assert len(stub_renderer.jobs) == 1
    comment = Comment.objects.create(canvas=venture.canvas, author=bob, block="partners", body="?")
    get_pdf(client, URL)  # an open advisor comment shows in the appendix: a new PDF
    assert len(stub_renderer.jobs) == 2
    comment.resolved_at = "2026-01-01T00:00:00Z"
    comment.save()
    get_pdf(client, URL)  # as it was before the comment: the first PDF again
    assert len(stub_renderer.jobs) == 2
    renamed = sepsis_doc.model_copy(
        update={"venture": sepsis_doc.venture.model_copy(update={"name": "Sepsis Dx 2"})}
    )
    save_document(venture, renamed, source="manual")
    get_pdf(client, URL)
    assert len(stub_renderer.jobs) == 3
    assert StoredPdf.objects.filter(status=StoredPdf.DONE).count() == 3


def test_a_render_that_times_out_says_so_and_can_be_tried_again(
    alice, stub_renderer, get_pdf, django_capture_on_commit_callbacks
):
    stub_renderer.error = PdfTimeout("Rendering the PDF took longer than 60 s and was stopped.")
    client = client_for(alice)
    response = get_pdf(client, URL)
    assert response.status_code == 503
    page = response.content.decode()
    assert "The PDF could not be made. Rendering the PDF took longer than 60 s" in page
    assert 'href="/ventures/sepsis-dx/canvas.pdf?retry=1"' in page
    htmx = client.get(URL, headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and "took longer than 60 s" in htmx.content.decode()
    assert "every 2s" not in htmx.content.decode()
    stub_renderer.error = None
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(URL + "?retry=1").status_code == 202
    run_tasks()
    assert pdf_bytes(client.get(URL)) == stub_renderer.PDF


def test_a_stored_pdf_whose_file_is_gone_is_rendered_again(alice, stub_renderer, get_pdf):
    from django.core.files.storage import default_storage

    client = client_for(alice)
    get_pdf(client, URL)
    default_storage.delete(StoredPdf.objects.get().file)
    response = get_pdf(client, URL)
    assert response.status_code == 200
    assert len(stub_renderer.jobs) == 2


def test_the_file_is_kept_in_the_default_storage_by_its_key(
    alice, stub_renderer, get_pdf, media_root
):
    get_pdf(client_for(alice), URL)
    row = StoredPdf.objects.get()
    assert re.fullmatch(r"[0-9a-f]{64}", row.key)
    assert row.file == f"pdfs/{row.key[:2]}/{row.key}.pdf"
    assert (media_root / row.file).read_bytes() == stub_renderer.PDF
    assert row.job == {}  # what to render is dropped once it is rendered


# --- queries ----------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_canvas(alice, venture, bob, stub_renderer, get_pdf):
    client = client_for(alice)
    Comment.objects.create(canvas=venture.canvas, author=bob, block="partners", body="One")
    get_pdf(client, URL)
    get_pdf(client, URL + "?version=1")
    small = count_queries(client, URL)
    small_version = count_queries(client, URL + "?version=1")
    save_document(venture, big_document(50), source="manual", label="Big")
    for i in range(20):
        Comment.objects.create(canvas=venture.canvas, author=bob, block="partners", body=f"C{i}")
    get_pdf(client, URL)
    get_pdf(client, URL + "?version=2")
    assert count_queries(client, URL) == small
    assert count_queries(client, URL + "?version=2") == small_version
    assert len(stub_renderer.jobs[-2]["document"]["partners"]) == 50
    assert len(stub_renderer.jobs[-2]["comments"]) == 21


def test_a_stored_current_pdf_takes_eleven_queries_and_a_version_six(
    alice, venture, stub_renderer, get_pdf, django_assert_num_queries
):
    client = client_for(alice)
    get_pdf(client, URL)
    get_pdf(client, URL + "?version=1")
    # session, user, venture; canvas with its five entry lists; open advisor comments;
    # the stored PDF
    with django_assert_num_queries(11):
        client.get(URL)
    # session, user, venture; the version; open advisor comments; the stored PDF
    with django_assert_num_queries(6):
        client.get(URL + "?version=1")


def test_the_poll_names_its_pdf_and_builds_no_canvas(
    alice, venture, stub_renderer, django_capture_on_commit_callbacks, django_assert_num_queries
):
    save_document(venture, big_document(50), source="manual", label="Big")
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(URL + "?version=2")
    poll = f"{URL}?version=2&pdf={StoredPdf.objects.get().key}"
    # session, user, the venture with the person's role; the stored PDF (not the version)
    with django_assert_num_queries(4):
        response = client.get(poll, headers={"HX-Request": "true"})
    assert "Preparing your PDF" in response.content.decode()


def test_a_poll_for_another_ventures_pdf_learns_nothing_of_it(
    alice, frank, other_venture, stub_renderer, get_pdf
):
    get_pdf(client_for(frank), "/ventures/other-co/canvas.pdf")
    theirs = StoredPdf.objects.get().key
    response = client_for(alice).get(f"{URL}?pdf={theirs}", headers={"HX-Request": "true"})
    assert theirs not in response.content.decode()  # answered for alice's own PDF
    assert StoredPdf.objects.filter(venture__slug="sepsis-dx").exists()
