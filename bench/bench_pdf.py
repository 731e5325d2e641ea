"""Benchmark: the canvas PDF, measured in-process after a warm-up.

Run from the repository root:  python bench/bench_pdf.py [--runs N] [--big-runs N]

For each of the two worked examples and a 200-entry canvas (50 per block) it prints
- the median time of ``manage.py canvas_pdf FILE -o OUT.pdf`` run in-process
  (``call_command``: read and validate the file, evaluate, render, write atomically),
  as the app makes it: page 1 in this process and the later pages in its helper process
  (canvas/pdf/split.py; the benchmark waits for the helper to start, as a web worker's
  helper is up after its first PDF), and how many timed renders were made that way;
  its CPU time is both processes' (this one's and the helper's);
- the same command with the report laid out whole in one process (PDF_SECOND_PROCESS
  off), for comparison;
- the median time of a bare WeasyPrint render of the same HTML without the app around
  it (``HTML(string).write_pdf(stylesheets=[CSS])`` with WeasyPrint's own URL fetcher,
  file: URLs and a new font configuration, as a plain WeasyPrint user would), and the
  ratio app / bare: the app's overhead is the ratio minus one;
- what the render deadline costs per render (the watchdog thread).
The machine is shared, so it also prints the load average and a fixed pure-Python
workload's time: figures measured under load are slower across the board.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canvas.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import override_settings  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from weasyprint import CSS, HTML  # noqa: E402

from canvas import pdf  # noqa: E402
from canvas.document import parse_document  # noqa: E402
from canvas.evaluator import evaluate  # noqa: E402
from canvas.pdf import split  # noqa: E402
from canvas.pdf.report import Report  # noqa: E402

TARGET_SECONDS = 0.5
OVERHEAD_LIMIT = 0.20


def helper_cpu_seconds() -> float:
    """CPU seconds the PDF helper process has used so far (0 when there is none)."""
    process = split.helper().process
    if process is None or process.poll() is not None:
        return 0.0
    try:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def cpu_seconds() -> float:
    """CPU seconds of this process and its PDF helper."""
    return time.process_time() + helper_cpu_seconds()


def median_times(
    funcs: dict[str, Callable[[], object]], runs: int
) -> dict[str, tuple[float, float, float]]:
    """Median (wall, CPU) seconds and the fastest wall time of each function, after one
    warm-up call each (the fastest run is the one least disturbed by the machine). The
    calls are interleaved (a, b, c, a, b, c, ...) so that a burst of load elsewhere on a
    shared machine hits all of them alike; CPU time (this process and its PDF helper) is
    steadier than wall time when other processes compete for the cores."""
    for func in funcs.values():
        func()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in funcs}
    for _ in range(runs):
        for name, func in funcs.items():
            wall, cpu = time.perf_counter(), cpu_seconds()
            func()
            times[name].append((time.perf_counter() - wall, cpu_seconds() - cpu))
    return {
        name: (
            statistics.median(t[0] for t in values),
            statistics.median(t[1] for t in values),
            min(t[0] for t in values),
        )
        for name, values in times.items()
    }


def deadline_cost(calls: int = 500) -> float:
    """Seconds the render deadline adds to one render: the same small job with and
    without it (a whole render is too noisy on a shared machine to show 0.1 ms)."""

    def job() -> int:
        return sum(range(20_000))

    def timed(seconds: float) -> float:
        pdf.run_with_deadline(seconds, job)
        start = time.perf_counter()
        for _ in range(calls):
            pdf.run_with_deadline(seconds, job)
        return (time.perf_counter() - start) / calls

    return timed(60) - timed(0)


def calibration() -> float:
    """Seconds for a fixed pure-Python loop: compare runs on the same machine with it."""
    start = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += i
    return time.perf_counter() - start


def bare_render(html: str) -> bytes:
    """WeasyPrint without the app: default fetcher, file: URLs, fresh fonts."""
    css_text = (pdf.STATIC_DIR / "css" / "pdf.css").read_text()
    css_text = css_text.replace(f"{pdf.STATIC_SCHEME}:", pdf.STATIC_DIR.as_uri() + "/")
    return HTML(string=html, base_url=str(pdf.STATIC_DIR)).write_pdf(
        stylesheets=[CSS(string=css_text, base_url=str(pdf.STATIC_DIR))]
    )


def app_html(doc) -> str:
    """The HTML the app renders for ``doc`` (after its layout check)."""
    return Report(doc, evaluate(doc), "current", datetime.now(UTC), (), "").laid_out()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per worked example")
    parser.add_argument("--big-runs", type=int, default=3, help="timed runs for 200 entries")
    args = parser.parse_args()

    from conftest import big_document

    work = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    big = work / "big-200.json"
    big.write_text(big_document(50).to_json())
    cases = [
        ("sepsis-dx (worked example, healthtech)", ROOT / "fixtures" / "sepsis-dx.json", args.runs),
        (
            "sepsis-predict (worked example, digital medicine)",
            ROOT / "fixtures" / "sepsis-predict.json",
            args.runs,
        ),
        ("200 entries (50 per block)", big, args.big_runs),
    ]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"machine: load average {load:.2f} on {os.cpu_count()} cores; "
        f"calibration: a fixed pure-Python loop takes {calibration():.2f} s"
    )
    ready = split.helper().wait_ready(60)
    print(f"PDF helper process: {'up' if ready else 'NOT available (reports are laid out whole)'}")
    joins = [0]
    real_join = split.join

    def counting_join(first: bytes, rest: bytes) -> bytes:
        joins[0] += 1
        return real_join(first, rest)

    split.join = counting_join
    for title, path, runs in cases:
        out = work / "out.pdf"
        doc = parse_document(path.read_bytes())
        html = app_html(doc)

        def command(path: Path = path, out: Path = out) -> None:
            call_command(
                "canvas_pdf", str(path), "-o", str(out), "--timeout", "600", stdout=io.StringIO()
            )

        def whole(path: Path = path, out: Path = out) -> None:
            with override_settings(PDF_SECOND_PROCESS=False):
                command(path, out)

        joins[0] = 0
        medians = median_times(
            {"command": command, "whole": whole, "bare": lambda html=html: bare_render(html)},
            runs,
        )
        in_parts = joins[0] - 1  # less the warm-up call
        (command_wall, command_cpu, fastest), (bare, bare_cpu, _) = (
            medians["command"],
            medians["bare"],
        )
        whole_wall, whole_cpu, whole_fastest = medians["whole"]
        pages = len(PdfReader(io.BytesIO(out.read_bytes())).pages)
        verdict = ""
        if "worked example" in title:
            met = "met" if command_wall < TARGET_SECONDS else "NOT met"
            verdict = f" (target < {TARGET_SECONDS} s: {met})"
        print(
            f"{title}: canvas_pdf median {command_wall:.3f} s wall, {command_cpu:.3f} s CPU "
            f"over {runs} runs{verdict}; fastest run {fastest:.3f} s; {pages} pages; "
            f"{in_parts} of {runs} timed runs made in parts"
        )
        print(
            f"  laid out whole in one process: median {whole_wall:.3f} s wall, "
            f"{whole_cpu:.3f} s CPU; fastest run {whole_fastest:.3f} s"
        )
        for label, app, plain in (("wall", command_wall, bare), ("CPU", command_cpu, bare_cpu)):
            ratio = app / plain
            met = "met" if ratio - 1 < OVERHEAD_LIMIT else "NOT met"
            print(
                f"  bare WeasyPrint, same HTML: {plain:.3f} s {label}; app / bare = {ratio:.2f} "
                f"(app overhead {(ratio - 1) * 100:+.0f}%, limit +{OVERHEAD_LIMIT * 100:.0f}%: "
                f"{met})"
            )
    print(
        f"render deadline: {deadline_cost() * 1e6:.0f} µs per render (watchdog thread start + join)"
    )


if __name__ == "__main__":
    main()
