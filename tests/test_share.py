"""Share links: founders create, list and revoke read-only links to the live canvas or one
version; the holder sees that canvas and its PDF, and nothing else."""

import io
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from canvas.models import ActivityLog, ShareLink, save_document
from canvas.tokens import hash_token
from tests.conftest import client_for, pdf_bytes
from tests.review_fixtures import (
    SHARE_URL,
    make_share_link,
)


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def create_link(client, **data) -> str:
    """POST the form and return the holder's path shown once on the page."""
    form = {"label": "", "target": "current", "expires_on": in_days(14)} | data
    response = client.post("/ventures/sepsis-dx/share/", form)
    assert response.status_code == 201, response.content.decode()[:2000]
    match = SHARE_URL.search(response.content.decode())
    assert match
    return match.group(1)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def renamed(venture, sepsis_doc):
    """Version 2 of Sepsis Dx renames the first partner; version 1 keeps the old name."""
    first = sepsis_doc.partners[0]
    doc = sepsis_doc.model_copy(
        update={"partners": [first.model_copy(update={"name": "Renamed Partner Ltd"})]}
    )
    save_document(venture, doc, source="manual", label="Renamed")
    return first.name


def test_founder_sees_the_share_form_with_a_14_day_default(alice, venture):
    page = client_for(alice).get("/ventures/sepsis-dx/share/").content.decode()
    assert '<label for="id_expires_on">Works until (end of day)</label>' in page
    assert f'value="{in_days(14)}"' in page
    assert "No share links yet." in page


def test_founder_creates_a_link_and_the_holder_reads_the_canvas(alice, venture):
    path = create_link(client_for(alice), label="Series A data room")
    link = ShareLink.objects.get()
    token = path.split("/")[2]
    assert len(token) >= 43  # 256 bits
    assert link.token_hash == hash_token(token) and link.label == "Series A data room"
    assert link.version is None and link.created_by == alice
    expected_end = timezone.localdate() + timedelta(days=15)
    assert timezone.localtime(link.expires_at).date() == expected_end

    holder = Client()
    response = holder.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sepsis Dx" in page and "read-only shared view" in page
    assert venture.canvas.to_document().partners[0].name in page
    assert f"/s/{token}/canvas.pdf" in page
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    # no session is created for the holder
    assert "sessionid" not in response.cookies
    assert not holder.session.items()


def test_the_new_link_is_shown_once_and_never_again(alice, venture):
    client = client_for(alice)
    path = create_link(client)
    page = client.get("/ventures/sepsis-dx/share/").content.decode()
    assert path not in page
    assert "Active" in page


def test_the_holder_downloads_the_pdf(venture, get_pdf):
    token, _ = make_share_link(venture)
    response = get_pdf(Client(), f"/s/{token}/canvas.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="sepsis-dx-canvas-current.pdf"'
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Sepsis Dx" in pdf_text(pdf_bytes(response))


def test_the_holder_waits_on_a_page_that_keeps_the_token_out_of_referrers(
    venture, stub_renderer, django_capture_on_commit_callbacks
):
    token, _ = make_share_link(venture)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().get(f"/s/{token}/canvas.pdf?paper=a4")
    assert response.status_code == 202
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    page = response.content.decode()
    assert f'hx-get="/s/{token}/canvas.pdf?paper=a4&amp;pdf=' in page
    assert f'href="/s/{token}/">Back to the shared canvas' in page


def test_a_link_to_a_version_shows_that_version_not_the_live_canvas(
    alice, venture, renamed, get_pdf
):
    page = client_for(alice).get("/ventures/sepsis-dx/share/").content.decode()
    assert "Version 2 — Renamed" in page
    path = create_link(client_for(alice), target="1")
    assert ShareLink.objects.get().version.number == 1
    page = Client().get(path).content.decode()
    assert renamed in page and "Renamed Partner Ltd" not in page
    assert "Version 1" in page
    pdf = get_pdf(Client(), path + "canvas.pdf")
    assert pdf["Content-Disposition"] == 'attachment; filename="sepsis-dx-canvas-v1.pdf"'
    assert "Renamed Partner Ltd" not in pdf_text(pdf_bytes(pdf))


def test_a_link_to_the_live_canvas_follows_later_edits(alice, venture, renamed):
    token, _ = make_share_link(venture)
    assert "Renamed Partner Ltd" in Client().get(f"/s/{token}/").content.decode()


def test_the_token_opens_nothing_else(venture):
    token, _ = make_share_link(venture)
    holder = Client()
    assert holder.get(f"/s/{token}/").status_code == 200
    for path in [
        "/ventures/sepsis-dx/canvas/",
        "/ventures/sepsis-dx/canvas.pdf",
        "/ventures/sepsis-dx/canvas.json",
        "/ventures/sepsis-dx/versions/",
        "/ventures/sepsis-dx/share/",
        f"/ventures/sepsis-dx/canvas/?token={token}",
    ]:
        response = holder.get(path)
        # sent to sign in (or, for an address not routed, nothing at all)
        assert response.status_code in (302, 404), path
        assert b"Sepsis Dx" not in response.content
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")
    assert holder.get(f"/s/{token}/canvas.json").status_code == 404
    assert holder.get(f"/s/{token}/versions/").status_code == 404
    assert holder.post(f"/s/{token}/").status_code == 405


def test_a_revoked_link_answers_404_for_the_page_and_the_pdf(alice, venture):
    token, link = make_share_link(venture, label="Board")
    client = client_for(alice)
    page = client.get("/ventures/sepsis-dx/share/").content.decode()
    assert "Revoke “Board”? Anyone holding it loses access at once." in page
    response = client.post(f"/ventures/sepsis-dx/share/{link.pk}/revoke/")
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None
    assert Client().get(f"/s/{token}/").status_code == 404
    assert Client().get(f"/s/{token}/canvas.pdf").status_code == 404
    assert "Revoked" in client.get("/ventures/sepsis-dx/share/").content.decode()


def test_an_expired_link_answers_404(venture):
    token, link = make_share_link(venture)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(f"/s/{token}/").status_code == 404
    assert Client().get(f"/s/{token}/canvas.pdf").status_code == 404


@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 44, "%00"])
def test_a_made_up_token_answers_404(venture, token):
    make_share_link(venture)
    assert Client().get(f"/s/{token}/").status_code == 404


