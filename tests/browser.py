"""Helpers for the browser tests (Playwright driving Debian's chromium; tests/conftest.py
starts the browser and fails a test on any CSP console error).

- ``assert_accessible(page)``: axe-core (from axe-playwright-python) on the page as it is
  now; fails on any violation of impact serious or critical, WCAG 2.0-2.2 A and AA and
  axe's best practices.
- ``new_page(chromium, live_server)``: another person's browser (a fresh context), with the
  same CSP watch as ``browser_page``; close it with ``close_page``.
- ``invitation_link(outbox)``: the link of the last invitation e-mail in the test outbox.
- ``shot(page, name)``: a screenshot into ``$SCREENSHOT_DIR`` when it is set (the issue's
  screenshots are taken this way: ``SCREENSHOT_DIR=/tmp/shots pytest -m browser``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

AXE = Axe()
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = ("serious", "critical")
INVITATION_URL = re.compile(r"https?://[^/\s]+(/invitations/[A-Za-z0-9_-]+/)")


def axe_violations(page) -> list[dict]:
    """Serious and critical violations on the page as it is now."""
    results = AXE.run(page, options=AXE_OPTIONS)
    return [v for v in results.response["violations"] if v["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'][:300]}")
    return "\n".join(lines)


def assert_accessible(page, what: str = "") -> None:
    violations = axe_violations(page)
    assert not violations, f"axe on {what or page.url}:\n{describe(violations)}"


def watch_csp(context) -> list[str]:
    """Collect the Content-Security-Policy console errors of every page of a context."""
    errors: list[str] = []
    context.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return errors


def new_page(chromium, live_server, *, width: int = 1400, height: int = 900, **options):
    context = chromium.new_context(viewport={"width": width, "height": height}, **options)
    errors = watch_csp(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    page.csp_errors = errors
    return page


def close_page(page) -> None:
    errors = page.csp_errors
    page.wait_for_load_state("networkidle")
    page.context.close()
    assert not errors, f"CSP violations: {errors}"


def invitation_link(outbox) -> str:
    assert outbox, "no invitation e-mail was sent"
    match = INVITATION_URL.search(outbox[-1].body)
    assert match, outbox[-1].body
    return match.group(1)


def shot(page, name: str, **options) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), **options)
