"""The canvas as PDF (issues #4, #16): ``/ventures/<slug>/canvas.pdf``, ``?version=N`` for a
saved version and ``?paper=a4`` or ``?paper=letter`` (A3 by default).

Anyone who may see the venture (founders, advisors, cohort staff) downloads it; everyone
else gets 404. The current canvas is evaluated afresh; a saved version is shown with the
evaluation stored with it. Open advisor comments go into the appendix.

No request renders. The PDF is looked up in the PDF store by the hash of what it shows
(``canvas.pdf.store``): a stored PDF is sent at once; otherwise the render is queued for
the background worker (once, however many ask) and the answer is a small "Preparing your
PDF…" page (202) that polls the same address with htmx and downloads the file when it is
there. A link or a script that simply asks again gets the file once it is stored.
``stored_pdf_response`` serves the share-link PDF the same way.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..document import CanvasDocument
from ..evaluator import Evaluation, evaluate
from ..http import HtmxHttpRequest
from ..models import CanvasVersion, Comment, Membership, Venture, canvas_for_document
from ..pdf import DEFAULT_PAPER, PAPERS, ReviewComment, pdf_filename, store
from ..permissions import sees_comments, venture_and_role

log = logging.getLogger(__name__)

POLL_SECONDS = 2
DOWNLOAD_TRIGGER = "pdf-download"  # the id of the element that asks for the file itself
POLL_KEY = "pdf"  # the page's poll names the PDF it waits for: no document to build again


def _version_number(request: HtmxHttpRequest) -> int | None:
    """None for the current canvas; the ``?version=`` number; 404 when it is not one."""
    value = request.GET.get("version")
    if value is None:
        return None
    if not value.isdigit() or len(value) > 9:  # isdigit: no sign, no spaces
        raise Http404("No such version")
    return int(value)


def paper_of(request: HtmxHttpRequest) -> str:
    """The ``?paper=`` asked for (A3 when absent); 404 when it is not one of ours."""
    paper = request.GET.get("paper", DEFAULT_PAPER.key)
    if paper not in PAPERS:
        raise Http404("No such paper size")
    return paper


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
    paper = paper_of(request)
    if (polled := poll_response(request, venture.pk)) is not None:
        polled["Cache-Control"] = "private, no-store"
        return polled
    doc, evaluation, label = _document(venture, number)
    pdf = store.PdfRequest.make(
        venture.pk,
        doc,
        evaluation,
        label,
        comments=advisor_comments(venture) if sees_comments(role) else [],
        author=doc.venture.name,
        paper=paper,
    )
    response = stored_pdf_response(
        request,
        pdf,
        pdf_filename(venture.slug, number, paper),
        title=f"{doc.venture.name} — {label}",
        back=(f"/ventures/{venture.slug}/canvas/", "Back to the canvas")
        if number is None
        else (f"/ventures/{venture.slug}/versions/{number}/", f"Back to version {number}"),
    )
    response["Cache-Control"] = "private, no-store"
    return response


def stored_pdf_response(
    request: HtmxHttpRequest,
    pdf: store.PdfRequest,
    filename: str,
    *,
    title: str,
    back: tuple[str, str],
) -> HttpResponse:
    """The stored PDF as a download, or the "Preparing your PDF…" page (or, for its htmx
    poll, the fragment that replaces its status) while the worker makes it. ``back`` is
    the (address, text) of the page's way back."""
    row = store.find(pdf.key)
    url = _address(request)
    if store.is_ready(row):
        if request.htmx and request.htmx.trigger == DOWNLOAD_TRIGGER:
            response = HttpResponse(status=204)  # htmx sends the browser to the file
            response["HX-Redirect"] = url
            return response
        if request.htmx:
            return _status_page(request, row, url, title, back)
        try:
            handle = store.open_file(row)
        except OSError:
            log.warning("stored PDF %s cannot be read: rendering it again", row.file)
        else:
            return FileResponse(
                handle, as_attachment=True, filename=filename, content_type="application/pdf"
            )
    if row is not None and row.status == row.FAILED and request.GET.get("retry") == "1":
        store.requeue(row, pdf)
    else:
        row = store.request_pdf(pdf, row)
    return _status_page(request, row, url, title, back)


def poll_response(request: HtmxHttpRequest, venture_id: int) -> HttpResponse | None:
    """The status fragment for the Preparing page's poll, which names the PDF it waits for
    (``?pdf=<key>``, one of the venture's): one query instead of building the canvas again
    to find its key. None when this is not such a poll (or the PDF is gone): the caller
    answers as for any request."""
    key = request.GET.get(POLL_KEY)
    if not key or not request.htmx or request.htmx.trigger == DOWNLOAD_TRIGGER:
        return None
    row = store.find(key)
    if row is None or row.venture_id != venture_id:
        return None
    return _status_page(request, row, _address(request), "", ("", ""))


def _address(request: HtmxHttpRequest) -> str:
    """This address, less ``retry`` and the poll's ``pdf``: what the page downloads."""
    query = request.GET.copy()
    query.pop("retry", None)
    query.pop(POLL_KEY, None)
    return request.path + (f"?{query.urlencode()}" if query else "")


def _status_page(request, row, url: str, title: str, back: tuple[str, str]) -> HttpResponse:
    state = "ready" if store.is_ready(row) else row.status
    separator = "&" if "?" in url else "?"
    context = {
        "state": state,
        "title": title,
        "url": url,
        "retry_url": f"{url}{separator}retry=1",
        "poll_url": f"{url}{separator}{POLL_KEY}={row.key}",
        "error": row.error,
        "back_url": back[0],
        "back_text": back[1],
        "poll_seconds": POLL_SECONDS,
        "download_trigger": DOWNLOAD_TRIGGER,
    }
    if request.htmx:  # the page's poll: the fragment, always 200 so that htmx swaps it
        return render(request, "canvas/pdf_status.html#status", context)
    status = 503 if state == row.FAILED else 202
    response = render(request, "canvas/pdf_status.html", context, status=status)
    if status == 202:
        response["Retry-After"] = str(POLL_SECONDS)
    return response
