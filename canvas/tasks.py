"""Background tasks (django.tasks, database-backed: run ``manage.py db_worker``).

``export_cohort_pdfs`` writes one PDF per venture of a cohort into a zip file under
``MEDIA_ROOT/exports/<cohort>/``. Progress (``done`` of ``total``) and per-venture
failures are written to the ``BulkExport`` row as it goes, so the dashboard can poll it.
A venture whose PDF cannot be made is reported in ``failures``; the rest go on.
"""

from __future__ import annotations

import logging
import os
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.text import slugify

from .document import CanvasDocument
from .evaluator import Evaluation, evaluate
from .models import BulkExport, canvas_for_document

logger = logging.getLogger(__name__)
CHUNK = 20  # canvases loaded (with their entries) per batch
BULK_TIMEOUT_FACTOR = 3


def render_pdf(doc: CanvasDocument, evaluation: Evaluation) -> bytes:
    """The canvas PDF, as the venture's own "current" export makes it. Nobody waits on
    a page for a background export, so its deadline is three times the request one
    (a busy worker machine must not fail canvases that are merely slow)."""
    from .pdf import default_timeout, render_canvas_pdf

    timeout = BULK_TIMEOUT_FACTOR * default_timeout()
    return render_canvas_pdf(doc, evaluation, version_label="current", timeout=timeout)


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


@task()
def export_cohort_pdfs(export_id: int) -> dict:
    """Render every canvas of the export's cohort into one zip; never stops at one
    broken canvas."""
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
                        pdf = render_pdf(doc, evaluation)
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
