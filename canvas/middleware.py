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

from django.db import DatabaseError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

logger = logging.getLogger("canvas.request")
db_logger = logging.getLogger("canvas.db")

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


# --- a database that refuses writes for a moment -----------------------------------------

# SQLite says so in its message; PostgreSQL in its SQLSTATE: 08 connection exceptions, 25006
# read-only transaction, 40001/40P01 serialization failure and deadlock, 53 insufficient
# resources, 55P03 lock not available, 57P01-57P03 shutdown and cannot connect now.
_SQLITE_TRANSIENT = ("database is locked", "readonly database", "read-only", "disk i/o error")
_PG_TRANSIENT = ("08", "25006", "40001", "40P01", "53", "55P03", "57P01", "57P02", "57P03")


def is_transient_database_error(exc: BaseException) -> bool:
    """Whether ``exc`` says the database is locked, read-only or unreachable for a moment
    (rather than that the code or the schema is wrong)."""
    if not isinstance(exc, DatabaseError):
        return False
    cause = exc.__cause__ or exc
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(_PG_TRANSIENT)
    if isinstance(exc, OperationalError):
        message = str(exc).lower()
        return any(text in message for text in _SQLITE_TRANSIENT) or "connect" in message
    return False


class DatabaseUnavailableMiddleware:
    """A view that fails because the database is locked or read-only answers 503 with
    ``Retry-After`` and a message saying that nothing was saved, instead of a bare 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_transient_database_error(exception):
            return None
        from .views.errors import unavailable

        db_logger.warning("database unavailable for %s: %s", redact_path(request.path), exception)
        return unavailable(request)


# --- bidirectional-text controls ------------------------------------------------------------

# LRE, RLE, PDF, LRO, RLO (U+202A-U+202E) and LRI, RLI, FSI, PDI (U+2066-U+2069): in text a
# person typed they make "abc<RLO>gnp.exe" display as "abcexe.png". Natural right-to-left
# text needs none of them.
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_BIDI_UTF8 = tuple(chr(c).encode() for c in BIDI_CONTROLS)


def strip_bidi_controls(text: str) -> str:
    return text.translate(BIDI_CONTROLS)


class BidiControlMiddleware:
    """Removes bidi embedding, override and isolate controls from every HTML page and
    fragment, so that text a person typed always displays in the order it was typed (the
    app's own templates contain none of them)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or not any(control in response.content for control in _BIDI_UTF8)
        ):
            return response
        charset = response.charset or "utf-8"
        text = response.content.decode(charset, errors="replace")
        cleaned = strip_bidi_controls(text)
        if cleaned != text:
            response.content = cleaned.encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
