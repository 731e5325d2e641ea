"""No report ends on a nearly empty page (issue 15): a PDF with one advisor comment used to
spill four lines of the rule legend onto a page of their own."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from canvas import document as d
from canvas.pdf.report import ends_nearly_empty
from tests.conftest import load_fixture


def page(height: float, end: tuple | None = None) -> SimpleNamespace:
    return SimpleNamespace(height=height, anchors={"report-end": end} if end else {})


@pytest.mark.parametrize(
    ("pages", "nearly_empty"),
    [
        ([page(800), page(800), page(800, (0, 90, 10, 100))], True),  # ends at an eighth
        ([page(800), page(800), page(800, (0, 400, 10, 410))], False),  # half full
        ([page(800), page(800, (0, 50, 10, 60))], False),  # page 1 and one report page
        ([page(800), page(800), page(800)], False),  # the end mark is elsewhere
    ],
)
def test_a_last_page_is_nearly_empty_when_the_report_ends_in_its_top_fifth(pages, nearly_empty):
    assert ends_nearly_empty(SimpleNamespace(pages=pages)) is nearly_empty


def test_a_worked_example_with_one_comment_ends_on_a_page_worth_printing():
    from pypdf import PdfReader

    from canvas.pdf import render_canvas_pdf
    from canvas.pdf.comments import ReviewComment

    comment = ReviewComment(
        "partners",
        "BioMed Contract Manufacturing",
        "Ada Advisor",
        datetime(2026, 12, 1, tzinfo=UTC),
        "Has the CMO agreed to the second-source clause? Please add the date of the audit.",
    )
    doc = d.parse_document(load_fixture("sepsis-dx.json"))
    reader = PdfReader(io.BytesIO(render_canvas_pdf(doc, comments=[comment])))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    assert len(pages) == 3
    last = pages[-1]
    assert "Advisor comments" in last and "Rules used" in last and "KR07 No fundable" in last
