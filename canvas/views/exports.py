"""The canvas as PDF (issue #4): ``/ventures/<slug>/canvas.pdf`` and ``?version=N``.

Anyone who may see the venture (founders, advisors, cohort staff) downloads it; everyone
else gets 404. The current canvas is evaluated afresh; a saved version is shown with the
evaluation stored with it. Open advisor comments go into the appendix. Whatever the
canvas holds, the view makes seven queries for the current canvas (the venture, the
canvas, its four blocks, the comments) and three for a version (the venture, the version,
the comments), besides the session's two.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from ..document import CanvasDocument
from ..evaluator import Evaluation, evaluate
from ..http import HtmxHttpRequest
from ..models import CanvasVersion, Comment, Membership, Venture, canvas_for_document
from ..pdf import PdfError, PdfTimeout, ReviewComment, pdf_filename, render_canvas_pdf
from ..permissions import sees_comments, venture_and_role

log = logging.getLogger(__name__)


def _version_number(request: HtmxHttpRequest) -> int | None:
    """None for the current canvas; the ``?version=`` number; 404 when it is not one."""
    value = request.GET.get("version")
    if value is None:
        return None
    if not value.isdigit() or len(value) > 9:  # isdigit: no sign, no spaces
        raise Http404("No such version")
    return int(value)


def _document(venture: Venture, number: int | None) -> tuple[CanvasDocument, Evaluation, str]:
    """(document, evaluation, version label) of the current canvas or version ``number``."""
    if number is None:
        canvas = canvas_for_document().filter(venture=venture).first()
        if canvas is None:
            raise Http404("No canvas yet")
        doc = canvas.to_document()
        return doc, evaluate(doc), "current"
    version = (
        CanvasVersion.objects.filter(canvas__venture=venture, number=number)
        .only("number", "label", "document", "evaluation")
        .first()
    )
    if version is None:
        raise Http404("No such version")
    doc = version.to_document()
    evaluation = Evaluation.from_dict(version.evaluation) if version.evaluation else evaluate(doc)
    label = f"v{version.number}" + (f" · {version.label}" if version.label else "")
    return doc, evaluation, label


def advisor_comments(venture: Venture) -> list[ReviewComment]:
    """Open comments written by the venture's advisors, oldest first (one query)."""
    rows = (
        Comment.objects.filter(
            canvas__venture=venture,
            resolved_at__isnull=True,
            author__memberships__venture=venture,
            author__memberships__role=Membership.ADVISOR,
        )
        .select_related("author")
        .order_by("created_at", "id")
    )
    return [
        ReviewComment(
            block=c.block,
            subject=c.entry_name,
            author=c.author.get_full_name() or c.author.get_username(),
            created_at=c.created_at,
            body=c.body,
        )
        for c in rows
    ]


@login_required
@require_safe
def canvas_pdf(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    venture, role = venture_and_role(request.user, slug)
    number = _version_number(request)
    doc, evaluation, label = _document(venture, number)
    try:
        pdf = render_canvas_pdf(
            doc,
            evaluation,
            version_label=label,
            generated_at=timezone.now(),
            comments=advisor_comments(venture) if sees_comments(role) else [],
            author=doc.venture.name,
        )
    except PdfTimeout:
        log.warning("PDF of %s timed out", venture.slug)
        return _unavailable("The PDF took too long to make and was stopped. Try again later.")
    except PdfError:
        return _unavailable("The PDF could not be made just now. Try again in a minute.")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, pdf_filename(venture.slug, number)
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _unavailable(message: str) -> HttpResponse:
    return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
