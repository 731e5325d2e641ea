"""A production-like server for concurrency and load tests: gunicorn worker processes on a
free loopback port, DEBUG off, against a database of its own.

- SQLite: a file database in a temporary directory (WAL, IMMEDIATE transactions, busy
  timeout, as settings.py configures it), never the in-memory test database.
- PostgreSQL (DATABASE_URL set): a temporary database created next to the one the URL
  names and dropped afterwards, so a developer's database is never touched.

Used by tests/test_concurrency.py, tests/test_pdf_isolation.py, tests/test_pdf_faults.py and
bench/load_test.py::

    with LiveServer(workers=3, founders=4) as server:
        server.url          # http://127.0.0.1:<port>
        server.manifest     # what `manage.py load_setup --output` wrote
        server.snapshot("load-shared")   # the canvas as stored, read by a subprocess

``worker=True`` also runs the background worker under its supervisor, as ``make serve``
does (``scripts/with-worker``): ``server.pids("manage.py worker")`` finds its process,
``server.worker_log()`` reads what it wrote. ``env`` adds to the servers' environment.

Everything is bounded: each subprocess has a time limit, the start waits at most
``start_timeout`` seconds for /healthz, and stopping kills the server after a grace period.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@contextlib.contextmanager
def temporary_postgres_database(url: str) -> Iterator[str]:
    """Create an empty database on the server ``url`` names; yield its URL; drop it."""
    import psycopg

    parts = urlsplit(url)
    name = f"canvas_live_{os.getpid()}_{secrets.token_hex(3)}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(args: list[str], env: dict[str, str], timeout: float = 300) -> str:
    result = subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args[:3])} failed (exit {result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


SNAPSHOT = r"""
import json, sys
import django
django.setup()
from canvas.models import ENTRY_MODELS, ActivityLog, Canvas
from canvas.evaluator import evaluate

out = {}
for slug in sys.argv[1:]:
    canvas = Canvas.objects.select_related("venture").get(venture__slug=slug)
    entries = {
        block: [
            {"pk": r.pk, "version": r.version, "position": r.position, "data": r.to_data()}
            for r in model.objects.filter(canvas=canvas).order_by("position", "id")
        ]
        for block, model in ENTRY_MODELS.items()
    }
    fresh = evaluate(canvas.to_document()).to_dict()
    out[slug] = {
        "entries": entries,
        "venture_version": canvas.venture.version,
        "finances": {"cash_on_hand": canvas.cash_on_hand, "monthly_burn": canvas.monthly_burn,
                     "currency": canvas.currency, "version": canvas.finances_version},
        "readiness_version": canvas.readiness_version,
        "log": [
            {"id": a.id, "action": a.action, "summary": a.summary, "actor": a.actor_id}
            for a in ActivityLog.objects.filter(canvas=canvas).order_by("id")
        ],
        "cached_evaluation": canvas.evaluation,
        "fresh_evaluation": fresh,
        "cached_score": canvas.score,
    }
print(json.dumps(out))
"""


class LiveServer:
    """gunicorn (sync worker processes) on 127.0.0.1:<free port>, DEBUG off, own database."""

    def __init__(
        self,
        *,
        workers: int = 3,
        founders: int = 4,
        password: str | None = None,
        collectstatic: bool = False,
        start_timeout: float = 60,
        log_requests: bool = True,
        worker: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        self.workers = workers
        self.founders = founders
        self.password = password
        self.collectstatic = collectstatic
        self.start_timeout = start_timeout
        self.log_requests = log_requests
        self.worker = worker
        self.extra_env = dict(env or {})
        self.url = ""
        self.manifest: dict = {}
        self.env: dict[str, str] = {}
        self.log_path: Path | None = None
        self._stack = contextlib.ExitStack()
        self._process: subprocess.Popen | None = None
        self._worker: subprocess.Popen | None = None

    # -- lifecycle --
    def __enter__(self) -> LiveServer:
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def _start(self) -> None:
        tmp = Path(tempfile.mkdtemp(prefix="canvas-live-"))
        self._stack.callback(shutil.rmtree, tmp, ignore_errors=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(
            DJANGO_SETTINGS_MODULE="canvas.settings",
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SSL_REDIRECT="false",
            DJANGO_SECURE_COOKIES="false",
            DJANGO_STATIC_ROOT=str(tmp / "static"),
            DJANGO_REQUEST_LOG_LEVEL="INFO" if self.log_requests else "WARNING",
            PYTHONUNBUFFERED="1",
            DJANGO_MEDIA_ROOT=str(tmp / "media"),
            WORKER_LOG=str(tmp / "worker.log"),
            WORKER_ID=f"live-{os.getpid()}-{secrets.token_hex(3)}",
            **self.extra_env,
        )
        if on_postgres():
            env["DATABASE_URL"] = self._stack.enter_context(
                temporary_postgres_database(os.environ["DATABASE_URL"])
            )
        else:
            env.pop("DATABASE_URL", None)
            env["SQLITE_PATH"] = str(tmp / "db.sqlite3")
        self.env = env

        manage = [PYTHON, "manage.py"]
        _run([*manage, "migrate", "--noinput", "-v", "0"], env)
        if self.collectstatic:
            # pdf.css is the PDF renderer's own stylesheet, read from static/ by canvas/pdf.py
            # and never by a browser; its canvas-static: URLs are not web URLs.
            _run([*manage, "collectstatic", "--noinput", "-v", "0", "--ignore", "pdf.css"], env)
        manifest_path = tmp / "manifest.json"
        setup = [*manage, "load_setup", "--founders", str(self.founders)]
        setup += ["--output", str(manifest_path)]
        if self.password:
            setup += ["--password", self.password]
        _run(setup, env, timeout=600)
        self.manifest = json.loads(manifest_path.read_text(encoding="utf-8"))

        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = tmp / "server.log"
        log = self._stack.enter_context(self.log_path.open("wb"))
        self._process = subprocess.Popen(
            [
                GUNICORN,
                "canvas.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(self.workers),
                "--preload",  # import the app once, then fork the workers
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--error-logfile",
                "-",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._stack.callback(self._stop)
        self._wait_healthy()
        if self.worker:
            self._worker = subprocess.Popen(
                [str(ROOT / "scripts" / "with-worker"), "sleep", "86400"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stopped as one below
            )
            self._stack.callback(self._stop_worker)

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.server_log()[-4000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {self.start_timeout:.0f} s")

    def _stop(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)  # gunicorn: quick shutdown (the clients are done)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def _stop_worker(self) -> None:
        process = self._worker
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # whatever is left of the group
        process.wait(timeout=10)

    def pids(self, needle: str) -> list[int]:
        """The processes of the worker's group whose command line holds ``needle``
        (``"manage.py worker"``: the worker; ``"canvas.pdf.process"``: its render child)."""
        if self._worker is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if os.getpgid(int(entry.name)) != self._worker.pid:
                    continue
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, ProcessLookupError):
                continue
            if needle in command:
                found.append(int(entry.name))
        return sorted(found)

    def worker_log(self) -> str:
        path = Path(self.env.get("WORKER_LOG", ""))
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""

    # -- reading the result --
    def server_log(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def request_lines(self) -> list[dict]:
        """The JSON request-log lines the workers wrote."""
        lines = []
        for line in self.server_log().splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    lines.append(json.loads(line))
        return lines

    def snapshot(self, *slugs: str) -> dict:
        """Entries, versions, activity log and evaluations of these canvases, as stored."""
        out = _run([PYTHON, "-c", SNAPSHOT, *slugs], self.env, timeout=120)
        return json.loads(out)
