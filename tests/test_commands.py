"""The command line (SPEC §4): evaluate, import_canvas, export_canvas, seed_demo."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from canvas.document import parse_document
from canvas.models import ActivityLog, Canvas, CanvasVersion, ChannelEntry, Venture

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DOCUMENTS = sorted(p for p in FIXTURES.glob("*.json") if not p.name.startswith("invalid_"))
INVALID = sorted(FIXTURES.glob("invalid_*.json"))


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """Run manage.py in a subprocess, as a person would, on a throwaway database."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=120,
    )


def test_there_are_demo_documents_and_invalid_samples():
    assert len(DOCUMENTS) >= 6
    assert len(INVALID) >= 8


def test_evaluate_prints_text_and_exits_1_when_there_is_an_error_finding(tmp_path):
    data = json.loads((FIXTURES / "sepsis-dx.json").read_text())
    data["partners"] = []  # KP01 is an error
    file = tmp_path / "doc.json"
    file.write_text(json.dumps(data))
    result = run("evaluate", str(file))
    assert result.returncode == 1, result.stderr
    out = result.stdout.decode()
    assert "KP01" in out and "Score" in out


def test_evaluate_exits_0_when_there_is_no_error_finding():
    result = run("evaluate", str(FIXTURES / "sepsis-dx.json"), "--format", "json")
    output = json.loads(result.stdout)
    errors = [f for f in output["findings"] if f["severity"] == "error"]
    assert result.returncode == (1 if errors else 0)
    assert set(output) == {"score", "runway_months", "partners", "activities", "findings"}


def test_evaluate_reads_standard_input():
    raw = (FIXTURES / "sepsis-predict.json").read_bytes()
    result = run("evaluate", "-", "--format", "json", stdin=raw)
    assert result.returncode in (0, 1), result.stderr
    assert json.loads(result.stdout)["score"] >= 0


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_evaluate_exits_2_with_the_json_path_and_no_traceback(path):
    result = run("evaluate", str(path))
    err = result.stderr.decode()
    assert result.returncode == 2
    assert "Traceback" not in err
    assert "is not a valid canvas document" in err
    assert "Nothing was written" in err


def test_evaluate_names_a_missing_file_clearly():
    result = run("evaluate", "no-such-file.json")
    assert result.returncode == 2
    assert b"no-such-file.json: no such file" in result.stderr
    assert b"Traceback" not in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_export_of_an_import_gives_back_the_same_document(path, venture, tmp_path):
    call_command("import_canvas", str(path), venture="sepsis-dx", stdout=io.StringIO())
    out = tmp_path / "out.json"
    call_command("export_canvas", "sepsis-dx", output=str(out), stderr=io.StringIO())
    assert json.loads(out.read_text()) == json.loads(path.read_text())


@pytest.mark.django_db
def test_import_creates_a_new_version_each_time_and_logs_it(venture):
    before = CanvasVersion.objects.filter(canvas__venture=venture).count()
    for _ in range(2):
        call_command(
            "import_canvas",
            str(FIXTURES / "sepsis-predict.json"),
            venture="sepsis-dx",
            stdout=io.StringIO(),
        )
    versions = CanvasVersion.objects.filter(canvas__venture=venture).order_by("number")
    assert versions.count() == before + 2
    assert versions.last().source == CanvasVersion.IMPORT
    assert versions.last().document == json.loads((FIXTURES / "sepsis-predict.json").read_text())
    venture.refresh_from_db()
    assert venture.solution_type == "digital_medicine"
    assert ActivityLog.objects.filter(canvas__venture=venture, action="imported").count() >= 2


@pytest.mark.django_db
@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_an_invalid_import_exits_2_and_writes_nothing(path, venture):
    snapshot = Canvas.objects.get(venture=venture).to_document().to_data()
    versions = CanvasVersion.objects.count()
    logs = ActivityLog.objects.count()
    with pytest.raises(CommandError) as raised:
        call_command("import_canvas", str(path), venture="sepsis-dx", stdout=io.StringIO())
    assert raised.value.returncode == 2
    assert "Nothing was written" in str(raised.value)
    assert Canvas.objects.get(venture=venture).to_document().to_data() == snapshot
    assert CanvasVersion.objects.count() == versions
    assert ActivityLog.objects.count() == logs


@pytest.mark.django_db
def test_import_into_an_unknown_venture_exits_2(db):
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_canvas", str(FIXTURES / "sepsis-dx.json"), venture="nope", stdout=io.StringIO()
        )
    assert raised.value.returncode == 2
    assert "nope" in str(raised.value)


@pytest.mark.django_db(transaction=True)
def test_an_import_that_fails_half_way_leaves_the_canvas_as_it_was(venture, monkeypatch):
    from canvas import models

    before = Canvas.objects.get(venture=venture).to_document().to_data()
    channels = ChannelEntry.objects.count()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(models, "record_version", boom)
    with pytest.raises(RuntimeError):
        call_command(
            "import_canvas",
            str(FIXTURES / "sepsis-predict.json"),
            venture="sepsis-dx",
            stdout=io.StringIO(),
        )
    assert Canvas.objects.get(venture=venture).to_document().to_data() == before
    assert ChannelEntry.objects.count() == channels


@pytest.mark.django_db
def test_export_to_standard_output_is_a_valid_document(venture):
    out = io.StringIO()
    call_command("export_canvas", "sepsis-dx", stdout=out)
    assert parse_document(out.getvalue()).venture.name == venture.name


@pytest.mark.django_db
def test_export_of_an_unknown_venture_exits_2(db):
    with pytest.raises(CommandError) as raised:
        call_command("export_canvas", "nope", stdout=io.StringIO())
    assert raised.value.returncode == 2


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_creates_the_demo_logins(django_user_model):
    call_command("seed_demo", stdout=io.StringIO())
    counts = (
        Venture.objects.count(),
        CanvasVersion.objects.count(),
        django_user_model.objects.count(),
    )
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert (
        Venture.objects.count(),
        CanvasVersion.objects.count(),
        django_user_model.objects.count(),
    ) == counts
    assert Venture.objects.count() >= 6
    assert Venture.objects.filter(cohort__slug="demo-cohort").count() == Venture.objects.count()
    for email in ("founder@example.com", "advisor@example.com", "staff@example.com"):
        assert django_user_model.objects.get(username=email).check_password("canvas-demo")
        assert email in out.getvalue()
    assert {"sepsis-dx", "sepsis-predict"} <= set(Venture.objects.values_list("slug", flat=True))
    # both worked examples come with a short history
    assert CanvasVersion.objects.filter(canvas__venture__slug="sepsis-dx").count() == 2
