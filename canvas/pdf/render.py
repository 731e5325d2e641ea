"""WeasyPrint, the way every PDF of the app is made: pdf.css with the vendored fonts, the
autoescaping template engine, and no URL but the app's static files."""

from __future__ import annotations

import atexit
import re
import threading
from functools import cache
from pathlib import Path
from typing import Any

import weasyprint
from django.template import Engine
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .fetcher import ROOT, STATIC_DIR, STATIC_SCHEME, StaticFilesOnly

TEMPLATE_DIR = ROOT / "templates"


def layout_html(html: str, fetcher: StaticFilesOnly | None = None) -> Any:
    """Lay out HTML the way every PDF of the app is made: pdf.css, the vendored fonts,
    and no URL but the app's static files (``fetcher`` records what it refused)."""
    css, fonts = _stylesheet()
    page = _ReportHTML(
        string=html, base_url=f"{STATIC_SCHEME}:", url_fetcher=fetcher or StaticFilesOnly()
    )
    return page.render(stylesheets=[css], font_config=fonts)


# WeasyPrint's HTML user-agent stylesheet, less the selectors that can never match the
# app's own report markup: right-to-left text ([dir]), the hidden attribute, form
# controls, frames, links, table rules/frame attributes and footnotes. A selector led by
# an attribute or a pseudo-class is tried against every element, so these cost a quarter
# of the layout time while changing nothing (tests/test_pdf.py compares the pages).
_UA_UNUSED = re.compile(
    r"\[dir|\[rules|\[frame|\[hidden|\[type=|:link|:visited|::footnote|::note|\biframe\b"
    r"|^(input|select|button|textarea|option|optgroup|meter|progress|keygen)\b"
)


def _selectors(group: str) -> list[str]:
    """The comma-separated selectors of a rule, commas inside :is(...) left alone."""
    parts, depth, current = [], 0, []
    for char in group:
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current.append(char)
    parts.append("".join(current).strip())
    return parts


def trimmed_ua_css(source: str) -> str:
    """``source`` (one rule a line, as html5_ua.css is) without the unused selectors."""
    kept = []
    for line in source.splitlines():
        group, brace, rest = line.partition("{")
        if not brace or line.lstrip().startswith("@") or not group.strip():
            kept.append(line)
            continue
        selectors = [sel for sel in _selectors(group) if not _UA_UNUSED.search(sel)]
        if selectors:
            kept.append(f"{', '.join(selectors)} {{{rest}")
    return "\n".join(kept)


@cache
def _report_ua_stylesheet() -> CSS:
    path = Path(weasyprint.__file__).parent / "css" / "html5_ua.css"
    return CSS(string=trimmed_ua_css(path.read_text("utf-8")))


class _ReportHTML(HTML):
    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_report_ua_stylesheet()]


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
            alive = {t.ident for t in threading.enumerate()}
            for gone in [t for t in _stylesheets if t not in alive]:
                del _stylesheets[gone]  # a thread per request (runserver) must not pile up
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
