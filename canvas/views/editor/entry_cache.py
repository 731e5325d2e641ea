"""Rendered entries, kept per process.

An entry's markup depends only on what its board item holds and on the board's mode, so an
unchanged entry is not rendered twice: the key is a digest of exactly that (and of the board
template's modification time). Entries contain no per-person data (no CSRF token: htmx sends it
in a header, and Move and Delete submit the page's one hidden form), so sharing them is safe.

Re-measured for issue 15 (``bench/bench_editor.py``, 200 entries, 20 requests a run, with and
without the cache alternated run by run for 5 rounds, on the shared 2-core machine at load
average 1.4-2.9; without it, each entry is rendered through its partial on every request):

- canvas page, with the cache: medians 49-57 ms CPU (50-99 ms wall);
- canvas page, without it: 230-244 ms CPU (249-401 ms wall), over the 50 ms budget every run;
- htmx partner save: 35-38 ms CPU with it, 33-36 ms without (it re-renders one entry).

An earlier round at load 3.7-5.5 gave the same picture: 49-60 ms CPU with, 176-260 without.
So the page needs the cache; it stays.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from django.template.loader import get_template
from django.utils.safestring import SafeString

from ...board import SINGULAR

BOARD = "canvas/_board.html"
BOARD_FILE = Path(__file__).resolve().parents[3] / "templates" / "canvas" / "_board.html"


class EntryCache:
    """Entry markup by content digest; at most ``max_size`` entries (then it starts again)."""

    def __init__(self, template_file: Path, max_size: int = 5000):
        self.template_file = template_file
        self.max_size = max_size
        self.html: dict[str, SafeString] = {}

    def fill(self, ctx: dict[str, Any], blocks: tuple[str, ...]) -> None:
        """Set ``item["html"]`` on the closed entries of ``blocks`` (the board prints it as is),
        rendering only those not rendered before."""
        try:
            stamp = self.template_file.stat().st_mtime_ns
        except OSError:
            stamp = 0
        mode = (stamp, ctx["editable"], ctx["base_url"])
        mode_ctx = {"editable": ctx["editable"], "base_url": ctx["base_url"]}
        for block in blocks:
            partial = None
            for item in ctx[block]:
                if item["form"]:
                    continue
                key = self.key(mode, item)
                html = self.html.get(key)
                if html is None:
                    partial = partial or get_template(f"{BOARD}#{SINGULAR[block]}")
                    html = SafeString(partial.render({"item": item, **mode_ctx}))
                    if len(self.html) >= self.max_size:
                        self.html.clear()
                    self.html[key] = html
                item["html"] = html

    @staticmethod
    def key(mode: tuple[Any, ...], item: dict[str, Any]) -> str:
        """A digest of what an entry's markup depends on. The entry's document model is
        serialised by pydantic's (compiled) JSON serialiser: its repr() costs ten times more."""
        parts = [(k, v.model_dump_json() if k == "data" else v) for k, v in item.items()]
        return hashlib.blake2b(repr((mode, parts)).encode(), digest_size=16).hexdigest()


ENTRY_CACHE = EntryCache(BOARD_FILE)
