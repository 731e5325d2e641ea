"""A render in a child process, with a hard time limit enforced from outside it.

The background worker never renders in its own process: ``RenderProcess.render(job,
seconds)`` hands the job to a child Python process (``python -m canvas.pdf.process``) and
waits for the PDF at most ``seconds``. When the time is up the child is killed (SIGKILL:
nothing runs inside the render to stop it) and ``PdfTimeout`` is raised; when the child
dies (a crash, the kernel's out-of-memory killer) ``PdfError`` is. Either way the next job
starts a fresh child. A child is also retired after ``renders`` jobs, so the memory a long
run of renders leaves behind (WeasyPrint's and the fonts' caches) is given back.

The protocol is one line of JSON per job on the child's standard input (``job`` below) and,
on its standard output, one line of JSON (``{"ok": true, "size": N}`` followed by the N
bytes of the PDF, or ``{"ok": false, "error": "..."}``). The child writes nothing else
there: its own prints and logs go to standard error, which it shares with the worker.

The child runs in a session of its own at the lowest priority (``lower_priority``). It exits
within half a second of its worker's death (``exit_with_parent``, also when the worker is
killed mid-render), and ``alarm`` (twice the time limit) ends it if it is stuck.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

from .errors import PdfError, PdfTimeout

log = logging.getLogger("canvas.pdf")
ROOT = Path(__file__).resolve().parent.parent.parent
NICE = 19  # the child's scheduling priority: the lowest, below the web's (Unix nice)


class RenderProcess:
    """One child render process at a time, started on demand, killed on a time-out,
    replaced after ``renders`` jobs."""

    def __init__(self, renders: int = 50) -> None:
        self.renders = max(1, renders)
        self.child: subprocess.Popen[bytes] | None = None
        self.done = 0  # jobs the current child has done
        self.started = 0  # children started (for tests and logs)

    # -- the child's life --
    def _start(self) -> subprocess.Popen[bytes]:
        self.child = subprocess.Popen(
            [sys.executable, "-m", "canvas.pdf.process"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.done = 0
        self.started += 1
        return self.child

    def start(self) -> None:
        """Start a child now, if none is up, so that the next job need not wait for one
        (it loads WeasyPrint while the worker waits for work)."""
        if self.child is None or self.child.poll() is not None:
            self._start()

    def close(self) -> None:
        """End the child (its standard input closes; it is killed if it lingers)."""
        child, self.child = self.child, None
        if child is None:
            return
        try:
            if child.stdin:
                child.stdin.close()
            child.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            child.kill()
            child.wait()
        finally:
            if child.stdout:
                child.stdout.close()

    def kill(self) -> None:
        child, self.child = self.child, None
        if child is None:
            return
        child.kill()
        child.wait()
        for stream in (child.stdin, child.stdout):
            if stream:
                stream.close()

    @property
    def pid(self) -> int | None:
        return self.child.pid if self.child else None

    # -- one job --
    def render(self, job: dict[str, Any], seconds: float) -> bytes:
        """The PDF of ``job`` (see ``render_job``), or PdfTimeout after ``seconds`` (the
        child is killed) or PdfError (the render failed, or the child died)."""
        child = self.child if self.child and self.child.poll() is None else self._start()
        assert child.stdin is not None and child.stdout is not None
        deadline = time.monotonic() + seconds
        try:
            child.stdin.write(json.dumps({**job, "alarm": 2 * seconds}).encode() + b"\n")
            child.stdin.flush()
            header = json.loads(_read_line(child.stdout, deadline))
            if not header.get("ok"):
                self._after_job()
                raise PdfError(header.get("error") or "The PDF could not be rendered.")
            pdf = _read_exactly(child.stdout, int(header["size"]), deadline)
        except TimeoutError:
            self.kill()
            raise PdfTimeout(
                f"Rendering the PDF took longer than {seconds:g} s and was stopped."
            ) from None
        except (OSError, EOFError, ValueError) as exc:
            code = self._ended()
            log.warning("PDF render process ended unexpectedly (exit code %s)", code)
            raise PdfError(
                f"The PDF render process ended unexpectedly (exit code {code})."
            ) from exc
        self._after_job()
        return pdf

    def _after_job(self) -> None:
        self.done += 1
        if self.done >= self.renders:
            self.close()  # recycled: its memory goes back to the system
            self.start()

    def _ended(self) -> int | None:
        child = self.child
        self.kill()
        return child.returncode if child else None


def _read_line(stream: BinaryIO, deadline: float) -> bytes:
    line = bytearray()
    while not line.endswith(b"\n"):
        line += _read_some(stream, 1, deadline, whole_line=True)
    return bytes(line)


def _read_exactly(stream: BinaryIO, size: int, deadline: float) -> bytes:
    data = bytearray()
    while len(data) < size:
        data += _read_some(stream, size - len(data), deadline)
    return bytes(data)


def _read_some(stream: BinaryIO, size: int, deadline: float, whole_line: bool = False) -> bytes:
    """Up to ``size`` bytes (one byte at a time for a line, so that no PDF byte is read
    ahead), waiting at most until ``deadline``; TimeoutError then, EOFError at the end."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not selector.select(remaining):
            raise TimeoutError
    chunk = os.read(stream.fileno(), 1 if whole_line else min(size, 1 << 20))
    if not chunk:
        raise EOFError("the render process closed its output")
    return chunk


