"""Canvas document + evaluation -> PDF (WeasyPrint through its public API only).

``render_canvas_pdf(doc)`` returns the bytes of a landscape report (A3 by default, or A4 or
US Letter): page 1 is the canvas (Key Partners | Key Activities over Key Resources |
Channels in Get/Keep/Grow lanes) with a verdict badge on every entry; entries that do not
fit at the smallest readable size (7 pt on the printed sheet) continue on "(continued)"
pages; then come the findings, the three-tests and vendor-test tables, the blocks page 1
could not show in full, runway, readiness, open advisor comments and the rule legend.

It renders in the calling process, as long as it takes: the web never calls it. The app's
PDFs are rendered once each, in the background worker, in a child process with a hard time
limit (``canvas.pdf.process``), and kept in Django's default storage by their content
(``canvas.pdf.store``); ``manage.py canvas_pdf`` calls it directly.

The package: ``report`` (the view model and the render loop), ``layout`` (the papers and
page 1's plan), ``render`` (WeasyPrint with pdf.css and the fonts), ``fetcher`` (only the
app's static files), ``comments``, ``process`` and ``store``. Templates are autoescaped
Django templates (templates/canvas/pdf/) rendered by a private engine, so this works
without Django settings. WeasyPrint is imported only when a render needs it (the names
below that need it are loaded on first use): the web, which only asks for PDFs, and the
command line, until it has read its document, never load it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from canvas import document as d
from canvas.evaluator import Evaluation, evaluate

from .comments import ReviewComment
from .errors import PdfError, PdfTimeout
from .layout import DEFAULT_PAPER, PAPERS, Paper

if TYPE_CHECKING:
    from .fetcher import STATIC_DIR, STATIC_SCHEME, StaticFilesOnly
    from .render import html_to_pdf, layout_html
    from .report import Report

log = logging.getLogger("canvas.pdf")

# name -> the module that defines it; imported on first use (PEP 562)
_LAZY = {
    "STATIC_DIR": "fetcher",
    "STATIC_SCHEME": "fetcher",
    "StaticFilesOnly": "fetcher",
    "html_to_pdf": "render",
    "layout_html": "render",
    "Report": "report",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_PAPER",
    "PAPERS",
    "STATIC_DIR",
    "STATIC_SCHEME",
    "Paper",
    "PdfError",
    "PdfTimeout",
    "Report",
    "ReviewComment",
    "StaticFilesOnly",
    "html_to_pdf",
    "layout_html",
    "pdf_filename",
    "render_canvas_pdf",
]


def pdf_filename(slug: str, version_number: int | None, paper: str = DEFAULT_PAPER.key) -> str:
    """``<slug>-canvas-v<N>.pdf`` for a saved version, ``<slug>-canvas-current.pdf`` else;
    ``-a4`` or ``-letter`` before ``.pdf`` on those papers."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", slug).strip("-") or "canvas"
    suffix = "current" if version_number is None else f"v{int(version_number)}"
    if paper != DEFAULT_PAPER.key and paper in PAPERS:
        suffix += f"-{paper}"
    return f"{safe}-canvas-{suffix}.pdf"


def render_canvas_pdf(
    doc: d.CanvasDocument,
    evaluation: Evaluation | None = None,
    *,
    version_label: str = "current",
    generated_at: datetime | None = None,
    comments: Sequence[ReviewComment] = (),
    author: str = "",
    paper: str = DEFAULT_PAPER.key,
) -> bytes:
    """Render the canvas and its evaluation (computed when None) to PDF bytes, here and
    now. Raises ``PdfError`` when WeasyPrint fails (or ``paper`` is not one of
    ``PAPERS``)."""
    if paper not in PAPERS:
        raise PdfError(f"Unknown paper {paper!r}: one of {', '.join(PAPERS)}.")
    from .report import Report

    evaluation = evaluation if evaluation is not None else evaluate(doc)
    generated_at = generated_at or datetime.now(UTC)
    try:
        report = Report(
            doc, evaluation, version_label, generated_at, comments, author, PAPERS[paper]
        )
        return report.write_pdf()
    except Exception as exc:
        log.exception("PDF render failed")
        raise PdfError(f"The PDF could not be rendered ({type(exc).__name__}).") from exc
