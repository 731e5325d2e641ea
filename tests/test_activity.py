"""The activity log: founders and advisors see who did what and when."""

import pytest

from canvas.models import ActivityLog, log
from tests.conftest import client_for


@pytest.mark.parametrize("who", ["alice", "dave", "bob"])
def test_founders_and_advisors_see_the_log(request, alice, dave, bob, venture, who):
    log(venture.canvas, alice, "edited", "Partner BioMed changed")
    response = client_for(request.getfixturevalue(who)).get("/ventures/sepsis-dx/activity/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Partner BioMed changed" in page and "alice@example.org" in page
    assert "Edited" in page
    # create_venture logged the creation too, with no actor
    assert "Created" in page and "System" in page


@pytest.mark.parametrize("who", ["carol", "erin", "frank", "mallory"])
def test_staff_and_outsiders_do_not_see_the_log(request, venture, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get("/ventures/sepsis-dx/activity/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, venture):
    response = client.get("/ventures/sepsis-dx/activity/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_log_is_newest_first_and_paginated(alice, venture):
    for i in range(120):
        log(venture.canvas, alice, "edited", f"change number {i:03d}")
    client = client_for(alice)
    first = client.get("/ventures/sepsis-dx/activity/").content.decode()
    assert "change number 119" in first and "change number 070" in first
    assert "change number 069" not in first
    assert first.index("change number 119") < first.index("change number 118")
    assert "Page 1 of 3" in first and 'href="?page=2"' in first
    last = client.get("/ventures/sepsis-dx/activity/?page=3").content.decode()
    assert "change number 000" in last and "Created" in last
    # a page past the end shows the last page
    assert "Page 3 of 3" in client.get("/ventures/sepsis-dx/activity/?page=99").content.decode()


def test_an_htmx_request_gets_just_the_log_fragment(alice, venture):
    response = client_for(alice).get(
        "/ventures/sepsis-dx/activity/", headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="log"')
    assert "<html" not in page


def test_log_text_is_escaped(alice, venture):
    log(venture.canvas, alice, "comment_added", "<script>alert(1)</script>")
    page = client_for(alice).get("/ventures/sepsis-dx/activity/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("entries", [1, 120])
def test_the_log_runs_a_constant_number_of_queries(
    alice, venture, django_assert_num_queries, entries
):
    ActivityLog.objects.bulk_create(
        ActivityLog(canvas=venture.canvas, actor=alice, action="edited", summary=f"e{i}")
        for i in range(entries)
    )
    client = client_for(alice)
    # session, user, venture, count, page of entries with actors, role
    with django_assert_num_queries(6):
        assert client.get("/ventures/sepsis-dx/activity/").status_code == 200
