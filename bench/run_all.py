"""Run every benchmark script (bench/bench_*.py) and print one table (make bench).

Each script runs in its own process from the repository root, with a time limit, and
prints its own figures; this gathers those lines into one Markdown table, headed by the
machine it ran on, ready for the "Performance" section of the README.

    python bench/run_all.py [--timeout SECONDS] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def machine() -> str:
    """CPU model, cores, memory, OS and Python: where the figures were measured."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
                break
    except OSError:
        pass
    os_name = platform.platform(terse=True)
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}; {os_name}; Python {platform.python_version()}"


def load_average() -> str:
    """The 1-minute load average: figures measured on a busy machine are slower."""
    try:
        return f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    except OSError:
        return "load average unknown"


def database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return "PostgreSQL (DATABASE_URL)" if url.startswith("postgres") else "SQLite"


def run(script: Path, timeout: float) -> tuple[list[str], float, str]:
    """(output lines, wall seconds, status) of one script."""
    start = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, str(script)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return [], time.perf_counter() - start, f"timed out after {timeout:.0f} s"
    elapsed = time.perf_counter() - start
    lines = [line.rstrip() for line in result.stdout.splitlines() if line.strip()]
    if result.returncode != 0:
        tail = [line for line in result.stderr.splitlines() if line.strip()][-3:]
        how = (
            f"killed by signal {-result.returncode}"
            if result.returncode < 0
            else f"exit {result.returncode}"
        )
        return lines + tail, elapsed, f"failed ({how})"
    return lines, elapsed, "ok"


def cell(text: str) -> str:
    return text.replace("|", "\\|").strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=600, help="per script (seconds)")
    parser.add_argument("--only", nargs="*", help="script names (bench_pdf or pdf) to run")
    args = parser.parse_args()

    scripts = sorted(BENCH.glob("bench_*.py"))
    if args.only:
        wanted = {name.removeprefix("bench_").removesuffix(".py") for name in args.only}
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in wanted]
    if not scripts:
        print("no benchmark scripts found in bench/", file=sys.stderr)
        return 1

    start_load = load_average()
    rows: list[tuple[str, str, str]] = []
    failed = 0
    for script in scripts:
        print(f"running {script.name} ...", file=sys.stderr, flush=True)
        lines, elapsed, status = run(script, args.timeout)
        if status != "ok":
            failed += 1
        name = script.stem.removeprefix("bench_")
        first = True
        for line in lines or ["(no output)"]:
            rows.append(
                (
                    name if first else "",
                    line.strip(),
                    (f"{elapsed:.1f} s" + ("" if status == "ok" else f" — {status}"))
                    if first
                    else "",
                )
            )
            first = False

    print()
    print(f"Measured on: {machine()}; database: {database()}")
    print(f"At the start: {start_load}; at the end: {load_average()}")
    print()
    print("| Benchmark | Result | Wall time |")
    print("|---|---|---|")
    for name, line, wall in rows:
        print(f"| {cell(name)} | {cell(line)} | {cell(wall)} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
