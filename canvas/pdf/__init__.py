"""Canvas document + evaluation -> PDF (WeasyPrint, restricted fetcher).

``render_canvas_pdf(doc)`` returns the bytes of an A3-landscape report: page 1 is the
canvas (Key Partners | Key Activities over Key Resources | Channels in Get/Keep/Grow
lanes) with a verdict badge on every entry; entries that do not fit at the smallest
readable size continue on "(continued)" pages; then come the findings, the three-tests
and vendor-test tables, the blocks page 1 could not show in full, runway, readiness,
open advisor comments and the rule legend.

The package: ``report`` (the view model and the render loop), ``layout`` (page 1's plan),
``render`` (WeasyPrint with pdf.css and the fonts), ``fetcher`` (only the app's static
files), ``deadline`` (stops a render that runs too long). Templates are autoescaped
Django templates (templates/canvas/pdf/) rendered by a private engine, so this works
without Django settings; only the default timeout is read from them when configured.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from canvas import document as d
from canvas.evaluator import Evaluation, evaluate

from .deadline import run_with_deadline
from .errors import PdfError, PdfTimeout
from .fetcher import STATIC_DIR, STATIC_SCHEME, StaticFilesOnly
from .render import html_to_pdf, layout_html
from .report import Report, ReviewComment

DEFAULT_TIMEOUT_SECONDS = 20.0

__all__ = [
    "STATIC_DIR",
    "STATIC_SCHEME",
    "PdfError",
    "PdfTimeout",
    "Report",
    "ReviewComment",
    "StaticFilesOnly",
    "default_timeout",
    "html_to_pdf",
    "layout_html",
    "pdf_filename",
    "render_canvas_pdf",
    "run_with_deadline",
]


def pdf_filename(slug: str, version_number: int | None) -> str:
    """``<slug>-canvas-v<N>.pdf`` for a saved version, ``<slug>-canvas-current.pdf`` else."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", slug).strip("-") or "canvas"
    suffix = "current" if version_number is None else f"v{int(version_number)}"
    return f"{safe}-canvas-{suffix}.pdf"


def default_timeout() -> float:
    """``settings.PDF_TIMEOUT_SECONDS`` when Django is configured, else 20 s."""
    try:
        from django.conf import settings

        return float(getattr(settings, "PDF_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    except Exception:  # settings not configured: the module works without Django
        return DEFAULT_TIMEOUT_SECONDS


def render_canvas_pdf(
    doc: d.CanvasDocument,
    evaluation: Evaluation | None = None,
    *,
    version_label: str = "current",
    generated_at: datetime | None = None,
    comments: Sequence[ReviewComment] = (),
    author: str = "",
    timeout: float | None = None,
    start_helper: bool = True,
) -> bytes:
    """Render the canvas and its evaluation (computed when None) to PDF bytes.

    Raises ``PdfTimeout`` when the render takes longer than ``timeout`` seconds
    (default ``default_timeout()``; 0 or less means no deadline) and ``PdfError``
    when WeasyPrint fails. The pages after page 1 are laid out in this process's helper
    process when it is up (``split``); ``start_helper=False`` does not start one.
    """
    evaluation = evaluation if evaluation is not None else evaluate(doc)
    generated_at = generated_at or datetime.now(UTC)
    seconds = default_timeout() if timeout is None else timeout

    def work() -> bytes:
        report = Report(doc, evaluation, version_label, generated_at, comments, author)
        return report.write_pdf(start_helper)

    return run_with_deadline(seconds, work)
