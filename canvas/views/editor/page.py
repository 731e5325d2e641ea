"""The canvas page itself (GET ``/ventures/<slug>/canvas/``)."""

from __future__ import annotations

from typing import Any

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
    _add_fc,
    _edit_fc,
    _entry_form,
    _finances_fc,
    _header_fc,
    _readiness_fc,
)
from .render import _page
from .state import State, _load, _state

# --- the page ------------------------------------------------------------------------


@login_required
@require_GET
def canvas_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The canvas: editable for founders, read-only for advisors and cohort staff.
    ``?edit=<element id>`` or ``?add=<block>`` opens a form without JavaScript."""
    canvas = _load(request.user, slug, write=False)
    role = role_for(request.user, canvas.venture)
    if sees_comments(role):
        record_visit(canvas.venture, request.user)  # the home page's "since your last visit"
    state = _state(canvas)
    open_forms: dict[str, Any] = {}
    if can_edit(role):
        open_forms = _forms_from_query(request, state)
    view = request.GET.get("view", "overview")
    return _page(request, state, role=role, open_forms=open_forms, view=view)


def _forms_from_query(request: HtmxHttpRequest, state: State) -> dict[str, Any]:
    forms: dict[str, Any] = {}
    edit, add = request.GET.get("edit", ""), request.GET.get("add", "")
    if edit == "venture":
        forms["venture"] = _header_fc(state)
    elif edit == "finances":
        forms["finances"] = _finances_fc(state)
    elif edit == "readiness":
        forms["readiness"] = _readiness_fc(state)
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
