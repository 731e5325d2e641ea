"""The background worker survives its faults (issue #16), against a live server with the
worker under its supervisor, as ``make serve`` runs them:
- killed in the middle of a render, it is started again and the PDF still arrives;
- with the SQLite database locked for longer than its busy timeout, the worker dies (as
  db_worker does) and is started again until the lock is gone: it is alive afterwards and
  a bulk export queued before the lock finishes.

The lock is held 5 s against a busy timeout of 2 s (the same fault as 25 s against the
20 s default, in a fifth of the time); ``FAULT_LOCK_SECONDS=25 FAULT_BUSY_TIMEOUT=20``
runs it at full length.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from liveserver import LiveServer, on_postgres  # noqa: E402

from tests.conftest import wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LOCK_SECONDS = float(os.environ.get("FAULT_LOCK_SECONDS", "5"))
BUSY_TIMEOUT = int(os.environ.get("FAULT_BUSY_TIMEOUT", "2"))
EXPORT_DELAY = 4.0  # the export is queued to run this long after it is queued

BIG_CANVAS = r"""
import django
django.setup()
from canvas.models import Venture, save_document
from tests.conftest import big_document

save_document(Venture.objects.get(slug="load-02"), big_document(50), source="manual")
"""

QUEUE_EXPORT = r"""
import json, sys, django
django.setup()
from datetime import timedelta
from django.utils import timezone
from canvas.models import BulkExport, Cohort, Venture
from canvas.tasks import export_cohort_pdfs

cohort, _ = Cohort.objects.get_or_create(slug="faults", defaults={"name": "Faults"})
Venture.objects.filter(slug__in=["load-01", "load-02"]).update(cohort=cohort)
export = BulkExport.objects.create(cohort=cohort, total=2)
run_after = timezone.now() + timedelta(seconds=float(sys.argv[1]))
result = export_cohort_pdfs.using(run_after=run_after).enqueue(export.pk)
BulkExport.objects.filter(pk=export.pk).update(task_id=str(result.id))
print(json.dumps({"export": export.pk, "run_after": run_after.timestamp()}))
"""


def run(server: LiveServer, code: str, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout


def client(server: LiveServer, founder: int = 1):
    import httpx

    http = httpx.Client(base_url=server.url, timeout=60)
    session = server.manifest["founders"][founder]["session"]
    http.cookies.set("sessionid", session, domain="127.0.0.1")
    return http


def heartbeat_age(server: LiveServer) -> float | None:
    import httpx

    text = httpx.get(server.url + "/healthz", timeout=30).text
    match = re.search(r"last heartbeat (\d+) s ago", text)
    return float(match.group(1)) if match else None


@pytest.fixture(scope="module")
def server():
    env = {"SQLITE_BUSY_TIMEOUT": str(BUSY_TIMEOUT)}
    with LiveServer(workers=2, founders=2, worker=True, collectstatic=True, env=env) as live:
        wait_for(lambda: heartbeat_age(live) is not None, 60, "no heartbeat")
        yield live


def test_a_worker_killed_mid_render_is_restarted_and_the_pdf_still_arrives(server):
    run(server, BIG_CANVAS)  # a 200-entry canvas: its render takes a few seconds
    url = "/ventures/load-02/canvas.pdf"
    (worker,) = server.pids("manage.py worker")
    with client(server) as http:
        assert http.get(url).status_code == 202
        wait_for(
            lambda: "It is being made now" in http.get(url, headers={"HX-Request": "true"}).text,
            120,
            "the render did not start",
        )
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 180
        response = http.get(url)
        while response.status_code == 202 and time.monotonic() < deadline:
            time.sleep(1)
            response = http.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    (restarted,) = server.pids("manage.py worker")
    assert restarted != worker
    log = server.worker_log()
    assert "supervisor: worker exited with code 137" in log
    assert "PDF(s) queued again" in log  # the restarted worker picked the render up


@pytest.mark.skipif(on_postgres(), reason="a SQLite database lock")
def test_the_worker_outlives_a_locked_database_and_a_queued_export_finishes(server):
    exits_before = server.worker_log().count("supervisor: worker exited")
    queued = json.loads(run(server, QUEUE_EXPORT, str(EXPORT_DELAY)).strip().splitlines()[-1])
    lock = sqlite3.connect(server.env["SQLITE_PATH"], timeout=30, isolation_level=None)
    try:
        lock.execute("BEGIN IMMEDIATE")  # no other write gets through until the rollback
        assert time.time() < queued["run_after"], "the export started before the lock"
        time.sleep(LOCK_SECONDS)
    finally:
        lock.execute("ROLLBACK")
        lock.close()

    def status() -> str:
        with sqlite3.connect(server.env["SQLITE_PATH"], timeout=30) as db:
            row = db.execute(
                "SELECT status FROM canvas_bulkexport WHERE id = ?", (queued["export"],)
            ).fetchone()
        return row[0]

    wait_for(lambda: status() in ("done", "failed"), 180, "the export did not finish")
    assert status() == "done"
    assert server.pids("manage.py worker")  # a worker is up
    wait_for(lambda: (heartbeat_age(server) or 99) <= 10, 30, "no fresh heartbeat")
    log = server.worker_log()
    assert log.count("supervisor: worker exited") > exits_before, "the lock did not bite"
