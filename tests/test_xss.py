"""No user text is rendered unescaped: a canvas whose every text field holds
``<script>alert(1)</script>`` and ``"><img src=x onerror=alert(1)>`` shows them as text on
every page and fragment, in the PDF and in the CSV."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client

from canvas.document import parse_document
from canvas.models import Comment, Membership, PartnerEntry, create_venture, log, save_document
from tests.conftest import client_for, load_fixture, pdf_bytes
from tests.review_fixtures import (
    make_invitation,
    make_share_link,
)

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
XSS = f"{SCRIPT}{IMG}"
RAW = ("<script>alert(1)", "<img src=x onerror")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
HX = {"HX-Request": "true"}


def xss_data() -> dict:
    """The Sepsis Dx canvas with both payloads in every free-text field."""
    data = load_fixture("sepsis-dx.json")
    data["venture"]["name"] = f"Venture {XSS}"
    for i, ch in enumerate(data["channels"]):
        ch.update(channel=f"Channel {i} {XSS}", relationship=XSS)
    for i, p in enumerate(data["partners"]):
        p.update(name=f"Partner {i} {XSS}", strategic_value=XSS, what_would_be_lost=XSS)
    for i, a in enumerate(data["activities"]):
        a["name"] = f"Activity {i} {XSS}"
        for test in ("relevance", "imitation", "breadth"):
            a[test]["rationale"] = XSS
        a["outsourced_to"] = f"Partner 0 {XSS}" if i % 2 else f"Nobody {XSS}"
    for i, r in enumerate(data["resources"]):
        r.update(name=f"Resource {i} {XSS}", why_strategic=XSS, risk_if_lost=XSS)
    return data


@pytest.fixture
def xss(db, cohort, alice, bob, carol):
    """The XSS venture in Northstar: alice founds it, bob advises; two versions, a comment
    thread with a reply on a partner, a log line, a share link, invitations."""
    doc = parse_document(xss_data())
    venture = create_venture("xss", doc, cohort=cohort, author=alice, label=XSS)
    save_document(venture, doc, author=alice, source="manual", label=f"v2 {XSS}")
    Membership.objects.create(venture=venture, user=alice, role="founder")
    Membership.objects.create(venture=venture, user=bob, role="advisor")
    partner = PartnerEntry.objects.filter(canvas=venture.canvas).order_by("position").first()
    for block in ("partners", "finances"):
        thread = Comment.objects.create(
            canvas=venture.canvas,
            author=bob,
            block=block,
            body=f"Advisor says {XSS}",
            entry_id=partner.pk if block == "partners" else None,
            entry_name=partner.name if block == "partners" else "",
        )
        Comment.objects.create(
            canvas=venture.canvas, author=alice, block=block, body=XSS, parent=thread
        )
    log(venture.canvas, alice, "edited", XSS)
    share_token, _ = make_share_link(venture, label=XSS, created_by=alice)
    make_invitation(email="vera@example.org", venture=venture, invited_by=alice)
    invite_token, _ = make_invitation(
        email="wes@example.org", role="founder", cohort=cohort, new_venture_name=XSS
    )
    return {
        "venture": venture,
        "partner": partner,
        "share_token": share_token,
        "invite_token": invite_token,
    }


def assert_escaped(response, path: str, *, must_show: bool = True) -> None:
    assert response.status_code in (200, 201, 422), (path, response.status_code)
    body = response.content.decode()
    for raw in RAW:
        assert raw not in body, f"{path} renders {raw!r} unescaped"
    if must_show:
        assert ESCAPED in body, f"{path} does not show the payload as text"


# --- pages and fragments -------------------------------------------------------------------

FOUNDER_PAGES = [
    "/",
    "/ventures/xss/canvas/",
    "/ventures/xss/canvas/?edit=partner-{partner}",
    "/ventures/xss/canvas/?edit=venture",
    "/ventures/xss/versions/",
    "/ventures/xss/versions/1/",
    "/ventures/xss/versions/1/restore/",
    "/ventures/xss/compare/?from=1&to=2",
    "/ventures/xss/compare/?from=1&to=current",
    "/ventures/xss/people/",
    "/ventures/xss/share/",
    "/ventures/xss/activity/",
    "/ventures/xss/comments/partners/",
    "/ventures/xss/comments/finances/",
]

FOUNDER_FRAGMENTS = [
    "/ventures/xss/canvas/header/",
    "/ventures/xss/canvas/header/edit/",
    "/ventures/xss/canvas/partners/{partner}/",
    "/ventures/xss/canvas/partners/{partner}/edit/",
    "/ventures/xss/canvas/activities/new/",
    "/ventures/xss/comments/partners/",
    "/ventures/xss/activity/",
    "/ventures/xss/versions/",
    "/ventures/xss/compare/?from=1&to=2",
]

# pages that show no canvas text of their own
NO_CANVAS_TEXT = {"/ventures/xss/comments/finances/", "/ventures/xss/people/"}


@pytest.mark.parametrize("path", FOUNDER_PAGES)
def test_founder_pages_show_the_payloads_as_text(alice, xss, path):
    url = path.format(partner=xss["partner"].pk)
    response = client_for(alice).get(url)
    assert_escaped(response, url)


@pytest.mark.parametrize("path", FOUNDER_FRAGMENTS)
def test_htmx_fragments_show_the_payloads_as_text(alice, xss, path):
    url = path.format(partner=xss["partner"].pk)
    response = client_for(alice).get(url, headers=HX)
    assert_escaped(response, url)


@pytest.mark.parametrize(
    "path",
    [
        "/ventures/xss/canvas/",
        "/ventures/xss/versions/1/",
        "/ventures/xss/comments/partners/",
        "/ventures/xss/people/",
    ],
)
def test_advisor_pages_show_the_payloads_as_text(bob, xss, path):
    assert_escaped(client_for(bob).get(path), path)


@pytest.mark.parametrize(
    "path", ["/cohorts/northstar/", "/cohorts/northstar/compare/", "/ventures/xss/canvas/"]
)
def test_cohort_pages_show_the_payloads_as_text(carol, xss, path):
    assert_escaped(client_for(carol).get(path), path)


def test_the_cohort_invitation_page_shows_the_payload_as_text(carol, xss):
    assert_escaped(client_for(carol).get("/cohorts/northstar/invite/"), "cohort invite")


def test_the_invitation_page_shows_the_payload_as_text(xss):
    path = f"/invitations/{xss['invite_token']}/"
    assert_escaped(Client().get(path), path)


def test_the_shared_canvas_shows_the_payloads_as_text(xss):
    path = f"/s/{xss['share_token']}/"
    assert_escaped(Client().get(path), path)


def test_a_refused_form_echoes_the_payload_escaped(alice, xss):
    response = client_for(alice).post("/ventures/xss/canvas/partners/", {"name": XSS}, headers=HX)
    assert response.status_code == 422
    assert_escaped(response, "partner add form")


def test_an_htmx_write_returns_fragments_with_the_payload_escaped(alice, xss):
    response = client_for(alice).post(
        "/ventures/xss/comments/partners/",
        {"body": XSS, "entry": xss["partner"].pk},
        headers=HX,
    )
    assert_escaped(response, "new comment")


# --- PDF, CSV, JSON ---------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", text)


def test_the_pdf_prints_the_payloads_and_advisor_comments_as_literal_text(alice, xss, get_pdf):
    response = get_pdf(client_for(alice), "/ventures/xss/canvas.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(pdf_bytes(response)).replace(" ", "")
    assert 'Venture<script>alert(1)</script>"><imgsrc=xonerror=alert(1)>' in text
    # bob's open comment is in the review appendix, as text
    assert "Advisorsays<script>alert(1)</script>" in text


def test_the_shared_pdf_prints_the_payloads_as_text_without_the_comments(xss, get_pdf):
    response = get_pdf(Client(), f"/s/{xss['share_token']}/canvas.pdf")
    assert response.status_code == 200
    text = pdf_text(pdf_bytes(response)).replace(" ", "")
    assert 'Venture<script>alert(1)</script>"><imgsrc=xonerror=alert(1)>' in text
    assert "Advisorsays" not in text


def test_the_csv_carries_the_payload_as_plain_text(carol, xss):
    response = client_for(carol).get("/cohorts/northstar/canvases.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.content.decode("utf-8-sig")
    assert "Venture <script>alert(1)</script>" in body


def test_the_json_export_is_json_not_html(bob, xss):
    response = client_for(bob).get("/ventures/xss/canvas.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert parse_document(response.content).venture.name == f"Venture {XSS}"
