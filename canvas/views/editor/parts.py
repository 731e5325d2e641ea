"""The parts saved as a whole: the venture's details (header), finances, readiness."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ...forms import DocumentForm, FinancesForm, HeaderForm, ReadinessForm
from ...http import HtmxHttpRequest
from ...models import Canvas, Venture
from .form_contexts import Conflict, FormContext, changed_meanwhile, reapply
from .render import fragments_response, page_response, redirect_to
from .state import State, load_canvas, saved


@dataclass(frozen=True)
class Part:
    """A part of the canvas saved as a whole, with its own optimistic-lock version."""

    form: type[DocumentForm]
    doc_field: str  # its place in the canvas document
    version_field: str  # on the venture (header) or the canvas
    on_venture: bool
    url_name: str  # where its form posts and its Cancel goes
    title: str  # of its form
    submit: str  # the form's button
    kind: str  # for messages
    conflict_title: str
    reapply: str
    oob: tuple[str, ...]
    summary: str

    def owner(self, canvas: Canvas) -> Venture | Canvas:
        return canvas.venture if self.on_venture else canvas


PARTS = {
    "venture": Part(
        form=HeaderForm,
        doc_field="venture",
        version_field="version",
        on_venture=True,
        url_name="canvas_header",
        title="Venture details",
        submit="Save details",
        kind="venture's details",
        conflict_title="The venture's details changed meanwhile.",
        reapply="Re-apply my changes",
        # the solution type, market stage and revenue model switch rules and guidance
        oob=("score", "findings", "channels-help", "channel-lanes"),
        summary="Edited the venture's details",
    ),
    "finances": Part(
        form=FinancesForm,
        doc_field="finances",
        version_field="finances_version",
        on_venture=False,
        url_name="canvas_finances",
        title="Finances",
        submit="Save finances",
        kind="figures",
        conflict_title="The finances changed meanwhile.",
        reapply="Re-apply my changes",
        oob=("score", "findings"),
        summary="Edited the finances",
    ),
    "readiness": Part(
        form=ReadinessForm,
        doc_field="readiness",
        version_field="readiness_version",
        on_venture=False,
        url_name="canvas_readiness",
        title="Operational readiness",
        submit="Save answers",
        kind="answers",
        conflict_title="The readiness answers changed meanwhile.",
        reapply="Re-apply my answers",
        oob=("score", "findings"),
        summary="Edited the readiness answers",
    ),
}


def part_form_context(
    state: State,
    name: str,
    form: DocumentForm | None = None,
    *,
    conflict: Conflict | None = None,
    submit: str = "",
) -> FormContext:
    """The part ``name`` ("venture", "finances" or "readiness") as a form: its saved values
    and version unless ``form`` is given."""
    part = PARTS[name]
    if form is None:
        initial = part.form.initial_from(getattr(state.doc, part.doc_field).model_dump())
        initial["version"] = getattr(part.owner(state.canvas), part.version_field)
        form = part.form(initial=initial, auto_id=f"{name}-%s")
    url = reverse(part.url_name, args=(state.slug,))
    return FormContext(
        form=form,
        action=url,
        target=f"#{name}",
        cancel_url=url,
        title=part.title,
        submit=submit or part.submit,
        conflict=conflict,
    )


def _save_part(request: HtmxHttpRequest, slug: str, name: str) -> HttpResponse:
    """Validate and save one part with a conditional UPDATE on its version."""
    part = PARTS[name]
    auto_id = f"{name}-%s"
    with transaction.atomic():
        canvas = load_canvas(request.user, slug, write=True, lock=True)
        state = State(canvas)
        owner = part.owner(canvas)
        form = part.form(request.POST, auto_id=auto_id)
        if not form.is_valid():
            return _part_response(request, state, name, part_form_context(state, name, form), 422)
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
            fc = part_form_context(state, name, again, conflict=conflict, submit=part.reapply)
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
    open_forms = {"venture": part_form_context(state, "venture")}
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
    return fragments_response(
        request, state, name, open_forms={name: part_form_context(state, name)}
    )


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
