"""The bulk PDF export: a django.tasks task on the database backend (django-tasks-db).

Tests run the worker in-process, once: each queued task is claimed and run exactly as
``manage.py db_worker`` does it (``Worker.run_task``), without the worker's polling loop.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from canvas import tasks
from canvas.models import BulkExport, create_venture
from tests.conftest import client_for, run_tasks

FAKE_PDF = b"%PDF-1.7 stub\n%%EOF"


def run_worker_once() -> int:
    """Run every task that is ready, as the worker would; return how many."""
    return run_tasks()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def three_ventures(venture, cohort, sepsis_doc):
    """Sepsis Dx plus two more ventures in Northstar."""
    for slug, name in (("alpha-med", "Alpha Med"), ("beta-care", "Beta Care")):
        doc = sepsis_doc.model_copy(
            update={"venture": sepsis_doc.venture.model_copy(update={"name": name})}
        )
        create_venture(slug, doc, cohort=cohort)
    return cohort


@pytest.fixture
def stub_pdf(monkeypatch):
    """A fast stand-in for the PDF store's bulk_pdf; records the canvases it was given."""
    seen: list[str] = []

    def render(venture_id, doc, evaluation, worker=""):
        seen.append(doc.venture.name)
        assert evaluation is not None
        return FAKE_PDF

    monkeypatch.setattr(tasks, "bulk_pdf", render)
    return seen


def start(client, django_capture_on_commit_callbacks, slug="northstar", **headers):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/cohorts/{slug}/exports/", headers=headers)


def zip_names(export: BulkExport, media: Path) -> list[str]:
    with zipfile.ZipFile(media / export.file) as archive:
        return sorted(archive.namelist())


def test_starting_an_export_queues_a_task_and_shows_progress(
    carol_client, three_ventures, django_capture_on_commit_callbacks
):
    response = start(carol_client, django_capture_on_commit_callbacks, **{"HX-Request": "true"})
    export = BulkExport.objects.get()
    assert export.status == BulkExport.PENDING and export.total == 3
    assert export.task_id and DBTaskResult.objects.filter(pk=export.task_id).exists()
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="export"')
    assert f'hx-get="/cohorts/northstar/exports/{export.pk}/"' in html
    assert 'hx-trigger="every 1s"' in html
    assert '<progress id="export-progress" value="0" max="3"' in html


def test_without_htmx_starting_an_export_leads_to_its_own_page(
    carol_client, three_ventures, django_capture_on_commit_callbacks
):
    response = start(carol_client, django_capture_on_commit_callbacks)
    export = BulkExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cohorts/northstar/exports/{export.pk}/"
    page = carol_client.get(response["Location"]).content.decode()
    assert "<html" in page and '<meta http-equiv="refresh" content="2">' in page


def test_the_worker_makes_a_zip_with_one_pdf_per_venture(
    carol_client, three_ventures, stub_pdf, media, django_capture_on_commit_callbacks
):
    start(carol_client, django_capture_on_commit_callbacks)
    assert run_worker_once() == 1
    export = BulkExport.objects.get()
    assert export.status == BulkExport.DONE
    assert (export.done, export.total, export.failures) == (3, 3, [])
    assert export.finished_at is not None
    assert zip_names(export, media) == ["alpha-med.pdf", "beta-care.pdf", "sepsis-dx.pdf"]
    assert sorted(stub_pdf) == ["Alpha Med", "Beta Care", "Sepsis Dx"]
    task = DBTaskResult.objects.get(pk=export.task_id)
    assert task.status == "SUCCESSFUL"
    assert task.return_value == {"total": 3, "done": 3, "failed": 0, "file": export.file}


