"""The canvas editor (founders) and viewer (advisors, cohort staff).

One page, ``/ventures/<slug>/canvas/``, and the htmx endpoints that change it. Every write:
- is scoped to ventures the person may edit (founders only; anyone else gets 404),
- runs in one transaction: load the canvas with its entries (constant queries), validate with
  the form and the document's pydantic model, write (a conditional UPDATE on the entry's
  ``version`` for edits), rebuild the document, evaluate once, store the evaluation, log,
- answers with the changed fragment plus out-of-band swaps of the findings panel, the score
  and whatever else the change can affect. Invalid input answers 422 with the form and its
  errors; a stale version answers 409 with the current value and the person's own values
  ready to re-apply. Without htmx, a successful POST redirects back to the page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import document as d
from ..board import SINGULAR, board_context, entry_dom_id
from ..evaluator import Evaluation, evaluate
from ..forms import (
    ENTRY_FORMS,
    DocumentForm,
    FinancesForm,
    HeaderForm,
    ReadinessForm,
)
from ..http import HtmxHttpRequest
from ..models import (
    ENTRY_MODELS,
    ActivityEntry,
    Canvas,
    Venture,
    _entry_fields,
    canvas_for_document,
    ensure_canvas,
    log,
)
from ..permissions import can_edit, role_for

BOARD = "canvas/_board.html"
BLOCKS = tuple(ENTRY_MODELS)
ROLE_LABELS = {"advisor": "an advisor", "staff": "cohort staff"}

LIST_BLOCKS = {
    "channel-lanes": "channels",
    "partners-list": "partners",
    "activities-list": "activities",
    "resources-list": "resources",
}

# Parts of the page a change in one block can affect, besides findings and score.
AFFECTS = {
    "channels": (),
    "partners": ("activities-list",),  # "outsourced to" names and KA06
    "activities": (),
    "resources": ("resource-categories",),
}


# --- loading -----------------------------------------------------------------------


def _load(user, slug: str, *, write: bool, lock: bool = False) -> Canvas:
    """The canvas with its venture and entries (5 queries), scoped to what the person may
    see (``write=False``) or edit (``write=True``); 404 otherwise. ``lock`` (inside a
    transaction) locks the canvas row, so writes to one canvas happen one at a time and
    checks such as unique partner names hold (SQLite's IMMEDIATE transactions do it anyway)."""
    scope = Venture.objects.editable_by(user) if write else Venture.objects.visible_to(user)
    queryset = canvas_for_document().filter(venture__in=scope)
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

    def __init__(self, canvas: Canvas, evaluation: Evaluation | None = None):
        self.canvas = canvas
        self.rows = {block: list(getattr(canvas, block).all()) for block in BLOCKS}
        if evaluation is not None:
            self.__dict__["evaluation"] = evaluation

    @cached_property
    def doc(self) -> d.CanvasDocument:
        return self.canvas.to_document()

    @cached_property
    def evaluation(self) -> Evaluation:
        return evaluate(self.doc)

    @property
    def base_url(self) -> str:
        return f"/ventures/{self.canvas.venture.slug}/canvas/"

    def row(self, block: str, pk: int) -> Any | None:
        """The entry of this canvas, or None when it was deleted meanwhile; 404 when the id
        belongs to another canvas (1 query, only when the entry is not in this one)."""
        found = next((r for r in self.rows[block] if r.pk == pk), None)
        if found is None and ENTRY_MODELS[block].objects.filter(pk=pk).exists():
            raise Http404("No such entry on this canvas")
        return found


def _state(canvas: Canvas) -> State:
    return State(canvas)


def _reload(canvas: Canvas, *blocks: str) -> None:
    """Re-read the entries of ``blocks`` into the canvas's prefetch cache (1 query each)."""
    if blocks:
        canvas.refresh_from_db(fields=list(blocks))  # drops those prefetched lists only
        prefetch_related_objects([canvas], *blocks)


def _saved(request: HtmxHttpRequest, canvas: Canvas, action: str, summary: str) -> State:
    """After a write: rebuild the document, evaluate once, store the evaluation, log."""
    doc = canvas.to_document()
    evaluation = canvas.refresh_evaluation(doc)
    log(canvas, request.user, action, summary)
    state = State(canvas, evaluation)
    state.__dict__["doc"] = doc
    return state


# --- forms and their contexts --------------------------------------------------------


def _entry_form(
    block: str,
    state: State,
    *,
    row: Any | None = None,
    data: QueryDict | None = None,
    auto_id: str,
    stage: str | None = None,
) -> DocumentForm:
    cls = ENTRY_FORMS[block]
    kwargs: dict[str, Any] = {"auto_id": f"{auto_id}-%s"}
    if block == "partners":
        kwargs["taken_names"] = {
            r.name.casefold() for r in state.rows["partners"] if row is None or r.pk != row.pk
        }
    elif block == "activities":
        kwargs["partner_names"] = [r.name for r in state.rows["partners"]]
        kwargs["current"] = data.get("outsourced_to") if data is not None else None
        if data is None and row is not None:
            kwargs["current"] = row.outsourced_to
    if data is not None:
        return cls(data, **kwargs)
    initial: dict[str, Any] = {}
    if row is not None:
        initial = cls.initial_from(row.to_data())
        initial["version"] = row.version
    elif stage in d.STAGES:
        initial["stage"] = stage
    return cls(initial=initial, **kwargs)


def _edit_fc(state: State, block: str, row: Any, form: DocumentForm, **extra: Any) -> dict:
    url = f"{state.base_url}{block}/{row.pk}/"
    return {
        "form": form,
        "action": url,
        "target": f"#{entry_dom_id(block, pk=row.pk)}",
        "cancel_url": url,
        "title": f"Edit {SINGULAR[block]}",
        "submit": "Save",
        "conflict": None,
        **extra,
    }


def _add_fc(state: State, block: str, slot: str, form: DocumentForm, **extra: Any) -> dict:
    stage = slot.rsplit("-", 1)[-1] if block == "channels" and slot.startswith("add-") else ""
    if slot.startswith("add-"):
        cancel = f"{state.base_url}{block}/new/?cancel=1" + (f"&stage={stage}" if stage else "")
    else:  # re-adding an entry deleted meanwhile: cancel shows the block as it is now
        cancel = f"{state.base_url}{block}/{slot.rsplit('-', 1)[-1]}/"
    return {
        "form": form,
        "action": f"{state.base_url}{block}/?slot={slot}",
        "target": f"#{slot}",
        "cancel_url": cancel,
        "title": f"New {SINGULAR[block]}",
        "submit": f"Add {SINGULAR[block]}",
        "conflict": None,
        **extra,
    }


def _header_fc(state: State, form: HeaderForm | None = None, **extra: Any) -> dict:
    venture = state.canvas.venture
    if form is None:
        form = HeaderForm(
            initial={**state.doc.venture.model_dump(), "version": venture.version},
            auto_id="venture-%s",
        )
    return {
        "form": form,
        "action": f"{state.base_url}header/",
        "target": "#venture",
        "cancel_url": f"{state.base_url}header/",
        "title": "Venture details",
        "submit": "Save details",
        "conflict": None,
        **extra,
    }


def _finances_fc(state: State, form: FinancesForm | None = None, **extra: Any) -> dict:
    if form is None:
        initial = state.doc.finances.model_dump()
        initial["version"] = state.canvas.finances_version
        form = FinancesForm(initial=initial, auto_id="finances-%s")
    return {
        "form": form,
        "action": f"{state.base_url}finances/",
        "submit": "Save finances",
        "conflict": None,
        **extra,
    }


def _readiness_fc(state: State, form: ReadinessForm | None = None, **extra: Any) -> dict:
    if form is None:
        initial = ReadinessForm.initial_from(state.doc.readiness.model_dump())
        initial["version"] = state.canvas.readiness_version
        form = ReadinessForm(initial=initial, auto_id="readiness-%s")
    return {
        "form": form,
        "action": f"{state.base_url}readiness/",
        "submit": "Save answers",
        "conflict": None,
        **extra,
    }


def _reapply(data: QueryDict, version: int) -> QueryDict:
    """The person's posted values with the current version: submitting them re-applies."""
    copy = data.copy()
    copy["version"] = str(version)
    return copy


def _conflict(kind: str, *, deleted: bool = False) -> dict[str, Any]:
    if deleted:
        return {
            "title": f"This {kind} was deleted meanwhile.",
            "text": "Someone removed it in another tab or session. Your values are below: add "
            "it again with them, or cancel to let it go.",
            "current": False,
        }
    return {
        "title": f"This {kind} changed meanwhile.",
        "text": "Someone saved it in another tab or session after you opened it, so your "
        "changes were not saved. The saved values are shown here; your own are in the form: "
        "re-apply them, or cancel to keep what is saved.",
        "current": True,
    }


# --- rendering -----------------------------------------------------------------------

# Rendered entries, kept per process. An entry's markup depends only on what its board item
# holds and on the board's mode, so an unchanged entry is not rendered twice: the key is a
# digest of exactly that (and of the template file's modification time). Entries contain no
# per-person data (no CSRF token: htmx sends it in a header), so sharing them is safe.
_ENTRY_HTML: dict[str, SafeString] = {}
_ENTRY_HTML_MAX = 5000
_BOARD_FILE = Path(__file__).resolve().parent.parent.parent / "templates" / "canvas" / "_board.html"


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
    forms = {"finances": _finances_fc(state), "readiness": _readiness_fc(state)}
    forms.update(open_forms or {})
    return board_context(
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
    """The ``main`` partial, then each ``oob`` partial marked hx-swap-oob."""
    lists = tuple(LIST_BLOCKS[name] for name in (main, *oob) if name in LIST_BLOCKS)
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
) -> HttpResponse:
    editable = can_edit(role)
    if editable:
        ctx = _context(state, open_forms)
    else:
        ctx = board_context(state.doc, state.evaluation, entries=state.rows)
    _prerender(ctx, BLOCKS)
    venture = state.canvas.venture
    ctx.update(
        slug=venture.slug,
        page_venture=venture,
        role=role,
        role_label=ROLE_LABELS.get(role or "", role or ""),
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
    list_id = _list_id(block)
    return _fragments(
        request,
        ctx,
        list_id,
        oob=_after_entry_write(block),
        status=status,
        retarget=f"#{list_id}",
    )


def _list_id(block: str) -> str:
    return "channel-lanes" if block == "channels" else f"{block}-list"


def _check_block(block: str) -> None:
    if block not in ENTRY_MODELS:
        raise Http404("No such block")


# --- the page ------------------------------------------------------------------------


@login_required
@require_GET
def canvas_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The canvas: editable for founders, read-only for advisors and cohort staff.
    ``?edit=<element id>`` or ``?add=<block>`` opens a form without JavaScript."""
    canvas = _load(request.user, slug, write=False)
    role = role_for(request.user, canvas.venture)
    state = _state(canvas)
    open_forms: dict[str, Any] = {}
    if can_edit(role):
        open_forms = _forms_from_query(request, state)
    return _page(request, state, role=role, open_forms=open_forms)


def _forms_from_query(request: HtmxHttpRequest, state: State) -> dict[str, Any]:
    forms: dict[str, Any] = {}
    edit, add = request.GET.get("edit", ""), request.GET.get("add", "")
    if edit == "venture":
        forms["venture"] = _header_fc(state)
    elif "-" in edit:
        singular, _, pk = edit.partition("-")
        block = next((b for b, s in SINGULAR.items() if s == singular), None)
        rows = state.rows[block] if block else []
        row = next((r for r in rows if pk.isdigit() and r.pk == int(pk)), None)
        if block and row is not None:
            form = _entry_form(block, state, row=row, auto_id=edit)
            forms[edit] = _edit_fc(state, block, row, form)
    if add:
        block, _, stage = add.partition("-")
        if block in ENTRY_MODELS and (block != "channels" or stage in d.STAGES):
            slot = f"add-{add}"
            form = _entry_form(block, state, auto_id=slot, stage=stage or None)
            forms[slot] = _add_fc(state, block, slot, form)
    return forms


# --- entries -------------------------------------------------------------------------


@login_required
@require_GET
def entry_new(request: HtmxHttpRequest, slug: str, block: str) -> HttpResponse:
    """The add form of a block (``?cancel=1``: the closed add button again)."""
    _check_block(block)
    stage = request.GET.get("stage") if block == "channels" else None
    if block == "channels" and stage not in d.STAGES:
        stage = "get"
    slot = f"add-{block}-{stage}" if stage else f"add-{block}"
    state = _state(_load(request.user, slug, write=True))
    if not request.htmx:
        return HttpResponseRedirect(f"{state.base_url}?add={slot[4:]}#{slot}")
    forms: dict[str, Any] = {}
    if not request.GET.get("cancel"):
        form = _entry_form(block, state, auto_id=slot, stage=stage)
        forms[slot] = _add_fc(state, block, slot, form)
    ctx = _context(state, forms)
    return _fragments(request, ctx, "add-slot", extra={"slot": _slot(ctx, block, slot)})


@login_required
@require_POST
def entry_create(request: HtmxHttpRequest, slug: str, block: str) -> HttpResponse:
    """Add an entry at the end of its block."""
    _check_block(block)
    slot = request.GET.get("slot", "")
    if not _is_slot(block, slot):
        slot = "add-channels-get" if block == "channels" else f"add-{block}"
    with transaction.atomic():
        canvas = _load(request.user, slug, write=True, lock=True)
        state = _state(canvas)
        form = _entry_form(block, state, data=request.POST, auto_id=slot)
        valid = form.is_valid()
        rows = state.rows[block]
        if valid and len(rows) >= d.MAX_ENTRIES:
            form.add_error(
                None,
                f"This block already holds {d.MAX_ENTRIES} entries, the most a canvas can "
                f"have. Remove one before adding another.",
            )
            valid = False
        if not valid:
            return _invalid_add(request, state, block, slot, form)
        position = max((r.position for r in rows), default=-1) + 1
        model = ENTRY_MODELS[block]
        row = model.objects.create(
            canvas=canvas, position=position, **_entry_fields(block, form.entry)
        )
        _reload(canvas, block)
        name = _name(form.entry)
        state = _saved(request, canvas, "created", f"Added {SINGULAR[block]} “{name}”")
    if not request.htmx:
        return _redirect(state, entry_dom_id(block, pk=row.pk))
    return _list_response(request, state, block)


def _invalid_add(
    request: HtmxHttpRequest, state: State, block: str, slot: str, form: DocumentForm
) -> HttpResponse:
    """422: the add form (or the re-add form of an entry deleted meanwhile) with errors."""
    if slot.startswith("add-"):
        fc = _add_fc(state, block, slot, form)
        if not request.htmx:
            return _page(request, state, open_forms={slot: fc}, status=422)
        ctx = _context(state, {slot: fc})
        return _fragments(
            request, ctx, "add-slot", extra={"slot": _slot(ctx, block, slot)}, status=422
        )
    fc = _add_fc(state, block, slot, form, conflict=_conflict(SINGULAR[block], deleted=True))
    ctx = _context(state)
    item = _gone_item(block, slot, fc)
    return _fragments(request, ctx, SINGULAR[block], extra={"item": item}, status=422)


def _is_slot(block: str, slot: str) -> bool:
    """Where an add form of ``block`` can sit: its add slot (a lane's, for channels) or the
    place of an entry deleted meanwhile (``partner-12``)."""
    if block == "channels":
        slots = {f"add-channels-{stage}" for stage in d.STAGES}
    else:
        slots = {f"add-{block}"}
    singular, _, pk = slot.partition("-")
    return slot in slots or (singular == SINGULAR[block] and pk.isdigit())


def _gone_item(block: str, dom_id: str, fc: dict[str, Any]) -> dict[str, Any]:
    """A placeholder entry for one deleted meanwhile, showing the re-add form."""
    return {"block": block, "dom_id": dom_id, "form": fc, "list_id": _list_id(block)}


def _name(entry: Any) -> str:
    return getattr(entry, "name", None) or getattr(entry, "channel", "")


@login_required
@require_http_methods(["GET", "POST"])
def entry(request: HtmxHttpRequest, slug: str, block: str, pk: int) -> HttpResponse:
    """GET: the entry as displayed (closes its form). POST: save the edit form."""
    _check_block(block)
    if request.method == "POST":
        return _entry_update(request, slug, block, pk)
    state = _state(_load(request.user, slug, write=True))
    if not request.htmx:
        return _redirect(state, entry_dom_id(block, pk=pk))
    if state.row(block, pk) is None:  # deleted meanwhile: show the block as it is now
        return _list_response(request, state, block)
    ctx = _context(state)
    return _fragments(request, ctx, SINGULAR[block], extra={"item": _item(ctx, block, pk)})


@login_required
@require_GET
def entry_edit(request: HtmxHttpRequest, slug: str, block: str, pk: int) -> HttpResponse:
    """The entry's edit form."""
    _check_block(block)
    dom_id = entry_dom_id(block, pk=pk)
    state = _state(_load(request.user, slug, write=True))
    if not request.htmx:
        return HttpResponseRedirect(f"{state.base_url}?edit={dom_id}#{dom_id}")
    row = state.row(block, pk)
    if row is None:
        return _list_response(request, state, block)
    form = _entry_form(block, state, row=row, auto_id=dom_id)
    ctx = _context(state, {dom_id: _edit_fc(state, block, row, form)})
    return _fragments(request, ctx, SINGULAR[block], extra={"item": _item(ctx, block, pk)})


def _entry_update(request: HtmxHttpRequest, slug: str, block: str, pk: int) -> HttpResponse:
    dom_id = entry_dom_id(block, pk=pk)
    kind = SINGULAR[block]
    with transaction.atomic():
        canvas = _load(request.user, slug, write=True, lock=True)
        state = _state(canvas)
        row = state.row(block, pk)
        form = _entry_form(block, state, row=row, data=request.POST, auto_id=dom_id)
        if row is None:
            return _deleted_meanwhile(request, state, block, dom_id, form)
        if not form.is_valid():
            fc = _edit_fc(state, block, row, form)
            return _entry_response(request, state, block, pk, fc, status=422)
        fields = _entry_fields(block, form.entry)
        model = ENTRY_MODELS[block]
        updated = model.objects.filter(pk=pk, canvas=canvas, version=form.posted_version).update(
            **fields, version=F("version") + 1
        )
        if not updated:
            again = _entry_form(
                block, state, row=row, data=_reapply(request.POST, row.version), auto_id=dom_id
            )
            fc = _edit_fc(
                state,
                block,
                row,
                again,
                conflict=_conflict(kind),
                submit="Re-apply my changes",
            )
            return _entry_response(request, state, block, pk, fc, status=409)
        renamed = block == "partners" and row.name != fields["name"]
        cascaded = renamed and _rename_partner(state, row.name, fields["name"])
        moved_lane = block == "channels" and row.stage != fields["stage"]
        # The conditional UPDATE wrote every field, so the loaded row now equals the saved
        # one: update it in memory rather than reading the block again.
        for key, value in fields.items():
            setattr(row, key, value)
        row.version = form.posted_version + 1
        state = _saved(request, canvas, "edited", f"Edited {kind} “{_name(form.entry)}”")
    if not request.htmx:
        return _redirect(state, dom_id)
    ctx = _context(state)
    if moved_lane:
        return _fragments(
            request, ctx, "channel-lanes", oob=("findings", "score"), retarget="#channel-lanes"
        )
    oob = ["findings", "score"]
    if cascaded:
        oob.append("activities-list")
    if block == "resources":
        oob.append("resource-categories")
    return _fragments(request, ctx, kind, oob=tuple(oob), extra={"item": _item(ctx, block, pk)})


def _rename_partner(state: State, old: str, new: str) -> bool:
    """Point activities outsourced to the partner's old name at its new name."""
    key = old.casefold()
    ids = [
        a.pk
        for a in state.rows["activities"]
        if a.outsourced_to is not None and a.outsourced_to.casefold() == key
    ]
    if ids:
        ActivityEntry.objects.filter(pk__in=ids).update(outsourced_to=new, version=F("version") + 1)
        for activity in state.rows["activities"]:
            if activity.pk in ids:  # in memory too, as the UPDATE left it
                activity.outsourced_to = new
                activity.version += 1
    return bool(ids)


def _entry_response(
    request: HtmxHttpRequest,
    state: State,
    block: str,
    pk: int,
    fc: dict[str, Any],
    *,
    status: int,
) -> HttpResponse:
    """The entry with its form open (errors or a conflict)."""
    dom_id = entry_dom_id(block, pk=pk)
    if not request.htmx:
        return _page(request, state, open_forms={dom_id: fc}, status=status)
    ctx = _context(state, {dom_id: fc})
    return _fragments(
        request,
        ctx,
        SINGULAR[block],
        extra={"item": _item(ctx, block, pk)},
        status=status,
        retarget=f"#{dom_id}",
    )


def _deleted_meanwhile(
    request: HtmxHttpRequest, state: State, block: str, dom_id: str, form: DocumentForm
) -> HttpResponse:
    """409: the entry is gone; offer to add it again with the person's values."""
    fc = _add_fc(state, block, dom_id, form, conflict=_conflict(SINGULAR[block], deleted=True))
    form.is_valid()  # show any problems with their values right away
    if not request.htmx:
        return _page(request, state, status=409)
    ctx = _context(state)
    item = _gone_item(block, dom_id, fc)
    return _fragments(
        request, ctx, SINGULAR[block], extra={"item": item}, status=409, retarget=f"#{dom_id}"
    )


@login_required
@require_POST
def entry_delete(request: HtmxHttpRequest, slug: str, block: str, pk: int) -> HttpResponse:
    """Delete an entry. Deleting one that is already gone is harmless."""
    _check_block(block)
    with transaction.atomic():
        canvas = _load(request.user, slug, write=True, lock=True)
        state = _state(canvas)
        row = state.row(block, pk)
        if row is not None:
            ENTRY_MODELS[block].objects.filter(pk=pk, canvas=canvas).delete()
            _reload(canvas, block)
            name = row.channel if block == "channels" else row.name
            state = _saved(request, canvas, "deleted", f"Deleted {SINGULAR[block]} “{name}”")
    if not request.htmx:
        return _redirect(state, f"block-{block}")
    return _list_response(request, state, block)


@login_required
@require_POST
def entry_move(request: HtmxHttpRequest, slug: str, block: str, pk: int) -> HttpResponse:
    """Move an entry one place up or down (within its lane for channels), then number the
    block's positions 0, 1, 2... again."""
    _check_block(block)
    direction = request.POST.get("direction")
    with transaction.atomic():
        canvas = _load(request.user, slug, write=True, lock=True)
        if direction not in ("up", "down"):
            return HttpResponse("direction must be up or down", status=400)
        state = _state(canvas)
        rows = state.rows[block]
        row = state.row(block, pk)
        peers = [r for r in rows if block != "channels" or r.stage == row.stage] if row else []
        i = peers.index(row) if row is not None else -1
        j = i - 1 if direction == "up" else i + 1
        if row is not None and 0 <= j < len(peers):
            a, b = rows.index(row), rows.index(peers[j])
            rows[a], rows[b] = rows[b], rows[a]
            for position, r in enumerate(rows):
                r.position = position
            ENTRY_MODELS[block].objects.bulk_update(rows, ["position"])
            _reload(canvas, block)
            name = row.channel if block == "channels" else row.name
            state = _saved(
                request, canvas, "edited", f"Moved {SINGULAR[block]} “{name}” {direction}"
            )
    if not request.htmx:
        return _redirect(state, entry_dom_id(block, pk=pk))
    return _list_response(request, state, block)


# --- header, finances, readiness -------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A part of the canvas saved as a whole, with its own optimistic-lock version."""

    form: type[DocumentForm]
    version_field: str  # on the venture (header) or the canvas
    on_venture: bool
    kind: str  # for messages
    conflict_title: str
    reapply: str
    oob: tuple[str, ...]
    summary: str

    def owner(self, canvas: Canvas) -> Venture | Canvas:
        return canvas.venture if self.on_venture else canvas


PARTS = {
    "venture": Part(
        HeaderForm,
        "version",
        True,
        "venture's details",
        "The venture's details changed meanwhile.",
        "Re-apply my changes",
        # the solution type, market stage and revenue model switch rules and guidance
        ("score", "findings", "channels-help", "channel-lanes"),
        "Edited the venture's details",
    ),
    "finances": Part(
        FinancesForm,
        "finances_version",
        False,
        "figures",
        "The finances changed meanwhile.",
        "Re-apply my changes",
        ("score", "findings"),
        "Edited the finances",
    ),
    "readiness": Part(
        ReadinessForm,
        "readiness_version",
        False,
        "answers",
        "The readiness answers changed meanwhile.",
        "Re-apply my answers",
        ("score", "findings"),
        "Edited the readiness answers",
    ),
}
PART_FORMS = {"venture": _header_fc, "finances": _finances_fc, "readiness": _readiness_fc}


def _save_part(request: HtmxHttpRequest, slug: str, name: str) -> HttpResponse:
    """Validate and save one part with a conditional UPDATE on its version."""
    part = PARTS[name]
    fc_for = PART_FORMS[name]
    auto_id = f"{name}-%s"
    with transaction.atomic():
        canvas = _load(request.user, slug, write=True, lock=True)
        state = _state(canvas)
        owner = part.owner(canvas)
        form = part.form(request.POST, auto_id=auto_id)
        if not form.is_valid():
            return _part_response(request, state, name, fc_for(state, form), 422)
        fields = form.entry.model_dump()
        version = part.version_field
        updated = (
            type(owner)
            .objects.filter(pk=owner.pk, **{version: form.posted_version})
            .update(**fields, **{version: F(version) + 1})
        )
        if not updated:
            current = getattr(owner, version)
            again = part.form(_reapply(request.POST, current), auto_id=auto_id)
            conflict = {**_conflict(part.kind), "title": part.conflict_title}
            fc = fc_for(state, again, conflict=conflict, submit=part.reapply)
            return _part_response(request, state, name, fc, 409)
        for key, value in fields.items():
            setattr(owner, key, value)
        setattr(owner, version, form.posted_version + 1)
        state = _saved(request, canvas, "edited", part.summary)
    if not request.htmx:
        return _redirect(state, name)
    return _fragments(request, _context(state), name, oob=part.oob)


def _part_response(
    request: HtmxHttpRequest, state: State, part: str, fc: dict[str, Any], status: int
) -> HttpResponse:
    """The venture, finances or readiness part with its form (errors or a conflict)."""
    if not request.htmx:
        return _page(request, state, open_forms={part: fc}, status=status)
    ctx = _context(state, {part: fc})
    return _fragments(request, ctx, part, status=status, retarget=f"#{part}")


@login_required
@require_http_methods(["GET", "POST"])
def header(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """GET: the venture's details as displayed. POST: save name, solution type, market
    stage and revenue model (variant rules and guidance follow at once)."""
    if request.method == "POST":
        return _save_part(request, slug, "venture")
    state = _state(_load(request.user, slug, write=True))
    if not request.htmx:
        return _redirect(state, "venture")
    return _fragments(request, _context(state), "venture")


@login_required
@require_GET
def header_edit(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The form of the venture's details."""
    state = _state(_load(request.user, slug, write=True))
    if not request.htmx:
        return HttpResponseRedirect(f"{state.base_url}?edit=venture#venture")
    return _fragments(request, _context(state, {"venture": _header_fc(state)}), "venture")


@login_required
@require_POST
def finances(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Save cash on hand, monthly burn and currency; the runway follows."""
    return _save_part(request, slug, "finances")


@login_required
@require_POST
def readiness(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Save the answers to the five operational-readiness questions."""
    return _save_part(request, slug, "readiness")
