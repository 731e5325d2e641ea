"""WeasyPrint, the way every PDF of the app is made: pdf.css with the vendored fonts, the
autoescaping template engine, and no URL but the app's static files."""

from __future__ import annotations

import atexit
import threading
from functools import cache
from typing import Any

from django.template import Engine
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .fetcher import ROOT, STATIC_DIR, STATIC_SCHEME, StaticFilesOnly

TEMPLATE_DIR = ROOT / "templates"


def layout_html(html: str, fetcher: StaticFilesOnly | None = None) -> Any:
    """Lay out HTML the way every PDF of the app is made: pdf.css, the vendored fonts,
    and no URL but the app's static files (``fetcher`` records what it refused)."""
    css, fonts = _stylesheet()
    page = HTML(string=html, base_url=f"{STATIC_SCHEME}:", url_fetcher=fetcher or StaticFilesOnly())
    return page.render(stylesheets=[css], font_config=fonts)


def html_to_pdf(html: str, fetcher: StaticFilesOnly | None = None) -> bytes:
    """PDF bytes of arbitrary HTML under the app's rules (used by tests and the benchmark)."""
    return layout_html(html, fetcher).write_pdf()


# One parsed stylesheet and font configuration per thread (a font configuration is not
# shared between threads), keyed by thread id. Not a threading.local: its values would be
# freed while the interpreter shuts down, after GLib's objects they hold are gone, which
# crashes the process on exit. The registry is emptied by an atexit hook instead, while
# everything is still alive.
_stylesheets: dict[int, tuple[int, CSS, FontConfiguration]] = {}
_stylesheets_lock = threading.Lock()


@atexit.register
def _release_stylesheets() -> None:
    with _stylesheets_lock:
        _stylesheets.clear()


def _stylesheet() -> tuple[CSS, FontConfiguration]:
    """static/css/pdf.css with its fonts loaded, parsed once per thread and again when the
    file changes."""
    path = STATIC_DIR / "css" / "pdf.css"
    mtime = path.stat().st_mtime_ns
    thread = threading.get_ident()
    cached = _stylesheets.get(thread)
    if cached is None or cached[0] != mtime:
        fonts = FontConfiguration()
        url = f"{STATIC_SCHEME}:css/pdf.css"
        css = CSS(url=url, url_fetcher=StaticFilesOnly(), font_config=fonts)
        cached = (mtime, css, fonts)
        with _stylesheets_lock:
            _stylesheets[thread] = cached
    return cached[1], cached[2]


@cache
def _engine() -> Engine:
    return Engine(
        dirs=[str(TEMPLATE_DIR)],
        autoescape=True,
        debug=False,
        string_if_invalid="",
        loaders=[
            ("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"])
        ],
    )
