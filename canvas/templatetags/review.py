"""Template tags for review features (issue #5).

``{% comment_slots page_venture role as comment_slots %}`` gives, for founders and advisors,
one entry per commentable block: ``{"block", "title", "count", "slug"}`` where ``count`` is the
number of open threads (one query for the whole page). For anyone else it gives ``{}``, so
the board renders no comment controls (cohort staff, share-link holders, old versions).
"""

from __future__ import annotations

from typing import Any

from django import template

from ..permissions import can_comment
from ..views.comments import BLOCK_TITLES, open_counts

register = template.Library()


@register.simple_tag
def comment_slots(venture: Any, role: str | None) -> dict[str, dict[str, Any]]:
    if venture is None or not can_comment(role):
        return {}
    counts = open_counts(venture.pk)
    return {
        block: {"block": block, "title": title, "count": counts[block], "slug": venture.slug}
        for block, title in BLOCK_TITLES.items()
    }