def test_a_broken_canvas_is_reported_and_the_rest_are_exported(
    carol_client, three_ventures, monkeypatch, media, django_capture_on_commit_callbacks
):
    def render(venture_id, doc, evaluation, worker=""):
        if doc.venture.name == "Beta Care":
            raise RuntimeError("WeasyPrint choked on this canvas")
        return FAKE_PDF

    monkeypatch.setattr(tasks, "bulk_pdf", render)
    start(carol_client, django_capture_on_commit_callbacks)
    run_worker_once()
    export = BulkExport.objects.get()
    assert export.status == BulkExport.DONE
    assert (export.done, export.total) == (3, 3)
    assert export.failures == [
        {
            "venture": "beta-care",
            "name": "Beta Care",
            "error": "RuntimeError: WeasyPrint choked on this canvas",
        }
    ]
    assert zip_names(export, media) == ["alpha-med.pdf", "sepsis-dx.pdf"]
    fragment = carol_client.get(
        f"/cohorts/northstar/exports/{export.pk}/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "Not exported (1)" in fragment and "Beta Care" in fragment
    assert "RuntimeError: WeasyPrint choked on this canvas" in fragment
    assert "1 failed" in fragment


def test_progress_polls_while_running_and_stops_with_a_download_link_when_done(
    carol_client, three_ventures, stub_pdf, django_capture_on_commit_callbacks
):
    start(carol_client, django_capture_on_commit_callbacks)
    export = BulkExport.objects.get()
    BulkExport.objects.filter(pk=export.pk).update(status=BulkExport.RUNNING, done=2)
    url = f"/cohorts/northstar/exports/{export.pk}/"
    running = carol_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in running
    assert '<progress id="export-progress" value="2" max="3"' in running
    assert "Making PDFs: 2 of 3" in running
    assert "Download zip" not in running

    BulkExport.objects.filter(pk=export.pk).update(status=BulkExport.PENDING, done=0)
    run_worker_once()
    done = carol_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done
    assert '<progress id="export-progress" value="3" max="3"' in done
    assert f'href="/cohorts/northstar/exports/{export.pk}/download/"' in done


def test_the_dashboard_shows_the_latest_export(
    carol_client, three_ventures, stub_pdf, django_capture_on_commit_callbacks
):
    start(carol_client, django_capture_on_commit_callbacks)
    run_worker_once()
    export = BulkExport.objects.get()
    page = carol_client.get("/cohorts/northstar/").content.decode()
    assert f'href="/cohorts/northstar/exports/{export.pk}/download/"' in page


def test_cohort_staff_download_the_zip(
    carol_client, three_ventures, stub_pdf, django_capture_on_commit_callbacks
):
    start(carol_client, django_capture_on_commit_callbacks)
    run_worker_once()
    export = BulkExport.objects.get()
    response = carol_client.get(f"/cohorts/northstar/exports/{export.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f'filename="northstar-canvases-{export.pk}.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 3


def test_staff_of_another_cohort_get_404_for_every_export_url(
    carol_client, erin, three_ventures, stub_pdf, django_capture_on_commit_callbacks
):
    start(carol_client, django_capture_on_commit_callbacks)
    run_worker_once()
    export = BulkExport.objects.get()
    outsider = client_for(erin)
    assert outsider.post("/cohorts/northstar/exports/").status_code == 404
    assert outsider.get(f"/cohorts/northstar/exports/{export.pk}/").status_code == 404
    assert outsider.get(f"/cohorts/northstar/exports/{export.pk}/download/").status_code == 404
    # nor through their own cohort's address
    assert outsider.get(f"/cohorts/elsewhere/exports/{export.pk}/").status_code == 404
    assert BulkExport.objects.count() == 1


def test_an_unfinished_export_has_nothing_to_download(
    carol_client, three_ventures, django_capture_on_commit_callbacks
):
    start(carol_client, django_capture_on_commit_callbacks)
    export = BulkExport.objects.get()
    assert carol_client.get(f"/cohorts/northstar/exports/{export.pk}/download/").status_code == 404


def test_starting_an_export_needs_a_post(carol_client, cohort):
    assert carol_client.get("/cohorts/northstar/exports/").status_code == 405


def test_the_real_renderer_makes_real_pdfs(
    carol_client, venture, cohort, sepsis_doc, media, django_capture_on_commit_callbacks
):
    pypdf = pytest.importorskip("pypdf")
    doc = sepsis_doc.model_copy(
        update={"venture": sepsis_doc.venture.model_copy(update={"name": "Gamma Dx"})}
    )
    create_venture("gamma-dx", doc, cohort=cohort)
    start(carol_client, django_capture_on_commit_callbacks)
    run_worker_once()
    export = BulkExport.objects.get()
    assert export.status == BulkExport.DONE, export.failures
    assert export.failures == []
    with zipfile.ZipFile(media / export.file) as archive:
        assert sorted(archive.namelist()) == ["gamma-dx.pdf", "sepsis-dx.pdf"]
        for name in archive.namelist():
            reader = pypdf.PdfReader(io.BytesIO(archive.read(name)))
            text = "".join(page.extract_text() for page in reader.pages)
            assert ("Gamma Dx" if name.startswith("gamma") else "Sepsis Dx") in text


def test_the_export_takes_stored_pdfs_and_stores_the_ones_it_renders(
    carol_client, alice, three_ventures, stub_renderer, get_pdf, django_capture_on_commit_callbacks
):
    from canvas.models import StoredPdf
    from tests.conftest import client_for

    # Sepsis Dx's current PDF is stored already: the export does not render it again
    assert get_pdf(client_for(alice), "/ventures/sepsis-dx/canvas.pdf").status_code == 200
    assert len(stub_renderer.jobs) == 1
    start(carol_client, django_capture_on_commit_callbacks)
    run_worker_once()
    export = BulkExport.objects.get()
    assert export.status == BulkExport.DONE and export.failures == []
    assert sorted(job["document"]["venture"]["name"] for job in stub_renderer.jobs) == [
        "Alpha Med",
        "Beta Care",
        "Sepsis Dx",
    ]
    assert StoredPdf.objects.filter(status=StoredPdf.DONE).count() == 3
    # and what it rendered is the venture's own current PDF: served at once
    alpha = carol_client.get("/ventures/alpha-med/canvas.pdf")
    assert alpha.status_code == 200 and alpha["Content-Type"] == "application/pdf"
