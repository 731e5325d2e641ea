"""The PDF store (canvas/pdf/store.py, issue #16): a PDF's key is the hash of everything
that shows on it; each key is rendered once, by whoever claims it first; old files are
pruned, keeping the newest of each venture."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from canvas.evaluator import evaluate
from canvas.models import StoredPdf
from canvas.pdf import ReviewComment, store
from canvas.pdf.store import PdfRequest
from tests.conftest import big_document

WHEN = datetime(2026, 3, 14, 9, 26, tzinfo=UTC)


def request_for(doc, **changes) -> PdfRequest:
    kwargs = {"comments": [], "author": "", "paper": "a3"} | changes
    label = kwargs.pop("label", "current")
    evaluation = kwargs.pop("evaluation", None) or evaluate(doc)
    return PdfRequest.make(None, doc, evaluation, label, **kwargs)


def test_the_key_changes_with_everything_that_shows_on_the_pdf(sepsis_doc):
    base = request_for(sepsis_doc)
    renamed = sepsis_doc.model_copy(
        update={"venture": sepsis_doc.venture.model_copy(update={"name": "Sepsis Dx 2"})}
    )
    comment = ReviewComment("partners", "", "Bob", WHEN, "Which payors?")
    evaluation = evaluate(sepsis_doc)
    older = type(evaluation).from_dict({**evaluation.to_dict(), "ruleset": 1})
    variants = [
        request_for(renamed),
        request_for(sepsis_doc, comments=[comment]),
        request_for(sepsis_doc, label="v3 · Board review"),
        request_for(sepsis_doc, paper="a4"),
        request_for(sepsis_doc, author="Someone else"),
        request_for(sepsis_doc, evaluation=older),  # the rule set shows on the PDF
    ]
    keys = {base.key, *(v.key for v in variants)}
    assert len(keys) == 1 + len(variants)
    assert request_for(sepsis_doc).key == base.key  # and nothing else does
    assert PdfRequest.make(99, sepsis_doc, evaluate(sepsis_doc), "current").key == base.key


def test_the_key_changes_with_the_design(sepsis_doc, monkeypatch):
    before = request_for(sepsis_doc).key
    monkeypatch.setattr(store, "design_version", lambda: "another-design")
    assert request_for(sepsis_doc).key != before


def test_the_design_covers_the_template_the_css_and_the_layout_code():
    covered = {
        str(path) for pattern in store.DESIGN_FILES for path in settings.BASE_DIR.glob(pattern)
    }
    for name in ("templates/canvas/pdf/canvas.html", "static/css/pdf.css"):
        assert str(settings.BASE_DIR / name) in covered
    for name in ("layout.py", "report.py", "render.py"):
        assert str(settings.BASE_DIR / "canvas" / "pdf" / name) in covered


def test_a_key_is_claimed_and_rendered_once(db, sepsis_doc, stub_renderer):
    pdf = request_for(sepsis_doc)
    row = store.request_pdf(pdf, queue=False)
    assert row.status == StoredPdf.QUEUED
    done = store.render_stored(row.key, "host-worker")
    again = store.render_stored(row.key, "other-worker")
    assert done.status == again.status == StoredPdf.DONE
    assert len(stub_renderer.jobs) == 1
    assert stub_renderer.jobs[0]["generated_at"]  # the date printed is the render's
    assert (done.worker, done.attempts) == ("host-worker", 1)
    assert store.read_bytes(done) == stub_renderer.PDF


def test_a_failed_render_keeps_its_reason_and_renders_nothing_until_queued_again(
    db, sepsis_doc, stub_renderer
):
    from canvas.pdf import PdfError

    stub_renderer.error = PdfError("The PDF render process ended unexpectedly (exit code -9).")
    row = store.request_pdf(request_for(sepsis_doc), queue=False)
    failed = store.render_stored(row.key)
    assert failed.status == StoredPdf.FAILED
    assert failed.error == "The PDF render process ended unexpectedly (exit code -9)."
    assert store.render_stored(row.key).status == StoredPdf.FAILED
    assert len(stub_renderer.jobs) == 1
    stub_renderer.error = None
    assert store.requeue(failed, request_for(sepsis_doc))
    assert store.render_stored(row.key).status == StoredPdf.DONE


def test_render_now_uses_the_stored_file_or_renders_it(db, sepsis_doc, stub_renderer):
    pdf = request_for(sepsis_doc)
    assert store.render_now(pdf) == stub_renderer.PDF
    assert store.render_now(pdf) == stub_renderer.PDF
    assert len(stub_renderer.jobs) == 1


def test_render_now_waits_for_another_workers_render_and_gives_up_after_a_while(
    db, sepsis_doc, stub_renderer
):
    from canvas.pdf import PdfTimeout

    pdf = request_for(sepsis_doc)
    row = store.request_pdf(pdf, queue=False)
    StoredPdf.objects.filter(pk=row.pk).update(status=StoredPdf.RENDERING, worker="elsewhere")
    with pytest.raises(PdfTimeout, match="Another worker"):
        store.render_now(pdf, wait=0.6)
    assert stub_renderer.jobs == []


def stored(venture, number: int, *, status=StoredPdf.DONE, days_old: int = 0) -> StoredPdf:
    name = f"pdfs/test/{venture.slug}-{number}.pdf"
    default_storage.save(name, ContentFile(b"%PDF"))
    row = StoredPdf.objects.create(
        key=f"{venture.slug}-{number}".ljust(64, "0"), venture=venture, status=status, file=name
    )
    StoredPdf.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(days=days_old, minutes=100 - number)
    )
    return row


def test_prune_keeps_the_newest_of_each_venture_and_what_is_being_rendered(
    venture, other_venture, django_capture_on_commit_callbacks
):
    rows = [stored(venture, n) for n in range(5)]
    others = [stored(other_venture, n) for n in range(2)]
    busy = stored(venture, 90, status=StoredPdf.RENDERING, days_old=30)
    with django_capture_on_commit_callbacks(execute=True):  # files go once rows are gone
        call_command("prune_pdfs", "--keep", "2")
    kept = set(StoredPdf.objects.values_list("pk", flat=True))
    assert kept == {rows[3].pk, rows[4].pk, others[0].pk, others[1].pk, busy.pk}
    for row in rows[:3]:
        assert not default_storage.exists(row.file)
    assert default_storage.exists(rows[4].file)


def test_prune_deletes_old_pdfs_of_no_venture(db, sepsis_doc, stub_renderer):
    row = store.request_pdf(PdfRequest.make(None, sepsis_doc, evaluate(sepsis_doc), "x"))
    store.render_stored(row.key)
    StoredPdf.objects.filter(pk=row.pk).update(
        venture=None, created_at=timezone.now() - timedelta(days=40)
    )
    assert store.prune(20, older_than=timezone.now() - timedelta(days=30)) == 1
    assert not StoredPdf.objects.exists()


def test_a_big_canvas_job_is_json_ready(db):
    import json

    doc = big_document(50)
    pdf = PdfRequest.make(1, doc, evaluate(doc), "v9", paper="letter")
    assert json.loads(json.dumps(pdf.content())) == pdf.content()


def test_the_web_and_the_worker_never_load_weasyprint():
    """Only the render child (and manage.py canvas_pdf) loads it: a web or worker process
    that asks for a PDF, computes its key and queues it does not."""
    code = (
        "import sys, django\n"
        "django.setup()\n"
        "import canvas.urls, canvas.tasks, canvas.worker\n"
        "from canvas.management.commands import worker\n"
        "from canvas.document import parse_document\n"
        "from canvas.evaluator import evaluate\n"
        "from canvas.pdf.store import PdfRequest\n"
        "doc = parse_document(open('fixtures/sepsis-dx.json').read())\n"
        "assert PdfRequest.make(None, doc, evaluate(doc), 'current').key\n"
        "print('weasyprint' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "canvas.settings"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_deleted_venture_takes_its_stored_pdf_files_with_it(
    venture, other_venture, django_capture_on_commit_callbacks
):
    gone = [stored(venture, n) for n in range(2)]
    kept = stored(other_venture, 0)
    with django_capture_on_commit_callbacks(execute=True):
        venture.delete()
    assert not StoredPdf.objects.filter(pk__in=[row.pk for row in gone]).exists()
    for row in gone:
        assert not default_storage.exists(row.file)
    assert default_storage.exists(kept.file)
