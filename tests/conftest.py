"""The named cast every test draws on.

- alice:   founder of Sepsis Dx (may edit, export, share, resolve comments)
- dave:    co-founder of Sepsis Dx (same rights as alice)
- bob:     advisor of Sepsis Dx (reads, comments, exports; never edits)
- carol:   staff of the Northstar cohort, which holds Sepsis Dx (reads every canvas there)
- erin:    staff of another cohort (sees nothing of Northstar: 404)
- frank:   founder of another venture, Other Co (sees nothing of Sepsis Dx: 404)
- mallory: signed in, belongs to nothing (404 everywhere)
"""

from __future__ import annotations

import copy
import json
import re
import time
from pathlib import Path

import pytest
from django.test import Client

from canvas.document import CanvasDocument, parse_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PASSWORD = "a-long-test-password-42"


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def wait_for(condition, seconds: float, what: str, *, every: float = 0.2) -> None:
    """Wait until ``condition()`` holds, asking every ``every`` seconds; fail with ``what``
    once ``seconds`` have passed without it."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} in {seconds:g} s"
        time.sleep(every)


def run_tasks() -> int:
    """Run the queued background tasks (PDF renders, bulk exports) here and now, the way
    ``manage.py worker`` runs them (django-tasks-db's worker: claim, run, record), until the
    queue is empty; return how many ran. Renders still happen in the render child process.
    Tasks are queued when the transaction commits: wrap the request in
    ``django_capture_on_commit_callbacks(execute=True)``. (Not ``Worker.run``: it closes
    the connection between tasks, and with it a test's transaction on PostgreSQL.)"""
    from django.db import transaction
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with transaction.atomic():  # as the worker does: SELECT ... FOR UPDATE needs one
            result = DBTaskResult.objects.ready().get_locked()
            if result is None:
                return ran
            result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1


class StubRenderer:
    """Stands in for the worker's render child (``canvas.pdf.process.RenderProcess``):
    records each job and answers a tiny PDF, or raises ``error`` when it is set."""

    PDF = b"%PDF-1.7 stub"

    def __init__(self) -> None:
        self.jobs: list[dict] = []
        self.error: Exception | None = None

    def render(self, job: dict, seconds: float) -> bytes:
        self.jobs.append(job)
        if self.error is not None:
            raise self.error
        return self.PDF

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def stub_renderer(monkeypatch) -> StubRenderer:
    """PDFs "rendered" by the worker are stubs (for access, flow and query tests)."""
    from canvas.pdf import store

    stub = StubRenderer()
    monkeypatch.setattr(store, "_renderer", stub)
    return stub


def visible_text(html: str) -> str:
    """The page's text with its tags taken out, as a person reads it ("Add a partner" whatever
    spans carry its words)."""
    return re.sub(r"<[^>]+>", "", html)


def pdf_bytes(response) -> bytes:
    """The body of a PDF download (a streamed FileResponse) or of any other response."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def get_pdf(django_capture_on_commit_callbacks):
    """GET a PDF address as a script that simply asks again would: the first answer is the
    "Preparing your PDF…" page (202) and queues the render; the worker runs it
    (``run_tasks``); the second answer is the file. Returns the last response."""

    def get(client, url: str, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            first = client.get(url, **kwargs)
        if first.status_code != 202:
            return first
        with django_capture_on_commit_callbacks(execute=True):
            run_tasks()
        return client.get(url, **kwargs)

    return get


def big_document(entries_per_block: int = 50, *, outsourced: bool = False) -> CanvasDocument:
    """A canvas with ``entries_per_block`` entries in each of the four blocks; with
    ``outsourced``, activity i is outsourced to partner i."""
    data = load_fixture("sepsis-dx.json")
    n = entries_per_block
    data["channels"] = [dict(data["channels"][i % 6], channel=f"Channel {i}") for i in range(n)]
    data["partners"] = [dict(data["partners"][i % 5], name=f"Partner {i}") for i in range(n)]
    data["activities"] = [
        dict(
            data["activities"][i % 5],
            name=f"Activity {i}",
            outsourced_to=f"Partner {i}" if outsourced else None,
        )
        for i in range(n)
    ]
    data["resources"] = [dict(data["resources"][i % 6], name=f"Resource {i}") for i in range(n)]
    return parse_document(data)


@pytest.fixture
def sepsis_data() -> dict:
    return copy.deepcopy(load_fixture("sepsis-dx.json"))


@pytest.fixture
def sepsis_doc(sepsis_data) -> CanvasDocument:
    return parse_document(sepsis_data)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Stored PDFs and exports go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is deliberately slow; tests need not be."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(django_user_model, name: str):
    return django_user_model.objects.create_user(
        username=f"{name}@example.org", email=f"{name}@example.org", password=PASSWORD
    )


@pytest.fixture
def cohort(db):
    from canvas.models import Cohort

    return Cohort.objects.create(slug="northstar", name="Northstar")


@pytest.fixture
def other_cohort(db):
    from canvas.models import Cohort

    return Cohort.objects.create(slug="elsewhere", name="Elsewhere")


@pytest.fixture
def venture(db, cohort, sepsis_doc):
    from canvas.models import create_venture

    return create_venture("sepsis-dx", sepsis_doc, cohort=cohort)


@pytest.fixture
def other_venture(db, other_cohort, sepsis_doc):
    from canvas.models import create_venture

    doc = sepsis_doc.model_copy(
        update={"venture": sepsis_doc.venture.model_copy(update={"name": "Other Co"})}
    )
    return create_venture("other-co", doc, cohort=other_cohort)


def _member(venture, user, role):
    from canvas.models import Membership

    Membership.objects.create(venture=venture, user=user, role=role)
    return user


@pytest.fixture
def alice(django_user_model, venture):
    return _member(venture, _user(django_user_model, "alice"), "founder")


@pytest.fixture
def dave(django_user_model, venture):
    return _member(venture, _user(django_user_model, "dave"), "founder")


@pytest.fixture
def bob(django_user_model, venture):
    return _member(venture, _user(django_user_model, "bob"), "advisor")


@pytest.fixture
def carol(django_user_model, cohort):
    from canvas.models import CohortStaff

    user = _user(django_user_model, "carol")
    CohortStaff.objects.create(cohort=cohort, user=user)
    return user


@pytest.fixture
def erin(django_user_model, other_cohort):
    from canvas.models import CohortStaff

    user = _user(django_user_model, "erin")
    CohortStaff.objects.create(cohort=other_cohort, user=user)
    return user


@pytest.fixture
def frank(django_user_model, other_venture):
    return _member(other_venture, _user(django_user_model, "frank"), "founder")


@pytest.fixture
def mallory(django_user_model, db):
    return _user(django_user_model, "mallory")


def client_for(user, **options) -> Client:
    """A test client signed in as ``user`` (``options`` for Client, such as
    ``enforce_csrf_checks=True``)."""
    client = Client(**options)
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice):
    return client_for(alice)


@pytest.fixture
def bob_client(bob):
    return client_for(bob)


@pytest.fixture
def carol_client(carol):
    return client_for(carol)


@pytest.fixture
def mallory_client(mallory):
    return client_for(mallory)


# --- browser tests (Playwright driving Debian's chromium) ---------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class WatchedBrowser:
    """The browser, with every context it opens watched for Content-Security-Policy console
    errors (``csp_errors``); ``no_csp_errors`` fails each browser test that caused one."""

    def __init__(self, browser) -> None:
        self._browser = browser
        self.csp_errors: list[str] = []

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.on("console", self._console)
        return context

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def chromium():
    """One headless chromium for the whole run."""
    import os

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls that
    # tests make around it are ordinary synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield WatchedBrowser(browser)
        browser.close()


@pytest.fixture(autouse=True)
def no_csp_errors(request):
    """Every browser test fails on any CSP console error, in any page it opened."""
    if "chromium" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("chromium")
    browser.csp_errors.clear()
    yield
    errors, browser.csp_errors[:] = list(browser.csp_errors), []
    assert not errors, f"CSP violations: {errors}"


@pytest.fixture
def browser_page(chromium, live_server):
    """A fresh browser context and page; fails the test on any console CSP error of any page
    of the context (a second tab included)."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    csp_errors: list[str] = []
    context.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    yield page
    context.close()
    assert not csp_errors, f"CSP violations: {csp_errors}"


def form_opened(page) -> None:
    """Wait until an entry form the editor just opened has taken the focus. The editor
    focuses the form's first field once htmx has settled the swap; typing into another field
    before that loses the keystrokes to the first one (a race a person cannot lose, but a
    test on a slow machine can)."""
    page.wait_for_function(
        "() => !!(document.activeElement && document.activeElement.closest('form.entry-form'))"
    )


def login(page, user, password: str = PASSWORD) -> None:
    """Sign in through the real login form, as a person would."""
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("Email").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(page.base_url + "/")
