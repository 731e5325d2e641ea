"""Helpers for the people, sharing and review tests (issue #5).

Invitations and share links are created the way the views create them: a fresh token whose
SHA-256 alone is stored. The helpers return the raw token, as the e-mail or the founder's
screen would show it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from canvas.models import Invitation, ShareLink
from canvas.tokens import hash_token, make_token

INVITATION_URL = re.compile(r"https?://[^/\s]+(/invitations/[A-Za-z0-9_-]+/)")
SHARE_URL = re.compile(r"https?://[^/\s\"]+(/s/[A-Za-z0-9_-]+/)")


def make_invitation(
    *,
    email: str,
    role: str = "advisor",
    venture=None,
    cohort=None,
    new_venture_name: str = "",
    invited_by=None,
    days: float = 7,
) -> tuple[str, Invitation]:
    token = make_token()
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        venture=venture,
        cohort=cohort,
        new_venture_name=new_venture_name,
        token_hash=hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, invitation


def make_share_link(venture, *, version=None, created_by=None, days: float = 14, label=""):
    token = make_token()
    link = ShareLink.objects.create(
        canvas=venture.canvas,
        version=version,
        token_hash=hash_token(token),
        label=label,
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, link


def invitation_path(mail) -> str:
    """The /invitations/<token>/ path in an invitation e-mail."""
    match = INVITATION_URL.search(mail.body)
    assert match, mail.body
    return match.group(1)
