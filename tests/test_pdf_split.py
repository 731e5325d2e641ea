"""The canvas PDF made in two processes (canvas/pdf/split.py): page 1 here, the pages after
it in the helper process, joined into one file that reads as the report laid out whole,
and laid out whole whenever the parts cannot be trusted to join up (issue #4)."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from canvas import document as d
from canvas.evaluator import evaluate
from canvas.pdf import PdfTimeout, ReviewComment, render_canvas_pdf, split
from canvas.pdf.render import layout_html
from canvas.pdf.report import Report
from tests.conftest import big_document, load_fixture, pdf_made

GENERATED = datetime(2026, 3, 14, 9, 26, tzinfo=UTC)


@pytest.fixture
def helper():
    """The helper process, up and idle."""
    assert split.helper().wait_ready(60)
    return split.helper()


@pytest.fixture(autouse=True)
def lock_released_after_each_test():
    yield
    assert not split.helper().lock.locked(), "a render left the helper locked"


class Stop(BaseException):
    """Like the render deadline's exception: a BaseException landing anywhere."""


def _report(doc: d.CanvasDocument, comments=()) -> Report:
    return Report(doc, evaluate(doc), "v4 · Board", GENERATED, list(comments), "The founders")


def _comments(doc: d.CanvasDocument) -> list[ReviewComment]:
    return [
        ReviewComment("partners", doc.partners[0].name, "Bob Advisor", GENERATED, "One\nTwo"),
        ReviewComment("readiness", "", "Ann Advisor", GENERATED, "About the block as a whole"),
    ]


def _texts(reader: PdfReader) -> list[list[tuple[float, float, str]]]:
    """Every text run of every page with where it starts."""
    pages = []
    for page in reader.pages:
        runs: list[tuple[float, float, str]] = []
        page.extract_text(
            visitor_text=lambda t, cm, tm, font, size, runs=runs: (
                runs.append((round(tm[4], 2), round(tm[5], 2), t)) if t.strip() else None
            )
        )
        pages.append(runs)
    return pages


def _outline(reader: PdfReader) -> list[tuple[int, str, int, float]]:
    """(depth, title, page index, top) of every outline entry, in order."""
    out: list[tuple[int, str, int, float]] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                top = round(float(item.get("/Top") or 0), 2)
                out.append((depth, item.title, reader.get_destination_page_number(item), top))

    walk(reader.outline, 0)
    return out


