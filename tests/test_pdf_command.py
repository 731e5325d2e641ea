"""``manage.py canvas_pdf FILE -o OUT.pdf``: a document to PDF, no database (SPEC §4)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def test_canvas_pdf_writes_the_pdf_without_touching_the_database(tmp_path, capsys):
    # No db fixture: pytest-django fails any query, so a pass proves none was made.
    out = tmp_path / "sepsis.pdf"
    call_command("canvas_pdf", str(FIXTURES / "sepsis-dx.json"), "-o", str(out))
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert "Sepsis Dx" in reader.pages[0].extract_text()
    assert f"Wrote {out}" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sepsis.pdf"]  # no temp file left


def test_canvas_pdf_reads_a_version_1_document(tmp_path):
    """Every reader accepts document version 1 and upgrades it (SPEC §2)."""
    out = tmp_path / "v1.pdf"
    call_command(
        "canvas_pdf", str(FIXTURES / "v1" / "sepsis-dx.json"), "-o", str(out), "--timeout", "300"
    )
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert "Sepsis Dx" in reader.pages[0].extract_text()


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("invalid_unknown_field.json", "channels.0.budget"),
        ("invalid_malformed.json", "(document)"),
        ("invalid_schema_version.json", "schema_version"),
        ("invalid_vendors_in_version_1.json", "vendors"),
    ],
)
def test_an_invalid_document_exits_2_and_writes_nothing(tmp_path, name, path):
    out = tmp_path / "out.pdf"
    out.write_bytes(b"the previous PDF")
    with pytest.raises(CommandError) as error:
        call_command("canvas_pdf", str(FIXTURES / name), "-o", str(out))
    assert error.value.returncode == 2
    assert "is not a valid canvas document" in str(error.value)
    assert f"\n  {path}: " in str(error.value)
    assert out.read_bytes() == b"the previous PDF"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_a_missing_file_exits_2(tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("canvas_pdf", str(tmp_path / "nope.json"), "-o", str(tmp_path / "o.pdf"))
    assert error.value.returncode == 2
    assert not (tmp_path / "o.pdf").exists()


def test_a_render_past_its_deadline_exits_1_and_keeps_the_old_file(tmp_path):
    # --timeout ends the whole process from a timer (nothing is raised inside the render)
    out = tmp_path / "out.pdf"
    out.write_bytes(b"the previous PDF")
    result = subprocess.run(
        [sys.executable, "manage.py", "canvas_pdf", str(FIXTURES / "sepsis-dx.json")]
        + ["-o", str(out), "--timeout", "0.05"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1
    assert "took longer than 0.05 s" in result.stderr
    assert out.read_bytes() == b"the previous PDF"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_the_paper_is_chosen_with_paper(tmp_path):
    from canvas.management.commands.canvas_pdf import PAPERS as COMMAND_PAPERS
    from canvas.pdf import PAPERS

    assert tuple(PAPERS) == COMMAND_PAPERS  # the command's copy, kept for a lean start-up
    out = tmp_path / "letter.pdf"
    call_command(
        "canvas_pdf", str(FIXTURES / "sepsis-dx.json"), "-o", str(out), "--paper", "letter"
    )
    page = PdfReader(io.BytesIO(out.read_bytes())).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (792, 612)


def test_an_invalid_document_is_reported_before_weasyprint_is_loaded():
    code = (
        "import sys, django\n"
        "django.setup()\n"
        "from django.core.management import call_command, CommandError\n"
        "try:\n"
        "    call_command('canvas_pdf', 'fixtures/invalid_vocabulary.json', '-o', '-')\n"
        "except CommandError:\n"
        "    pass\n"
        "print('weasyprint' in sys.modules)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "canvas.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_command_runs_with_no_database_at_all(tmp_path):
    """As a real process, with SQLite pointed at a directory that does not exist."""
    out = tmp_path / "predict.pdf"
    env = {
        **os.environ,
        "SQLITE_PATH": str(tmp_path / "missing" / "db.sqlite3"),
        "DATABASE_URL": "",
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "canvas_pdf",
            str(FIXTURES / "sepsis-predict.json"),
            "-o",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert not (tmp_path / "missing").exists()


def test_an_invalid_document_exits_2_as_a_process(tmp_path):
    out = tmp_path / "out.pdf"
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "canvas_pdf",
            str(FIXTURES / "invalid_vocabulary.json"),
            "-o",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 2
    assert "Nothing was written." in result.stderr
    assert not out.exists()


def test_the_renderer_works_without_django_settings():
    """canvas.pdf is usable as a library: no settings module."""
    code = (
        "from canvas.document import parse_document\n"
        "from canvas.pdf import render_canvas_pdf\n"
        "doc = parse_document(open('fixtures/sepsis-dx.json').read())\n"
        "assert render_canvas_pdf(doc).startswith(b'%PDF-')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
