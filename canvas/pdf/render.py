"""WeasyPrint, the way every PDF of the app is made, through its public API only: ``HTML``
and ``CSS`` with a ``FontConfiguration`` for pdf.css and the vendored fonts, the
static-files-only ``URLFetcher``, ``render`` and ``write_pdf``. The report's templates are
rendered by a private autoescaping engine, so this works without Django settings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from django.template import Engine
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .fetcher import ROOT, STATIC_DIR, STATIC_SCHEME, StaticFilesOnly

TEMPLATE_DIR = ROOT / "templates"
STYLESHEET = STATIC_DIR / "css" / "pdf.css"


@dataclass
class Styles:
    """pdf.css with its fonts loaded, for one report (laid out once, or again when page 1's
    plan is corrected). Made afresh for each report: a font configuration belongs to the
    thread and the report that made it, and nothing outlives the render."""

    fonts: FontConfiguration = field(default_factory=FontConfiguration)

    def __post_init__(self) -> None:
        self.css = CSS(
            string=STYLESHEET.read_text("utf-8"),
            base_url=f"{STATIC_SCHEME}:css/pdf.css",
            url_fetcher=StaticFilesOnly(),
            font_config=self.fonts,
        )


def layout_html(html: str, fetcher: StaticFilesOnly | None = None, styles: Styles | None = None):
    """The laid-out ``weasyprint.Document`` of ``html`` under pdf.css, loading nothing but
    the app's static files (``fetcher`` records what it refused)."""
    styles = styles or Styles()
    page = HTML(string=html, base_url=f"{STATIC_SCHEME}:", url_fetcher=fetcher or StaticFilesOnly())
    return page.render(stylesheets=[styles.css], font_config=styles.fonts)


def html_to_pdf(html: str, fetcher: StaticFilesOnly | None = None) -> bytes:
    """PDF bytes of arbitrary HTML under the app's rules (used by tests and the benchmark)."""
    return layout_html(printable(html), fetcher).write_pdf()


# C0 control characters but tab, line feed and carriage return, and DEL: the canvas
# document may hold them (pasted text), a report never means them. WeasyPrint draws them
# as missing glyphs, which scrambles the text a reader selects in the whole PDF. Vertical
# tab and form feed read as a space, the rest goes.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BREAKS = re.compile(r"[\x0b\x0c]")


def printable(html: str) -> str:
    """``html`` without the control characters a PDF cannot show."""
    return _CONTROLS.sub("", _BREAKS.sub(" ", html))


@cache
def template_engine() -> Engine:
    """The autoescaping engine the report's templates are rendered with."""
    return Engine(
        dirs=[str(TEMPLATE_DIR)],
        autoescape=True,
        debug=False,
        string_if_invalid="",
        loaders=[
            ("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"])
        ],
    )
