"""Rendering the board: the per-entry HTML cache, fragments with out-of-band swaps, the page."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString

from ...board import LIST_IDS, SINGULAR, board_context, entry_dom_id
from ...document import ENTRY_BLOCKS
from ...http import HtmxHttpRequest
from ...models import ENTRY_MODELS
from ...permissions import can_edit, sees_comments
from ...review import comment_slots, mark_entries, open_comments
from .state import BLOCKS, State

BOARD = "canvas/_board.html"
ROLE_LABELS = {"advisor": "an advisor", "staff": "cohort staff"}

LIST_BLOCKS = {list_id: block for block, list_id in LIST_IDS.items()}

# Parts that show the score or depend on what the score depends on.
SCORE_FOLLOWERS = ("score-bar", "first-run")

VIEWS = ("overview", "details")  # the canvas as a one-screen grid, or every entry in full
# Partials that show entries of a commentable block (and so their comment markers).
COMMENTED_PARTS = {SINGULAR[b] for b in ENTRY_BLOCKS} | {LIST_IDS[b] for b in ENTRY_BLOCKS}

# Parts of the page a change in one block can affect, besides findings and score.
AFFECTS = {
    "channels": (),
    "partners": ("activities-list",),  # "outsourced to" names and KA06
    "vendors": ("activities-list",),  # the same
    "activities": (),
    "resources": ("resource-categories",),
}


# --- rendering -----------------------------------------------------------------------

# Rendered entries, kept per process. An entry's markup depends only on what its board item
# holds and on the board's mode, so an unchanged entry is not rendered twice: the key is a
# digest of exactly that (and of the template file's modification time). Entries contain no
# per-person data (no CSRF token: htmx sends it in a header), so sharing them is safe.
_ENTRY_HTML: dict[str, SafeString] = {}
_ENTRY_HTML_MAX = 5000
_BOARD_FILE = Path(__file__).resolve().parents[3] / "templates" / "canvas" / "_board.html"


def _entry_key(mode: tuple[Any, ...], item: dict[str, Any]) -> str:
    """A digest of what an entry's markup depends on. The entry's document model is
    serialised by pydantic's (compiled) JSON serialiser: its repr() would cost ten times more."""
    parts = [(k, v.model_dump_json() if k == "data" else v) for k, v in item.items()]
    return hashlib.blake2b(repr((mode, parts)).encode(), digest_size=16).hexdigest()


def _prerender(ctx: dict[str, Any], blocks: tuple[str, ...]) -> None:
    """Set ``item["html"]`` on the entries of ``blocks`` (the board prints it as is)."""
    try:
        stamp = _BOARD_FILE.stat().st_mtime_ns
    except OSError:
        stamp = 0
    mode = (stamp, ctx["editable"], ctx["base_url"])
    for block in blocks:
        partial = None
        for item in ctx[block]:
            if item["form"]:
                continue
            key = _entry_key(mode, item)
            html = _ENTRY_HTML.get(key)
            if html is None:
                partial = partial or get_template(f"{BOARD}#{SINGULAR[block]}")
                mode_ctx = {"editable": ctx["editable"], "base_url": ctx["base_url"]}
                html = SafeString(partial.render({"item": item, **mode_ctx}))
                if len(_ENTRY_HTML) >= _ENTRY_HTML_MAX:
                    _ENTRY_HTML.clear()
                _ENTRY_HTML[key] = html
            item["html"] = html


def _context(state: State, open_forms: dict[str, Any] | None = None) -> dict[str, Any]:
    canvas = state.canvas
    forms = dict(open_forms or {})  # finances and readiness open only when asked, like entries
    ctx = board_context(
        state.doc,
        state.evaluation,
        entries=state.rows,
        editable=True,
        base_url=state.base_url,
        versions={
            "venture": canvas.venture.version,
            "finances": canvas.finances_version,
            "readiness": canvas.readiness_version,
        },
        open_forms=forms,
    )
    ctx["comment_venture"] = canvas.venture  # fragments with entries show their markers
    return ctx


def _item(ctx: dict[str, Any], block: str, pk: int) -> dict[str, Any] | None:
    dom_id = entry_dom_id(block, pk=pk)
    return next((i for i in ctx[block] if i["dom_id"] == dom_id), None)


def _slot(ctx: dict[str, Any], block: str, slot_id: str) -> dict[str, Any] | None:
    if block == "channels":
        return next((lane["slot"] for lane in ctx["lanes"] if lane["slot"]["id"] == slot_id), None)
    slot = ctx["add_slots"].get(block)
    return slot if slot and slot["id"] == slot_id else None


def _fragments(
    request: HtmxHttpRequest,
    ctx: dict[str, Any],
    main: str,
    *,
    oob: tuple[str, ...] = (),
    extra: dict[str, Any] | None = None,
    status: int = 200,
    retarget: str | None = None,
) -> HttpResponse:
    """The ``main`` partial, then each ``oob`` partial marked hx-swap-oob. Wherever the
    score changes, the phone's score bar and the first-run checklist follow it."""
    if "score" in oob:
        oob = (*oob, *(p for p in SCORE_FOLLOWERS if p not in oob and p != main))
    lists = tuple(LIST_BLOCKS[name] for name in (main, *oob) if name in LIST_BLOCKS)
    venture = ctx.get("comment_venture")
    if venture is not None and COMMENTED_PARTS & {main, *oob}:
        mark_entries(ctx, venture.slug, open_comments(venture.pk))  # the entries' markers
    _prerender(ctx, lists)
    parts = [render_to_string(f"{BOARD}#{main}", {**ctx, **(extra or {})}, request)]
    parts += [render_to_string(f"{BOARD}#{name}", {**ctx, "oob": True}, request) for name in oob]
    response = HttpResponse("".join(parts), status=status)
    if retarget:
        response["HX-Retarget"] = retarget
        response["HX-Reswap"] = "outerHTML"
    return response


def _page(
    request: HtmxHttpRequest,
    state: State,
    *,
    role: str | None = "founder",
    open_forms: dict[str, Any] | None = None,
    status: int = 200,
    view: str = "overview",
) -> HttpResponse:
    editable = can_edit(role)
    if editable:
        ctx = _context(state, open_forms)
    else:
        ctx = board_context(state.doc, state.evaluation, entries=state.rows)
    venture = state.canvas.venture
    if sees_comments(role):  # block counts and entry markers, in one query
        counts = open_comments(venture.pk)
        mark_entries(ctx, venture.slug, counts)
        ctx["comment_slots"] = comment_slots(venture.slug, counts)
    _prerender(ctx, BLOCKS)
    ctx.update(
        slug=venture.slug,
        page_venture=venture,
        role=role,
        role_label=ROLE_LABELS.get(role or "", role or ""),
        view=view if view in VIEWS else "overview",
    )
    return render(request, "canvas/editor.html", ctx, status=status)


def _redirect(state: State, anchor: str = "") -> HttpResponse:
    return HttpResponseRedirect(state.base_url + (f"#{anchor}" if anchor else ""), status=303)


def _after_entry_write(block: str) -> tuple[str, ...]:
    return ("findings", "score", *AFFECTS[block])


def _list_response(
    request: HtmxHttpRequest, state: State, block: str, *, status: int = 200
) -> HttpResponse:
    ctx = _context(state)
    list_id = LIST_IDS[block]
    return _fragments(
        request,
        ctx,
        list_id,
        oob=_after_entry_write(block),
        status=status,
        retarget=f"#{list_id}",
    )


def _check_block(block: str) -> None:
    if block not in ENTRY_MODELS:
        raise Http404("No such block")
