"""``python manage.py canvas_pdf FILE -o OUT.pdf``: a canvas document as PDF (SPEC §4).

Never touches the database. Exit 2 (nothing written) when FILE is unreadable or not a
valid canvas document; exit 1 when the render fails or passes its deadline. OUT.pdf is
written atomically: a temporary file beside it, then a rename, so a reader never sees a
half-written PDF and a failed render leaves an existing OUT.pdf as it was.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from canvas.cli import Error, read_document
from canvas.pdf import PdfError, default_timeout, render_canvas_pdf


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
            "--timeout",
            type=float,
            default=None,
            help=f"seconds before the render is stopped (default {default_timeout():g})",
        )

    def handle(self, *args, file, output, label, timeout, **options):
        doc = read_document(file)
        try:
            # one render: a PDF helper process that is up is used, none is started for it
            pdf = render_canvas_pdf(doc, version_label=label, timeout=timeout, start_helper=False)
        except PdfError as exc:
            raise CommandError(str(exc), returncode=1) from None
        if output == "-":
            sys.stdout.buffer.write(pdf)
            sys.stdout.buffer.flush()
            return
        write_atomically(Path(output), pdf)
        self.stdout.write(f"Wrote {output} ({len(pdf):,} bytes).")


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
