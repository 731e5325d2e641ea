"""Comments are a conversation between a venture's founders and its advisors (SPEC §1): they
appear, in pages and in PDFs, to those two roles only, never to cohort staff."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from canvas.models import Comment
from canvas.permissions import sees_comments
from tests.conftest import client_for, pdf_bytes

PDF = "/ventures/sepsis-dx/canvas.pdf"
SECRET = "Our burn worries me: talk before the board meeting"


def pdf_text(content: bytes) -> str:
    pages = PdfReader(io.BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


@pytest.fixture
def advisor_comment(venture, bob):
    return Comment.objects.create(
        canvas=venture.canvas, author=bob, block="partners", entry_name="", body=SECRET
    )


@pytest.mark.parametrize(
    ("role", "sees"),
    [("founder", True), ("advisor", True), ("staff", False), (None, False), ("", False)],
)
def test_only_founders_and_advisors_see_comments(role, sees):
    assert sees_comments(role) is sees


def test_cohort_staff_get_the_venture_pdf_without_the_advisors_comments(
    carol, advisor_comment, get_pdf
):
    response = get_pdf(client_for(carol), PDF)
    assert response.status_code == 200
    text = pdf_text(pdf_bytes(response))
    assert "Sepsis Dx" in text
    assert SECRET not in text


def test_the_founder_gets_the_advisors_open_comments_in_the_pdf(alice, advisor_comment, get_pdf):
    response = get_pdf(client_for(alice), PDF)
    assert response.status_code == 200
    assert SECRET in pdf_text(pdf_bytes(response))


def test_cohort_staff_see_no_comment_controls_or_counts_on_the_canvas(carol, advisor_comment):
    page = client_for(carol).get("/ventures/sepsis-dx/canvas/").content.decode()
    assert SECRET not in page
    assert "comment-count" not in page and "comment-marker" not in page
    assert client_for(carol).get("/ventures/sepsis-dx/comments/partners/").status_code == 404
