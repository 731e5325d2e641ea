"""Views, one module per page; this package re-exports what urls.py uses."""

from .health import healthz
from .home import home

__all__ = ["healthz", "home"]
