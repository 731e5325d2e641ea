"""Responses of the editor: the page, and fragments with out-of-band swaps.

Each view ends in one call here. It builds the board's context from the request's ``State``
(once), marks the entries' open comments where the fragments show them, fills in the entries'
cached markup (``entry_cache``) and renders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string

from ...board import LIST_IDS, SINGULAR, board_context, entry_dom_id
from ...document import ENTRY_BLOCKS
from ...http import HtmxHttpRequest
from ...permissions import can_edit, sees_comments
from ...review import comment_slots, mark_entries, open_comments
from .entry_cache import BOARD, ENTRY_CACHE
from .form_contexts import FormContext
from .state import BLOCKS, State

ROLE_LABELS = {"advisor": "an advisor", "staff": "cohort staff"}

LIST_BLOCKS = {list_id: block for block, list_id in LIST_IDS.items()}

# Parts that show the score or depend on what the score depends on.
SCORE_FOLLOWERS = ("score-bar", "first-run")

VIEWS = ("overview", "details")  # the canvas as a one-screen grid, or every entry in full
# Partials that show entries of a commentable block (and so their comment markers).
COMMENTED_PARTS = {SINGULAR[b] for b in ENTRY_BLOCKS} | {LIST_IDS[b] for b in ENTRY_BLOCKS}

OpenForms = Mapping[str, FormContext]


def editor_context(state: State, open_forms: OpenForms | None = None) -> dict[str, Any]:
    """The board as a founder edits it; ``open_forms``: element id -> the form shown there
    (finances and readiness open only when asked, like entries)."""
    canvas = state.canvas
    ctx = board_context(
        state.doc,
        state.evaluation,
        entries=state.rows,
        editable=True,
        slug=state.slug,
        versions={
            "venture": canvas.venture.version,
            "finances": canvas.finances_version,
            "readiness": canvas.readiness_version,
        },
        open_forms=dict(open_forms or {}),
    )
    ctx["comment_venture"] = canvas.venture  # fragments with entries show their markers
    return ctx


def page_response(
    request: HtmxHttpRequest,
    state: State,
    *,
    role: str | None = "founder",
    open_forms: OpenForms | None = None,
    status: int = 200,
    view: str = "overview",
) -> HttpResponse:
    """The whole canvas page: editable for a founder, read-only for anyone else."""
    if can_edit(role):
        ctx = editor_context(state, open_forms)
    else:
        ctx = board_context(state.doc, state.evaluation, entries=state.rows)
    venture = state.canvas.venture
    if sees_comments(role):  # block counts and entry markers, in one query
        counts = open_comments(venture.pk)
        mark_entries(ctx, venture.slug, counts)
        ctx["comment_slots"] = comment_slots(venture.slug, counts)
    ENTRY_CACHE.fill(ctx, BLOCKS)
    ctx.update(
        slug=venture.slug,
        page_venture=venture,
        role=role,
        role_label=ROLE_LABELS.get(role or "", role or ""),
        view=view if view in VIEWS else "overview",
    )
    return render(request, "canvas/editor.html", ctx, status=status)


def fragments_response(
    request: HtmxHttpRequest,
    state: State,
    main: str,
    *,
    open_forms: OpenForms | None = None,
    oob: tuple[str, ...] = (),
    status: int = 200,
    retarget: str | None = None,
) -> HttpResponse:
    """The ``main`` partial of the board, then each ``oob`` partial marked hx-swap-oob."""
    ctx = editor_context(state, open_forms)
    return _render_fragments(request, ctx, main, oob=oob, status=status, retarget=retarget)


def entry_response(
    request: HtmxHttpRequest,
    state: State,
    block: str,
    pk: int,
    *,
    open_forms: OpenForms | None = None,
    oob: tuple[str, ...] = (),
    status: int = 200,
    retarget: str | None = None,
) -> HttpResponse:
    """One entry (with its form, when ``open_forms`` opens it), then the ``oob`` partials."""
    ctx = editor_context(state, open_forms)
    dom_id = entry_dom_id(block, pk=pk)
    item = next((i for i in ctx[block] if i["dom_id"] == dom_id), None)
    return _render_fragments(
        request,
        ctx,
        SINGULAR[block],
        oob=oob,
        extra={"item": item},
        status=status,
        retarget=retarget,
    )


def readd_response(
    request: HtmxHttpRequest,
    state: State,
    block: str,
    dom_id: str,
    fc: FormContext,
    *,
    status: int,
    retarget: str | None = None,
) -> HttpResponse:
    """In the place of an entry deleted meanwhile, the form to add it again."""
    ctx = editor_context(state)
    item = {"block": block, "dom_id": dom_id, "form": fc, "list_id": LIST_IDS[block]}
    return _render_fragments(
        request, ctx, SINGULAR[block], extra={"item": item}, status=status, retarget=retarget
    )


def add_slot_response(
    request: HtmxHttpRequest,
    state: State,
    block: str,
    slot_id: str,
    *,
    open_forms: OpenForms | None = None,
    status: int = 200,
) -> HttpResponse:
    """A block's add slot (a lane's, for channels): its button, or its form when open."""
    ctx = editor_context(state, open_forms)
    if block == "channels":
        slots = [lane["slot"] for lane in ctx["lanes"]]
    else:
        slots = [ctx["add_slots"][block]] if block in ctx["add_slots"] else []
    slot = next((s for s in slots if s["id"] == slot_id), None)
    return _render_fragments(request, ctx, "add-slot", extra={"slot": slot}, status=status)


def list_response(
    request: HtmxHttpRequest,
    state: State,
    block: str,
    *,
    oob: tuple[str, ...] = (),
    status: int = 200,
) -> HttpResponse:
    """A block's whole list of entries (it replaces the list the request came from)."""
    list_id = LIST_IDS[block]
    return fragments_response(
        request, state, list_id, oob=oob, status=status, retarget=f"#{list_id}"
    )


def redirect_to(state: State, anchor: str = "") -> HttpResponse:
    """Without JavaScript: back to the canvas page, at ``anchor``."""
    return HttpResponseRedirect(state.page_url(anchor), status=303)


def _render_fragments(
    request: HtmxHttpRequest,
    ctx: dict[str, Any],
    main: str,
    *,
    oob: tuple[str, ...] = (),
    extra: dict[str, Any] | None = None,
    status: int = 200,
    retarget: str | None = None,
) -> HttpResponse:
    """Wherever the score changes, the phone's score bar and the first-run checklist
    follow it."""
    if "score" in oob:
        oob = (*oob, *(p for p in SCORE_FOLLOWERS if p not in oob and p != main))
    lists = tuple(LIST_BLOCKS[name] for name in (main, *oob) if name in LIST_BLOCKS)
    venture = ctx.get("comment_venture")
    if venture is not None and COMMENTED_PARTS & {main, *oob}:
        mark_entries(ctx, venture.slug, open_comments(venture.pk))  # the entries' markers
    ENTRY_CACHE.fill(ctx, lists)
    parts = [render_to_string(f"{BOARD}#{main}", {**ctx, **(extra or {})}, request)]
    parts += [render_to_string(f"{BOARD}#{name}", {**ctx, "oob": True}, request) for name in oob]
    response = HttpResponse("".join(parts), status=status)
    if retarget:
        response["HX-Retarget"] = retarget
        response["HX-Reswap"] = "outerHTML"
    return response
