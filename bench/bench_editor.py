"""Benchmark: the canvas editor page and one htmx save, on SQLite.

Run from the repository root:  python bench/bench_editor.py [--per-block N] [--runs R]

Builds a throwaway SQLite database in a temporary directory, loads a canvas with N entries in
each of the four blocks (default 50, a 200-entry canvas; --per-block 200 is the largest canvas
the schema allows, 800 entries), signs a founder in, and times in-process requests through the
whole middleware stack with Django's test client: GET /ventures/<slug>/canvas/, an htmx POST
that edits one partner (with its version, so every save succeeds) and an htmx GET of the
readiness form (its five radio groups). Prints the median server time and CPU time of each.
Templates are rendered without debug information, as in production.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # conftest.big_document: the same canvas the tests use

PAGE_TARGET_MS = 50
SAVE_TARGET_MS = 30


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-block", type=int, default=50, help="entries in each block")
    parser.add_argument("--runs", type=int, default=30, help="timed requests of each kind")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="bench-editor-")
    os.environ["SQLITE_PATH"] = str(Path(tmp.name) / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canvas.settings")
    os.environ["DJANGO_LOG_LEVEL"] = "ERROR"

    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # before the template engine is built: no template debug info
    settings.TEMPLATES[0]["OPTIONS"]["debug"] = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    import logging

    from conftest import big_document
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from canvas.models import Membership, PartnerEntry, create_venture

    logging.disable(logging.CRITICAL)
    call_command("migrate", verbosity=0, interactive=False)
    user = get_user_model().objects.create_user("bench@example.org", password="x" * 20)
    venture = create_venture("bench", big_document(args.per_block, outsourced=True))
    Membership.objects.create(venture=venture, user=user, role="founder")
    client = Client()
    client.force_login(user)
    url = "/ventures/bench/canvas/"
    partner = PartnerEntry.objects.filter(canvas__venture=venture).order_by("position")[1]
    entries = 4 * args.per_block

    cpu: dict[str, list[float]] = {"page": [], "save": [], "form": []}

    def page() -> float:
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        elapsed = time.perf_counter() - start
        cpu["page"].append(time.process_time() - start_cpu)
        assert response.status_code == 200, response.status_code
        return elapsed

    def save(i: int) -> float:
        version = PartnerEntry.objects.values_list("version", flat=True).get(pk=partner.pk)
        data = {
            "name": partner.name,
            "partner_type": "technology",
            "strategic_value": f"Value {i}",
            "what_would_be_lost": "Time",
            "recovery_time": ("weeks", "years")[i % 2],
            "replacement_cost": ("minimal", "significant")[i % 2],
            "version": version,
        }
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.post(f"{url}partners/{partner.pk}/", data, HTTP_HX_REQUEST="true")
        elapsed = time.perf_counter() - start
        cpu["save"].append(time.process_time() - start_cpu)
        assert response.status_code == 200, response.status_code
        return elapsed

    def form() -> float:
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(f"{url}readiness/edit/", HTTP_HX_REQUEST="true")
        elapsed = time.perf_counter() - start
        cpu["form"].append(time.process_time() - start_cpu)
        assert response.status_code == 200, response.status_code
        return elapsed

    for i in range(3):  # warm up: templates compiled, caches filled
        page()
        save(i)
        form()
    for times in cpu.values():
        times.clear()
    page_ms = statistics.median(page() * 1000 for _ in range(args.runs))
    save_ms = statistics.median(save(i) * 1000 for i in range(args.runs))
    form_ms = statistics.median(form() * 1000 for _ in range(args.runs))
    page_cpu = statistics.median(cpu["page"]) * 1000
    save_cpu = statistics.median(cpu["save"]) * 1000
    form_cpu = statistics.median(cpu["form"]) * 1000

    print(
        f"canvas editor, {entries} entries ({args.per_block} per block), SQLite, {args.runs} runs"
    )
    print(
        f"  GET  canvas page       median {page_ms:6.1f} ms  (CPU {page_cpu:5.1f} ms)"
        f"  target < {PAGE_TARGET_MS} ms"
    )
    print(
        f"  POST htmx partner save median {save_ms:6.1f} ms  (CPU {save_cpu:5.1f} ms)"
        f"  target < {SAVE_TARGET_MS} ms"
    )
    print(f"  GET  htmx readiness form median {form_ms:6.1f} ms  (CPU {form_cpu:5.1f} ms)")
    print(f"  load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
