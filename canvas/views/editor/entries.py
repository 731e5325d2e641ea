"""The htmx endpoints of entries: add, show, edit, delete and move."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ... import document as d
from ...board import SINGULAR, entry_dom_id
from ...forms import DocumentForm
from ...http import HtmxHttpRequest
from ...models import ENTRY_MODELS, ActivityEntry, VendorEntry, entry_fields
from .form_contexts import (
    FormContext,
    add_form_context,
    changed_meanwhile,
    deleted_meanwhile,
    edit_form_context,
    entry_form,
    reapply,
)
from .render import (
    add_slot_response,
    entry_response,
    list_response,
    page_response,
    readd_response,
    redirect_to,
)
from .state import State, load_canvas, reload_blocks, saved

# Parts of the page a change in one block can affect, besides findings and score.
AFFECTS = {
    "channels": (),
    "partners": ("activities-list",),  # "outsourced to" names and KA06
    "vendors": ("activities-list",),  # the same
    "activities": (),
    "resources": ("resource-categories",),
}


def _after_write(block: str) -> tuple[str, ...]:
    """The parts redrawn out of band after a write to ``block``."""
    return ("findings", "score", *AFFECTS[block])


def _check_block(block: str) -> None:
    if block not in ENTRY_MODELS:
        raise Http404("No such block")


@login_required
@require_GET
def entry_new(request: HtmxHttpRequest, slug: str, block: str) -> HttpResponse:
    """The add form of a block (``?cancel=1``: the closed add button again)."""
    _check_block(block)
    stage = request.GET.get("stage") if block == "channels" else None
    if block == "channels" and stage not in d.STAGES:
        stage = "get"
    slot = f"add-{block}-{stage}" if stage else f"add-{block}"
    state = State(load_canvas(request.user, slug, write=True))
    if not request.htmx:
        return HttpResponseRedirect(state.page_url(slot, add=slot[4:]))
    forms: dict[str, FormContext] = {}
    if not request.GET.get("cancel"):
        form = entry_form(block, state, auto_id=slot, stage=stage)
        forms[slot] = add_form_context(state, block, slot, form)
    return add_slot_response(request, state, block, slot, open_forms=forms)


@login_required
@require_POST
def entry_create(request: HtmxHttpRequest, slug: str, block: str) -> HttpResponse:
    """Add an entry at the end of its block."""
    _check_block(block)
    slot = request.GET.get("slot", "")
    if not _is_slot(block, slot):
        slot = "add-channels-get" if block == "channels" else f"add-{block}"
    with transaction.atomic():
        canvas = load_canvas(request.user, slug, write=True, lock=True)
        state = State(canvas)
        form = entry_form(block, state, data=request.POST, auto_id=slot)
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
            canvas=canvas, position=position, **entry_fields(block, form.entry)
        )
        reload_blocks(canvas, block)
        name = _name(form.entry)
        state = saved(request, canvas, "created", f"Added {SINGULAR[block]} “{name}”")
    if not request.htmx:
        return redirect_to(state, entry_dom_id(block, pk=row.pk))
    return list_response(request, state, block, oob=_after_write(block))


def _invalid_add(
    request: HtmxHttpRequest, state: State, block: str, slot: str, form: DocumentForm
) -> HttpResponse:
    """422: the add form (or the re-add form of an entry deleted meanwhile) with errors."""
    if slot.startswith("add-"):
        fc = add_form_context(state, block, slot, form)
        if not request.htmx:
            return page_response(request, state, open_forms={slot: fc}, status=422)
        return add_slot_response(request, state, block, slot, open_forms={slot: fc}, status=422)
    fc = add_form_context(state, block, slot, form, conflict=deleted_meanwhile(SINGULAR[block]))
    return readd_response(request, state, block, slot, fc, status=422)


def _is_slot(block: str, slot: str) -> bool:
    """Where an add form of ``block`` can sit: its add slot (a lane's, for channels) or the
    place of an entry deleted meanwhile (``partner-12``)."""
    if block == "channels":
        slots = {f"add-channels-{stage}" for stage in d.STAGES}
    else:
        slots = {f"add-{block}"}
    singular, _, pk = slot.partition("-")
    return slot in slots or (singular == SINGULAR[block] and pk.isdigit())


def _name(entry: Any) -> str:
    return getattr(entry, "name", None) or getattr(entry, "channel", "")


@login_required
@require_http_methods(["GET", "POST"])
def entry(request: HtmxHttpRequest, slug: str, block: str, pk: int) -> HttpResponse:
    """GET: the entry as displayed (closes its form). POST: save the edit form."""
    _check_block(block)
    if request.method == "POST":
        return _entry_update(request, slug, block, pk)
    state = State(load_canvas(request.user, slug, write=True))
    if not request.htmx:
        return redirect_to(state, entry_dom_id(block, pk=pk))
    if state.row(block, pk) is None:  # deleted meanwhile: show the block as it is now
        return list_response(request, state, block, oob=_after_write(block))
    return entry_response(request, state, block, pk)


@login_required
@require_GET
def entry_edit(request: HtmxHttpRequest, slug: str, block: str, pk: int) -> HttpResponse:
    """The entry's edit form."""
    _check_block(block)
    dom_id = entry_dom_id(block, pk=pk)
    state = State(load_canvas(request.user, slug, write=True))
    if not request.htmx:
        return HttpResponseRedirect(state.page_url(dom_id, edit=dom_id))
    row = state.row(block, pk)
    if row is None:
        return list_response(request, state, block, oob=_after_write(block))
    form = entry_form(block, state, row=row, auto_id=dom_id)
    open_forms = {dom_id: edit_form_context(state, block, row, form)}
    return entry_response(request, state, block, pk, open_forms=open_forms)


def _entry_update(request: HtmxHttpRequest, slug: str, block: str, pk: int) -> HttpResponse:
    dom_id = entry_dom_id(block, pk=pk)
    kind = SINGULAR[block]
    with transaction.atomic():
        canvas = load_canvas(request.user, slug, write=True, lock=True)
        state = State(canvas)
        row = state.row(block, pk)
        form = entry_form(block, state, row=row, data=request.POST, auto_id=dom_id)
        if row is None:
            return _deleted_meanwhile(request, state, block, dom_id, form)
        if not form.is_valid():
            fc = edit_form_context(state, block, row, form)
            return _form_response(request, state, block, pk, fc, status=422)
        fields = entry_fields(block, form.entry)
        model = ENTRY_MODELS[block]
        updated = model.objects.filter(pk=pk, canvas=canvas, version=form.posted_version).update(
            **fields, version=F("version") + 1
        )
        if not updated:
            again = entry_form(
                block, state, row=row, data=reapply(request.POST, row.version), auto_id=dom_id
            )
            fc = edit_form_context(
                state,
                block,
                row,
                again,
                conflict=changed_meanwhile(kind),
                submit="Re-apply my changes",
            )
            return _form_response(request, state, block, pk, fc, status=409)
        renamed = block in ("partners", "vendors") and row.name != fields["name"]
        cascaded = renamed and _rename_provider(state, row.name, fields["name"])
        moved_lane = block == "channels" and row.stage != fields["stage"]
        # The conditional UPDATE wrote every field, so the loaded row now equals the saved
        # one: update it in memory rather than reading the block again.
        for key, value in fields.items():
            setattr(row, key, value)
        row.version = form.posted_version + 1
        state = saved(request, canvas, "edited", f"Edited {kind} “{_name(form.entry)}”")
    if not request.htmx:
        return redirect_to(state, dom_id)
    if moved_lane:
        return list_response(request, state, block, oob=("findings", "score"))
    # the activities list shows partner names: redrawn only when a rename reached it
    oob = tuple(p for p in _after_write(block) if cascaded or p != "activities-list")
    return entry_response(request, state, block, pk, oob=oob)


def _rename_provider(state: State, old: str, new: str) -> bool:
    """Point activities outsourced to the partner's (or vendor's) old name at its new name."""
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


def _form_response(
    request: HtmxHttpRequest,
    state: State,
    block: str,
    pk: int,
    fc: FormContext,
    *,
    status: int,
) -> HttpResponse:
    """The entry with its form open (errors or a conflict)."""
    dom_id = entry_dom_id(block, pk=pk)
    if not request.htmx:
        return page_response(request, state, open_forms={dom_id: fc}, status=status)
    return entry_response(
        request, state, block, pk, open_forms={dom_id: fc}, status=status, retarget=f"#{dom_id}"
    )


def _deleted_meanwhile(
    request: HtmxHttpRequest, state: State, block: str, dom_id: str, form: DocumentForm
) -> HttpResponse:
    """409: the entry is gone; offer to add it again with the person's values."""
    conflict = deleted_meanwhile(SINGULAR[block])
    fc = add_form_context(state, block, dom_id, form, conflict=conflict)
    form.is_valid()  # show any problems with their values right away
    if not request.htmx:
        return page_response(request, state, status=409)
    return readd_response(request, state, block, dom_id, fc, status=409, retarget=f"#{dom_id}")


@login_required
@require_POST
def entry_delete(request: HtmxHttpRequest, slug: str, block: str, pk: int) -> HttpResponse:
    """Delete an entry. Deleting one that is already gone is harmless."""
    _check_block(block)
    with transaction.atomic():
        canvas = load_canvas(request.user, slug, write=True, lock=True)
        state = State(canvas)
        row = state.row(block, pk)
        if row is not None:
            ENTRY_MODELS[block].objects.filter(pk=pk, canvas=canvas).delete()
            reload_blocks(canvas, block)
            name = row.name
            state = saved(request, canvas, "deleted", f"Deleted {SINGULAR[block]} “{name}”")
    if not request.htmx:
        return redirect_to(state, f"block-{block}")
    return list_response(request, state, block, oob=_after_write(block))


@login_required
@require_POST
def entry_move(request: HtmxHttpRequest, slug: str, block: str, pk: int) -> HttpResponse:
    """Move an entry one place up or down (within its lane for channels), then number the
    block's positions 0, 1, 2... again."""
    _check_block(block)
    direction = request.POST.get("direction")
    with transaction.atomic():
        canvas = load_canvas(request.user, slug, write=True, lock=True)
        if direction not in ("up", "down"):
            return HttpResponse("direction must be up or down", status=400)
        state = State(canvas)
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
            reload_blocks(canvas, block)
            name = row.name
            state = saved(
                request, canvas, "edited", f"Moved {SINGULAR[block]} “{name}” {direction}"
            )
    if not request.htmx:
        return redirect_to(state, entry_dom_id(block, pk=pk))
    return list_response(request, state, block, oob=_after_write(block))


@login_required
@require_POST
def partner_to_vendor(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Move a partner to the vendor list: it keeps its name, its strategic value becomes the
    vendor's service, and activities outsourced to it still point at it (by name)."""
    with transaction.atomic():
        canvas = load_canvas(request.user, slug, write=True, lock=True)
        state = State(canvas)
        row = state.row("partners", pk)
        if row is not None:
            vendors = state.rows["vendors"]
            if len(vendors) >= d.MAX_ENTRIES:
                return HttpResponse(
                    f"The vendor list already holds {d.MAX_ENTRIES} entries, the most a canvas "
                    "can have. Remove a vendor before moving another partner there.",
                    status=422,
                )
            position = max((v.position for v in vendors), default=-1) + 1
            vendor = d.Vendor(name=row.name, service=row.strategic_value)
            row.delete()
            VendorEntry.objects.create(
                canvas=canvas, position=position, **entry_fields("vendors", vendor)
            )
            reload_blocks(canvas, "partners", "vendors")
            state = saved(request, canvas, "edited", f"Moved partner “{row.name}” to the vendors")
    if not request.htmx:
        return redirect_to(state, "block-vendors")
    oob = ("vendors-list", "activities-list", "findings", "score")
    return list_response(request, state, "partners", oob=oob)
