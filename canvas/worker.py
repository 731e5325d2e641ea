"""The background worker's health: its heartbeat, what it picks up after a crash, and what
``/healthz`` reports.

``manage.py worker`` (django-tasks-db's ``db_worker`` plus this) writes a heartbeat row every
``BEAT_SECONDS`` from a thread beside the task loop, for as long as the process runs and the
database takes writes; ``scripts/with-worker`` (``make run``, ``make serve``) restarts a
worker that exits, with a growing pause (1 s, 2 s, 4 s ... 30 s). A restarted worker keeps
its id, so it knows that tasks its previous run had claimed will never finish: it marks
them failed, queues their PDFs again and marks their bulk exports failed (``recover``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Max, Min
from django.utils import timezone

log = logging.getLogger("canvas.worker")

BEAT_SECONDS = 5.0


class WorkerStopped(Exception):
    """The worker running a task stopped before the task ended (recorded on the task)."""


def beat(worker: str, started_at: datetime) -> None:
    """Write this worker's heartbeat now (one upsert)."""
    from .models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        worker=worker,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "beat_at": timezone.now(),
        },
    )


class Heartbeat:
    """A daemon thread that calls ``beat`` every ``seconds`` until ``stop``. A beat that
    fails (the database is locked or down) is logged and tried again at the next one."""

    def __init__(self, worker: str, seconds: float = BEAT_SECONDS) -> None:
        self.worker = worker
        self.seconds = seconds
        self.started_at = timezone.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.seconds + 30)

    def _run(self) -> None:
        try:
            while True:
                try:
                    beat(self.worker, self.started_at)
                except Exception as exc:  # locked or unreachable database: beat again later
                    log.warning("worker heartbeat failed: %s", exc)
                if self._stop.wait(self.seconds):
                    return
        finally:
            connection.close()  # this thread's own connection


def recover(worker: str) -> dict[str, int]:
    """Clean up after an earlier run of ``worker`` that stopped mid-task (killed, or its
    machine stopped): its claimed tasks are marked failed, the PDFs it was rendering are
    queued again, the bulk exports it was building are marked failed. Call it before the
    worker takes a task."""
    from django_tasks_db.models import DBTaskResult

    from .models import BulkExport
    from .pdf import store

    stopped = 0
    exports = 0
    for result in DBTaskResult.objects.running():
        if not result.worker_ids or result.worker_ids[-1] != worker:
            continue
        result.set_failed(WorkerStopped(f"worker {worker} stopped during this task"))
        stopped += 1
        if result.task_path.endswith(".export_cohort_pdfs"):
            args = result.args_kwargs.get("args") or []
            export_id = args[0] if args else result.args_kwargs.get("kwargs", {}).get("export_id")
            exports += BulkExport.objects.filter(
                pk=export_id, status__in=[BulkExport.PENDING, BulkExport.RUNNING]
            ).update(status=BulkExport.FAILED, finished_at=timezone.now())
    pdfs = store.recover(worker)
    if stopped or pdfs:
        log.warning(
            "worker %s: %d task(s) of a previous run marked failed, %d PDF(s) queued again",
            worker,
            stopped,
            pdfs,
        )
    return {"tasks": stopped, "pdfs": pdfs, "exports": exports}


@dataclass(frozen=True)
class Health:
    """What ``/healthz`` reports: the newest heartbeat and the oldest queued task."""

    now: datetime
    last_beat: datetime | None
    oldest_queued: datetime | None

    @property
    def silent_seconds(self) -> float | None:
        return None if self.last_beat is None else (self.now - self.last_beat).total_seconds()

    @property
    def waited_seconds(self) -> float | None:
        if self.oldest_queued is None:
            return None
        return max(0.0, (self.now - self.oldest_queued).total_seconds())

    @property
    def problems(self) -> list[str]:
        """Why the app is not healthy (empty when it is). A worker never seen is not a
        problem by itself; a task left waiting for one is."""
        found = []
        silent = self.silent_seconds
        if silent is not None and silent > settings.WORKER_SILENT_SECONDS:
            found.append(f"the background worker has been silent for {silent:.0f} s")
        waited = self.waited_seconds
        if waited is not None and waited > settings.TASK_WAIT_SECONDS:
            found.append(f"a queued task has waited {waited:.0f} s")
        return found

    def lines(self) -> list[str]:
        silent, waited = self.silent_seconds, self.waited_seconds
        beat_text = "never" if silent is None else f"{silent:.0f} s ago"
        wait_text = "none" if waited is None else f"waiting {waited:.0f} s"
        return [f"worker: last heartbeat {beat_text}", f"oldest queued task: {wait_text}"]


def health() -> Health:
    """The newest heartbeat and the oldest task ready to run (two queries)."""
    from django_tasks_db.models import DBTaskResult

    from .models import WorkerHeartbeat

    last = WorkerHeartbeat.objects.aggregate(last=Max("beat_at"))["last"]
    oldest = DBTaskResult.objects.ready().aggregate(oldest=Min("enqueued_at"))["oldest"]
    return Health(timezone.now(), last, oldest)
