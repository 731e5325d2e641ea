"""What a founder or advisor should notice: open comment threads and what changed since
their last visit.

- ``open_comments(venture_id)``: open threads per block and per entry, in one query. The
  canvas shows the block counts beside each block's title and a marker with the count on each
  entry that has open threads; both lead to the threads.
- ``mark_entries(ctx, ...)``: puts those markers on the board's entries (``item["comments"]``).
- ``record_visit`` / ``home_ventures``: the membership remembers when the person last opened
  the canvas; the home page lists each venture's open threads and what others changed since.

Only founders and advisors see any of it (``permissions.sees_comments``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, IntegerField, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .document import BLOCK_TITLES, ENTRY_BLOCKS
from .models import ActivityLog, Comment, Membership, Venture


@dataclass(frozen=True)
class EntryThreads:
    count: int
    first: int  # the oldest open thread's id: where the marker leads


@dataclass
class OpenComments:
    """Open threads of one venture: per block, and per (block, entry id)."""

    blocks: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BLOCK_TITLES, 0))
    entries: dict[tuple[str, int], EntryThreads] = field(default_factory=dict)


def open_comments(venture_id: int) -> OpenComments:
    """One query: open threads grouped by block and entry."""
    result = OpenComments()
    rows = (
        Comment.objects.filter(
            canvas__venture_id=venture_id, parent__isnull=True, resolved_at__isnull=True
        )
        .values("block", "entry_id")
        .annotate(n=Count("id"), first=Min("id"))
        .order_by()
    )
    for row in rows:
        block = row["block"]
        if block in result.blocks:
            result.blocks[block] += row["n"]
        if row["entry_id"] is not None:
            result.entries[(block, row["entry_id"])] = EntryThreads(row["n"], row["first"])
    return result


def comment_slots(slug: str, counts: OpenComments) -> dict[str, dict[str, Any]]:
    """For the board's comment slots: one entry per commentable block."""
    return {
        block: {"block": block, "title": title, "count": counts.blocks[block], "slug": slug}
        for block, title in BLOCK_TITLES.items()
    }


def entry_marker(slug: str, block: str, pk: int, counts: OpenComments) -> dict[str, Any]:
    """``item["comments"]`` of an entry: the count of its open threads and the address of
    the oldest (the block's comment page, which works without JavaScript; the editor opens
    the thread in the margin instead)."""
    threads = counts.entries.get((block, pk))
    if threads is None:
        return {"count": 0, "block": block}
    return {
        "count": threads.count,
        "block": block,
        "thread": threads.first,
        "href": f"/ventures/{slug}/comments/{block}/#comment-{threads.first}",
    }


def mark_entries(ctx: dict[str, Any], slug: str, counts: OpenComments) -> None:
    """Give each board entry its comment marker (``item["comments"]``)."""
    for block in ENTRY_BLOCKS:
        for item in ctx.get(block, ()):
            if item.get("pk") is not None:
                item["comments"] = entry_marker(slug, block, item["pk"], counts)


# --- the home page ----------------------------------------------------------------------


def record_visit(venture: Venture, user) -> None:
    """The person opened the venture's canvas now (founders and advisors; one UPDATE)."""
    Membership.objects.filter(venture=venture, user=user).update(last_seen_at=timezone.now())


@dataclass(frozen=True)
class VentureNews:
    venture: Venture
    role: str
    open_comments: int
    last_seen_at: datetime | None
    changes: int  # by others since the last visit (since joining, when never visited)
    latest: str  # the most recent of those changes, in the activity log's words


def home_ventures(user) -> list[VentureNews]:
    """The person's ventures (founder or advisor) with their open threads and what others
    changed since the person last opened each canvas: one query, however many ventures."""
    membership = Membership.objects.filter(venture=OuterRef("pk"), user=user)
    # since the last visit, or since joining for a canvas never opened
    since_when = membership.annotate(since=Coalesce("last_seen_at", "created_at"))
    since = ActivityLog.objects.filter(
        Q(actor__isnull=True) | ~Q(actor=user),
        canvas__venture=OuterRef("pk"),
        created_at__gt=OuterRef("my_since"),
    )
    threads = Comment.objects.filter(
        canvas__venture=OuterRef("pk"), parent__isnull=True, resolved_at__isnull=True
    )

    def count(qs):
        counted = qs.order_by().values("canvas__venture").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted[:1], output_field=IntegerField()), Value(0))

    ventures = (
        Venture.objects.filter(memberships__user=user)
        .select_related("canvas", "cohort")
        .annotate(
            my_role=Subquery(membership.values("role")[:1]),
            my_last_seen=Subquery(membership.values("last_seen_at")[:1]),
            my_since=Subquery(since_when.values("since")[:1]),
        )
        .annotate(
            open_threads=count(threads),
            changes=count(since),
            latest=Subquery(since.order_by("-created_at", "-id").values("summary")[:1]),
        )
        .order_by("name")
    )
    return [
        VentureNews(
            venture=v,
            role=v.my_role,
            open_comments=v.open_threads,
            last_seen_at=v.my_last_seen,
            changes=v.changes,
            latest=v.latest or "",
        )
        for v in ventures
    ]