def test_the_hash_itself_is_not_a_token(venture):
    _, link = make_share_link(venture)
    assert Client().get(f"/s/{link.token_hash}/").status_code == 404


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, "Choose today or a later day."), (181, "A link can work for at most 180 days.")],
)
def test_the_expiry_is_today_or_later_and_at_most_180_days_away(alice, venture, days, message):
    response = client_for(alice).post(
        "/ventures/sepsis-dx/share/", {"target": "current", "expires_on": in_days(days)}
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ShareLink.objects.exists()


def test_a_link_cannot_target_another_ventures_version(alice, venture, other_venture):
    response = client_for(alice).post(
        "/ventures/sepsis-dx/share/",
        {"target": str(other_venture.canvas.versions.get().number + 5), "expires_on": in_days(3)},
    )
    assert response.status_code == 422
    assert not ShareLink.objects.exists()


@pytest.mark.parametrize("who", ["bob", "carol", "erin", "frank", "mallory"])
def test_only_founders_see_create_and_revoke_links(request, alice, bob, carol, venture, who):
    token, link = make_share_link(venture)
    client = client_for(request.getfixturevalue(who))
    assert client.get("/ventures/sepsis-dx/share/").status_code == 404
    response = client.post("/ventures/sepsis-dx/share/", {"expires_on": in_days(3)})
    assert response.status_code == 404
    assert client.post(f"/ventures/sepsis-dx/share/{link.pk}/revoke/").status_code == 404
    assert ShareLink.objects.count() == 1 and ShareLink.objects.get().revoked_at is None


def test_a_founder_cannot_revoke_another_ventures_link_through_her_own(alice, frank, other_venture):
    _, link = make_share_link(other_venture)
    response = client_for(alice).post(f"/ventures/sepsis-dx/share/{link.pk}/revoke/")
    assert response.status_code == 404


def test_creating_and_revoking_are_logged(alice, venture):
    client = client_for(alice)
    create_link(client, label="Board pack")
    link = ShareLink.objects.get()
    client.post(f"/ventures/sepsis-dx/share/{link.pk}/revoke/")
    actions = list(
        ActivityLog.objects.filter(action__startswith="link_")
        .order_by("id")
        .values_list("action", "actor__username")
    )
    assert actions == [
        ("link_created", "alice@example.org"),
        ("link_revoked", "alice@example.org"),
    ]


def test_the_share_page_lists_each_link_with_target_expiry_and_status(alice, venture, renamed):
    version = venture.canvas.versions.get(number=1)
    make_share_link(venture, label="Live one")
    make_share_link(venture, version=version, label="Old one")
    _, expired = make_share_link(venture, label="Gone one")
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    page = client_for(alice).get("/ventures/sepsis-dx/share/").content.decode()
    rows = re.findall(r"<tr>.*?</tr>", page, flags=re.S)
    text = " ".join(re.sub(r"\s+", " ", r) for r in rows)
    assert "Live one" in text and "The live canvas" in text
    assert "Old one" in text and "Version 1" in text
    assert "Gone one" in text and "Expired" in text


def test_a_holders_poll_learns_nothing_of_the_founders_own_pdf(
    alice, venture, stub_renderer, get_pdf
):
    from canvas.models import StoredPdf

    get_pdf(client_for(alice), "/ventures/sepsis-dx/canvas.pdf")  # the team's, with comments
    theirs = StoredPdf.objects.get().key
    token, _ = make_share_link(venture)
    response = Client().get(f"/s/{token}/canvas.pdf?pdf={theirs}", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert theirs not in page  # answered for the link's own PDF, which is not that one
    assert StoredPdf.objects.exclude(key=theirs).exists()
