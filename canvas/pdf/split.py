"""The report's pages laid out in a second process while this one lays out page 1.

A report is two parts of about the same weight: page 1 (the canvas) and the pages after
it (continued entries, findings, tables, legend). WeasyPrint works in one thread, so a
render uses one core; on two, the parts take less time side by side than one after the
other (0.6-0.8 of it on the development VM, whose two cores slow each other down):

1. this process renders the report part's HTML and hands it to its helper process;
2. it lays out page 1, numbered "Page 1 of 1 + n" once the helper has said its part
   takes n pages (the helper numbers its pages from 2 and counts 1 + n: see
   ``render.pages_of_a_whole``), and corrects page 1's plan as ``Report.laid_out`` does;
3. it draws page 1 and joins the two PDFs (pages, outline under the venture's name,
   metadata, language), which reads the same as the report laid out whole
   (tests/test_pdf_split.py compares them page by page).

The report is laid out whole instead, the same as before there was a helper, whenever the
parts cannot be trusted to join up: no helper yet (it starts, in the background, on a
process's first render), the helper busy with another render of this process, page 1's
correction changing what the later pages show (the plan decides which tables they hold),
page 1 not being exactly one page, the helper failing, or ``PDF_SECOND_PROCESS`` off.

The helper is ``python -c '...serve(...)' FD``: a child of this process that talks over
a socket pair, loads the stylesheet and fonts once, lays out what it is sent with the same
``layout_html`` (same fetcher: the app's static files only) and answers with the page
count and then the PDF. It ends when this process closes the socket, exits or dies. A
render stopped by its deadline, or a helper failure, kills the helper (the next render
starts a new one; after three failures in a row none is started for ten minutes); a part
made stale by page 1's correction is finished and dropped; a part WeasyPrint fails on, or
parts that do not join, leave the helper up and the report is laid out whole (where the
same failure, if it is one, reaches the caller as usual). A forked child of this process
starts afresh.
"""

from __future__ import annotations

import atexit
import gc
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from io import BytesIO
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from .fetcher import ROOT
from .render import SPLIT_PAGES_SUPPORTED, layout_html

if TYPE_CHECKING:
    from .report import Report

log = logging.getLogger("canvas.pdf")

# Longest wait for the helper when no render deadline is set (the deadline, when set,
# stops a render sooner: it interrupts the waiting loop between two polls).
HELPER_WAIT_SECONDS = 120.0
# A helper that fails this many times in a row is not started again in this process for
# RETRY_SECONDS; one that is not ready READY_SECONDS after its start counts as failed.
MAX_FAILURES = 3
RETRY_SECONDS = 600.0
READY_SECONDS = 60.0


class HelperError(Exception):
    """The helper process could not do its part."""


class PartFailed(HelperError):
    """The helper laid the part out and WeasyPrint failed on it (the helper is fine)."""


def enabled() -> bool:
    """``settings.PDF_SECOND_PROCESS`` (default on) when Django is configured; otherwise
    the ``PDF_SECOND_PROCESS`` environment variable (``0`` turns it off)."""
    try:
        from django.conf import settings

        return bool(getattr(settings, "PDF_SECOND_PROCESS", True))
    except Exception:  # settings not configured: the module works without Django
        return os.environ.get("PDF_SECOND_PROCESS", "1").strip().lower() not in {"0", "false"}


