"""Bidirectional control characters in user text (issue 14): dropped from the document, so
neither a page nor the PDF can show "abc\u202egnp.exe" as "abcexe.png"."""

import io

import pytest

from canvas.document import parse_document
from tests.conftest import load_fixture

SPOOF = "Invoice abc\u202egnp.exe\u202c"
CONTROLS = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
]


@pytest.mark.parametrize("control", CONTROLS)
def test_every_bidi_control_is_dropped_from_text(control):
    data = load_fixture("sepsis-dx.json")
    data["partners"][0]["name"] = f"Mass{control}General"
    data["channels"][0]["relationship"] = f"{control}Co-design"
    doc = parse_document(data)
    assert doc.partners[0].name == "MassGeneral"
    assert doc.channels[0].relationship == "Co-design"


def test_right_to_left_letters_are_kept():
    data = load_fixture("sepsis-dx.json")
    data["partners"][0]["name"] = "مستشفى الأمل"  # a hospital's name in Arabic
    assert parse_document(data).partners[0].name == "مستشفى الأمل"


def test_the_pdf_shows_no_spoofed_file_name():
    from pypdf import PdfReader

    from canvas.pdf import render_canvas_pdf

    data = load_fixture("sepsis-dx.json")
    data["vendors"][0]["service"] = SPOOF
    pdf = PdfReader(io.BytesIO(render_canvas_pdf(parse_document(data))))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Invoice abcgnp.exe" in text
    assert "\u202e" not in text


def test_a_name_of_bidi_controls_alone_is_empty():
    from canvas.document import DocumentError

    data = load_fixture("sepsis-dx.json")
    data["partners"][0]["name"] = " \u202e\u2066 "
    with pytest.raises(DocumentError) as caught:
        parse_document(data)
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("partners.0.name", "must not be empty")
    ]
