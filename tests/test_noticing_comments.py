"""Comments people notice: a marker with the count on each entry with open threads (and the
block's count), the home page's open comments and what others changed since the person's
last visit, and a way back to the cohort for cohort staff."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from canvas.models import ActivityLog, Comment, Membership, PartnerEntry
from tests.conftest import client_for

CANVAS = "/ventures/sepsis-dx/canvas/"
HX = {"HX-Request": "true"}


def first_partner(venture) -> PartnerEntry:
    return PartnerEntry.objects.filter(canvas=venture.canvas).order_by("position").first()


def thread(venture, author, entry=None, body="Is this really a key partner?", **fields):
    return Comment.objects.create(
        canvas=venture.canvas,
        author=author,
        block="partners",
        entry_id=entry.pk if entry else None,
        entry_name=entry.name if entry else "",
        body=body,
        **fields,
    )


def marker(page: str, dom_id: str) -> str:
    entry = re.search(rf'<li id="{dom_id}".*?</li>', page, re.S)
    assert entry, dom_id
    found = re.search(r'<a class="comment-marker"[^>]*>.*?</a>', entry.group(0), re.S)
    return found.group(0) if found else ""


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_an_entry_with_open_threads_shows_a_marker_with_their_count(request, venture, bob, who):
    entry = first_partner(venture)
    first = thread(venture, bob, entry)
    thread(venture, bob, entry, body="And the second supplier?")
    thread(venture, bob, entry, body="Done", resolved_at=timezone.now())
    thread(venture, bob, None, body="About the block")
    page = client_for(request.getfixturevalue(who)).get(CANVAS).content.decode()
    found = marker(page, f"partner-{entry.pk}")
    assert f'href="/ventures/sepsis-dx/comments/partners/#comment-{first.pk}"' in found
    assert '>2<span class="visually-hidden"> open comments on ' in found
    other = PartnerEntry.objects.filter(canvas=venture.canvas).exclude(pk=entry.pk).first()
    assert marker(page, f"partner-{other.pk}") == ""
    # the block's own count: three open threads, the block-wide one included
    assert re.search(r'id="comment-count-partners"[^>]*>3<', page)


def test_the_marker_stays_after_the_founder_edits_the_entry(alice, bob, venture):
    entry = first_partner(venture)
    thread(venture, bob, entry)
    data = {**entry.to_data(), "strategic_value": "Changed", "version": entry.version}
    response = client_for(alice).post(f"{CANVAS}partners/{entry.pk}/", data, headers=HX)
    assert response.status_code == 200
    assert '1<span class="visually-hidden"> open comment on ' in marker(
        response.content.decode(), f"partner-{entry.pk}"
    )


def test_commenting_and_resolving_update_the_entry_marker_out_of_band(alice, bob, venture):
    entry = first_partner(venture)
    slot = f'<span id="marker-partner-{entry.pk}" class="marker-slot" hx-swap-oob="true">'
    response = client_for(bob).post(
        "/ventures/sepsis-dx/comments/partners/",
        {"body": "Plan B?", "entry": entry.pk},
        headers=HX,
    )
    page = response.content.decode()
    assert slot + '<a class="comment-marker"' in page
    assert f"> open comment on {entry.name}<" in page
    first = Comment.objects.get()
    response = client_for(alice).post(
        f"/ventures/sepsis-dx/comments/{first.pk}/resolve/", headers=HX
    )
    assert slot + "</span>" in response.content.decode()


def test_staff_get_no_markers(carol, bob, venture):
    thread(venture, bob, first_partner(venture))
    page = client_for(carol).get(CANVAS).content.decode()
    assert "comment-marker" not in page


# --- the home page -------------------------------------------------------------------------


def test_home_shows_open_comments_and_changes_by_others_since_the_last_visit(alice, bob, venture):
    client = client_for(alice)
    client.get(CANVAS)  # alice's visit
    assert Membership.objects.get(user=alice).last_seen_at is not None
    thread(venture, bob, first_partner(venture))
    ActivityLog.objects.create(
        canvas=venture.canvas, actor=bob, action="comment_added", summary="bob commented on X"
    )
    ActivityLog.objects.create(
        canvas=venture.canvas, actor=alice, action="edited", summary="her own edit"
    )
    page = client.get("/").content.decode()
    assert '<a href="/ventures/sepsis-dx/canvas/">1 open comment</a>' in page
    assert "1 change by others</a> since your last visit on" in page
    assert "Latest: bob commented on X" in page
    assert "her own edit" not in page

    client.get(CANVAS)  # a new visit: nothing new since
    page = client.get("/").content.decode()
    assert "Nothing changed since your last visit on" in page


def test_home_for_a_canvas_never_opened_counts_changes_since_joining(alice, bob, venture):
    Membership.objects.filter(user=bob).update(
        created_at=timezone.now() - timedelta(days=1), last_seen_at=None
    )
    ActivityLog.objects.create(canvas=venture.canvas, actor=alice, action="edited", summary="x")
    page = client_for(bob).get("/").content.decode()
    assert re.search(r"\d+ changes? by others</a> since you joined\. Latest: x<", page)


def test_staff_opening_a_canvas_record_no_visit(carol, venture):
    client_for(carol).get(CANVAS)
    assert not Membership.objects.filter(last_seen_at__isnull=False).exists()


# --- cohort staff find their way back ------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        CANVAS,
        "/ventures/sepsis-dx/versions/",
        "/ventures/sepsis-dx/versions/1/",
        "/ventures/sepsis-dx/compare/?from=1&to=current",
        "/ventures/sepsis-dx/people/",
    ],
)
def test_every_venture_page_offers_cohort_staff_a_way_back_to_their_cohort(carol, venture, path):
    response = client_for(carol).get(path)
    assert response.status_code == 200
    assert '<a href="/cohorts/northstar/">Northstar dashboard</a>' in response.content.decode()


def test_founders_are_not_sent_to_a_cohort_dashboard(alice, venture):
    page = client_for(alice).get(CANVAS).content.decode()
    assert 'href="/cohorts/northstar/"' not in page


# --- the demo data shows comments at work ----------------------------------------------------


def test_seed_demo_gives_a_worked_example_an_open_advisor_thread_once(django_user_model):
    import io

    from django.core.management import call_command

    for _ in range(2):  # idempotent
        call_command("seed_demo", stdout=io.StringIO())
    (thread,) = Comment.objects.filter(parent__isnull=True)
    assert thread.canvas.venture.slug == "sepsis-dx"
    assert thread.author.username == "advisor@example.com"
    assert thread.resolved_at is None
    assert thread.entry_name == "BioMed Contract Manufacturing" and thread.entry_id
    assert thread.replies.get().author.username == "founder@example.com"

    founder = django_user_model.objects.get(username="founder@example.com")
    page = client_for(founder).get("/ventures/sepsis-dx/canvas/").content.decode()
    assert '>1<span class="visually-hidden"> open comment on BioMed Contract Manufacturing<' in page
    assert "1 open comment</a>" in client_for(founder).get("/").content.decode()
