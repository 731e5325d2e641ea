"""Production settings: `check --deploy` passes, and each request leaves one JSON log line."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_env(**extra: str) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "EMAIL_"))
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="example.org",
        EMAIL_HOST="smtp.example.org",  # production sends mail; the console backend fails E001
        **extra,
    )
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_plain_http_overrides_are_reported_by_check_deploy():
    # `make serve` turns these off for plain http on loopback; check --deploy says so.
    env = production_env(DJANGO_SSL_REDIRECT="false", DJANGO_SECURE_COOKIES="false")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W008" in result.stderr
    assert "security.W012" in result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_settings_serve_static_files_from_a_hashed_manifest(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.STORAGES['staticfiles']['BACKEND'], "
        "settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, "
        "settings.SECURE_HSTS_SECONDS)"
    )
    env = production_env(DJANGO_SETTINGS_MODULE="canvas.settings")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "True",
        "True",
        "31536000",
    ]


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content.splitlines()[0] == b"ok"


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def request_log():
    logger = logging.getLogger("canvas.request")
    handler = _Capture()
    logger.addHandler(handler)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)


@pytest.mark.django_db
def test_each_request_writes_one_json_log_line_with_its_timing(client, request_log):
    client.get("/healthz")
    assert len(request_log) == 1
    line = json.loads(request_log[0])
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["queries"] == 2  # the worker's heartbeat and the oldest queued task
    assert line["user"] is None
    assert set(line) >= {"ts", "pid"}


@pytest.mark.django_db
def test_the_request_log_names_the_signed_in_user_and_leaves_out_the_query_string(
    django_user_model, request_log
):
    from tests.conftest import client_for

    user = django_user_model.objects.create_user(username="log@example.org", password="x" * 20)
    client = client_for(user)
    client.get("/?token=secret-share-token")
    line = json.loads(request_log[-1])
    assert line["user"] == user.pk
    assert line["path"] == "/"
    assert "secret-share-token" not in request_log[-1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, logged",
    [
        ("/s/secret-share-token-123/", "/s/[redacted]/"),
        ("/s/secret-share-token-123/canvas.pdf", "/s/[redacted]/canvas.pdf"),
        ("/invitations/secret-share-token-123/", "/invitations/[redacted]/"),
        ("/ventures/s/canvas/", "/ventures/s/canvas/"),
    ],
)
def test_the_request_log_never_holds_a_share_or_invitation_token(client, request_log, path, logged):
    client.get(path)
    line = json.loads(request_log[-1])
    assert line["path"] == logged
    assert "secret-share-token" not in request_log[-1]


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="static files do not depend on the database: checked once, in the SQLite run "
    "(compressing them takes about 15 s of CPU)",
)
def test_collectstatic_builds_the_hashed_manifest_that_make_serve_needs(tmp_path):
    # the same command scripts/serve runs (pdf.css is the PDF renderer's, read from static/)
    env = production_env(DJANGO_STATIC_ROOT=str(tmp_path))
    result = manage("collectstatic", "--noinput", "--ignore", "pdf.css", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert "css/app.css" in manifest["paths"]
    assert (tmp_path / manifest["paths"]["css/app.css"]).exists()


def test_check_deploy_passes_without_email_host_as_the_readme_says():
    # Production without EMAIL_HOST sends mail to a local mail server (SMTP on localhost:25),
    # never to the console: check --deploy's mail.E001 has nothing to report.
    env = production_env()
    del env["EMAIL_HOST"]
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_printing_mail_on_the_console_in_production_is_reported_by_check_deploy():
    env = production_env(DJANGO_EMAIL_CONSOLE="true")
    result = manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "mail.E001" in result.stderr
