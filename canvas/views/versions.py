"""Versions, comparison and JSON in the browser (issue #6).

History, save, view, compare and restore versions; download the current canvas or a
version as a document; upload a document to replace the canvas. Reading is open to everyone
who may see the venture (founders, advisors, cohort staff); every write is founders only
(``editable_venture``: 404 for everyone else, as the write endpoints do not exist for them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.db.models import Max, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from ..board import board_context
from ..diff import diff_documents, diff_evaluations
from ..document import CanvasDocument, DocumentError, parse_document
from ..evaluator import RULESET_VERSION, Evaluation, evaluate
from ..http import HtmxHttpRequest, is_partial
from ..models import (
    Canvas,
    CanvasVersion,
    Venture,
    canvas_for_document,
    ensure_canvas,
    lock_canvas,
    log,
    record_version,
    save_document,
)
from ..permissions import can_edit, editable_venture, role_for, visible_venture

MAX_UPLOAD_BYTES = 1024 * 1024  # 1 MB
MULTIPART_OVERHEAD = 64 * 1024  # room for the form's other fields and part headers
LABEL_MAX = 200


# --- helpers ---------------------------------------------------------------------------


def _versions_url(venture: Venture) -> str:
    return f"/ventures/{venture.slug}/versions/"


def _see_other(url: str) -> HttpResponseRedirect:
    """303 See Other: after a POST, the browser GETs the page it is sent to."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _version(venture: Venture, number: int, *fields: str) -> CanvasVersion:
    versions = CanvasVersion.objects.filter(canvas__venture=venture)
    if fields:
        versions = versions.only(*fields)
    return get_object_or_404(versions, number=number)


def _current(venture: Venture) -> tuple[Canvas, CanvasDocument]:
    """The venture's canvas with its entries (5 queries) and its document."""
    try:
        canvas = canvas_for_document().get(venture=venture)
    except Canvas.DoesNotExist:  # a venture whose canvas was never started
        ensure_canvas(venture)
        canvas = canvas_for_document().get(venture=venture)
    return canvas, canvas.to_document()


def _json_download(doc: CanvasDocument, filename: str) -> HttpResponse:
    response = HttpResponse(doc.to_json() + "\n", content_type="application/json; charset=utf-8")
    response.headers["Content-Disposition"] = content_disposition_header(True, filename)
    response.headers["Cache-Control"] = "private, no-store"  # a canvas is private, as its PDF
    return response


# --- the sparkline ---------------------------------------------------------------------


@dataclass(frozen=True)
class SparkDot:
    x: str
    y: str
    number: int
    score: int


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    points: str  # the polyline's "x,y x,y ..."
    dots: list[SparkDot]
    mid: str  # y of the score 50 guide line
    summary: str  # the text alternative


def sparkline(scores: list[tuple[int, int]], width: int = 240, height: int = 48) -> Sparkline:
    """Coordinates for an inline SVG of score (0-100) over versions.

    ``scores`` is [(version number, score), ...], oldest first."""
    pad = 5
    span_x, span_y = width - 2 * pad, height - 2 * pad

    def y_of(score: int) -> str:
        return f"{pad + span_y * (100 - max(0, min(100, score))) / 100:.1f}"

    dots = []
    for i, (number, score) in enumerate(scores):
        x = pad + (span_x * i / (len(scores) - 1) if len(scores) > 1 else span_x / 2)
        dots.append(SparkDot(f"{x:.1f}", y_of(score), number, score))
    if not scores:
        summary = "No versions yet."
    elif len(scores) == 1:
        summary = f"One version: v{scores[0][0]} scores {scores[0][1]}."
    else:
        (first_n, first), (last_n, last) = scores[0], scores[-1]
        values = [s for _, s in scores]
        summary = (
            f"Score went from {first} at v{first_n} to {last} at v{last_n} "
            f"over {len(scores)} versions; lowest {min(values)}, highest {max(values)}."
        )
    return Sparkline(
        width=width,
        height=height,
        points=" ".join(f"{d.x},{d.y}" for d in dots),
        dots=dots,
        mid=y_of(50),
        summary=summary,
    )


