"""Views, one module per page; this package re-exports what urls.py uses."""

from .activity import activity
from .cohort import (
    cohort_compare,
    cohort_csv,
    cohort_dashboard,
    cohort_export_download,
    cohort_export_start,
    cohort_export_status,
)
from .comments import comments, reopen, reply, resolve
from .editor import (
    canvas_page,
    entry,
    entry_create,
    entry_delete,
    entry_edit,
    entry_move,
    entry_new,
    finances,
    finances_edit,
    header,
    header_edit,
    partner_to_vendor,
    readiness,
    readiness_edit,
)
from .exports import canvas_pdf
from .health import healthz
from .home import home
from .people import (
    cohort_invite,
    invitation,
    invite,
    people,
    remove_member,
    revoke_cohort_invitation,
    revoke_invitation,
)
from .rules import rules
from .schema import schema_json, schema_page
from .share import revoke_share, share, shared_canvas, shared_pdf
from .versions import (
    canvas_json,
    compare,
    restore,
    upload,
    version_detail,
    version_json,
    versions,
)

__all__ = [
    # issue #3: the canvas editor and the rule table
    "canvas_page",
    "entry",
    "entry_create",
    "entry_delete",
    "entry_edit",
    "entry_move",
    "partner_to_vendor",
    "entry_new",
    "finances",
    "finances_edit",
    "header",
    "header_edit",
    "readiness",
    "readiness_edit",
    "rules",
    # issue #5: people, sharing, activity
    "activity",
    "cohort_invite",
    "comments",
    "invitation",
    "invite",
    "people",
    "remove_member",
    "reopen",
    "reply",
    "resolve",
    "revoke_cohort_invitation",
    "revoke_invitation",
    "revoke_share",
    "share",
    "shared_canvas",
    "shared_pdf",
    "canvas_json",
    "canvas_pdf",  # issue #4: the PDF export
    "cohort_compare",
    "cohort_csv",
    "cohort_dashboard",
    "cohort_export_download",
    "cohort_export_start",
    "cohort_export_status",
    "compare",
    "healthz",
    "home",
    "restore",
    "schema_json",
    "schema_page",
    "upload",
    "version_detail",
    "version_json",
    "versions",
]
