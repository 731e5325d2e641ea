"""WeasyPrint, the way every PDF of the app is made: pdf.css with the vendored fonts, the
autoescaping template engine, and no URL but the app's static files."""

from __future__ import annotations

import atexit
import copy
import gc
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import cssselect2
import weasyprint
import weasyprint.layout
from django.template import Engine
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from .fetcher import ROOT, STATIC_DIR, STATIC_SCHEME, StaticFilesOnly

TEMPLATE_DIR = ROOT / "templates"


def layout_html(
    html: str,
    fetcher: StaticFilesOnly | None = None,
    numbering: tuple[int, Callable[[int], int]] | None = None,
) -> Any:
    """Lay out HTML the way every PDF of the app is made: pdf.css, the vendored fonts,
    and no URL but the app's static files (``fetcher`` records what it refused).

    ``numbering`` is for a document laid out in parts (see ``pages_of_a_whole``):
    ``(first, total)`` numbers its first page ``first`` and gives ``counter(pages)`` the
    value ``total(own page count)``."""
    css, fonts = _stylesheet()
    page = _ReportHTML(
        string=html, base_url=f"{STATIC_SCHEME}:", url_fetcher=fetcher or StaticFilesOnly()
    )
    with pages_of_a_whole(numbering):
        return page.render(stylesheets=[css], font_config=fonts)


# Page numbers of a document laid out in parts. WeasyPrint lays out every page's content
# first, then each page's margin boxes (the footer's "Page n of N") from the page's
# counters; a part that is pages 2-4 of a report numbers its pages from 2 and counts the
# whole report's pages. The counters are set, for the margin boxes only, by wrapping the
# function WeasyPrint's layout calls for them. Checked at import: when a WeasyPrint
# release moves it, reports are laid out whole (SPLIT_PAGES_SUPPORTED is False).
_numbering = threading.local()
_make_margin_boxes = getattr(weasyprint.layout, "make_margin_boxes", None)
SPLIT_PAGES_SUPPORTED = callable(_make_margin_boxes)


def _margin_boxes(context: Any, page: Any, state: Any) -> Any:
    numbering = getattr(_numbering, "value", None)
    if numbering is not None:
        first, total = numbering
        state = copy.deepcopy(state)  # (quotes, counter values, counter scopes, groups)
        counters = state[1]
        counters["page"] = [first + context.current_page - 1]
        counters["pages"] = [total(counters["pages"][0])]
    return _make_margin_boxes(context, page, state)


if SPLIT_PAGES_SUPPORTED:
    weasyprint.layout.make_margin_boxes = _margin_boxes


@contextmanager
def pages_of_a_whole(numbering: tuple[int, Callable[[int], int]] | None) -> Iterator[None]:
    """Number the pages laid out in this thread as ``layout_html`` describes."""
    if numbering is not None and not SPLIT_PAGES_SUPPORTED:
        raise RuntimeError("this WeasyPrint cannot number the pages of a part")
    previous = getattr(_numbering, "value", None)
    _numbering.value = numbering
    try:
        yield
    finally:
        _numbering.value = previous


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
    """WeasyPrint's HTML with the trimmed user-agent stylesheet, parsed as XML when it can be.

    The report template is well-formed XML (self-closed void elements, quoted attribute
    values, no named entities) and autoescaping keeps user text that way (``printable``
    drops the control characters XML refuses), so the C XML parser builds the same tree as
    WeasyPrint's pure-Python HTML5 parser in a fraction of the time (tests/test_pdf.py lays
    out both and compares every box). No DTD or entity can come from user text: its "<" and
    "&" arrive escaped. HTML that is not well-formed XML (``html_to_pdf`` takes any) goes
    the HTML5 way.
    """

    parsed_as = "xml"

    def __init__(self, *, string: str, base_url: str, url_fetcher: URLFetcher) -> None:
        try:
            root = ElementTree.fromstring(string.removeprefix(_DOCTYPE))
        except ElementTree.ParseError:
            self.parsed_as = "html5"
            super().__init__(string=string, base_url=base_url, url_fetcher=url_fetcher)
            return
        self.base_url = base_url
        self.url_fetcher = url_fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_report_ua_stylesheet()]


_DOCTYPE = "<!doctype html>"


def html_to_pdf(html: str, fetcher: StaticFilesOnly | None = None) -> bytes:
    """PDF bytes of arbitrary HTML under the app's rules (used by tests and the benchmark)."""
    with gc_paused():
        return layout_html(printable(html), fetcher).write_pdf()


# C0 control characters but tab, line feed and carriage return, and DEL: the canvas
# document may hold them (pasted text), a report never means them. WeasyPrint draws them
# as missing glyphs, which scrambles the text a reader selects in the whole PDF, and XML
# refuses them. Vertical tab and form feed read as a space, the rest goes.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BREAKS = re.compile(r"[\x0b\x0c]")


def printable(html: str) -> str:
    """``html`` without the control characters a PDF cannot show."""
    return _CONTROLS.sub("", _BREAKS.sub(" ", html))


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Cyclic garbage collection off while WeasyPrint works.

    A render allocates a few hundred thousand objects, and every 700 of them start a
    collection that walks the young objects again and again (and now and then all of the
    application's long-lived ones): several percent of a render for nothing, since the
    render's objects live until it ends. Collection is back on, if it was on before, when
    the last render running in this process ends; reference counting frees memory as usual
    meanwhile."""
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


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


_ROOT_RULE = re.compile(r":root\s*\{(?P<body>[^}]*)\}")
_DEFINITION = re.compile(r"(--[\w-]+)\s*:\s*([^;]+);")
_USE = re.compile(r"var\(\s*(--[\w-]+)\s*\)")


def resolve_custom_properties(source: str) -> str:
    """pdf.css with every ``var(--name)`` replaced by the value ``:root`` gives it.

    pdf.css keeps its palette in custom properties, one place to change a colour. WeasyPrint
    resolves and re-parses a var() for every element it applies to (a twentieth of the
    render time), though these never change, so they are put in once, here."""
    root = _ROOT_RULE.search(source)
    values = dict(_DEFINITION.findall(root["body"])) if root else {}

    def value(use: re.Match[str]) -> str:
        if use[1] not in values:
            raise ValueError(f"pdf.css uses {use[1]}, which :root does not define")
        return values[use[1]].strip()

    return _USE.sub(value, source)


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
        css = CSS(
            string=resolve_custom_properties(path.read_text("utf-8")),
            base_url=url,
            url_fetcher=StaticFilesOnly(),
            font_config=fonts,
        )
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
