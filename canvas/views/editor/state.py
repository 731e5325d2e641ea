"""Loading a canvas for the editor, the State of one request, and saving a change.

A request reads top-down: ``load_canvas`` (scoped to what the person may see or edit), then
``State(canvas)``; a write changes rows, ``reload_blocks`` the blocks it changed and calls
``saved``, which evaluates once and gives the State to render."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode

from ... import document as d
from ...evaluator import Evaluation, evaluate
from ...http import HtmxHttpRequest
from ...models import ENTRY_MODELS, Canvas, Venture, canvas_for_document, ensure_canvas, log

BLOCKS = tuple(ENTRY_MODELS)


# --- loading -----------------------------------------------------------------------


def load_canvas(user, slug: str, *, write: bool, lock: bool = False) -> Canvas:
    """The canvas with its venture and entries (5 queries), scoped to what the person may
    see (``write=False``) or edit (``write=True``); 404 otherwise. ``lock`` (inside a
    transaction) locks the canvas row, so writes to one canvas happen one at a time and
    checks such as unique partner names hold (SQLite's IMMEDIATE transactions do it anyway)."""
    scope = Venture.objects.editable_by(user) if write else Venture.objects.visible_to(user)
    # the cohort too: the page links cohort staff back to its dashboard
    queryset = canvas_for_document().filter(venture__in=scope).select_related("venture__cohort")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(venture__slug=slug)
    except Canvas.DoesNotExist:
        ensure_canvas(get_object_or_404(scope, slug=slug))  # a venture without a canvas yet
        return queryset.get(venture__slug=slug)


class State:
    """The canvas as loaded (or reloaded after a write) and its entry rows; the document and
    its evaluation are built on first use (a successful write never needs the old ones)."""

    def __init__(
        self,
        canvas: Canvas,
        *,
        doc: d.CanvasDocument | None = None,
        evaluation: Evaluation | None = None,
    ):
        self.canvas = canvas
        self.rows = {block: list(getattr(canvas, block).all()) for block in BLOCKS}
        if doc is not None:
            self.__dict__["doc"] = doc  # fills the cached_property
        if evaluation is not None:
            self.__dict__["evaluation"] = evaluation

    @cached_property
    def doc(self) -> d.CanvasDocument:
        return self.canvas.to_document()

    @cached_property
    def evaluation(self) -> Evaluation:
        return evaluate(self.doc)

    @property
    def slug(self) -> str:
        return self.canvas.venture.slug

    @cached_property
    def base_url(self) -> str:
        """The canvas page (``/ventures/<slug>/canvas/``)."""
        return reverse("canvas", args=(self.slug,))

    def page_url(self, anchor: str = "", **query: str) -> str:
        """The canvas page with ``query`` (``edit=finances`` opens its form) at ``anchor``."""
        url = self.base_url + ("?" + urlencode(query) if query else "")
        return url + (f"#{anchor}" if anchor else "")

    def row(self, block: str, pk: int) -> Any | None:
        """The entry of this canvas, or None when it was deleted meanwhile; 404 when the id
        belongs to another canvas (1 query, only when the entry is not in this one)."""
        found = next((r for r in self.rows[block] if r.pk == pk), None)
        if found is None and ENTRY_MODELS[block].objects.filter(pk=pk).exists():
            raise Http404("No such entry on this canvas")
        return found


def reload_blocks(canvas: Canvas, *blocks: str) -> None:
    """Re-read the entries of ``blocks`` into the canvas's prefetch cache (1 query each)."""
    if blocks:
        canvas.refresh_from_db(fields=list(blocks))  # drops those prefetched lists only
        prefetch_related_objects([canvas], *blocks)


def saved(request: HtmxHttpRequest, canvas: Canvas, action: str, summary: str) -> State:
    """After a write: rebuild the document, evaluate once, store the evaluation, log."""
    doc = canvas.to_document()
    evaluation = canvas.refresh_evaluation(doc)
    log(canvas, request.user, action, summary)
    return State(canvas, doc=doc, evaluation=evaluation)
