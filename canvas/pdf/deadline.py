"""The render deadline: stop a render that runs too long, in any thread.

WeasyPrint is synchronous and mostly pure Python. ``run_with_deadline(seconds, work)``
calls ``work()`` in the calling thread and starts a small watchdog thread; if the deadline
passes first, the watchdog raises an exception *inside the rendering thread*
(``PyThreadState_SetAsyncExc``), which unwinds the render at its next Python instruction
and surfaces as ``PdfTimeout``. This works in a gunicorn sync worker's main thread, in
gthread workers and in background-task threads alike, costs one short-lived thread per
render, and leaves no orphan: unlike running the render in a worker thread and giving up
on it, the render itself stops. What it cannot interrupt is a single long call into C
(one Pango layout call); with texts capped at 2,000 characters those take milliseconds.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from collections.abc import Callable

from .errors import PdfError, PdfTimeout

log = logging.getLogger("canvas.pdf")


class _Interrupt(BaseException):
    """Raised inside the rendering thread by the watchdog (BaseException, so that
    WeasyPrint's ``except Exception`` handlers do not swallow it)."""


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc


class _Deadline:
    """A watchdog thread that interrupts ``thread_id`` once ``seconds`` have passed,
    unless ``finish()`` came first. Injection and finish() share a lock, and finish()
    clears an injected exception not yet delivered, so none escapes the guarded call."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.thread_id = threading.get_ident()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.done = False
        self.fired = False

    def start(self) -> None:
        self.thread = threading.Thread(target=self._watch, name="pdf-deadline", daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        if self.stop.wait(self.seconds):
            return
        with self.lock:
            if not self.done:
                self.fired = True
                _set_async_exc(ctypes.c_ulong(self.thread_id), ctypes.py_object(_Interrupt))

    def finish(self) -> None:
        with self.lock:
            self.done = True
            if self.fired:  # delivered already, or still pending: clear it
                _set_async_exc(ctypes.c_ulong(self.thread_id), None)
        self.stop.set()
        self.thread.join()  # no watchdog outlives its render


def run_with_deadline[T](seconds: float, work: Callable[[], T]) -> T:
    """Call ``work()`` in this thread; raise PdfTimeout if it runs past ``seconds``."""
    if not seconds or seconds <= 0:
        return _wrap_errors(work)
    deadline = _Deadline(seconds)
    message = f"Rendering the PDF took longer than {seconds:g} s and was stopped."
    try:
        deadline.start()
        try:
            result = _wrap_errors(work)
        finally:
            deadline.finish()
    except _Interrupt:
        raise PdfTimeout(message) from None
    except PdfError as exc:
        if deadline.fired:
            raise PdfTimeout(message) from exc
        raise
    if deadline.fired:
        raise PdfTimeout(message)
    return result


def _wrap_errors[T](work: Callable[[], T]) -> T:
    try:
        return work()
    except PdfError:
        raise
    except Exception as exc:
        log.exception("PDF render failed")
        raise PdfError(f"The PDF could not be rendered ({type(exc).__name__}).") from exc
