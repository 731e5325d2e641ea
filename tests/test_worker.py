"""The background worker stays up and says so (issue #16): its heartbeat, what /healthz
reports from it and from the queue, and what a restarted worker picks up (canvas/worker.py).
The worker under its supervisor, killed and locked out for real, is in test_pdf_faults.py."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from canvas import worker
from canvas.models import BulkExport, StoredPdf, WorkerHeartbeat
from canvas.tasks import export_cohort_pdfs, make_pdf


def healthz(client):
    response = client.get("/healthz")
    return response.status_code, response.content.decode().splitlines()


def beat_ago(seconds: float) -> None:
    WorkerHeartbeat.objects.create(
        worker="host-worker", pid=1, beat_at=timezone.now() - timedelta(seconds=seconds)
    )


def queued_ago(seconds: float) -> DBTaskResult:
    result = make_pdf.enqueue("0" * 64)
    row = DBTaskResult.objects.get(pk=result.id)
    DBTaskResult.objects.filter(pk=row.pk).update(
        enqueued_at=timezone.now() - timedelta(seconds=seconds)
    )
    return row


def test_healthz_reports_a_worker_never_seen_and_an_empty_queue(client, db):
    assert healthz(client) == (
        200,
        ["ok", "worker: last heartbeat never", "oldest queued task: none"],
    )


def test_healthz_reports_the_last_heartbeat_and_the_oldest_queued_task(client, db):
    beat_ago(12)
    queued_ago(30)
    status, lines = healthz(client)
    assert status == 200 and lines[0] == "ok"
    # (a second more on a slow minute)
    assert re.fullmatch(r"worker: last heartbeat 1[23] s ago", lines[1])
    assert re.fullmatch(r"oldest queued task: waiting 3[01] s", lines[2])


def test_healthz_answers_503_when_the_worker_has_been_silent_over_60_s(client, db):
    beat_ago(61)
    status, lines = healthz(client)
    assert status == 503
    assert re.fullmatch(r"unhealthy: the background worker has been silent for 6[12] s", lines[0])


def test_healthz_answers_503_when_a_task_has_waited_over_5_minutes(client, db):
    beat_ago(2)
    queued_ago(299)
    assert healthz(client)[0] == 200
    DBTaskResult.objects.all().delete()
    queued_ago(301)
    status, lines = healthz(client)
    assert status == 503
    assert re.fullmatch(r"unhealthy: a queued task has waited 30[12] s", lines[0])


def test_a_running_or_finished_task_is_not_waiting(client, db):
    row = queued_ago(600)
    row.claim("host-worker")
    assert healthz(client)[0] == 200


def test_healthz_answers_503_when_the_database_does_not(client, db, monkeypatch):
    def down():
        raise DatabaseError("no such table")

    monkeypatch.setattr("canvas.views.health.health", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable"


def test_healthz_takes_two_queries(client, db, django_assert_num_queries):
    with django_assert_num_queries(2):
        client.get("/healthz")


def test_a_beat_writes_one_row_per_worker(db):
    started = timezone.now()
    worker.beat("host-worker", started)
    worker.beat("host-worker", started)
    beat = WorkerHeartbeat.objects.get()
    assert beat.worker == "host-worker" and beat.started_at == started
    assert (timezone.now() - beat.beat_at).total_seconds() < 5


def test_the_heartbeat_thread_beats_until_stopped_and_survives_a_failed_beat(monkeypatch):
    beats: list[str] = []
    twice = threading.Event()

    def beat(name, started_at):
        beats.append(name)
        if len(beats) == 1:
            raise DatabaseError("database is locked")  # logged; the next beat comes anyway
        twice.set()

    monkeypatch.setattr(worker, "beat", beat)
    monkeypatch.setattr(worker.connection, "close", lambda: None)
    heartbeat = worker.Heartbeat("host-worker", seconds=0.01)
    heartbeat.start()
    assert twice.wait(5)
    heartbeat.stop()
    assert not heartbeat._thread.is_alive()
    count = len(beats)
    assert count >= 2 and beats == ["host-worker"] * count


# --- a restarted worker picks up what its previous run left --------------------------------


def claimed(task_result, worker_id: str) -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=task_result.id)
    row.claim(worker_id)
    return row


def rendering(key: str, worker_id: str, attempts: int = 1) -> StoredPdf:
    return StoredPdf.objects.create(
        key=key,
        status=StoredPdf.RENDERING,
        worker=worker_id,
        attempts=attempts,
        job={"document": {}},
    )


def test_a_restarted_worker_queues_again_the_pdf_it_was_rendering(
    db, django_capture_on_commit_callbacks
):
    left = claimed(make_pdf.enqueue("a" * 64), "host-worker")
    rendering("a" * 64, "host-worker")
    rendering("b" * 64, "other-host-worker")  # another worker's: alive, left alone
    with django_capture_on_commit_callbacks(execute=True):
        assert worker.recover("host-worker") == {"tasks": 1, "pdfs": 1, "exports": 0}
    left.refresh_from_db()
    assert left.status == "FAILED"
    assert left.exception_class_path == "canvas.worker.WorkerStopped"
    assert StoredPdf.objects.get(key="a" * 64).status == StoredPdf.QUEUED
    assert StoredPdf.objects.get(key="b" * 64).status == StoredPdf.RENDERING
    queued = DBTaskResult.objects.ready().get()
    assert queued.task_path == "canvas.tasks.make_pdf"
    assert queued.args_kwargs["args"] == ["a" * 64]


def test_a_pdf_whose_worker_died_under_it_three_times_fails_with_a_reason(db):
    rendering("c" * 64, "host-worker", attempts=3)
    worker.recover("host-worker")
    row = StoredPdf.objects.get()
    assert row.status == StoredPdf.FAILED
    assert "stopped while rendering this PDF" in row.error
    assert not DBTaskResult.objects.ready().exists()


def test_a_restarted_worker_marks_the_bulk_export_it_was_building_failed(db, cohort):
    export = BulkExport.objects.create(cohort=cohort, status=BulkExport.RUNNING, total=3)
    claimed(export_cohort_pdfs.enqueue(export.pk), "host-worker")
    assert worker.recover("host-worker")["exports"] == 1
    export.refresh_from_db()
    assert export.status == BulkExport.FAILED and export.finished_at is not None


@pytest.mark.parametrize("other", ["other-host-worker", ""])
def test_tasks_of_other_workers_are_left_alone(db, other):
    row = claimed(make_pdf.enqueue("d" * 64), other) if other else None
    assert worker.recover("host-worker") == {"tasks": 0, "pdfs": 0, "exports": 0}
    if row:
        row.refresh_from_db()
        assert row.status == "RUNNING"
