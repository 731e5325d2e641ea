"""Typed request classes for views (django-htmx adds ``request.htmx``)."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
    user: AbstractBaseUser | AnonymousUser


def is_partial(request: HtmxHttpRequest, target: str | None = None) -> bool:
    """An htmx request that swaps part of the page (just ``target``, when given); not a
    history restore, which needs the whole page."""
    htmx = request.htmx
    if not htmx or htmx.history_restore_request:
        return False
    return target is None or htmx.target == target
