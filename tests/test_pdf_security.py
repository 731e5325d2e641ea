"""The PDF renderer loads nothing but the app's own static files and shows user text as
text (issue #4), in this process and in the worker's render child (issue #16)."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pypdf import PdfReader

from canvas import document as d
from canvas.pdf import ReviewComment, StaticFilesOnly, html_to_pdf, render_canvas_pdf
from canvas.pdf.process import RenderProcess
from canvas.pdf.store import PdfRequest
from tests.conftest import load_fixture


class Recorder(BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.hits.append(self.path)
        body = b"body { background: red }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    """A loopback HTTP server that records every request it receives."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.hits = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def hostile_texts(port: int) -> dict[str, str]:
    base = f"http://127.0.0.1:{port}"
    return {
        "img": '<img src="file:///etc/passwd">',
        "attachment": '<link rel="attachment" href="file:///etc/passwd">',
        "css_url": f'<div style="background: url({base}/x)">styled</div>',
        "import": f"<style>@import url({base}/import.css);</style>",
        "svg": f'<svg><image href="{base}/svg.png"/></svg>',
        "anchor": '<a rel="attachment" href="file:///etc/hostname">file</a>',
        "quote": '"><script>alert(1)</script><link rel=stylesheet href=' + base + "/q.css>",
    }


@pytest.fixture(scope="module", params=["here", "in the render child"])
def hostile(server, request):
    texts = hostile_texts(server.server_address[1])
    data = load_fixture("sepsis-predict.json")
    data["venture"]["name"] = "Evil " + texts["quote"]
    data["partners"][0]["name"] = texts["img"]
    data["partners"][0]["strategic_value"] = texts["attachment"]
    data["activities"][0]["name"] = texts["import"]
    data["activities"][0]["relevance"]["rationale"] = texts["css_url"]
    data["channels"][0]["channel"] = texts["css_url"]
    data["channels"][0]["relationship"] = texts["svg"]
    data["resources"][0]["name"] = texts["anchor"]
    data["resources"][0]["risk_if_lost"] = texts["import"]
    for activity in data["activities"]:
        if activity["outsourced_to"] == data["partners"][0]["name"]:
            activity["outsourced_to"] = None
    doc = d.parse_document(data)
    comment = ReviewComment(
        "partners", texts["img"], texts["quote"], datetime.now(UTC), texts["attachment"]
    )
    # both ways a report is made: here (manage.py canvas_pdf), and in the worker's render
    # child, from the job the PDF store hands it
    kwargs = {"version_label": texts["attachment"], "author": texts["quote"]}
    if request.param == "here":
        content = render_canvas_pdf(doc, comments=[comment], **kwargs)
    else:
        from canvas.evaluator import evaluate

        job = PdfRequest.make(None, doc, evaluate(doc), comments=[comment], **kwargs)
        child = RenderProcess(renders=1)
        try:
            content = child.render(
                {**job.content(), "generated_at": datetime.now(UTC).isoformat()}, 120
            )
        finally:
            child.close()
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    return texts, content, reader, text


def squash(text: str) -> str:
    """Text without whitespace: a wrapped line may break after any "/" of a URL."""
    return "".join(text.split())


def test_hostile_canvas_text_is_shown_literally(hostile):
    texts, _, _, text = hostile
    for value in texts.values():
        assert squash(value) in squash(text), value


def test_hostile_canvas_text_embeds_no_file(hostile):
    _, content, reader, _ = hostile
    assert reader.attachments == {}
    assert b"/EmbeddedFile" not in content
    assert b"root:" not in content  # nothing of /etc/passwd


def test_hostile_canvas_text_makes_no_request(hostile, server):
    assert server.hits == []


def test_hostile_text_stays_text_in_the_pdf_metadata(hostile):
    texts, _, reader, _ = hostile
    assert reader.metadata.author == texts["quote"]
    assert reader.metadata.title.startswith("Evil " + texts["quote"] + " — Operations canvas")


def raw_hostile_html(base: str, secret) -> str:
    png = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
        "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    return f"""<html><head>
      <link rel="stylesheet" href="{base}/sheet.css">
      <link rel="attachment" href="file:///etc/passwd">
      <link rel="attachment" href="{secret.as_uri()}">
      <style>@import url({base}/import.css); body {{ background: url({base}/bg.png) }}</style>
      </head><body>
      <img src="file:///etc/passwd"><img src="{base}/img.png"><img src="{png}">
      <a rel="attachment" href="file:///etc/hostname">x</a>
      <img src="canvas-static:../canvas/settings.py"><img src="canvas-static:/etc/passwd">
      <p>visible</p></body></html>"""


def test_even_raw_html_cannot_fetch_files_urls_or_data(server, tmp_path):
    """Defence in depth: were markup ever to reach WeasyPrint, the fetcher refuses it."""
    base = f"http://127.0.0.1:{server.server_address[1]}"
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    html = raw_hostile_html(base, secret)
    fetcher = StaticFilesOnly()
    content = html_to_pdf(html, fetcher)
    reader = PdfReader(io.BytesIO(content))
    assert server.hits == []
    assert reader.attachments == {}
    assert b"top secret" not in content and b"root:" not in content
    refused = " ".join(fetcher.refused)
    for url in ("file:///etc/passwd", f"{base}/sheet.css", f"{base}/img.png", "data:image/png"):
        assert url in refused
    assert "visible" in reader.pages[0].extract_text()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1/x.css",
        "https://example.org/font.woff2",
        "data:text/css,body{}",
        "ftp://127.0.0.1/x",
        "canvas-static:../canvas/settings.py",
        "canvas-static:css/../../canvas/settings.py",
        "canvas-static:%2e%2e/canvas/settings.py",
        "canvas-static:/etc/passwd",
        "canvas-static:css\\..\\..\\manage.py",
        "canvas-static:fonts/OFL.txt",  # not a kind of file a PDF loads
        "canvas-static:css/missing.css",
        "canvas-static:",
        "CANVAS-STATIC:css/pdf.css",
    ],
)
def test_the_fetcher_refuses_anything_but_the_apps_static_files(url):
    fetcher = StaticFilesOnly()
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_serves_the_pdf_stylesheet_and_fonts():
    fetcher = StaticFilesOnly()
    css = fetcher.fetch("canvas-static:css/pdf.css")
    assert css.content_type == "text/css"
    assert b"@font-face" in css.read()
    font = fetcher.fetch("canvas-static:fonts/inter-latin-400-normal.ttf")
    assert font.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font
