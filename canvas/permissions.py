"""What may this person see or do. Views start from these scopes, so a view that
forgets to check permission cannot be written by accident: a venture or cohort
the person does not belong to answers 404, not 403."""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Cohort, CohortStaff, Membership, Venture


def visible_venture(user, slug: str) -> Venture:
    return get_object_or_404(Venture.objects.visible_to(user).select_related("cohort"), slug=slug)


def venture_and_role(user, slug: str) -> tuple[Venture, str]:
    """A venture the person may see (404 otherwise) and their role in it, in one query:
    'founder' or 'advisor' from their membership, else 'staff' (the only other way in)."""
    my_role = Membership.objects.filter(venture=OuterRef("pk"), user=user).values("role")[:1]
    venture = get_object_or_404(
        Venture.objects.visible_to(user)
        .select_related("cohort")
        .annotate(my_role=Subquery(my_role)),
        slug=slug,
    )
    return venture, venture.my_role or "staff"


def editable_venture(user, slug: str) -> Venture:
    """404 for outsiders; advisors and staff see the venture but may not write,
    which also answers 404 here (the write endpoints do not exist for them)."""
    return get_object_or_404(Venture.objects.editable_by(user).select_related("cohort"), slug=slug)


def member_venture(user, slug: str) -> Venture:
    """A venture the person is a founder or advisor of; 404 for everyone else, cohort
    staff included (pages only members see: the activity log, comment threads)."""
    if not user.is_authenticated:
        raise Http404("No such venture")
    return get_object_or_404(
        Venture.objects.filter(
            pk__in=Membership.objects.filter(user=user).values("venture")
        ).select_related("cohort", "canvas"),
        slug=slug,
    )


def visible_cohort(user, slug: str) -> Cohort:
    return get_object_or_404(Cohort.objects.visible_to(user), slug=slug)


def role_for(user, venture: Venture) -> str | None:
    """'founder', 'advisor', 'staff' or None, in one query."""
    if not user.is_authenticated:
        return None
    roles = list(
        Membership.objects.filter(venture=venture, user=user).values_list("role", flat=True)
    )
    if roles:
        return roles[0]
    if (
        venture.cohort_id
        and CohortStaff.objects.filter(Q(cohort_id=venture.cohort_id) & Q(user=user)).exists()
    ):
        return "staff"
    return None


def can_edit(role: str | None) -> bool:
    return role == Membership.FOUNDER


def can_comment(role: str | None) -> bool:
    return role in (Membership.FOUNDER, Membership.ADVISOR)


def sees_comments(role: str | None) -> bool:
    """Comments are the founders' conversation with their advisors (SPEC §1): they appear, in
    pages and in PDFs, to those two roles only; never to cohort staff or through share links
    or bulk exports."""
    return role in (Membership.FOUNDER, Membership.ADVISOR)
