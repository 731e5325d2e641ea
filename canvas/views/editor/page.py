"""The canvas page itself (GET ``/ventures/<slug>/canvas/``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from ... import document as d
from ...board import SINGULAR
from ...http import HtmxHttpRequest
from ...models import ENTRY_MODELS
from ...permissions import can_edit, role_for, sees_comments
from ...review import record_visit
from .form_contexts import (
    FormContext,
    add_form_context,
    edit_form_context,
    entry_form,
)
from .parts import PARTS, part_form_context
from .render import page_response
from .state import State, load_canvas


@login_required
@require_GET
def canvas_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The canvas: editable for founders, read-only for advisors and cohort staff.
    ``?edit=<element id>`` or ``?add=<block>`` opens a form without JavaScript."""
    canvas = load_canvas(request.user, slug, write=False)
    role = role_for(request.user, canvas.venture)
    if sees_comments(role):
        record_visit(canvas.venture, request.user)  # the home page's "since your last visit"
    state = State(canvas)
    open_forms: dict[str, FormContext] = {}
    if can_edit(role):
        open_forms = _forms_from_query(request, state)
    view = request.GET.get("view", "overview")
    return page_response(request, state, role=role, open_forms=open_forms, view=view)


def _forms_from_query(request: HtmxHttpRequest, state: State) -> dict[str, FormContext]:
    forms: dict[str, FormContext] = {}
    edit, add = request.GET.get("edit", ""), request.GET.get("add", "")
    if edit in PARTS:  # the venture's details, finances, readiness
        forms[edit] = part_form_context(state, edit)
    elif "-" in edit:
        singular, _, pk = edit.partition("-")
        block = next((b for b, s in SINGULAR.items() if s == singular), None)
        rows = state.rows[block] if block else []
        row = next((r for r in rows if pk.isdigit() and r.pk == int(pk)), None)
        if block and row is not None:
            form = entry_form(block, state, row=row, auto_id=edit)
            forms[edit] = edit_form_context(state, block, row, form)
    if add:
        block, _, stage = add.partition("-")
        if block in ENTRY_MODELS and (block != "channels" or stage in d.STAGES):
            slot = f"add-{add}"
            form = entry_form(block, state, auto_id=slot, stage=stage or None)
            forms[slot] = add_form_context(state, block, slot, form)
    return forms
