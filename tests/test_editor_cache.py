"""The editor's per-entry HTML cache: where its template is, that it is used, and that a
changed template renders the entries anew."""

import os
from pathlib import Path

from canvas.views import editor
from canvas.views.editor.entry_cache import BOARD, BOARD_FILE, ENTRY_CACHE
from tests.conftest import client_for

ROOT = Path(__file__).resolve().parent.parent


def test_the_entry_cache_watches_the_board_template():
    assert BOARD_FILE == ROOT / "templates" / "canvas" / "_board.html"
    assert BOARD_FILE.is_file()
    assert ENTRY_CACHE.template_file == BOARD_FILE
    assert BOARD == "canvas/_board.html"


def test_the_editor_package_exports_its_views():
    for name in editor.__all__:
        assert callable(getattr(editor, name))


def test_render_fills_and_uses_the_entry_cache(alice, venture):
    ENTRY_CACHE.html.clear()
    client = client_for(alice)
    first = client.get("/ventures/sepsis-dx/canvas/")
    assert first.status_code == 200
    n = len(ENTRY_CACHE.html)
    assert n > 0
    keys = set(ENTRY_CACHE.html)
    second = client.get("/ventures/sepsis-dx/canvas/")
    assert second.status_code == 200
    assert all(html in second.content.decode() for html in ENTRY_CACHE.html.values())
    assert set(ENTRY_CACHE.html) == keys  # served from the cache
    # The key includes the template file's mtime: touching it renders entries anew.
    st = BOARD_FILE.stat()
    try:
        os.utime(BOARD_FILE, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        third = client.get("/ventures/sepsis-dx/canvas/")
        assert third.status_code == 200
        assert len(ENTRY_CACHE.html) == 2 * n
    finally:
        os.utime(BOARD_FILE, ns=(st.st_atime_ns, st.st_mtime_ns))
