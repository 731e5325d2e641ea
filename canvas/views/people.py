"""People: a venture's members and invitations, cohort invitations, and accepting one.

- ``/ventures/<slug>/people/``: founders manage members and invitations; advisors and cohort
  staff see who belongs to the venture, read-only (no pending invitations: those are e-mail
  addresses of people who have not joined).
- ``/cohorts/<slug>/invite/``: cohort staff invite the founder of a new venture.
- ``/invitations/<token>/``: the invited person signs up or signs in and gets exactly the
  invited role. An invitation is single-use and expires; only the token's hash is stored.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, password_validation
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ..http import HtmxHttpRequest
from ..invitations import (
    INVITATION_DAYS,
    InvitationNotSent,
    InvitationUnusable,
    accept_invitation,
    create_invited_account,
    email_of,
    is_addressed_to,
    issue_invitation,
    one_line,
    pending,
    user_for_email,
    withdraw,
)
from ..models import Cohort, Invitation, Membership, Venture, ensure_canvas, log
from ..permissions import editable_venture, role_for, visible_cohort, visible_venture
from ..tokens import invitation_for, invitation_state

NOT_SENT = (
    "The invitation e-mail could not be sent just now, so no invitation was made and any "
    "earlier one still works. Try again in a few minutes."
)
ROLE_CHOICES = [
    (Membership.FOUNDER, "Co-founder (edits the canvas)"),
    (Membership.ADVISOR, "Advisor (reads and comments; never edits)"),
]


def _link_for(request: HtmxHttpRequest):
    return lambda token: request.build_absolute_uri(f"/invitations/{token}/")


# --- the People page ------------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES, widget=forms.RadioSelect)

    def __init__(self, *args, venture: Venture, **kwargs):
        super().__init__(*args, **kwargs)
        self.venture = venture

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        user = user_for_email(email)
        if user and Membership.objects.filter(venture=self.venture, user=user).exists():
            raise forms.ValidationError(f"{email} is already a member of {self.venture.name}.")
        return email


def _people_page(request, venture: Venture, role: str | None, form=None, status: int = 200):
    memberships = list(
        Membership.objects.filter(venture=venture)
        .select_related("user")
        .order_by("role", "created_at", "pk")
    )
    founders = sum(1 for m in memberships if m.role == Membership.FOUNDER)
    is_founder = role == Membership.FOUNDER
    context = {
        "venture": venture,
        "role": role,
        "is_founder": is_founder,
        "memberships": memberships,
        "founder_count": founders,
        "invitations": (
            list(pending(Invitation.objects.filter(venture=venture)).order_by("-created_at"))
            if is_founder
            else []
        ),
        "form": form or (InviteForm(venture=venture) if is_founder else None),
        "days": INVITATION_DAYS,
    }
    return render(request, "canvas/people.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD"])
def people(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Members with their roles; founders also see pending invitations and the invite form."""
    venture = visible_venture(request.user, slug)
    return _people_page(request, venture, role_for(request.user, venture))


