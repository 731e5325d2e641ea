"""The worker's render child (canvas/pdf/process.py, issue #16): a render runs in a child
process with a hard time limit enforced from outside it (the child is killed), a child that
dies is reported and replaced, and a child is recycled after N renders."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from canvas.pdf import PdfError, PdfTimeout
from canvas.pdf.process import RenderProcess
from tests.conftest import big_document, load_fixture, wait_for


def job(document: dict | None = None, **changes) -> dict:
    if document is None:
        document = load_fixture("sepsis-dx.json")
        document.update(channels=[], partners=[], vendors=[], activities=[], resources=[])
    base = {"document": document, "generated_at": datetime.now(UTC).isoformat()}
    return base | changes


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def renderer():
    process = RenderProcess(renders=50)
    yield process
    process.close()


def test_a_child_renders_jobs_until_it_is_recycled_after_n_and_closing_ends_it():
    renderer = RenderProcess(renders=3)
    try:
        first = renderer.render(job(load_fixture("sepsis-dx.json")), 120)
        pid = renderer.pid
        assert pid != os.getpid() and alive(pid)
        assert "Sepsis Dx" in PdfReader(io.BytesIO(first)).pages[0].extract_text()
        with pytest.raises(PdfError, match="is required"):  # a job that cannot be rendered
            renderer.render(job({"schema_version": 2}), 120)
        assert renderer.pid == pid  # the child is still up for the next job
        assert renderer.render(job(paper="a4"), 120).startswith(b"%PDF-")
        # that was its third job: it is retired, and a fresh child is started at once
        assert not alive(pid)
        fresh = renderer.pid
        assert fresh != pid and alive(fresh) and renderer.started == 2
    finally:
        renderer.close()
    assert renderer.pid is None and not alive(fresh)


def test_a_render_past_its_time_limit_is_killed_and_the_next_one_gets_a_new_child(renderer):
    renderer.start()
    pid = renderer.pid
    with pytest.raises(PdfTimeout, match=r"took longer than 0.05 s and was stopped"):
        renderer.render(job(), 0.05)
    assert not alive(pid)  # killed, and reaped
    assert renderer.render(job(), 120).startswith(b"%PDF-")
    assert renderer.pid != pid and renderer.started == 2


def test_a_child_that_dies_mid_render_is_reported_and_replaced(renderer):
    renderer.start()
    pid = renderer.pid
    big = job(big_document(50).to_data())
    killer = threading.Timer(0.5, os.kill, (pid, signal.SIGKILL))
    killer.start()
    try:
        with pytest.raises(PdfError, match=r"ended unexpectedly \(exit code -9\)"):
            renderer.render(big, 120)
    finally:
        killer.cancel()
    assert renderer.render(job(), 120).startswith(b"%PDF-")
    assert renderer.pid != pid


def test_the_child_renders_in_a_session_of_its_own_at_the_lowest_priority(renderer):
    """Under autogroup scheduling (Linux), nice counts only within a session: the child takes
    a session of its own, and gives that session's group the lowest priority too; on Linux
    it also takes the SCHED_IDLE policy."""
    renderer.start()
    pid = renderer.pid
    # the child is starting
    wait_for(lambda: os.getsid(pid) == pid, 20, "no session of its own", every=0.05)
    assert os.getsid(pid) == pid != os.getsid(0)
    assert os.getpriority(os.PRIO_PROCESS, pid) == 19
    group = Path(f"/proc/{pid}/autogroup")
    if group.exists():  # a kernel with autogroup: e.g. "/autogroup-123 nice 19"
        wait_for(
            lambda: group.read_text().strip().endswith("nice 19"),
            20,
            "its session's group is not at nice 19",
            every=0.05,
        )
    if hasattr(os, "SCHED_IDLE"):  # Linux: it runs only on a CPU that nothing else wants
        wait_for(
            lambda: os.sched_getscheduler(pid) == os.SCHED_IDLE,
            20,
            "it did not take SCHED_IDLE",
            every=0.05,
        )


WORKER = r"""
import os, sys, django
django.setup()
from datetime import UTC, datetime
from canvas.pdf.process import RenderProcess
from tests.conftest import big_document
renderer = RenderProcess()
renderer.start()
print(renderer.pid, flush=True)
document = big_document(200).to_data()  # 800 entries: a render of several seconds
renderer.render({"document": document, "generated_at": datetime.now(UTC).isoformat()}, 300)
print("rendered", flush=True)
"""


def test_a_child_ends_within_seconds_when_its_worker_is_killed_mid_render():
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "canvas.settings"}
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER], cwd=root, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        child = int(worker.stdout.readline())
        time.sleep(3)  # the child is loading, then rendering
        assert alive(child) and worker.poll() is None, "the render ended before the test"
        worker.kill()
        worker.wait()
        # it watches its parent every half second
        wait_for(lambda: not alive(child), 3, "the child outlived its worker", every=0.05)
    finally:
        worker.kill()
        worker.wait()
        worker.stdout.close()
