"""The advisor comments a PDF's appendix shows (built by the caller, e.g. from Comment).

Apart from the report so that the web, which only asks for PDFs, need not load WeasyPrint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ReviewComment:
    """An open advisor comment for the appendix (built by the caller, e.g. from Comment)."""

    block: str  # channels, partners, activities, resources, finances, readiness
    subject: str  # the entry's name, or "" for the block as a whole
    author: str
    created_at: datetime
    body: str