@login_required
@require_POST
def invite(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A founder invites a co-founder or an advisor by e-mail."""
    venture = editable_venture(request.user, slug)
    form = InviteForm(request.POST, venture=venture)
    if not form.is_valid():
        return _people_page(request, venture, Membership.FOUNDER, form=form, status=422)
    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    try:
        issue_invitation(
            inviter=request.user,
            link_for=_link_for(request),
            email=email,
            role=role,
            venture=venture,
        )
    except InvitationNotSent:
        form.add_error(None, NOT_SENT)
        return _people_page(request, venture, Membership.FOUNDER, form=form, status=503)
    messages.success(
        request,
        f"Invitation sent to {email} as {role}. The link works once, for {INVITATION_DAYS} days.",
    )
    return redirect(f"/ventures/{venture.slug}/people/")


@login_required
@require_POST
def revoke_invitation(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    venture = editable_venture(request.user, slug)
    return _revoke(request, pk, f"/ventures/{venture.slug}/people/", venture=venture)


@login_required
@require_POST
def remove_member(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A founder removes a member; the last founder cannot be removed."""
    venture = editable_venture(request.user, slug)
    with transaction.atomic():
        # Lock the venture so two founders removing each other cannot both succeed.
        venture = Venture.objects.select_for_update().get(pk=venture.pk)
        membership = get_object_or_404(
            Membership.objects.select_related("user"), pk=pk, venture=venture
        )
        if (
            membership.role == Membership.FOUNDER
            and Membership.objects.filter(venture=venture, role=Membership.FOUNDER).count() <= 1
        ):
            messages.error(
                request,
                "A venture needs at least one founder. Invite another founder before "
                "removing this one.",
            )
            return redirect(f"/ventures/{venture.slug}/people/")
        who = email_of(membership.user)
        membership.delete()
        log(
            ensure_canvas(venture),
            request.user,
            "member_removed",
            f"{who} ({membership.role}) was removed",
        )
    if membership.user_id == request.user.pk:
        messages.success(request, f"You have left {venture.name}.")
        return redirect("/")
    messages.success(request, f"{who} no longer has access to {venture.name}.")
    return redirect(f"/ventures/{venture.slug}/people/")


# --- cohort staff invite a new venture --------------------------------------------------


class CohortInviteForm(forms.Form):
    venture_name = forms.CharField(
        label="Venture name", max_length=200, strip=True, help_text="You can both change it later."
    )
    email = forms.EmailField(label="Founder's email address", max_length=254)

    def clean_venture_name(self) -> str:
        return one_line(self.cleaned_data["venture_name"])


def _cohort_page(request, cohort: Cohort, form=None, status: int = 200) -> HttpResponse:
    context = {
        "cohort": cohort,
        "form": form or CohortInviteForm(),
        "invitations": list(
            pending(Invitation.objects.filter(cohort=cohort)).order_by("-created_at")
        ),
        "days": INVITATION_DAYS,
    }
    return render(request, "canvas/cohort_invite.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def cohort_invite(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Cohort staff invite the founder of a new venture; accepting creates the venture."""
    cohort = visible_cohort(request.user, slug)
    if request.method != "POST":
        return _cohort_page(request, cohort)
    form = CohortInviteForm(request.POST)
    if not form.is_valid():
        return _cohort_page(request, cohort, form=form, status=422)
    name, email = form.cleaned_data["venture_name"], form.cleaned_data["email"]
    try:
        issue_invitation(
            inviter=request.user,
            link_for=_link_for(request),
            email=email,
            role=Membership.FOUNDER,
            cohort=cohort,
            new_venture_name=name,
        )
    except InvitationNotSent:
        form.add_error(None, NOT_SENT)
        return _cohort_page(request, cohort, form=form, status=503)
    messages.success(
        request,
        f"Invitation sent to {email} to found {name} in {cohort.name}. "
        f"The link works once, for {INVITATION_DAYS} days.",
    )
    return redirect(f"/cohorts/{cohort.slug}/invite/")


@login_required
@require_POST
def revoke_cohort_invitation(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    cohort = visible_cohort(request.user, slug)
    return _revoke(request, pk, f"/cohorts/{cohort.slug}/invite/", cohort=cohort)


def _revoke(request: HtmxHttpRequest, pk: int, back: str, **scope) -> HttpResponse:
    """Withdraw pending invitation ``pk`` within ``scope`` (its venture or cohort; 404 if it
    is not one of theirs, or no longer pending), then go ``back``."""
    invitation = get_object_or_404(
        Invitation, pk=pk, accepted_at__isnull=True, revoked_at__isnull=True, **scope
    )
    withdraw(invitation)
    messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return redirect(back)


# --- accepting an invitation ------------------------------------------------------------


class SignInForm(forms.Form):
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(render_value=False)
    )


class SignUpForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(render_value=False),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            candidate = get_user_model()(username=self.email, email=self.email)
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


def _invitation_page(request, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, "canvas/invitation.html", context, status=status)
    # The token is in the address. same-origin keeps it out of the Referer of any request
    # to another site, and still lets the browser send its Origin with the form's POST
    # (no-referrer makes Chromium send "Origin: null", which Django's CSRF check refuses).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _accepted(request, invitation: Invitation, user) -> HttpResponse:
    try:
        venture = accept_invitation(invitation, user)
    except InvitationUnusable:
        return _invitation_page(request, {"state": "gone", "invitation": invitation}, 404)
    messages.success(request, f"Welcome to {venture.name}. You are now its {invitation.role}.")
    return redirect(f"/ventures/{venture.slug}/canvas/")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Open an invitation: sign up or sign in, then accept (one POST does both)."""
    inv = invitation_for(token)
    if inv is None:
        return _invitation_page(request, {"state": "unknown"}, status=404)
    state = invitation_state(inv)
    if state != "live":
        return _invitation_page(request, {"state": state, "invitation": inv}, status=404)

    context = {"state": "live", "invitation": inv, "token": token}
    user = request.user
    if user.is_authenticated:
        if not is_addressed_to(user, inv.email):
            context["mode"] = "other_account"
            return _invitation_page(
                request, context, status=403 if request.method == "POST" else 200
            )
        context["mode"] = "accept"
        if request.method == "POST":
            return _accepted(request, inv, user)
        return _invitation_page(request, context)

    account = user_for_email(inv.email)
    if account is not None:
        context["mode"] = "sign_in"
        form = SignInForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            # authenticate() with the request, so django-axes counts and locks out here too.
            signed_in = authenticate(
                request, username=account.get_username(), password=form.cleaned_data["password"]
            )
            if signed_in is not None:
                login(request, signed_in)
                return _accepted(request, inv, signed_in)
            form.add_error("password", "That password is not right for this account.")
        context["form"] = form
        status = 422 if request.method == "POST" else 200
        return _invitation_page(request, context, status=status)

    context["mode"] = "sign_up"
    form = SignUpForm(request.POST if request.method == "POST" else None, email=inv.email)
    if request.method == "POST" and form.is_valid():
        new_user = create_invited_account(inv, form.cleaned_data["password1"])
        if new_user is None:
            return HttpResponseRedirect(f"/invitations/{token}/")  # signed up meanwhile
        login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
        return _accepted(request, inv, new_user)
    context["form"] = form
    return _invitation_page(request, context, status=422 if request.method == "POST" else 200)