CASES = {
    "sepsis-dx": lambda: d.parse_document(load_fixture("sepsis-dx.json")),
    "sepsis-predict": lambda: d.parse_document(load_fixture("sepsis-predict.json")),
    # entries continue on follow-on pages, which the helper lays out
    "50 per block": lambda: big_document(50),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_report_made_in_parts_reads_exactly_as_the_report_laid_out_whole(helper, case):
    doc = CASES[case]()
    comments = _comments(doc)
    parts = _report(doc, comments)
    joined = parts.write_pdf()
    assert parts.made_in_parts
    whole_report = _report(doc, comments)
    whole = whole_report.laid_out()[1].write_pdf()

    a, b = PdfReader(io.BytesIO(joined)), PdfReader(io.BytesIO(whole))
    assert len(a.pages) == len(b.pages) >= 3
    for page_a, page_b in zip(a.pages, b.pages, strict=True):
        assert [round(float(v), 2) for v in page_a.mediabox] == [
            round(float(v), 2) for v in page_b.mediabox
        ]
    # every text run on the same page at the same place: footers ("Page 2 of 4", the
    # venture and version), continued entries, tables, legend, comments
    assert _texts(a) == _texts(b)
    n = len(a.pages)
    for i, page in enumerate(a.pages, start=1):
        text = " ".join(page.extract_text().split())
        assert f"Page {i} of {n}" in text
        assert "v4 · Board" in text
    if case == "50 per block":
        later = " ".join(" ".join(p.extract_text().split()) for p in a.pages[1:])
        assert "(continued)" in later
    assert a.metadata == b.metadata
    assert a.metadata.title and a.metadata.author == "The founders"
    assert a.trailer["/Root"]["/Lang"] == b.trailer["/Root"]["/Lang"] == "en"
    # the outline: the venture's name, and under it page 1's blocks then the report's
    # sections, each pointing at its page
    assert _outline(a) == _outline(b)
    assert [depth for depth, *_ in _outline(a)].count(0) == 1


def test_each_font_subset_of_a_joined_report_has_its_own_tag(helper):
    doc = d.parse_document(load_fixture("sepsis-predict.json"))
    report = _report(doc)
    reader = PdfReader(io.BytesIO(report.write_pdf()))
    assert report.made_in_parts
    names: list[str] = []
    seen: set[int] = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            if ref.idnum in seen:
                continue
            seen.add(ref.idnum)
            font = ref.get_object()
            names.append(str(font["/BaseFont"]))
            descendant = font["/DescendantFonts"][0].get_object()
            assert descendant["/FontDescriptor"]["/FontName"] == font["/BaseFont"]
            assert "/FontFile2" in descendant["/FontDescriptor"]  # embedded
    # the same fonts, subset once per part, under different tags
    assert len(names) == len(set(names)) > len({n.split("+", 1)[1] for n in names})
    assert all(len(n.lstrip("/").split("+")[0]) == 6 for n in names)
    assert split._retag("/ABCDEF+Inter-Bold") == "/NOPQRS+Inter-Bold"
    assert split._retag("/Helvetica") == "/Helvetica"


def test_a_part_numbers_its_pages_as_pages_of_the_whole():
    html = (
        "<!doctype html><html><body>"
        + "".join(f'<p style="break-after: page">Part page {i}</p>' for i in range(3))
        + "</body></html>"
    )
    document = layout_html(html, numbering=(5, lambda own: own + 10))
    pdf = PdfReader(io.BytesIO(document.write_pdf()))
    footers = [" ".join(p.extract_text().split()) for p in pdf.pages]
    assert all(f"Page {n} of 13" in text for n, text in zip((5, 6, 7), footers, strict=True))
    # and the numbering was for that layout only
    again = PdfReader(io.BytesIO(layout_html(html).write_pdf()))
    assert "Page 1 of 3" in again.pages[0].extract_text()


def test_without_the_helper_the_report_is_laid_out_whole(helper, settings):
    doc = d.parse_document(load_fixture("sepsis-dx.json"))
    settings.PDF_SECOND_PROCESS = False
    report = _report(doc)
    assert report.write_pdf().startswith(b"%PDF-") and not report.made_in_parts

    settings.PDF_SECOND_PROCESS = True
    with helper.lock:  # another render of this process has the helper
        report = _report(doc)
        assert report.write_pdf().startswith(b"%PDF-") and not report.made_in_parts
    report = _report(doc)
    report.write_pdf()
    assert report.made_in_parts


def test_a_helper_that_died_is_replaced(helper):
    doc = d.parse_document(load_fixture("sepsis-dx.json"))
    old = helper.process
    old.kill()
    old.wait()
    report = _report(doc)
    text = PdfReader(io.BytesIO(report.write_pdf())).pages[0].extract_text()
    assert not report.made_in_parts and "Page 1 of 3" in " ".join(text.split())
    assert split.helper().wait_ready(60)
    assert helper.process is not old and helper.process.poll() is None
    report = _report(doc)
    report.write_pdf()
    assert report.made_in_parts


def _correct_once(monkeypatch, change) -> list[int]:
    """Page 1, measured, makes ``change`` to the plan once (as ``Report.adjust`` does when
    the estimates were off); returns the list of measurements made."""
    real = Report.adjust
    calls: list[int] = []

    def adjust(self, document):
        calls.append(1)
        if len(calls) == 1:
            change(self)
            return True
        return real(self, document)

    monkeypatch.setattr(Report, "adjust", adjust)
    return calls


def test_a_plan_correction_that_changes_the_later_pages_lays_the_report_out_whole(
    helper, monkeypatch
):
    # Page 1 turns out to hold fewer partners than planned: the partners not shown go to
    # a follow-on page and the vendor table gains a column, so the helper's part is stale.
    doc = d.parse_document(load_fixture("sepsis-predict.json"))
    real = Report.adjust

    def fewer_partners(report):
        next(r for r in report.regions if r.key == "partners").shown -= 2

    _correct_once(monkeypatch, fewer_partners)
    process = helper.process
    report = _report(doc)
    pdf = PdfReader(io.BytesIO(report.write_pdf()))
    assert not report.made_in_parts
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "Key Partners (continued)" in text
    assert all(p.name in text for p in doc.partners)
    n = len(pdf.pages)
    assert f"Page {n} of {n}" in text
    # the helper finishes the stale part and drops it; the next report is made in parts
    # from its own part, not the stale one
    monkeypatch.setattr(Report, "adjust", real)
    assert helper.process is process
    report = _report(doc)
    again = PdfReader(io.BytesIO(report.write_pdf()))
    assert report.made_in_parts
    text = " ".join(" ".join(p.extract_text().split()) for p in again.pages)
    assert "(continued)" not in text and f"Page {len(again.pages)} of {len(again.pages)}" in text


def test_a_plan_correction_of_page_1_alone_keeps_the_parts(helper, monkeypatch):
    doc = d.parse_document(load_fixture("sepsis-predict.json"))

    def taller_header(report):  # page 1 changes, the rest does not
        report.header_height += 4

    calls = _correct_once(monkeypatch, taller_header)
    report = _report(doc)
    report.write_pdf()
    assert report.made_in_parts and len(calls) == 2


def test_a_render_stopped_by_its_deadline_stops_the_helper_too(helper, monkeypatch):
    # the helper's part is made slow (thousands of paragraphs); the render's deadline
    # stops this process's wait and the helper with it
    doc = d.parse_document(load_fixture("sepsis-dx.json"))
    real = Report.html

    def html(self, only=None):
        page = real(self, only)
        if only == "report":
            return page.replace("</body>", "<p>Slow</p>" * 20000 + "</body>")
        return page

    monkeypatch.setattr(Report, "html", html)
    old = helper.process
    started = time.monotonic()
    with pytest.raises(PdfTimeout):
        render_canvas_pdf(doc, timeout=1.0)
    assert time.monotonic() - started < 10
    assert old.poll() is not None  # killed, not left laying out a part nobody reads
    monkeypatch.setattr(Report, "html", real)
    assert split.helper().wait_ready(60)
    with pdf_made("in parts"):
        assert render_canvas_pdf(doc, timeout=300).startswith(b"%PDF-")


def test_the_helper_ends_when_its_process_closes_the_socket(helper):
    # not killed: it reads the end of its input and exits (so it also ends when the
    # process that started it dies)
    process = helper.process
    helper.conn.close()
    assert process.wait(timeout=30) == 0
    helper.stop()
    assert helper.process is None
    assert split.helper().wait_ready(60)


def test_the_helper_lock_is_released_wherever_an_exception_lands(helper, monkeypatch):
    doc = d.parse_document(load_fixture("sepsis-dx.json"))

    def boom(*args, **kwargs):
        raise Stop

    # while the helper is checked ...
    with monkeypatch.context() as m:
        m.setattr(split.Helper, "usable", boom)
        with pytest.raises(Stop):
            split.write_in_parts(_report(doc))
    assert not helper.lock.locked()
    # ... and while a failed helper is being ended
    with monkeypatch.context() as m:
        m.setattr(split.Helper, "submit", lambda self, html: (_ for _ in ()).throw(OSError("x")))
        m.setattr(split.Helper, "stop", boom)
        with pytest.raises(Stop):
            split.write_in_parts(_report(doc))
    assert not helper.lock.locked()
    helper.failures = 0
    report = _report(doc)
    report.write_pdf()
    assert report.made_in_parts


# the child only reads two attributes and exits: the fork of a process with threads is
# what the test is about
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_starts_afresh_with_its_own_helper(helper):
    import os

    with helper.lock:  # a render of the parent holds the helper at the fork
        pid = os.fork()
        if pid == 0:  # the child: the lock is free and the parent's helper not its own
            ok = not split.helper().lock.locked() and split.helper().process is None
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert helper.process is not None and helper.process.poll() is None


def test_parts_that_cannot_be_joined_are_laid_out_whole(helper, monkeypatch):
    doc = d.parse_document(load_fixture("sepsis-dx.json"))
    process = helper.process

    def broken(first, rest):
        raise ValueError("not a PDF")

    monkeypatch.setattr(split, "join", broken)
    report = _report(doc)
    pdf = PdfReader(io.BytesIO(report.write_pdf()))
    assert not report.made_in_parts and len(pdf.pages) == 3
    assert helper.process is process and helper.failures == 0  # the helper is fine


def test_a_part_weasyprint_fails_on_leaves_the_helper_up(helper, monkeypatch):
    doc = d.parse_document(load_fixture("sepsis-dx.json"))
    process = helper.process

    def failed(self):
        raise split.PartFailed("ValueError: WeasyPrint could not lay it out")

    monkeypatch.setattr(split.Job, "result", failed)
    report = _report(doc)
    assert report.write_pdf().startswith(b"%PDF-") and not report.made_in_parts
    assert helper.process is process and helper.failures == 0
    monkeypatch.undo()
    assert helper.wait_ready(60)
    report = _report(doc)
    report.write_pdf()
    assert report.made_in_parts and helper.process is process


def test_a_helper_that_never_gets_ready_is_ended_and_counted(monkeypatch):
    doc = d.parse_document(load_fixture("sepsis-dx.json"))
    helper = split.helper()
    helper.stop()
    monkeypatch.setattr(split, "_HELPER_MAIN", "import time; time.sleep(60)")
    monkeypatch.setattr(split, "READY_SECONDS", 0.5)
    failures = helper.failures
    report = _report(doc)
    report.write_pdf()  # starts the (stuck) helper, lays this one out whole
    stuck = helper.process
    assert stuck is not None and not report.made_in_parts
    time.sleep(0.8)
    report = _report(doc)
    report.write_pdf()
    assert not report.made_in_parts
    assert stuck.poll() is not None and helper.failures == failures + 1
    monkeypatch.undo()
    helper.failures = 0
    helper.stop()
    assert helper.wait_ready(60)


def test_a_tripped_helper_is_tried_again_later(monkeypatch):
    helper = split.helper()
    helper.failures = split.MAX_FAILURES
    helper.failed_at = time.monotonic()
    assert not helper.wait_ready(1)  # off for RETRY_SECONDS after the last failure
    helper.failed_at = time.monotonic() - split.RETRY_SECONDS - 1
    assert helper.wait_ready(60)
    report = _report(d.parse_document(load_fixture("sepsis-dx.json")))
    report.write_pdf()
    assert report.made_in_parts and helper.failures == 0


def test_a_one_off_command_starts_no_helper_but_uses_one_that_is_up(tmp_path):
    from django.core.management import call_command

    from tests.conftest import FIXTURES

    helper = split.helper()
    helper.stop()
    out = tmp_path / "out.pdf"
    call_command(
        "canvas_pdf", str(FIXTURES / "sepsis-dx.json"), "-o", str(out), stdout=io.StringIO()
    )
    assert helper.process is None  # nothing started for one render
    assert PdfReader(out).pages
    assert helper.wait_ready(60)
    with pdf_made("in parts"):
        call_command(
            "canvas_pdf", str(FIXTURES / "sepsis-dx.json"), "-o", str(out), stdout=io.StringIO()
        )
    assert "Page 3 of 3" in PdfReader(out).pages[2].extract_text()
