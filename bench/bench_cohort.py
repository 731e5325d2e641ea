"""Benchmark: the cohort dashboard and the bulk PDF export, on SQLite.

Run from the repository root:
    python bench/bench_cohort.py [--ventures 100] [--entries 40] [--runs 30] [--export N]

Builds a throwaway SQLite database in a temporary directory with one cohort of N ventures
(default 100), each canvas holding --entries entries (default 40: 10 in each of the four
blocks), made from the demo documents so scores and findings vary. Signs a cohort staff
member in and times in-process requests through the whole middleware stack with Django's
test client: the dashboard page, the htmx table fragment and the CSV. Prints the median
server time of each, wall and CPU (target: dashboard under 150 ms; on a busy machine the
CPU time is the steadier figure). Then runs the bulk PDF export of the cohort through the
real task queue and worker (``db_worker --batch``) and prints its total time and the time
per canvas PDF. By default the export covers the first 20 ventures (a full 100-canvas
export takes minutes, longer than ``make bench`` gives one script) and also prints the
projected time for the whole cohort; ``--export 100`` exports them all, ``--export 0``
skips the export.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DASHBOARD_TARGET_MS = 150
BLOCKS = ("channels", "partners", "activities", "resources")
NAME_KEY = {"channels": "channel"}


def build_documents(count: int, entries: int, seed: int = 7) -> list:
    """``count`` varied documents with ``entries`` entries each (spread over the blocks)."""
    from canvas.document import parse_document

    sources = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "fixtures").glob("*.json"))
        if not path.name.startswith("invalid_")
    ]
    fallback = next(s for s in sources if s["venture"]["name"] == "Sepsis Dx")
    rng = random.Random(seed)
    per_block = [entries // 4 + (1 if i < entries % 4 else 0) for i in range(4)]
    docs = []
    for index in range(count):
        data = json.loads(json.dumps(rng.choice(sources)))
        data["venture"]["name"] = f"Venture {index:03d}"
        for block, n in zip(BLOCKS, per_block, strict=True):
            pool = data[block] or fallback[block]
            key = NAME_KEY.get(block, "name")
            items = [dict(pool[i % len(pool)], **{key: f"{block[:-1]} {i}"}) for i in range(n)]
            if block == "activities":  # keep outsourced_to pointing at a listed partner
                partners = [p["name"] for p in data["partners"]] or [None]
                for i, item in enumerate(items):
                    if item.get("outsourced_to"):
                        item["outsourced_to"] = partners[i % len(partners)]
            data[block] = items
        docs.append(parse_document(data))
    return docs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ventures", type=int, default=100, help="ventures in the cohort")
    parser.add_argument("--entries", type=int, default=40, help="entries in each canvas")
    parser.add_argument("--runs", type=int, default=30, help="timed requests of each kind")
    parser.add_argument(
        "--export", type=int, default=20, help="ventures to export (default 20; 0: skip)"
    )
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="bench-cohort-")
    os.environ["SQLITE_PATH"] = str(Path(tmp.name) / "bench.sqlite3")
    os.environ["DJANGO_MEDIA_ROOT"] = str(Path(tmp.name) / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canvas.settings")
    os.environ["DJANGO_LOG_LEVEL"] = "ERROR"

    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # before the template engine is built: no template debug info
    settings.TEMPLATES[0]["OPTIONS"]["debug"] = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    import logging

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from canvas import tasks
    from canvas.models import BulkExport, Cohort, CohortStaff, Venture, create_venture

    logging.disable(logging.CRITICAL)
    call_command("migrate", verbosity=0, interactive=False)
    cohort = Cohort.objects.create(slug="bench", name="Bench cohort")
    build_start = time.perf_counter()
    for i, doc in enumerate(build_documents(args.ventures, args.entries)):
        create_venture(f"venture-{i:03d}", doc, cohort=cohort)
    build_s = time.perf_counter() - build_start
    user = get_user_model().objects.create_user("staff@example.org", password="x" * 20)
    CohortStaff.objects.create(cohort=cohort, user=user)
    client = Client()
    client.force_login(user)

    cpu: dict[str, list[float]] = {}

    def timed(url: str, **headers: str) -> float:
        """Wall milliseconds of one request; its CPU milliseconds go to ``cpu[url]``."""
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers)
        elapsed = time.perf_counter() - start
        cpu.setdefault(url, []).append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        return elapsed * 1000

    page_url = "/cohorts/bench/"
    table_url = "/cohorts/bench/?sort=score&dir=desc"
    htmx = {"HX-Request": "true", "HX-Target": "table"}
    for _ in range(3):  # warm up: templates compiled, caches filled
        timed(page_url)
        timed(table_url, **htmx)
    cpu.clear()
    csv_url = "/cohorts/bench/canvases.csv"
    page_ms = statistics.median(timed(page_url) for _ in range(args.runs))
    table_ms = statistics.median(timed(table_url, **htmx) for _ in range(args.runs))
    csv_ms = statistics.median(timed(csv_url) for _ in range(args.runs))
    page_cpu, table_cpu, csv_cpu = (
        statistics.median(cpu[url]) for url in (page_url, table_url, csv_url)
    )
    verdict = "ok" if page_ms < DASHBOARD_TARGET_MS else "OVER TARGET"

    print(
        f"cohort dashboard, {args.ventures} ventures x {args.entries} entries, SQLite, "
        f"{args.runs} runs (cohort built in {build_s:.1f} s)"
    )
    print(
        f"  GET dashboard page   median {page_ms:6.1f} ms  (CPU {page_cpu:5.1f} ms)"
        f"  target < {DASHBOARD_TARGET_MS} ms  {verdict}"
    )
    print(f"  GET htmx table       median {table_ms:6.1f} ms  (CPU {table_cpu:5.1f} ms)")
    print(f"  GET canvases.csv     median {csv_ms:6.1f} ms  (CPU {csv_cpu:5.1f} ms)")

    exported = min(args.export, args.ventures)
    if exported:
        if exported < args.ventures:  # export a smaller cohort of the first N ventures
            cohort = Cohort.objects.create(slug="bench-export", name="Export sample")
            keep = Venture.objects.order_by("slug").values_list("pk", flat=True)[:exported]
            Venture.objects.filter(pk__in=list(keep)).update(cohort=cohort)
        durations: list[float] = []
        render = tasks.bulk_pdf  # from the PDF store: rendered in the worker's render child

        def measured(*args, **kwargs):
            start = time.perf_counter()
            try:
                return render(*args, **kwargs)
            finally:
                durations.append(time.perf_counter() - start)

        tasks.bulk_pdf = measured
        start = time.perf_counter()
        export = tasks.start_export(cohort, user)  # autocommit: queued at once
        call_command(
            "db_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--interval=0",
            verbosity=0,
            stdout=StringIO(),
        )
        total_s = time.perf_counter() - start
        export = BulkExport.objects.get(pk=export.pk)
        size = (Path(settings.MEDIA_ROOT) / export.file).stat().st_size if export.file else 0
        print(
            f"bulk PDF export, {export.total} canvases through db_worker: status {export.status}, "
            f"{len(export.failures)} failed, zip {size / 1e6:.1f} MB"
        )
        for failure in export.failures:
            print(f"  failed: {failure['venture']}: {failure['error']}")
        print(f"  total export time    {total_s:6.1f} s")
        if durations:
            print(
                f"  per canvas PDF       median {statistics.median(durations) * 1000:6.0f} ms"
                f"  (mean {total_s / len(durations) * 1000:.0f} ms including zip and queue)"
            )
            if exported < args.ventures:
                projected = total_s / len(durations) * args.ventures
                print(f"  projected for all {args.ventures} canvases  {projected:6.0f} s")
        # the same export again: every canvas unchanged, so every PDF comes from the store
        start = time.perf_counter()
        again = tasks.start_export(cohort, user)
        call_command(
            "db_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--interval=0",
            verbosity=0,
            stdout=StringIO(),
        )
        again = BulkExport.objects.get(pk=again.pk)
        print(
            f"  the same export again (PDFs from the store): {time.perf_counter() - start:.1f} s, "
            f"status {again.status}"
        )
    print(f"  load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