# --- history and saving a version ------------------------------------------------------


class SaveVersionForm(forms.Form):
    label = forms.CharField(
        label="Version label",
        max_length=LABEL_MAX,
        error_messages={
            "required": "Give the version a label, such as “Before advisory board, March”.",
            "max_length": "Keep the label to 200 characters or fewer (it has %(show_value)d).",
        },
    )


def _history_context(venture: Venture, role: str | None, form: SaveVersionForm) -> dict:
    versions = list(
        CanvasVersion.objects.filter(canvas__venture=venture)
        .select_related("author")
        .defer("document", "evaluation")
        .order_by("-number")
    )
    canvas = Canvas.objects.filter(venture=venture).only("id", "score", "updated_at").first()
    return {
        "venture": venture,
        "role": role,
        "can_edit": can_edit(role),
        "versions": versions,
        "latest": versions[0] if versions else None,
        "canvas": canvas,
        "spark": sparkline([(v.number, v.score) for v in reversed(versions)]),
        "form": form,
        "label_max": LABEL_MAX,
        "current_ruleset": RULESET_VERSION,
    }


@login_required
@require_http_methods(["GET", "POST"])
def versions(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """GET: the history (everyone who may see the venture). POST: save a version (founders)."""
    if request.method == "POST":
        return _save_version(request, slug)
    venture = visible_venture(request.user, slug)
    context = _history_context(venture, role_for(request.user, venture), SaveVersionForm())
    if is_partial(request):
        return render(request, "canvas/versions.html#history", context)
    return render(request, "canvas/versions.html", context)


def _save_version(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    venture = editable_venture(request.user, slug)
    form = SaveVersionForm(request.POST)
    if not form.is_valid():
        context = _history_context(venture, "founder", form)
        if is_partial(request):
            return render(request, "canvas/versions.html#history", context)
        return render(request, "canvas/versions.html", context, status=400)
    label = form.cleaned_data["label"]
    with transaction.atomic():
        lock_canvas(venture)  # serialise this venture's writers, in the one lock order
        canvas, doc = _current(venture)
        version = record_version(
            canvas, doc, author=request.user, label=label, source=CanvasVersion.MANUAL
        )
        log(canvas, request.user, "version_saved", f"Saved v{version.number}: {label}")
    saved = f"Saved v{version.number} “{label}”."
    if is_partial(request):
        context = _history_context(venture, "founder", SaveVersionForm())
        context["saved"] = saved
        return render(request, "canvas/versions.html#history", context)
    messages.success(request, saved)
    return _see_other(_versions_url(venture))


# --- one version -----------------------------------------------------------------------


@login_required
@require_safe
def version_detail(request: HtmxHttpRequest, slug: str, number: int) -> HttpResponse:
    """A saved version, read-only, with its evaluation as it was stored."""
    venture = visible_venture(request.user, slug)
    role = role_for(request.user, venture)
    version = get_object_or_404(
        CanvasVersion.objects.filter(canvas__venture=venture).select_related("author"),
        number=number,
    )
    neighbours = CanvasVersion.objects.filter(canvas_id=version.canvas_id).aggregate(
        latest=Max("number"), previous=Max("number", filter=Q(number__lt=version.number))
    )
    doc = version.to_document()
    evaluation = Evaluation.from_dict(version.evaluation)
    context = {
        **board_context(doc, evaluation),
        "current_ruleset": RULESET_VERSION,
        "slug": venture.slug,
        "venture_name": venture.name,
        "cohort": venture.cohort,  # staff: the way back to the dashboard
        "role": role,
        "can_edit": can_edit(role),
        "version": version,
        "latest": neighbours["latest"],
        "previous": neighbours["previous"],
    }
    return render(request, "canvas/version.html", context)


@login_required
@require_safe
def version_json(request: HtmxHttpRequest, slug: str, number: int) -> HttpResponse:
    """Version N as a canvas document (download)."""
    venture = visible_venture(request.user, slug)
    version = _version(venture, number, "number", "document")
    return _json_download(version.to_document(), f"{venture.slug}-v{version.number}.json")


@login_required
@require_safe
def canvas_json(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The current canvas as a document (download)."""
    venture = visible_venture(request.user, slug)
    _, doc = _current(venture)
    return _json_download(doc, f"{venture.slug}-canvas.json")


# --- comparing -------------------------------------------------------------------------

CURRENT = "current"


def _side(value: str | None, numbers: set[int]) -> str | int:
    """'current' or an existing version number; 404 for anything else."""
    if value == CURRENT:
        return CURRENT
    try:
        number = int(value or "")
    except ValueError:
        raise Http404("No such version") from None
    if number not in numbers:
        raise Http404("No such version")
    return number


@login_required
@require_safe
def compare(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Two versions, or a version and the current canvas: the entries added, removed,
    changed and moved per block, and the evaluation's change."""
    venture = visible_venture(request.user, slug)
    role = role_for(request.user, venture)
    choices = list(
        CanvasVersion.objects.filter(canvas__venture=venture)
        .only("number", "label", "score", "created_at")
        .order_by("-number")
    )
    context: dict = {
        "venture": venture,
        "role": role,
        "can_edit": can_edit(role),
        "choices": choices,
    }
    if choices:
        numbers = {v.number for v in choices}
        before = _side(request.GET.get("from") or str(choices[0].number), numbers)
        after = _side(request.GET.get("to") or CURRENT, numbers)
        context.update(_comparison(venture, before, after))
    if is_partial(request):
        return render(request, "canvas/compare.html#comparison", context)
    return render(request, "canvas/compare.html", context)


def _comparison(venture: Venture, before: str | int, after: str | int) -> dict:
    wanted = [n for n in (before, after) if n != CURRENT]
    loaded = (
        {
            v.number: v
            for v in CanvasVersion.objects.filter(canvas__venture=venture, number__in=wanted)
        }
        if wanted
        else {}
    )
    current = _current(venture)[1] if CURRENT in (before, after) else None

    def side(which: str | int) -> tuple[CanvasDocument, Evaluation, str, CanvasVersion | None]:
        if which == CURRENT:
            assert current is not None
            return current, evaluate(current), "Current canvas", None
        version = loaded[which]
        title = f"v{version.number}" + (f" “{version.label}”" if version.label else "")
        doc = version.to_document()
        # both sides under the current rule set, so the change is the canvas's, not the rules'
        return doc, evaluate(doc), title, version

    old_doc, old_eval, old_title, old_version = side(before)
    new_doc, new_eval, new_title, new_version = side(after)
    return {
        "from_value": str(before),
        "to_value": str(after),
        "before_title": old_title,
        "after_title": new_title,
        "before_version": old_version,
        "after_version": new_version,
        "diff": diff_documents(old_doc, new_doc),
        "ediff": diff_evaluations(old_eval, new_eval),
        "ruleset": RULESET_VERSION,
    }


# --- restoring -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def restore(request: HtmxHttpRequest, slug: str, number: int) -> HttpResponse:
    """GET: what restoring version N would change, and a confirm button. POST: restore.

    The canvas as it was just before is saved first (source 'auto'), in the same
    transaction, so nothing is ever lost."""
    venture = editable_venture(request.user, slug)
    if request.method == "GET":
        version = _version(venture, number)
        _, current = _current(venture)
        target = version.to_document()
        context = {
            "venture": venture,
            "role": "founder",
            "can_edit": True,
            "version": version,
            "diff": diff_documents(current, target),
            # restoring evaluates the restored canvas under the current rule set
            "ediff": diff_evaluations(evaluate(current), evaluate(target)),
            "ruleset": RULESET_VERSION,
        }
        return render(request, "canvas/restore.html", context)
    with transaction.atomic():
        lock_canvas(venture)  # serialise this venture's writers, in the one lock order
        version = _version(venture, number)
        target = version.to_document()
        canvas, current = _current(venture)
        kept = record_version(
            canvas,
            current,
            author=request.user,
            label=f"Before restoring v{version.number}",
            source=CanvasVersion.AUTO,
        )
        restored = save_document(
            venture,
            target,
            author=request.user,
            label=f"Restored v{version.number}",
            source=CanvasVersion.RESTORE,
            log_action="restored",
        )
    assert restored is not None
    messages.success(
        request,
        f"Restored v{version.number}: it is now the current canvas (saved as "
        f"v{restored.number}). The canvas as it was just before is kept as v{kept.number}.",
    )
    return _see_other(_versions_url(venture))


# --- uploading a document --------------------------------------------------------------


class UploadForm(forms.Form):
    document = forms.FileField(
        label="Canvas document (JSON)",
        help_text="A .json file in the canvas document format, at most 1 MB.",
        error_messages={
            "required": "Choose a JSON file to upload.",
            "empty": "The file is empty: choose a canvas document.",
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    label = forms.CharField(
        label="Version label (optional)",
        required=False,
        max_length=LABEL_MAX,
        help_text="Defaults to “Uploaded <file name>”.",
    )


class UploadLimit(FileUploadHandler):
    """Put first among the upload handlers: stops receiving a file once it passes the
    limit, so an over-large upload is never held in memory or written to disk."""

    def __init__(self, request=None, limit: int = MAX_UPLOAD_BYTES):
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) builds the file


TOO_LARGE = (
    "The file is larger than 1 MB, so it was not read. A canvas document is usually well "
    "under 200 KB: check that you chose the right file."
)


def _upload_page(
    request: HtmxHttpRequest,
    venture: Venture,
    form: UploadForm,
    *,
    problems=None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "venture": venture,
        "role": "founder",
        "can_edit": True,
        "form": form,
        "problems": problems or [],
        "error": error,
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "canvas/upload.html", context, status=status)


@csrf_exempt  # checked by csrf_protect in _receive_upload, once the size limit is in place
@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Replace the current canvas with an uploaded document (founders). Validated with the
    document schema; atomic (nothing changes on any error); records a version."""
    venture = editable_venture(request.user, slug)
    if request.method == "GET":
        return _upload_page(request, venture, UploadForm())
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
        # Refused from the headers alone: the body is never parsed.
        return _upload_page(request, venture, UploadForm(), error=TOO_LARGE, status=413)
    limit = UploadLimit(request)
    request.upload_handlers.insert(0, limit)
    return _receive_upload(request, venture, limit)


@csrf_protect
def _receive_upload(request: HtmxHttpRequest, venture: Venture, limit: UploadLimit):
    form = UploadForm(request.POST, request.FILES)
    if limit.exceeded:
        return _upload_page(request, venture, UploadForm(), error=TOO_LARGE, status=413)
    if not form.is_valid():
        return _upload_page(request, venture, form, status=400)
    file = form.cleaned_data["document"]
    if file.size > MAX_UPLOAD_BYTES:
        return _upload_page(request, venture, UploadForm(), error=TOO_LARGE, status=413)
    try:
        doc = parse_document(file.read(MAX_UPLOAD_BYTES + 1))
    except DocumentError as exc:
        return _upload_page(request, venture, form, problems=exc.problems, status=400)
    label = form.cleaned_data["label"] or f"Uploaded {file.name}"[:LABEL_MAX]
    version = save_document(
        venture,
        doc,
        author=request.user,
        label=label,
        source=CanvasVersion.UPLOAD,
        log_action="imported",
    )
    assert version is not None
    messages.success(
        request, f"Uploaded {file.name}: it is now the current canvas, saved as v{version.number}."
    )
    return _see_other(_versions_url(venture))
