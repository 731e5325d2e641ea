"""The parts saved as a whole: the venture's details (header), finances, readiness."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_GET, require_http_methods

from ...forms import DocumentForm, FinancesForm, HeaderForm, ReadinessForm
from ...http import HtmxHttpRequest
from ...models import Canvas, Venture
from .form_contexts import (
    FormContext,
    changed_meanwhile,
    finances_form_context,
    header_form_context,
    readiness_form_context,
    reapply,
)
from .render import fragments_response, page_response, redirect_to
from .state import State, load_canvas, saved


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
PART_FORMS: dict[str, Callable[..., FormContext]] = {
    "venture": header_form_context,
    "finances": finances_form_context,
    "readiness": readiness_form_context,
}


def _save_part(request: HtmxHttpRequest, slug: str, name: str) -> HttpResponse:
    """Validate and save one part with a conditional UPDATE on its version."""
    part = PARTS[name]
    fc_for = PART_FORMS[name]
    auto_id = f"{name}-%s"
    with transaction.atomic():
        canvas = load_canvas(request.user, slug, write=True, lock=True)
        state = State(canvas)
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
            again = part.form(reapply(request.POST, current), auto_id=auto_id)
            conflict = changed_meanwhile(part.kind, title=part.conflict_title)
            fc = fc_for(state, again, conflict=conflict, submit=part.reapply)
            return _part_response(request, state, name, fc, 409)
        for key, value in fields.items():
            setattr(owner, key, value)
        setattr(owner, version, form.posted_version + 1)
        state = saved(request, canvas, "edited", part.summary)
    if not request.htmx:
        return redirect_to(state, name)
    return fragments_response(request, state, name, oob=part.oob)


def _part_response(
    request: HtmxHttpRequest, state: State, part: str, fc: FormContext, status: int
) -> HttpResponse:
    """The venture, finances or readiness part with its form (errors or a conflict)."""
    if not request.htmx:
        return page_response(request, state, open_forms={part: fc}, status=status)
    return fragments_response(
        request, state, part, open_forms={part: fc}, status=status, retarget=f"#{part}"
    )


@login_required
@require_http_methods(["GET", "POST"])
def header(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """GET: the venture's details as displayed. POST: save name, solution type, market
    stage and revenue model (variant rules and guidance follow at once)."""
    if request.method == "POST":
        return _save_part(request, slug, "venture")
    state = State(load_canvas(request.user, slug, write=True))
    if not request.htmx:
        return redirect_to(state, "venture")
    return fragments_response(request, state, "venture")


@login_required
@require_GET
def header_edit(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The form of the venture's details."""
    state = State(load_canvas(request.user, slug, write=True))
    if not request.htmx:
        return HttpResponseRedirect(state.page_url("venture", edit="venture"))
    open_forms = {"venture": header_form_context(state)}
    return fragments_response(request, state, "venture", open_forms=open_forms)


def _show_part(request: HtmxHttpRequest, slug: str, name: str) -> HttpResponse:
    """A part as displayed (its form closed)."""
    state = State(load_canvas(request.user, slug, write=True))
    if not request.htmx:
        return redirect_to(state, name)
    return fragments_response(request, state, name)


def _edit_part(request: HtmxHttpRequest, slug: str, name: str) -> HttpResponse:
    """A part with its form open (without JavaScript: the page with it open)."""
    state = State(load_canvas(request.user, slug, write=True))
    if not request.htmx:
        return HttpResponseRedirect(state.page_url(name, edit=name))
    return fragments_response(request, state, name, open_forms={name: PART_FORMS[name](state)})


@login_required
@require_http_methods(["GET", "POST"])
def finances(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """GET: the finances as displayed. POST: save cash on hand, monthly burn, currency and
    the next milestone; the runway follows."""
    if request.method == "POST":
        return _save_part(request, slug, "finances")
    return _show_part(request, slug, "finances")


@login_required
@require_GET
def finances_edit(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The finances form."""
    return _edit_part(request, slug, "finances")


@login_required
@require_http_methods(["GET", "POST"])
def readiness(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """GET: the readiness answers as displayed. POST: save them."""
    if request.method == "POST":
        return _save_part(request, slug, "readiness")
    return _show_part(request, slug, "readiness")


@login_required
@require_GET
def readiness_edit(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The readiness questions as a form."""
    return _edit_part(request, slug, "readiness")
