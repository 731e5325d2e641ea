"""Structured request logs: one JSON line per request on the ``canvas.request`` logger.

Each line holds the time, method, path, status, duration in milliseconds, the number of
database queries, the signed-in user's id (or null) and the worker's pid, for example::

    {"ts": "2026-01-05T10:00:00.123Z", "method": "POST", "path": "/ventures/x/canvas/...",
     "status": 200, "duration_ms": 12.4, "queries": 7, "user": 3, "pid": 4242, "htmx": true}

The query string is left out, and the secret part of share-link and invitation paths
(``/s/<token>/``, ``/invitations/<token>/``) is logged as ``[redacted]``: a log reader must
not be able to open a shared canvas or accept an invitation.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

logger = logging.getLogger("canvas.request")

_SECRET_PATH = re.compile(r"^/(s|invitations)/[^/]+")


def redact_path(path: str) -> str:
    """The request path with any share-link or invitation token replaced."""
    return _SECRET_PATH.sub(r"/\1/[redacted]", path)


class _QueryCounter:
    """A database execute wrapper that counts the statements a request runs."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id, without loading the user just to log it."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)  # a lazy user not yet looked at stays unknown
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped.pk


class RequestLogMiddleware:
    """Put first in MIDDLEWARE so that the timing covers every other layer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        counter = _QueryCounter()
        start = time.perf_counter()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        duration_ms = (time.perf_counter() - start) * 1000
        status = response.status_code
        if status >= 500:
            level = logging.ERROR
        elif status >= 400 and status not in (404, 409):
            level = logging.WARNING
        else:
            level = logging.INFO
        if logger.isEnabledFor(level):
            line = {
                "ts": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "method": request.method,
                "path": redact_path(request.path),
                "status": status,
                "duration_ms": round(duration_ms, 1),
                "queries": counter.count,
                "user": _user_id(request),
                "pid": os.getpid(),
            }
            if request.headers.get("HX-Request") == "true":
                line["htmx"] = True
            logger.log(level, json.dumps(line, separators=(", ", ": ")))
        return response
