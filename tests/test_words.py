"""The same words everywhere: dates written as "3 Dec 2026", "Versions" (never "History"),
and the JSON download on the Versions page rather than on the canvas's toolbar."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from canvas.models import CanvasVersion

ROOT = Path(__file__).resolve().parent.parent
DAY = re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}$")  # 3 Dec 2026


def date_formats() -> list[tuple[str, str]]:
    """Every date format the templates and views write: (file, format)."""
    found = []
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("canvas/**/*.py")]:
        text = path.read_text(encoding="utf-8")
        for fmt in re.findall(r"""\|date:["']([^"']+)["']""", text):
            found.append((str(path.relative_to(ROOT)), fmt))
        for fmt in re.findall(r"""date_format\([^,]+,\s*["']([^"']+)["']""", text):
            found.append((str(path.relative_to(ROOT)), fmt))
    return found


def test_every_date_format_writes_the_day_the_short_month_and_four_digit_year():
    formats = [(f, fmt) for f, fmt in date_formats() if fmt != "c"]  # "c": machine-readable
    assert formats
    for where, fmt in formats:
        assert fmt.startswith("j M Y"), (where, fmt)


def test_the_cohort_table_writes_its_dates_with_the_full_year(carol_client, venture):
    page = carol_client.get("/cohorts/northstar/").content.decode()
    dates = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", page)
    assert dates and all(DAY.match(d) for d in dates), dates


def test_the_share_form_names_versions_by_a_date_with_the_full_year(alice_client, venture):
    CanvasVersion.objects.filter(canvas__venture=venture).update(
        created_at=datetime(2026, 12, 3, 12, tzinfo=UTC)
    )
    page = alice_client.get("/ventures/sepsis-dx/share/").content.decode()
    assert re.search(r"Version 1[^<]*\(3 Dec 2026\)</option>", page)
    assert timezone.get_current_timezone_name()  # local time, as the pages show it


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_the_canvas_says_versions_and_its_toolbar_has_no_json_button(request, who, venture):
    from tests.conftest import client_for

    client = client_for(request.getfixturevalue(who))
    page = client.get("/ventures/sepsis-dx/canvas/").content.decode()
    toolbar = re.search(r'<nav class="editor-links".*?</nav>', page, re.S).group(0)
    assert ">Versions</a>" in toolbar
    assert "JSON" not in toolbar and "History" not in page


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_the_versions_page_offers_the_json_download_at_the_stable_address(request, who, venture):
    from tests.conftest import client_for

    client = client_for(request.getfixturevalue(who))
    page = client.get("/ventures/sepsis-dx/versions/").content.decode()
    assert (
        '<a class="button" href="/ventures/sepsis-dx/canvas.json" download>Download JSON</a>'
        in (page)
    )
    assert ("Upload JSON" in page) == (who == "alice")  # founders only
    assert "History" not in page
    assert client.get("/ventures/sepsis-dx/canvas.json").status_code == 200


def test_the_versions_actions_sit_in_a_table_cell(alice_client, venture):
    page = alice_client.get("/ventures/sepsis-dx/versions/").content.decode()
    # the cell is a plain table cell; the links wrap in a block inside it
    assert '<td data-label="Actions" class="actions-cell"><div class="row-actions">' in page
    assert 'class="row-actions"' not in re.sub(r'<div class="row-actions">', "", page)
