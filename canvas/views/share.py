"""Share links: founders create read-only links to the live canvas or to one saved version.

The holder of ``/s/<token>/`` sees that canvas read-only and may download its PDF
(``/s/<token>/canvas.pdf``), and nothing else: no session is created, no other URL accepts
the token. A revoked or expired link answers 404. Only the token's SHA-256 is stored, so the
full link is shown once, right after it is created.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ..evaluator import Evaluation, evaluate
from ..http import HtmxHttpRequest
from ..models import CanvasVersion, ShareLink, canvas_for_document, ensure_canvas, log
from ..permissions import editable_venture
from ..tokens import hash_token, live_share_link, make_token

DEFAULT_DAYS = 14
MAX_DAYS = 180


def _today():
    return timezone.localdate()


def _day(when: datetime) -> str:
    """A date as every page writes it: "3 Dec 2026" (local time)."""
    return date_format(timezone.localtime(when), "j M Y")


class ShareForm(forms.Form):
    label = forms.CharField(
        label="Label (optional)",
        max_length=200,
        required=False,
        help_text="Who or what the link is for, e.g. “Series A data room”.",
    )
    target = forms.ChoiceField(label="What the link shows")
    expires_on = forms.DateField(
        label="Works until (end of day)",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=f"At most {MAX_DAYS} days from today.",
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.versions = {str(v.number): v for v in versions}
        self.fields["target"].choices = [("current", "The live canvas, as it changes")] + [
            (
                number,
                f"Version {number}{f' — {v.label}' if v.label else ''} ({_day(v.created_at)})",
            )
            for number, v in self.versions.items()
        ]
        self.fields["target"].initial = "current"
        self.fields["expires_on"].initial = _today() + timedelta(days=DEFAULT_DAYS)

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = _today()
        if day < today:
            raise forms.ValidationError("Choose today or a later day.")
        if day > today + timedelta(days=MAX_DAYS):
            raise forms.ValidationError(f"A link can work for at most {MAX_DAYS} days.")
        return day

    def version(self) -> CanvasVersion | None:
        return self.versions.get(self.cleaned_data["target"])

    def expires_at(self) -> datetime:
        """The end of the chosen day in the site's time zone."""
        next_day = self.cleaned_data["expires_on"] + timedelta(days=1)
        return timezone.make_aware(datetime.combine(next_day, time.min))


def _status(link: ShareLink, now) -> str:
    if link.revoked_at:
        return "revoked"
    return "expired" if link.expires_at <= now else "active"


def _share_page(request, venture, form, *, new_url: str = "", status: int = 200):
    now = timezone.now()
    links = list(
        ShareLink.objects.filter(canvas__venture=venture)
        .select_related("version", "created_by")
        .order_by("-created_at", "-pk")
    )
    for link in links:
        link.status = _status(link, now)
    context = {
        "venture": venture,
        "role": "founder",
        "form": form,
        "links": links,
        "new_url": new_url,
        "max_days": MAX_DAYS,
    }
    response = render(request, "canvas/share.html", context, status=status)
    if new_url:
        response["Cache-Control"] = "no-store"
    return response


def _versions(venture):
    return CanvasVersion.objects.filter(canvas__venture=venture).order_by("-number")


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def share(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Founders list their links and create one (the full link is shown once)."""
    venture = editable_venture(request.user, slug)
    versions = list(_versions(venture).only("number", "label", "created_at"))
    if request.method != "POST":
        return _share_page(request, venture, ShareForm(versions=versions))
    form = ShareForm(request.POST, versions=versions)
    if not form.is_valid():
        return _share_page(request, venture, form, status=422)
    token = make_token()
    version = form.version()
    canvas = ensure_canvas(venture)
    link = ShareLink.objects.create(
        canvas=canvas,
        version=version,
        token_hash=hash_token(token),
        label=form.cleaned_data["label"],
        created_by=request.user,
        expires_at=form.expires_at(),
    )
    target = f"version {version.number}" if version else "the live canvas"
    log(
        canvas,
        request.user,
        "link_created",
        f"Share link {link.label or link.pk} to {target}, until {form.cleaned_data['expires_on']}",
    )
    new_url = request.build_absolute_uri(f"/s/{token}/")
    messages.success(request, "Share link created. Copy it now: it is shown only once.")
    fresh = ShareForm(versions=versions)
    return _share_page(request, venture, fresh, new_url=new_url, status=201)


@login_required
@require_POST
def revoke_share(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    venture = editable_venture(request.user, slug)
    link = get_object_or_404(ShareLink, pk=pk, canvas__venture=venture, revoked_at__isnull=True)
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    log(link.canvas, request.user, "link_revoked", f"Share link {link.label or link.pk} revoked")
    messages.success(request, f"The link “{link.label or link.pk}” no longer works.")
    return redirect(f"/ventures/{venture.slug}/share/")


# --- what the holder sees ------------------------------------------------------------------


def _shared_document(link: ShareLink):
    """(document, evaluation, version label) of what the link shows."""
    if link.version_id:
        version = link.version
        doc = version.to_document()
        evaluation = Evaluation.from_dict(version.evaluation) if version.evaluation else None
        label = f"Version {version.number}" + (f" — {version.label}" if version.label else "")
    else:
        canvas = canvas_for_document().get(pk=link.canvas_id)
        doc = canvas.to_document()
        evaluation = canvas.cached_evaluation()
        label = "Current canvas"
    return doc, evaluation or evaluate(doc), label


def _holder_headers(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: keep it out of referrers, caches and search engines.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def shared_canvas(request: HtmxHttpRequest, token: str) -> HttpResponse:
    from ..board import board_context

    link = live_share_link(token)
    doc, evaluation, label = _shared_document(link)
    context = {
        **board_context(doc, evaluation),
        "link": link,
        "token": token,
        "version_label": label,
        "venture_name": doc.venture.name,
    }
    return _holder_headers(render(request, "canvas/shared_canvas.html", context))


@never_cache
@require_http_methods(["GET", "HEAD"])
def shared_pdf(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The link's PDF from the PDF store (``?paper=`` as for the venture's own), or the
    "Preparing your PDF…" page while the worker makes it."""
    from ..pdf import pdf_filename
    from ..pdf.store import PdfRequest
    from .exports import POLL_KEY, paper_of, poll_response, stored_pdf_response

    link = live_share_link(token)
    paper = paper_of(request)
    doc, evaluation, label = _shared_document(link)
    # No review appendix: the team's comments are not for link holders.
    pdf = PdfRequest.make(link.canvas.venture_id, doc, evaluation, label, paper=paper)
    # The poll answers only for this link's own PDF, never another of the venture's (the
    # founders' copy with its comments has a key of its own).
    if (
        request.GET.get(POLL_KEY) == pdf.key
        and (polled := poll_response(request, link.canvas.venture_id)) is not None
    ):
        return _holder_headers(polled)
    number = link.version.number if link.version_id else None
    filename = pdf_filename(link.canvas.venture.slug, number, paper)
    title = f"{doc.venture.name} — {label}"
    back = (f"/s/{token}/", "Back to the shared canvas")
    response = stored_pdf_response(request, pdf, filename, title=title, back=back)
    return _holder_headers(response)
