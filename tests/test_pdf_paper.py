"""Paper sizes people print on (issue #16): A3 landscape by default, A4 and US Letter
landscape on request. On each, page 1 has no text under 7 pt on the printed sheet: a
smaller sheet shows fewer entries on page 1 and the rest continue on the following pages,
planned per paper and checked against the laid-out page through WeasyPrint's public
``Page.anchors``. And the renderer uses WeasyPrint's public API only."""

from __future__ import annotations

import io
import math
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from canvas import document as d
from canvas.evaluator import evaluate
from canvas.pdf import PAPERS, render_canvas_pdf
from canvas.pdf.layout import Item, measure_page
from canvas.pdf.report import Report
from tests.conftest import big_document, load_fixture

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"a3": (1190.55, 841.89), "a4": (841.89, 595.28), "letter": (792.0, 612.0)}  # points
NOW = datetime(2026, 3, 14, 9, 26, tzinfo=UTC)
ENTRY = re.compile(r"(Partner|Activity|Resource|Channel) (\d+)(?!\d)")


def text_sizes(page) -> list[tuple[float, str]]:
    """(size in points on the sheet, text) of every text run of a PDF page."""
    runs: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            scale = math.sqrt(abs(tm[0] * tm[3] - tm[1] * tm[2]))
            scale *= math.sqrt(abs(cm[0] * cm[3] - cm[1] * cm[2]))
            runs.append((size * scale, text))

    page.extract_text(visitor_text=visit)
    return runs


def board_text(reader: PdfReader) -> str:
    """The text of page 1 and of the "(continued)" pages, up to the findings."""
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    end = next(i for i, text in enumerate(pages) if text.startswith("Findings"))
    return " ".join(pages[:end])


@pytest.fixture(scope="module", params=["sepsis-dx.json", "sepsis-predict.json"])
def worked(request):
    doc = d.parse_document(load_fixture(request.param))
    return doc, {
        paper: PdfReader(io.BytesIO(render_canvas_pdf(doc, paper=paper))) for paper in PAPERS
    }


def test_each_paper_is_its_own_landscape_size_on_every_page(worked):
    _, readers = worked
    for paper, reader in readers.items():
        for page in reader.pages:
            size = (float(page.mediabox.width), float(page.mediabox.height))
            assert size == pytest.approx(SIZES[paper], abs=0.1), paper


def test_no_text_on_page_one_is_under_7_points_on_any_paper(worked):
    _, readers = worked
    for paper, reader in readers.items():
        runs = text_sizes(reader.pages[0])
        assert runs, paper
        small = [(round(size, 2), text) for size, text in runs if size < 7 - 0.01]
        assert small == [], paper


def test_every_entry_is_on_the_board_pages_of_every_paper(worked):
    doc, readers = worked
    names = [p.name for p in doc.partners] + [a.name for a in doc.activities]
    names += [r.name for r in doc.resources] + [c.channel for c in doc.channels]
    for paper, reader in readers.items():
        board = "".join(board_text(reader).split())  # a line may break after a hyphen
        for name in names:
            assert "".join(name.split()) in board, (paper, name)


def test_a_100_entry_canvas_on_a4_loses_no_entry_and_keeps_7_points():
    doc = big_document(25)
    reader = PdfReader(io.BytesIO(render_canvas_pdf(doc, paper="a4")))
    assert [s for s, _ in text_sizes(reader.pages[0]) if s < 7 - 0.01] == []
    found = [f"{kind} {n}" for kind, n in ENTRY.findall(board_text(reader))]
    expected = [
        f"{kind} {i}" for kind in ("Partner", "Activity", "Resource", "Channel") for i in range(25)
    ]
    assert sorted(found) == sorted(expected)  # every name, each exactly once
    assert re.search(r"\d+ more on the following pages", reader.pages[0].extract_text())


@pytest.mark.parametrize("paper", list(PAPERS))
def test_page_one_is_measured_through_the_public_anchors(paper):
    doc = d.parse_document(load_fixture("sepsis-predict.json"))
    report = Report(doc, evaluate(doc), "current", NOW, (), "", PAPERS[paper])
    _, document = report.laid_out()
    measured = measure_page(document.pages[0], report.regions)
    for region in report.regions:
        assert measured[region.key]["fitting"] == region.shown, region.key
    header = measured["header"]
    assert 0 < header["needed"] <= header["height"] + 0.5


def test_an_estimate_that_was_too_small_is_corrected_and_no_entry_is_lost(monkeypatch):
    # the plan believes entries take half their height: page 1 overflows, is measured,
    # and the entries that did not fit move to the following pages
    real = Item.height
    monkeypatch.setattr(Item, "height", lambda self, level, width: real(self, level, width) / 2)
    doc = big_document(8)
    report = Report(doc, evaluate(doc), "current", NOW, (), "", PAPERS["a4"])
    _, document = report.laid_out()
    assert report.corrections >= 1
    reader = PdfReader(io.BytesIO(document.write_pdf()))
    found = [f"{kind} {n}" for kind, n in ENTRY.findall(board_text(reader))]
    expected = [
        f"{kind} {i}" for kind in ("Partner", "Activity", "Resource", "Channel") for i in range(8)
    ]
    assert sorted(found) == sorted(expected)


def test_the_renderer_uses_weasyprints_public_api_only():
    # no private WeasyPrint module or name, no async exception, no PDF joining
    forbidden = re.compile(
        r"weasyprint\.layout|_ua_stylesheets|PyThreadState_SetAsyncExc|pypdf"
        r"|weasyprint\.\w+\._|\._page_box|from weasyprint\.(formatting_structure|layout|draw)"
    )
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "canvas").rglob("*.py"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if forbidden.search(line)
    ]
    assert found == []
    assert not (ROOT / "canvas" / "pdf" / "split.py").exists()
