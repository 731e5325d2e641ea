"""The command line (SPEC §4): evaluate, import_canvas, export_canvas, reevaluate, seed_demo.
Every reader accepts document version 1 and upgrades it; every writer writes version 2."""

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
from canvas.evaluator import RULESET_VERSION, evaluate
from canvas.models import ActivityLog, Canvas, CanvasVersion, ChannelEntry, Venture
from tests.test_document import INVALID_SAMPLES

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DOCUMENTS = sorted(p for p in FIXTURES.glob("*.json") if not p.name.startswith("invalid_"))
INVALID = sorted(FIXTURES.glob("invalid_*.json"))
V1_DOCUMENTS = sorted((FIXTURES / "v1").glob("*.json"))


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
    assert [p.name for p in V1_DOCUMENTS] == [p.name for p in DOCUMENTS]


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
    assert list(output) == [
        "ruleset",
        "score",
        "runway_months",
        "partners",
        "activities",
        "findings",
    ]
    assert output["ruleset"] == 2
    assert output == evaluate(parse_document((FIXTURES / "sepsis-dx.json").read_bytes())).to_dict()


def test_evaluate_reads_standard_input():
    raw = (FIXTURES / "sepsis-predict.json").read_bytes()
    result = run("evaluate", "-", "--format", "json", stdin=raw)
    assert result.returncode in (0, 1), result.stderr
    assert json.loads(result.stdout)["score"] >= 0


@pytest.mark.parametrize(("name", "json_path"), INVALID_SAMPLES, ids=lambda v: str(v))
def test_evaluate_exits_2_with_the_json_path_and_no_traceback(name, json_path):
    result = run("evaluate", str(FIXTURES / name))
    err = result.stderr.decode()
    assert result.returncode == 2
    assert "Traceback" not in err
    assert "is not a valid canvas document (1 problem)" in err
    assert f"\n  {json_path or '(document)'}: " in err
    assert "Nothing was written" in err
    assert result.stdout == b""


def test_every_invalid_sample_is_checked_by_evaluate():
    assert {p.name for p in INVALID} == {name for name, _ in INVALID_SAMPLES}


def test_evaluate_on_schema_version_3_exits_2_naming_schema_version():
    data = json.loads((FIXTURES / "sepsis-dx.json").read_text())
    data["schema_version"] = 3
    result = run("evaluate", "-", stdin=json.dumps(data).encode())
    err = result.stderr.decode()
    assert result.returncode == 2
    assert "  schema_version: must be 2 (this app reads schema versions 1 and 2" in err


def evaluate_in_process(path: Path) -> tuple[int, dict]:
    """``manage.py evaluate PATH --format json`` in this process (no database): the exit
    code and the output."""
    out = io.StringIO()
    try:
        call_command("evaluate", str(path), "--format", "json", stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


@pytest.mark.parametrize("path", V1_DOCUMENTS, ids=lambda p: f"v1/{p.name}")
def test_evaluate_reads_a_version_1_document_and_evaluates_it_upgraded(path):
    code, output = evaluate_in_process(path)
    upgraded = parse_document(path.read_bytes())
    assert upgraded.schema_version == 2 and upgraded.vendors == []
    assert output == evaluate(upgraded).to_dict()
    assert output["ruleset"] == 2
    errors = [f for f in output["findings"] if f["severity"] == "error"]
    assert code == (1 if errors else 0)
    # a version-1 document names no milestone: KR07
    assert "KR07" in {f["rule"] for f in output["findings"]}


def test_evaluate_reads_a_version_1_document_as_a_process():
    result = run("evaluate", str(FIXTURES / "v1" / "sepsis-dx.json"), "--format", "json")
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["ruleset"] == 2
    assert [f["rule"] for f in output["findings"]] == ["KA05", "KR06", "KR07", "RD01", "RD02"]


def test_evaluate_text_output_names_the_rule_set_and_the_vendors():
    result = run("evaluate", str(FIXTURES / "sepsis-predict.json"))
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert "Score 97/100 (rule set 2)" in out
    assert "SOC 2 audit firm" in out.split("Vendors", 1)[1]
    assert "milestone in 12 months" in out


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
    assert out.read_text() == path.read_text()  # the canonical form, byte for byte


@pytest.mark.django_db
@pytest.mark.parametrize("path", V1_DOCUMENTS, ids=lambda p: f"v1/{p.name}")
def test_export_of_an_imported_version_1_document_is_the_canonical_version_2_document(
    path, venture, tmp_path
):
    call_command("import_canvas", str(path), venture="sepsis-dx", stdout=io.StringIO())
    out = tmp_path / "out.json"
    call_command("export_canvas", "sepsis-dx", output=str(out), stderr=io.StringIO())
    exported = json.loads(out.read_text())
    canonical = parse_document(path.read_bytes()).to_data()
    assert exported == canonical
    assert list(exported) == list(canonical)
    assert exported["schema_version"] == 2
    assert exported["vendors"] == []
    assert exported["finances"]["next_milestone"] == ""
    assert exported["finances"]["months_to_milestone"] is None
    version = CanvasVersion.objects.filter(canvas__venture=venture).order_by("number").last()
    assert version.document == canonical
    assert version.ruleset == RULESET_VERSION
    assert version.evaluation == evaluate(parse_document(canonical)).to_dict()


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


def _rule_set_1(evaluation: dict) -> dict:
    """An evaluation as rule set 1 stored it: no rule-set number, no points."""
    old = {k: v for k, v in evaluation.items() if k != "ruleset"}
    old["findings"] = [{k: v for k, v in f.items() if k != "points"} for f in old["findings"]]
    old["activities"] = [
        {k: v for k, v in a.items() if k != "unrated_tests"} for a in old["activities"]
    ]
    old["score"] = 42
    return old


@pytest.mark.django_db
def test_reevaluate_replaces_rule_set_1_evaluations_of_every_current_canvas(venture, other_venture):
    Canvas.objects.update(
        evaluation=_rule_set_1(venture.canvas.evaluation), ruleset=1, score=42, error_count=9
    )
    assert all(c.cached_evaluation() is None for c in Canvas.objects.all())
    out = io.StringIO()
    call_command("reevaluate", stdout=out)
    assert out.getvalue().strip() == "Re-evaluated 2 canvases under rule set 2."
    canvases = Canvas.objects.all()
    assert len(canvases) == 2
    for canvas in canvases:
        fresh = evaluate(canvas.to_document())
        assert canvas.evaluation == fresh.to_dict()
        assert canvas.evaluation["ruleset"] == canvas.ruleset == 2
        assert (canvas.score, canvas.error_count) == (fresh.score, fresh.errors)
        assert canvas.cached_evaluation() == fresh


@pytest.mark.django_db
def test_reevaluate_leaves_saved_versions_as_they_were_made(venture):
    version = CanvasVersion.objects.filter(canvas__venture=venture).get()
    CanvasVersion.objects.filter(pk=version.pk).update(
        evaluation=_rule_set_1(version.evaluation), ruleset=1
    )
    call_command("reevaluate", stdout=io.StringIO())
    version.refresh_from_db()
    assert version.ruleset == 1
    assert "ruleset" not in version.evaluation
    assert version.evaluation["score"] == 42


@pytest.mark.django_db
def test_reevaluate_with_no_canvas_says_so(db):
    out = io.StringIO()
    call_command("reevaluate", stdout=out)
    assert out.getvalue().strip() == "Re-evaluated 0 canvases under rule set 2."


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