class Helper:
    """This process's helper: started on demand, used by one render at a time (the one
    that holds ``lock``)."""

    def __init__(self) -> None:
        self._reset()
        self.failures = 0
        self.failed_at = 0.0

    def _reset(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.conn: Connection | None = None
        self.started_at = 0.0
        self.ready = False
        self.jobs = 0

    def after_fork_in_child(self) -> None:
        """A forked child has a copy of this object, with the lock as it was at the fork
        (perhaps held by a thread the child does not have) and the parent's helper: it
        starts afresh, and leaves the parent's helper alone."""
        self._reset()

    # -- lifecycle --
    def start(self) -> None:
        mine, theirs = socket.socketpair()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _HELPER_MAIN, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        except OSError:
            mine.close()
            self.failed()
            log.warning("could not start the PDF helper process", exc_info=True)
            return
        finally:
            theirs.close()
        self.conn = Connection(mine.detach())
        self.started_at = time.monotonic()
        self.ready = False

    def stop(self) -> None:
        """End the helper (killed: it may be in the middle of a part nobody waits for)."""
        conn, process = self.conn, self.process
        self.conn = self.process = None
        self.ready = False
        if conn is not None:
            conn.close()
        if process is not None:
            process.kill()
            process.wait()

    def failed(self) -> None:
        self.failures += 1
        self.failed_at = time.monotonic()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None and self.conn is not None

    def switched_off(self) -> bool:
        """Off by setting or for this WeasyPrint, or for RETRY_SECONDS after MAX_FAILURES
        failures in a row (after which it gets one more try: a failure trips it again)."""
        if not (SPLIT_PAGES_SUPPORTED and enabled()):
            return True
        if self.failures >= MAX_FAILURES:
            if time.monotonic() - self.failed_at < RETRY_SECONDS:
                return True
            self.failures = MAX_FAILURES - 1
        return False

    def usable(self, start: bool = True) -> bool:
        """Whether the helper is up and ready for a part; the caller holds ``lock``. When
        it is not running it is started (``start``), in the background: nothing waits."""
        if self.switched_off():
            return False
        try:
            if not self.alive():
                if self.process is not None:
                    self.failed()
                    log.warning("the PDF helper process ended")
                self.stop()
                if start:
                    self.start()
                return False
            if not self.ready:
                while self.conn.poll(0):
                    if self.conn.recv()[0] == "ready":
                        self.ready = True
                if not self.ready and time.monotonic() - self.started_at > READY_SECONDS:
                    log.warning("the PDF helper process did not start in %g s", READY_SECONDS)
                    self.failed()
                    self.stop()
            return self.ready
        except (OSError, EOFError):
            self.failed()
            self.stop()
            return False

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Start the helper if need be and wait until it takes work (for benchmarks and
        tests; renders never wait for it to start)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.lock.acquire(timeout=1):
                try:
                    if self.usable():
                        return True
                    if self.switched_off():
                        return False
                finally:
                    self.lock.release()
            time.sleep(0.05)
        return False

    # -- one part --
    def submit(self, html: str) -> Job:
        self.jobs += 1
        job = Job(self, self.jobs)
        try:
            self.conn.send(("render", job.id, html))
        except (OSError, ValueError) as exc:
            raise HelperError(f"could not send the report part: {exc}") from exc
        return job


class Job:
    """The report part the helper is working on: its page count, then its PDF."""

    def __init__(self, helper: Helper, job_id: int):
        self.helper = helper
        self.id = job_id
        self.page_count: int | None = None
        self.pdf: bytes | None = None
        self.error: str = ""

    def _next(self) -> tuple[str, Any]:
        """The helper's next answer about this job (earlier jobs' answers are dropped)."""
        conn = self.helper.conn
        waited_until = time.monotonic() + HELPER_WAIT_SECONDS
        while True:
            # short polls: the render deadline can interrupt between two of them
            if conn.poll(0.02):
                kind, job_id, value = conn.recv()
                if job_id == self.id:
                    if kind == "error":
                        raise PartFailed(value)
                    return kind, value
            elif self.helper.process is None or self.helper.process.poll() is not None:
                raise HelperError("the helper process ended")
            elif time.monotonic() > waited_until:
                raise HelperError(f"no answer from the helper in {HELPER_WAIT_SECONDS:g} s")

    def pages(self) -> int:
        if self.page_count is None:
            kind, value = self._next()
            if kind != "pages":
                raise HelperError(f"the helper answered {kind!r}, not its page count")
            self.page_count = int(value)
        return self.page_count

    def pages_or_zero(self) -> int:
        """``pages()`` for WeasyPrint's margin boxes, where an exception must not land
        (a failure is kept in ``error`` and the caller lays the report out whole)."""
        try:
            return self.pages()
        except (HelperError, OSError, EOFError) as exc:
            self.error = str(exc) or type(exc).__name__
            return 0

    def result(self) -> bytes:
        self.pages()
        kind, value = self._next()
        if kind != "pdf":
            raise HelperError(f"the helper answered {kind!r}, not the PDF")
        self.pdf = value
        return value


_helper = Helper()
atexit.register(_helper.stop)
os.register_at_fork(after_in_child=_helper.after_fork_in_child)


def helper() -> Helper:
    return _helper


def write_in_parts(report: Report, start: bool = True) -> bytes | None:
    """The report's PDF made in two processes, or None when it must be laid out whole.
    ``start=False`` uses a helper that is up but does not start one (a one-off render,
    such as ``manage.py canvas_pdf``, would only pay for starting it)."""
    helper = _helper
    locked = False
    try:
        # released on every way out, the render deadline's exception included
        locked = helper.lock.acquire(blocking=False)
        if not locked:
            return None  # another render of this process has the helper
        if not helper.usable(start):
            return None
        return _write_in_parts(helper, report)
    finally:
        if locked:
            helper.lock.release()


def _write_in_parts(helper: Helper, report: Report) -> bytes | None:
    job: Job | None = None
    keep = False  # the helper is fine even though its part is not used
    try:
        rest = report.html("report")
        job = helper.submit(rest)
        numbering: tuple[int, Callable[[int], int]] = (1, lambda own: own + job.pages_or_zero())
        _, document = report.laid_out("canvas", numbering)
        if job.error:
            raise HelperError(job.error)
        if len(document.pages) != 1:
            log.warning(
                "PDF: page 1 took %d pages; laying the report out whole", len(document.pages)
            )
            keep = True
            return None
        if report.corrections and report.html("report") != rest:
            # page 1's correction changed the later pages
            log.info("PDF: page 1's plan changed the report pages; laying the report out whole")
            keep = True
            return None
        first = document.write_pdf()
        # the laid-out page is garbage now, much of it in reference cycles that the first
        # collection after the render would free (10 ms): free it while the helper may
        # still be at work, not after the join
        del document
        gc.collect(0)
        rest_pdf = job.result()
        keep = True
        helper.failures = 0
        try:
            return join(first, rest_pdf)
        except Exception:
            log.exception("PDF: the two parts could not be joined; laying the report out whole")
            return None
    except PartFailed as exc:  # this canvas's part failed, not the helper
        keep = True
        log.warning("PDF helper: the report part failed (%s); laying the report out whole", exc)
        return None
    except (HelperError, OSError, EOFError) as exc:
        helper.failed()
        log.warning("PDF helper failed (%s); laying the report out whole", exc)
        return None
    finally:
        if not keep:
            # a helper that failed, or a render stopped (its deadline) while the helper
            # works on its part: end it; the next render starts another. A part that is
            # not used is finished by the helper and dropped when the next one comes.
            helper.stop()


def join(first: bytes, rest: bytes) -> bytes:
    """One PDF of ``first``'s pages then ``rest``'s: the outline of ``rest`` goes under the
    last top-level entry of ``first`` (the venture's name), as in a report laid out whole;
    metadata and language are ``first``'s."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    head, tail = PdfReader(BytesIO(first)), PdfReader(BytesIO(rest))
    writer = PdfWriter()
    writer.append(head, import_outline=False)
    writer.append(tail, import_outline=False)
    _retag_fonts([page.get("/Resources") for page in writer.pages[len(head.pages) :]])
    top = _copy_outline(writer, head, head.outline, 0, None)
    _copy_outline(writer, tail, tail.outline, len(head.pages), top)
    if head.metadata:
        writer.add_metadata(dict(head.metadata))
    lang = head.trailer["/Root"].get("/Lang")
    if lang is not None:
        writer._root_object[NameObject("/Lang")] = TextStringObject(str(lang))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _retag_fonts(resources: list[Any], seen: set[int] | None = None) -> None:
    """Give the fonts of these resources (and of their forms) new subset tags.

    Both parts embed subsets of the same fonts under the same six-letter tags, but the
    subsets hold different glyphs, and a PDF must not give two subsets one tag (ISO 32000
    9.6.4): a viewer may draw one part's text with the other's glyphs. ROT13 of the tag
    keeps it six capital letters and makes it differ from the original."""
    from pypdf.generic import NameObject

    seen = set() if seen is None else seen
    for res in resources:
        res = res.get_object() if res is not None else None
        if not res:
            continue
        for font in (res.get("/Font") or {}).values():
            font = font.get_object()
            if id(font) in seen:
                continue
            seen.add(id(font))
            parts = [font, *(f.get_object() for f in font.get("/DescendantFonts") or [])]
            for part in parts:
                for owner, key in ((part, "/BaseFont"), (part.get("/FontDescriptor"), "/FontName")):
                    owner = owner.get_object() if owner is not None else None
                    if owner is not None and key in owner:
                        owner[NameObject(key)] = NameObject(_retag(str(owner[key])))
        for form in (res.get("/XObject") or {}).values():
            form = form.get_object()
            if id(form) not in seen and "/Resources" in form:
                seen.add(id(form))
                _retag_fonts([form["/Resources"]], seen)


def _retag(name: str) -> str:
    """``/ABCDEF+Inter`` -> ``/NOPQRS+Inter`` (ROT13 of a subset tag; other names kept)."""
    tag, plus, rest = name.lstrip("/").partition("+")
    if not plus or len(tag) != 6 or not tag.isalpha() or not tag.isupper():
        return name
    rotated = "".join(chr((ord(c) - 65 + 13) % 26 + 65) for c in tag)
    return f"/{rotated}+{rest}"


def _copy_outline(writer: Any, reader: Any, items: list[Any], offset: int, parent: Any) -> Any:
    """Copy ``reader``'s outline ``items`` (pypdf's nesting: a list after its parent) to
    ``writer`` under ``parent``, page numbers moved by ``offset``; returns the last item."""
    from pypdf.generic import Fit

    last = None
    for item in items:
        if isinstance(item, list):
            _copy_outline(writer, reader, item, offset, last)
            continue
        fit = Fit.xyz(item.get("/Left"), item.get("/Top"), item.get("/Zoom"))
        last = writer.add_outline_item(
            title=item.title,
            page_number=reader.get_destination_page_number(item) + offset,
            parent=parent,
            fit=fit,
        )
    return last


# -- the helper process --
def serve(conn: Connection) -> None:
    """Lay out what this process is sent until the socket closes."""
    import signal

    from .render import gc_paused

    # Ctrl-C in a terminal reaches the whole process group: the parent decides, and this
    # process ends when the parent closes the socket.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    layout_html("<!doctype html><p>Warm-up</p>").write_pdf()  # stylesheet and fonts, once
    conn.send(("ready", 0, os.getpid()))
    while True:
        try:
            kind, job_id, html = conn.recv()
        except (EOFError, OSError):
            return
        if kind != "render":
            conn.send(("error", job_id, f"unknown request {kind!r}"))
            continue
        try:
            with gc_paused():
                document = layout_html(html, numbering=(2, lambda own: own + 1))
                conn.send(("pages", job_id, len(document.pages)))
                conn.send(("pdf", job_id, document.write_pdf()))
                del document
            # the part's reference cycles, freed now, while idle, rather than by the first
            # collection after the next part arrives
            gc.collect(0)
        except (EOFError, OSError, BrokenPipeError):
            return
        except Exception as exc:  # a render error goes back to the waiting render
            log.exception("PDF helper: the report part failed")
            try:
                conn.send(("error", job_id, f"{type(exc).__name__}: {exc}"))
            except OSError:
                return


_HELPER_MAIN = (
    "import sys; from multiprocessing.connection import Connection; "
    "from canvas.pdf.split import serve; serve(Connection(int(sys.argv[1])))"
)
