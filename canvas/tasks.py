"""Background tasks (django.tasks, database-backed: run ``manage.py worker``, which is
django-tasks-db's ``db_worker`` with a heartbeat; ``make run`` and ``make serve`` keep one up).

``make_pdf`` renders one stored PDF (``canvas.pdf.store``) in the worker's render child.

``export_cohort_pdfs`` writes one PDF per venture of a cohort into a zip file under
``MEDIA_ROOT/exports/<cohort>/``, taking each PDF from the same store (rendering it there
when it is not stored yet). Progress (``done`` of ``total``) and per-venture failures are
written to the ``BulkExport`` row as it goes, so the dashboard can poll it. A venture whose
PDF cannot be made is reported in ``failures``; the rest go on.
"""

from __future__ import annotations

import logging
import os
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.tasks import TaskContext, task
from django.utils import timezone
from django.utils.text import slugify

from .document import CanvasDocument
from .evaluator import Evaluation, evaluate
from .models import BulkExport, canvas_for_document

logger = logging.getLogger(__name__)
CHUNK = 20  # canvases loaded (with their entries) per batch


def _worker(context: TaskContext) -> str:
    """The id of the worker running this task ("" when it runs outside one)."""
    ids = context.task_result.worker_ids
    return ids[-1] if ids else ""


@task(takes_context=True)
def make_pdf(context: TaskContext, key: str) -> dict:
    """Render and store the PDF of ``key`` (nothing when it is done already or another
    worker has it). A failed render is recorded on the row, for the person waiting."""
    from .pdf import store

    row = store.render_stored(key, _worker(context))
    return {"key": key, "status": row.status, "seconds": row.render_seconds}


def bulk_pdf(
    venture_id: int, doc: CanvasDocument, evaluation: Evaluation, worker: str = ""
) -> bytes:
    """The canvas PDF, as the venture's own "current" export makes it (A3, no comments),
    from the PDF store: stored once, rendered here only when it is not stored yet."""
    from .pdf import store

    pdf = store.PdfRequest.make(venture_id, doc, evaluation, "current")
    return store.render_now(pdf, worker)


def export_path(export: BulkExport) -> str:
    """The zip's path relative to MEDIA_ROOT."""
    return f"exports/{export.cohort.slug}/{export.cohort.slug}-canvases-{export.pk}.zip"


def start_export(cohort, user) -> BulkExport:
    """Create the export row and queue the task once the row is committed."""
    export = BulkExport.objects.create(
        cohort=cohort,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
        total=cohort.ventures.count(),
    )

    def enqueue() -> None:
        result = export_cohort_pdfs.enqueue(export.pk)
        BulkExport.objects.filter(pk=export.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return export


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


@task(takes_context=True)
def export_cohort_pdfs(context: TaskContext, export_id: int) -> dict:
    """Put the PDF of every canvas of the export's cohort into one zip; never stops at one
    broken canvas."""
    worker = _worker(context)
    export = BulkExport.objects.select_related("cohort").get(pk=export_id)
    canvas_ids = list(
        canvas_for_document()
        .filter(venture__cohort=export.cohort)
        .order_by("venture__name", "venture__slug")
        .values_list("pk", flat=True)
    )
    total = len(canvas_ids)
    position = {pk: i for i, pk in enumerate(canvas_ids)}
    BulkExport.objects.filter(pk=export.pk).update(
        status=BulkExport.RUNNING, total=total, done=0, failures=[]
    )
    relative = export_path(export)
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".zip.part")
    failures: list[dict] = []
    done = 0
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for start in range(0, total, CHUNK):
                batch = canvas_for_document().filter(pk__in=canvas_ids[start : start + CHUNK])
                for canvas in sorted(batch, key=lambda c: position[c.pk]):
                    venture = canvas.venture
                    try:
                        doc = canvas.to_document()
                        evaluation = canvas.cached_evaluation() or evaluate(doc)
                        pdf = bulk_pdf(venture.pk, doc, evaluation, worker)
                        archive.writestr(f"{slugify(venture.slug) or venture.pk}.pdf", pdf)
                    except Exception as exc:  # one broken canvas must not stop the rest
                        logger.warning("PDF export of %s failed", venture.slug, exc_info=True)
                        failures.append(
                            {
                                "venture": venture.slug,
                                "name": venture.name,
                                "error": _error_text(exc),
                            }
                        )
                    done += 1
                    BulkExport.objects.filter(pk=export.pk).update(done=done, failures=failures)
        os.replace(partial, target)
    except Exception:
        partial.unlink(missing_ok=True)
        BulkExport.objects.filter(pk=export.pk).update(
            status=BulkExport.FAILED, finished_at=timezone.now(), failures=failures
        )
        raise
    BulkExport.objects.filter(pk=export.pk).update(
        status=BulkExport.DONE, file=relative, finished_at=timezone.now()
    )
    return {"total": total, "done": done, "failed": len(failures), "file": relative}
