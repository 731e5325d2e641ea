"""``python manage.py canvas_pdf FILE -o OUT.pdf``: a canvas document as PDF (SPEC §4).

Renders in this process (the app's own PDFs are made by the background worker; this is
the command line's). Never touches the database. Exit 2 (nothing written) when FILE is
unreadable or not a valid canvas document; exit 1 when the render fails or runs past
``--timeout`` (the process then ends at once, from a timer outside the render). OUT.pdf is
written atomically: a temporary file beside it, then a rename, so a reader never sees a
half-written PDF and a failed render leaves an existing OUT.pdf as it was.

WeasyPrint is imported only once the document has been read, so a bad document is
reported without loading it.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from canvas.cli import Error, read_document

PAPERS = ("a3", "a4", "letter")  # canvas.pdf.PAPERS, without importing WeasyPrint for --help


class Command(BaseCommand):
    help = (
        "Render a canvas document (FILE, or - for standard input) to PDF without touching "
        "the database. Exit 2 when the document is unreadable or invalid (nothing is written)."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", help="canvas document (JSON), or - for standard input")
        parser.add_argument(
            "-o", "--output", required=True, help="PDF file to write, or - for standard output"
        )
        parser.add_argument(
            "--label", default="current", help='version label in the header (default "current")'
        )
        parser.add_argument(
            "--paper", choices=PAPERS, default="a3", help="landscape paper size (default a3)"
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=None,
            help="seconds after which the process stops, exit 1 (default: no limit)",
        )

    def handle(self, *args, file, output, label, paper, timeout, **options):
        doc = read_document(file)
        if timeout and threading.current_thread() is threading.main_thread():
            _stop_after(timeout)
        from canvas.pdf import PdfError, render_canvas_pdf

        try:
            pdf = render_canvas_pdf(doc, version_label=label, paper=paper)
        except PdfError as exc:
            raise CommandError(str(exc), returncode=1) from None
        finally:
            if timeout:
                signal.setitimer(signal.ITIMER_REAL, 0)
        if output == "-":
            sys.stdout.buffer.write(pdf)
            sys.stdout.buffer.flush()
            return
        write_atomically(Path(output), pdf)
        self.stdout.write(f"Wrote {output} ({len(pdf):,} bytes).")


def _stop_after(seconds: float) -> None:
    """End the process with exit code 1 once ``seconds`` have passed (nothing is written:
    the output is only written after the render)."""

    def stop(signum, frame):
        sys.stderr.write(f"CommandError: Rendering the PDF took longer than {seconds:g} s.\n")
        sys.stderr.flush()
        os._exit(1)

    signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise Error(f"{path}: the directory {directory} does not exist; nothing was written.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CommandError(f"{path}: cannot be written ({exc.strerror}).", returncode=1) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
