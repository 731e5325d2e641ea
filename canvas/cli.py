"""Shared helpers of the management commands: read a document, report problems."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError

from .document import CanvasDocument, DocumentError, Problem, parse_document

MAX_BYTES = 5 * 1024 * 1024


class Error(CommandError):
    """Printed as 'Error: ...' with exit code 2 (unreadable or invalid input)."""

    def __init__(self, message: str):
        super().__init__(message, returncode=2)


def describe(source: str, problems: list[Problem]) -> str:
    count = len(problems)
    lines = [
        f"{source} is not a valid canvas document ({count} problem{'s' if count != 1 else ''}):"
    ]
    lines += [f"  {p.path or '(document)'}: {p.message}" for p in problems]
    lines.append("Nothing was written.")
    return "\n".join(lines)


def read_document(path: str) -> CanvasDocument:
    """Read FILE (or '-' for standard input) as a canvas document, or raise Error."""
    source = "standard input" if path == "-" else path
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            file = Path(path)
            if not file.is_file():
                raise Error(f"{path}: no such file.")
            raw = file.read_bytes()
    except OSError as exc:
        raise Error(f"{source}: cannot be read ({exc.strerror}).") from None
    if len(raw) > MAX_BYTES:
        raise Error(f"{source} is larger than {MAX_BYTES // (1024 * 1024)} MB; not read.")
    try:
        return parse_document(raw)
    except DocumentError as exc:
        raise Error(describe(source, exc.problems)) from None
