"""Invitations, the domain side: issuing one with its e-mail, and accepting one.

An invitation is single-use and expires; only its token's SHA-256 is stored, and the raw token
exists only in the e-mail. The views (``canvas/views/people.py``) hold the forms and the pages;
what an invitation grants, and when, is decided here.

Issuing is ordered so that a failure leaves nothing behind:

1. the new invitation is written and committed in its own transaction;
2. the e-mail is sent (its subject is one line whatever the venture's name holds);
3. only then are earlier pending invitations for the same person and place withdrawn.

When the mail cannot be sent, the new invitation is deleted and nothing was withdrawn, so the
person's earlier link still works and a retry starts from the same state.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from . import document as d
from .models import Invitation, Membership, Venture, create_venture, ensure_canvas, log
from .tokens import hash_token, make_token

logger = logging.getLogger(__name__)

INVITATION_DAYS = 7

# Everything Python's str.splitlines() breaks on, and so everything an e-mail header must not
# hold: CR, LF, VT, FF, the file/group/record separators, NEL, LINE and PARAGRAPH SEPARATOR.
_LINE_BREAKS = re.compile("[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")


class InvitationUnusable(Exception):
    """The invitation was used, withdrawn or expired meanwhile, or accepting it would leave
    the venture without a founder."""


class InvitationNotSent(Exception):
    """The e-mail could not be sent; the invitation was not created."""


def one_line(text: str) -> str:
    """``text`` with every kind of line break replaced by a space (for headers and names)."""
    return _LINE_BREAKS.sub(" ", text).strip()


def user_for_email(email: str):
    """The account that this address signs in with, or None."""
    User = get_user_model()
    return (
        User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
        .order_by("pk")
        .first()
    )


def email_of(user) -> str:
    return (getattr(user, "email", "") or user.get_username()).strip()


def is_addressed_to(user, email: str) -> bool:
    """Whether the signed-in ``user`` is the person the invitation was sent to."""
    email = email.casefold()
    return email in {user.get_username().casefold(), (user.email or "").casefold()}


def pending(queryset):
    """Invitations of ``queryset`` that can still be accepted."""
    return queryset.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


# --- issuing --------------------------------------------------------------------------


def _send(invitation: Invitation, inviter, url: str) -> None:
    context = {
        "invitation": invitation,
        "inviter": one_line(email_of(inviter)),
        "url": url,
        "days": INVITATION_DAYS,
    }
    subject = one_line(render_to_string("email/invitation_subject.txt", context))
    body = render_to_string("email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


def issue_invitation(
    *,
    inviter,
    link_for: Callable[[str], str],
    email: str,
    role: str,
    venture: Venture | None = None,
    cohort=None,
    new_venture_name: str = "",
) -> Invitation:
    """Create an invitation and e-mail its link (``link_for(token)`` makes the absolute URL).
    Raises InvitationNotSent, with nothing changed, when the mail cannot be sent."""
    token = make_token()
    now = timezone.now()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            venture=venture,
            cohort=cohort,
            new_venture_name=one_line(new_venture_name),
            token_hash=hash_token(token),
            invited_by=inviter,
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
    try:
        _send(invitation, inviter, link_for(token))
    except Exception as exc:  # SMTP, socket or header errors: whatever the backend raises
        logger.warning("invitation e-mail to %s not sent: %s", email, exc)
        Invitation.objects.filter(pk=invitation.pk).delete()
        raise InvitationNotSent(str(exc)) from exc
    # The new link is on its way: earlier pending ones for the same person and place go.
    Invitation.objects.filter(
        email__iexact=email,
        venture=venture,
        cohort=cohort,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).exclude(pk=invitation.pk).update(revoked_at=now)
    return invitation


def withdraw(invitation: Invitation) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


# --- accepting ------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70].strip("-") or "venture"
    slug, n = base, 2
    while Venture.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def create_invited_account(invitation: Invitation, password: str):
    """The new account for the invited address, or None when one was created meanwhile."""
    User = get_user_model()
    email = invitation.email.lower()
    try:
        with transaction.atomic():
            return User.objects.create_user(username=email, email=email, password=password)
    except IntegrityError:
        return None


def accept_invitation(invitation: Invitation, user) -> Venture:
    """Grant exactly the invited role, once. Raises InvitationUnusable when the invitation
    was used, withdrawn or expired meanwhile, or would demote the venture's last founder."""
    with transaction.atomic():
        # Single use: only one request can flip accepted_at from NULL.
        claimed = Invitation.objects.filter(
            pk=invitation.pk,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).update(accepted_at=timezone.now(), accepted_by=user)
        if not claimed:
            raise InvitationUnusable
        role = invitation.role
        if invitation.venture_id:
            venture = Venture.objects.select_for_update().get(pk=invitation.venture_id)
            membership = Membership.objects.filter(venture=venture, user=user).first()
            if membership is None:
                Membership.objects.create(venture=venture, user=user, role=role)
            elif membership.role != role:
                founders = Membership.objects.filter(venture=venture, role=Membership.FOUNDER)
                if membership.role == Membership.FOUNDER and founders.count() <= 1:
                    raise InvitationUnusable  # rolls the claim back too
                membership.role = role
                membership.save(update_fields=["role"])
        else:
            name = one_line(invitation.new_venture_name) or "New venture"
            venture = create_venture(
                _unique_slug(name),
                d.empty_document(name),
                cohort=invitation.cohort,
                author=user,
                source=None,
                label=f"{name} was created in {invitation.cohort} from an invitation",
            )
            Membership.objects.create(venture=venture, user=user, role=Membership.FOUNDER)
        log(ensure_canvas(venture), user, "member_added", f"{email_of(user)} joined as {role}")
    return venture