# --- the child ---------------------------------------------------------------------------


def render_job(job: dict[str, Any]) -> bytes:
    """The PDF a job describes: ``document`` (a canvas document), ``evaluation`` (its
    evaluation as stored, with its rule set), ``version_label``, ``generated_at`` (ISO
    8601), ``comments`` (ReviewComment fields, ``created_at`` in ISO 8601), ``author`` and
    ``paper``."""
    from datetime import datetime

    from canvas.document import parse_document
    from canvas.evaluator import Evaluation

    from . import ReviewComment, render_canvas_pdf

    comments = [
        ReviewComment(**{**c, "created_at": datetime.fromisoformat(c["created_at"])})
        for c in job.get("comments", ())
    ]
    return render_canvas_pdf(
        parse_document(job["document"]),
        Evaluation.from_dict(job["evaluation"]) if job.get("evaluation") else None,
        version_label=job.get("version_label", "current"),
        generated_at=datetime.fromisoformat(job["generated_at"]),
        comments=comments,
        author=job.get("author", ""),
        paper=job.get("paper", "a3"),
    )


def warm_up() -> None:
    """Render an empty canvas once, before the first job, while the worker waits for work:
    WeasyPrint, the fonts, the template and the glyph widths are loaded then, not in the
    first person's render. A failure here is left for the first job to report."""
    from canvas.document import empty_document

    from . import render_canvas_pdf

    try:
        render_canvas_pdf(empty_document("Warm-up"))
    except Exception:
        log.warning("the render child's warm-up failed", exc_info=True)


def serve(jobs: BinaryIO, out: BinaryIO) -> None:
    """Answer jobs, one line each, until standard input closes."""
    for line in jobs:
        job = json.loads(line)
        signal.alarm(math.ceil(job.pop("alarm", 0)))  # if the worker is gone and this hangs
        try:
            pdf = render_job(job)
        except Exception as exc:
            answer = {"ok": False, "error": str(exc) or type(exc).__name__}
            out.write(json.dumps(answer).encode() + b"\n")
        else:
            out.write(json.dumps({"ok": True, "size": len(pdf)}).encode() + b"\n" + pdf)
        finally:
            signal.alarm(0)
        out.flush()


def lower_priority() -> None:
    """Give way to the web's requests when they share the CPUs.

    ``nice`` alone is not enough on Linux with automatic process grouping (autogroup, on
    by default in desktop and many server kernels): the scheduler first shares the CPUs
    fairly between sessions, and only then by nice within one. A worker started in a
    session of its own (a supervisor, ``setsid``, a systemd unit) would then render with
    the same weight as all of gunicorn together, however nice. So the child takes a
    session of its own and sets that session's group to the lowest priority too
    (``/proc/self/autogroup``, sched(7)); where there is no autogroup, nice does it.

    On Linux the child also takes the ``SCHED_IDLE`` policy (sched(7)): it runs only on a
    CPU that nothing else wants. Under nice 19 alone, a request woken on the CPU the
    render holds waited for its turn there; with ``SCHED_IDLE`` the scheduler counts that
    CPU as free and the request takes it at once."""
    os.setsid()
    os.nice(NICE)
    if hasattr(os, "SCHED_IDLE"):  # Linux; a process may always lower its own policy
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    # (no autogroup in this kernel: nice alone counts)
    with contextlib.suppress(OSError), open("/proc/self/autogroup", "w") as group:
        group.write(str(NICE))


def exit_with_parent() -> None:
    """End this process when the worker that started it is gone: in a session of its own,
    it is not killed with the worker's process group (a killed worker is restarted, with
    a child of its own)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def main() -> None:
    # The protocol owns the real standard output; anything printed goes to standard error.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    lower_priority()
    exit_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the worker, which ends this
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    warm_up()

    with contextlib.suppress(BrokenPipeError):  # the worker is gone
        serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    main()
