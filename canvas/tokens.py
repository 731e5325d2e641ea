"""Secret tokens for invitations and share links.

A token is 32 random bytes (256 bits) from ``secrets``, URL-safe base64 without padding
(43 characters). Only its SHA-256 (hex) is stored, so a database leak does not hand out
working links; a token is found again by hashing what the holder presents and looking the
hash up. Lookups never compare raw tokens.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from django.http import Http404
from django.utils import timezone

from .models import Invitation, ShareLink

TOKEN_BYTES = 32
# token_urlsafe(32) gives 43 characters of [A-Za-z0-9_-]; anything else is not ours.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def make_token() -> str:
    """A new unguessable token (256 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256 as 64 hex digits."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(token: str) -> bool:
    return bool(_TOKEN_SHAPE.match(token))


def live_share_link(token: str) -> ShareLink:
    """The share link this token opens, or 404 when unknown, revoked or expired."""
    if not looks_like_token(token):
        raise Http404("No such link")
    link = (
        ShareLink.objects.select_related("canvas__venture", "version")
        .filter(
            token_hash=hash_token(token),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if link is None:
        raise Http404("No such link")
    return link


def invitation_for(token: str) -> Invitation | None:
    """The invitation this token belongs to, live or not (the caller explains why a
    dead one cannot be used), or None for a token that was never issued."""
    if not looks_like_token(token):
        return None
    return (
        Invitation.objects.select_related("venture", "cohort", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def invitation_state(invitation: Invitation) -> str:
    """'live', 'accepted', 'revoked' or 'expired'."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "live"
