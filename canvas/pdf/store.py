"""The PDF store: every canvas PDF is rendered once and kept by its content.

A PDF's **key** is the SHA-256 of everything that shows on it: the canonical document, the
evaluation with its rule set, the comments shown, the version label, the author, the paper,
and the design (the report's templates, pdf.css, the code that lays it out, WeasyPrint's
version). A saved version's PDF is therefore made once, ever; the current canvas's PDF is
reused until something on it changes. The file goes to Django's default storage
(``pdfs/<key>.pdf``: MEDIA_ROOT by default, S3 through django-storages by configuration);
the ``StoredPdf`` row says whether it is queued, rendering, done or failed.

Nothing here renders in a web request. ``request_pdf`` finds the row or creates it and
queues ``canvas.tasks.make_pdf`` (once per key: the key is unique); the background
worker runs ``render_stored``, which claims the row (one claim per key), renders in a
child process with a hard time limit (``canvas.pdf.process``) and stores the file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .errors import PdfError, PdfTimeout

log = logging.getLogger("canvas.pdf")

MAX_ATTEMPTS = 3  # renders a key gets when its worker keeps dying under it

# What the report looks like is decided by these files: a change to any of them is a new
# design, and every PDF is made again when next asked for.
DESIGN_FILES = [
    "templates/canvas/pdf/*.html",
    "static/css/pdf.css",
    "static/fonts/*.ttf",
    "canvas/pdf/__init__.py",
    "canvas/pdf/fetcher.py",
    "canvas/pdf/layout.py",
    "canvas/pdf/render.py",
    "canvas/pdf/report.py",
    "canvas/board.py",
    "canvas/document.py",
    "canvas/guidance.py",
]


@cache
def design_version() -> str:
    """A hash of the report's design: its templates, CSS, fonts and layout code, and the
    WeasyPrint that renders them (computed once per process)."""
    from importlib.metadata import version  # WeasyPrint's, without loading it here

    digest = hashlib.sha256(f"weasyprint {version('weasyprint')}\n".encode())
    for pattern in DESIGN_FILES:
        for path in sorted(settings.BASE_DIR.glob(pattern)):
            digest.update(f"{path.relative_to(settings.BASE_DIR)}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class PdfRequest:
    """What one PDF shows (all of it JSON-ready), and whose it is."""

    venture_id: int | None
    document: dict[str, Any]  # the canonical document (CanvasDocument.to_data())
    evaluation: dict[str, Any]  # Evaluation.to_dict(), with its rule set
    version_label: str
    comments: list[dict[str, Any]] = field(default_factory=list)  # ReviewComment fields
    author: str = ""
    paper: str = "a3"

    @classmethod
    def make(
        cls,
        venture_id: int | None,
        doc: Any,
        evaluation: Any,
        version_label: str,
        *,
        comments: Any = (),
        author: str = "",
        paper: str = "a3",
    ) -> PdfRequest:
        """From a CanvasDocument, an Evaluation and ReviewComments."""
        return cls(
            venture_id=venture_id,
            document=doc.to_data(),
            evaluation=evaluation.to_dict(),
            version_label=version_label,
            comments=[{**asdict(c), "created_at": c.created_at.isoformat()} for c in comments],
            author=author or doc.venture.name,  # what the PDF's metadata says when empty
            paper=paper,
        )

    def content(self) -> dict[str, Any]:
        """Everything that shows on the PDF (the job, less when it is made)."""
        return {
            "document": self.document,
            "evaluation": self.evaluation,
            "version_label": self.version_label,
            "comments": self.comments,
            "author": self.author,
            "paper": self.paper,
        }

    @property
    def key(self) -> str:
        text = json.dumps(
            {"design": design_version(), **self.content()},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return hashlib.sha256(text.encode()).hexdigest()


def _model():
    from canvas.models import StoredPdf

    return StoredPdf


def find(key: str):
    """The StoredPdf row of ``key``, or None (one query)."""
    return _model().objects.filter(key=key).first()


def is_ready(row) -> bool:
    return row is not None and row.status == row.DONE and bool(row.file)


def request_pdf(pdf: PdfRequest, row=None, *, queue: bool = True):
    """The StoredPdf row of this PDF: found, or created and queued for the worker (no task
    with ``queue=False``: the caller renders it). A row that is done but whose file is gone
    from the storage is queued again. ``row`` is the result of an earlier ``find``."""
    StoredPdf = _model()
    row = row or find(pdf.key)
    if row is None:
        from canvas.tasks import make_pdf

        with transaction.atomic():  # the row and its task are written in one commit
            row, created = StoredPdf.objects.get_or_create(
                key=pdf.key,
                defaults={"venture_id": pdf.venture_id, "paper": pdf.paper, "job": pdf.content()},
            )
            if created and queue:
                make_pdf.enqueue(row.key)
        if created:
            return row
    if row.status == row.DONE and not default_storage.exists(row.file):
        log.warning("stored PDF %s is missing from the storage: rendering it again", row.file)
        requeue(row, pdf)
    return row


def requeue(row, pdf: PdfRequest | None = None) -> bool:
    """Queue a failed (or lost) PDF again; False when someone else already did."""
    StoredPdf = _model()
    update: dict[str, Any] = {"status": StoredPdf.QUEUED, "error": "", "attempts": 0}
    if pdf is not None:
        update["job"] = pdf.content()
    changed = StoredPdf.objects.filter(pk=row.pk, status=row.status).update(**update)
    if changed:
        row.status, row.error = StoredPdf.QUEUED, ""
        _enqueue(row.key)
    return bool(changed)


def _enqueue(key: str) -> None:
    from canvas.tasks import make_pdf

    transaction.on_commit(lambda: make_pdf.enqueue(key))


def open_file(row):
    """The stored PDF as an open binary file (the caller closes it; FileResponse does)."""
    return default_storage.open(row.file, "rb")


def read_bytes(row) -> bytes:
    with open_file(row) as handle:
        return handle.read()


# --- the worker's side -------------------------------------------------------------------

_renderer = None


def renderer():
    """This process's render child (``canvas.pdf.process.RenderProcess``), made on first
    use: only the background worker ever starts one."""
    global _renderer
    if _renderer is None:
        from .process import RenderProcess

        _renderer = RenderProcess(renders=settings.PDF_RENDERS_PER_PROCESS)
    return _renderer


def render_stored(key: str, worker: str = "") -> Any:
    """Render the PDF of ``key`` if it is queued and nobody else has claimed it, and store
    it. Returns the row as it ends (done, failed, or as another worker left it)."""
    StoredPdf = _model()
    now = timezone.now()
    claimed = StoredPdf.objects.filter(key=key, status=StoredPdf.QUEUED).update(
        status=StoredPdf.RENDERING,
        worker=worker[:64],
        started_at=now,
        attempts=F("attempts") + 1,
    )
    row = StoredPdf.objects.get(key=key)
    if not claimed:
        return row  # done already, failed, or being rendered by someone else
    seconds = float(settings.PDF_TIME_LIMIT_SECONDS)
    job = {**row.job, "generated_at": now.isoformat()}
    started = time.monotonic()
    try:
        pdf = renderer().render(job, seconds)
    except PdfError as exc:  # PdfTimeout too: the child was killed
        return _failed(row, str(exc), time.monotonic() - started)
    name = default_storage.save(f"pdfs/{key[:2]}/{key}.pdf", ContentFile(pdf))
    row.status, row.file, row.size = StoredPdf.DONE, name, len(pdf)
    row.render_seconds = round(time.monotonic() - started, 3)
    row.finished_at, row.error, row.job = timezone.now(), "", {}
    row.save(
        update_fields=["status", "file", "size", "render_seconds", "finished_at", "error", "job"]
    )
    log.info("PDF %s rendered in %.2f s (%d bytes)", key[:12], row.render_seconds, len(pdf))
    return row


def _failed(row, message: str, seconds: float):
    log.warning("PDF %s failed after %.1f s: %s", row.key[:12], seconds, message)
    row.status, row.error = row.FAILED, message[:300]
    row.render_seconds, row.finished_at = round(seconds, 3), timezone.now()
    row.save(update_fields=["status", "error", "render_seconds", "finished_at"])
    return row


def render_now(pdf: PdfRequest, worker: str = "", wait: float | None = None) -> bytes:
    """The PDF's bytes for a background job that needs them at once (the cohort's bulk
    export): the stored file, or a render here (in the render child), or, when another
    worker is rendering it, its result within ``wait`` seconds. Raises PdfError."""
    row = request_pdf(pdf, queue=False)
    if not is_ready(row) and row.status == row.QUEUED:
        row = render_stored(row.key, worker)
    wait = float(settings.PDF_TIME_LIMIT_SECONDS) + 10 if wait is None else wait
    deadline = time.monotonic() + wait
    while row.status == row.RENDERING and time.monotonic() < deadline:
        time.sleep(0.5)
        row.refresh_from_db()
    if is_ready(row):
        return read_bytes(row)
    if row.status == row.FAILED:
        raise PdfError(row.error or "The PDF could not be rendered.")
    raise PdfTimeout("Another worker is still rendering this PDF.")


def recover(worker: str) -> int:
    """Queue again the PDFs a previous run of this worker was rendering when it died (it
    was killed, or the machine stopped); after MAX_ATTEMPTS they fail. Called by the worker
    as it starts, before it takes a task. Returns the count queued again."""
    StoredPdf = _model()
    orphans = StoredPdf.objects.filter(status=StoredPdf.RENDERING, worker=worker)
    queued = 0
    for row in orphans:
        if row.attempts >= MAX_ATTEMPTS:
            _failed(row, "The worker stopped while rendering this PDF, several times.", 0)
            continue
        if StoredPdf.objects.filter(pk=row.pk, status=StoredPdf.RENDERING).update(
            status=StoredPdf.QUEUED
        ):
            _enqueue(row.key)
            queued += 1
    return queued


# --- keeping the storage small -----------------------------------------------------------


def prune(keep: int, *, older_than: datetime | None = None) -> int:
    """Delete the stored PDFs of each venture but its ``keep`` newest (and, with
    ``older_than``, PDFs of no venture made before then), files and rows. Rows being
    rendered are left alone. Returns the count deleted."""
    StoredPdf = _model()
    deleted = 0
    ventures = (
        StoredPdf.objects.exclude(venture=None).values_list("venture_id", flat=True).distinct()
    )
    finished = Q(status__in=[StoredPdf.DONE, StoredPdf.FAILED])
    for venture_id in list(ventures):
        rows = StoredPdf.objects.filter(finished, venture_id=venture_id).order_by(
            "-created_at", "-pk"
        )
        deleted += _delete(rows[keep:])
    if older_than is not None:
        orphans = StoredPdf.objects.filter(finished, venture=None, created_at__lt=older_than)
        deleted += _delete(orphans)
    return deleted


def _delete(rows) -> int:
    count = 0
    for row in list(rows):
        row.delete()  # and its file, once committed (canvas.models._delete_stored_file)
        count += 1
    return count
