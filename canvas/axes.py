"""django-axes, told to keep secret paths out of its records.

Signing in on an invitation page (``/invitations/<token>/``) goes through axes like any other
sign-in. Axes writes the request's path into its log lines and into the ``path_info`` column
of its attempts and access logs; a live token there would let anyone who reads them accept
the invitation. This handler (``AXES_HANDLER``) gives axes the path as the request log writes
it: ``/invitations/[redacted]/``, ``/s/[redacted]/``.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler

from .middleware import redact_path


def _redact(request) -> None:
    path = getattr(request, "axes_path_info", None)
    if path:
        request.axes_path_info = redact_path(path)


class RedactingDatabaseHandler(AxesDatabaseHandler):
    """Axes' database handler, with share-link and invitation tokens redacted."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        _redact(request)
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        _redact(request)
        return super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        _redact(request)
        return super().user_logged_out(sender, request, user, **kwargs)
