"""The canvas editor (founders) and viewer (advisors, cohort staff).

One page, ``/ventures/<slug>/canvas/``, and the htmx endpoints that change it. Every write:
- is scoped to ventures the person may edit (founders only; anyone else gets 404),
- runs in one transaction: load the canvas with its entries (constant queries), validate with
  the form and the document's pydantic model, write (a conditional UPDATE on the entry's
  ``version`` for edits), rebuild the document, evaluate once, store the evaluation, log,
- answers with the changed fragment plus out-of-band swaps of the findings panel, the score
  and whatever else the change can affect. Invalid input answers 422 with the form and its
  errors; a stale version answers 409 with the current value and the person's own values
  ready to re-apply. Without htmx, a successful POST redirects back to the page.
"""

from .entries import (
    entry,
    entry_create,
    entry_delete,
    entry_edit,
    entry_move,
    entry_new,
    partner_to_vendor,
)
from .page import canvas_page
from .parts import finances, finances_edit, header, header_edit, readiness, readiness_edit

__all__ = [
    "canvas_page",
    "entry",
    "entry_create",
    "entry_delete",
    "entry_edit",
    "entry_move",
    "entry_new",
    "finances",
    "finances_edit",
    "header",
    "header_edit",
    "partner_to_vendor",
    "readiness",
    "readiness_edit",
]
