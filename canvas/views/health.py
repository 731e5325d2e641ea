"""``/healthz``: whether the app, its database and its background worker answer."""

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..worker import health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 ``ok`` when the database answers and nothing waits on a silent worker, 503
    otherwise. The body's further lines report the worker's last heartbeat and the age of
    the oldest queued task; 503 when the heartbeat is older than WORKER_SILENT_SECONDS
    (60 s) or a task has waited longer than TASK_WAIT_SECONDS (5 minutes)."""
    try:
        report = health()
    except DatabaseError:  # any database failure means "not healthy"
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    problems = report.problems
    first = f"unhealthy: {'; '.join(problems)}" if problems else "ok"
    body = "\n".join([first, *report.lines()]) + "\n"
    return HttpResponse(body, status=503 if problems else 200, content_type="text/plain")
