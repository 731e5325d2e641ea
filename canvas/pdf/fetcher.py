"""The only URL fetcher the PDF renderer uses: the app's static files, nothing else.

WeasyPrint loads every stylesheet, font, image and attachment through its URL fetcher.
``StaticFilesOnly`` serves ``canvas-static:<path>`` from ``static/`` (no path traversal,
only the kinds of file a PDF loads) and refuses every other URL: file:, http(s):, data:,
ftp: and anything else. User text never becomes markup (the templates escape it), so this
is the second line of defence, not the first.
"""

from __future__ import annotations

import logging
import mimetypes
import ssl
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger("canvas.pdf")

ROOT = Path(__file__).resolve().parent.parent.parent
STATIC_DIR = ROOT / "static"
STATIC_SCHEME = "canvas-static"
STATIC_SUFFIXES = {".css", ".woff2", ".woff", ".ttf", ".otf", ".png", ".svg"}


class StaticFilesOnly(URLFetcher):
    """Serve ``canvas-static:<path>`` from the app's static directory; refuse the rest.

    Every refused URL is recorded in ``refused`` (for logs and tests).
    """

    def __init__(self, root: Path = STATIC_DIR):
        # No network protocol is allowed, so no HTTPS request is ever made: an empty SSL
        # context spares loading the system's certificates (30 ms) for each fetcher.
        super().__init__(
            timeout=1,
            ssl_context=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT),
            allowed_protocols=(STATIC_SCHEME,),
            allow_redirects=False,
        )
        self.root = root.resolve()
        self.refused: list[str] = []

    def resolve(self, url: str) -> Path | None:
        """The file a URL names, or None when it is not one the PDF may load."""
        prefix = f"{STATIC_SCHEME}:"
        if not url.startswith(prefix):
            return None
        rel = unquote(url[len(prefix) :].split("?", 1)[0].split("#", 1)[0]).lstrip("/")
        if not rel or "\\" in rel or "\x00" in rel or ".." in rel.split("/"):
            return None
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root) or path.suffix.lower() not in STATIC_SUFFIXES:
            return None
        return path if path.is_file() else None

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self.resolve(url)
        if path is None:
            self.refused.append(url)
            log.warning("PDF render refused to load %.200r", url)
            raise ValueError(f"refused: the PDF may only load the app's static files ({url:.80})")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".woff2":
            content_type = "font/woff2"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
