"""The activity log of a venture's canvas: who did what and when.

Founders and advisors see it (SPEC: "founders and advisors see it on the canvas"); cohort staff
and everyone else get 404, like any page a person's role does not offer.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from ..http import HtmxHttpRequest
from ..models import ActivityLog
from ..permissions import member_venture, role_for

PER_PAGE = 50


@login_required
@require_http_methods(["GET", "HEAD"])
def activity(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    venture = member_venture(request.user, slug)
    entries = (
        ActivityLog.objects.filter(canvas__venture=venture)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "venture": venture,
        "role": role_for(request.user, venture),
        "page": page,
        "entries": page.object_list,
    }
    template = "canvas/activity.html#log" if request.htmx else "canvas/activity.html"
    return render(request, template, context)
