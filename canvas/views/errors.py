"""Failures, shown in the app's own style and saying what to do next.

- ``csrf_failure`` (``CSRF_FAILURE_VIEW``): a form was refused because its security token was
  missing or stale (a page left open across a sign-out, an expired session, cookies blocked).
  The person is told to reload the form and, when signed out, to sign in again.
- ``unavailable``: the database is locked or read-only for a moment (see
  ``canvas.middleware.DatabaseUnavailableMiddleware``): 503 with ``Retry-After``.

An htmx request gets the message as one line of plain text, which ``static/js/app.js`` shows
and announces beside the form; the form keeps what the person typed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme

RETRY_AFTER_SECONDS = 5

CSRF_MESSAGE = (
    "Not saved: this page's security check has expired (the page was open for a long time, "
    "or you signed out or in elsewhere). Reload the page and try again; sign in again if asked."
)
UNAVAILABLE_MESSAGE = (
    "Not saved: the database is busy or read-only for a moment. "
    "Your text is still in the form; try again in a few seconds."
)
UNAVAILABLE_PAGE = (
    "Nothing was saved: the database is busy or read-only for a moment. Try again in a few seconds."
)
BUSY_MESSAGE = "The database is busy for a moment. Try again in a few seconds."


def _wants_text(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403: the form's CSRF check failed. ``reason`` is Django's, for the developer only."""
    if _wants_text(request):
        return _text(CSRF_MESSAGE, 403)
    signed_in = bool(getattr(request, "user", None) and request.user.is_authenticated)
    context = {"path": _form_page(request), "signed_in": signed_in}
    return render(request, "403_csrf.html", context, status=403)


def _form_page(request: HttpRequest) -> str:
    """The page the refused form was on (its Referer, when it is this site), else home: the
    address the form posted to may answer only POST."""
    referer = request.headers.get("Referer", "")
    secure = request.is_secure()
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=secure
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"


def unavailable(request: HttpRequest) -> HttpResponse:
    """503: the database refused a write for a moment (locked, read-only, shutting down)."""
    write = request.method not in ("GET", "HEAD", "OPTIONS")
    if _wants_text(request):
        response = _text(UNAVAILABLE_MESSAGE if write else BUSY_MESSAGE, 503)
    else:
        # No request context: the session and the user are in the database that just failed.
        context = {"message": UNAVAILABLE_PAGE if write else BUSY_MESSAGE, "write": write}
        response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
