"""``python manage.py worker``: the background worker.

It is django-tasks-db's ``db_worker`` (the same options: ``--interval``, ``--batch``,
``--max-tasks``, ``--worker-id`` ...) with three additions (``canvas/worker.py``): it first
cleans up after an earlier run with the same ``--worker-id`` that stopped mid-task, it
writes a heartbeat every few seconds for ``/healthz``, and it starts its PDF render child
before the first task. ``scripts/with-worker`` runs it under a supervisor that restarts it
when it exits, always with the same id.
"""

from __future__ import annotations

import os

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from canvas.pdf import store
from canvas.worker import Heartbeat, recover

WORKER_NICE = 10  # Unix nice: below the web's requests, above the render child (19)


class Command(DbWorkerCommand):
    help = (
        "Run the background worker (django-tasks-db's db_worker) with a heartbeat for "
        "/healthz and recovery of the tasks an earlier run with the same --worker-id left."
    )

    def handle(self, *args, **options):
        # Background work gives way to the web's requests when they share the CPUs (the
        # render child goes further down, to nice 19 and SCHED_IDLE).
        os.nice(WORKER_NICE)
        worker = options["worker_id"]
        recover(worker)
        heartbeat = Heartbeat(worker)
        heartbeat.start()
        store.renderer().start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
            store.renderer().close()

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # The autoreloader would run this command twice (two heartbeats, two render
        # children); restart the worker by hand after a code change instead.
        parser.set_defaults(reload=False)
