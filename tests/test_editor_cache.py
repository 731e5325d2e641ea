"""The editor's per-entry HTML cache: where its template is, that it is used, and that a
changed template renders the entries anew."""

import os
from pathlib import Path

from canvas.views import editor
from canvas.views.editor import render
from tests.conftest import client_for

ROOT = Path(__file__).resolve().parent.parent


def test_the_entry_cache_watches_the_board_template():
    assert render._BOARD_FILE == ROOT / "templates" / "canvas" / "_board.html"
    assert render._BOARD_FILE.is_file()
    assert render.BOARD == "canvas/_board.html"


def test_the_editor_package_exports_its_views():
    for name in editor.__all__:
        assert callable(getattr(editor, name))


def test_render_fills_and_uses_the_entry_cache(alice, venture):
    render._ENTRY_HTML.clear()
    client = client_for(alice)
    first = client.get("/ventures/sepsis-dx/canvas/")
    assert first.status_code == 200
    n = len(render._ENTRY_HTML)
    assert n > 0
    keys = set(render._ENTRY_HTML)
    second = client.get("/ventures/sepsis-dx/canvas/")
    assert second.status_code == 200
    assert all(html in second.content.decode() for html in render._ENTRY_HTML.values())
    assert set(render._ENTRY_HTML) == keys  # served from the cache
    # The key includes the template file's mtime: touching it renders entries anew.
    st = render._BOARD_FILE.stat()
    try:
        os.utime(render._BOARD_FILE, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        third = client.get("/ventures/sepsis-dx/canvas/")
        assert third.status_code == 200
        assert len(render._ENTRY_HTML) == 2 * n
    finally:
        os.utime(render._BOARD_FILE, ns=(st.st_atime_ns, st.st_mtime_ns))
