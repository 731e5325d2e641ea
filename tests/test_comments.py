"""Comment threads: founders and advisors comment on a block or one entry and reply;
founders resolve and reopen; staff and outsiders see and post nothing."""

import re

import pytest

from canvas.models import ActivityLog, Comment, PartnerEntry
from tests.conftest import client_for

HX = {"HX-Request": "true"}


def partner(venture) -> PartnerEntry:
    return PartnerEntry.objects.filter(canvas=venture.canvas).order_by("position").first()


def comment(venture, author, body="Is this really a key partner?", **fields) -> Comment:
    return Comment.objects.create(
        canvas=venture.canvas,
        author=author,
        block=fields.pop("block", "partners"),
        body=body,
        **fields,
    )


def test_advisor_comments_on_one_partner(bob, venture):
    entry = partner(venture)
    response = client_for(bob).post(
        "/ventures/sepsis-dx/comments/partners/",
        {"body": "What if BioMed raises prices?", "entry": entry.pk},
        headers=HX,
    )
    assert response.status_code == 200
    c = Comment.objects.get()
    assert (c.author, c.block, c.entry_id, c.entry_name) == (bob, "partners", entry.pk, entry.name)
    assert c.parent is None and c.resolved_at is None
    page = response.content.decode()
    assert page.startswith('<div id="comments-panel-partners"')
    assert "What if BioMed raises prices?" in page and f"On <strong>{entry.name}</strong>" in page
    assert "bob@example.org" in page and "Advisor" in page
    # the block's count is updated out of band
    count = re.search(
        r'<span class="comment-count has-open" id="comment-count-partners"[^>]*>', page
    )
    assert count and 'hx-swap-oob="true"' in count.group(0)
    assert page[count.end()] == "1"
    # advisors do not get the resolve button
    assert "Resolve</button>" not in page
    log = ActivityLog.objects.get(action="comment_added")
    assert log.actor == bob and "Key Partners — " in log.summary


def test_founder_comments_on_a_block_as_a_whole(alice, venture):
    client_for(alice).post("/ventures/sepsis-dx/comments/finances/", {"body": "Burn is low?"})
    c = Comment.objects.get()
    assert c.block == "finances" and c.entry_id is None and c.entry_name == ""


def test_without_htmx_a_comment_redirects_to_the_threads_page(bob, venture):
    response = client_for(bob).post("/ventures/sepsis-dx/comments/channels/", {"body": "Hm."})
    assert response.status_code == 303
    pk = Comment.objects.get().pk
    assert response["Location"] == f"/ventures/sepsis-dx/comments/channels/#comment-{pk}"
    page = client_for(bob).get("/ventures/sepsis-dx/comments/channels/").content.decode()
    assert "<h1>Comments on Channels &amp; Customer Relationships</h1>" in page
    assert f'id="comment-{pk}"' in page


def test_an_empty_comment_is_refused_with_a_clear_message(bob, venture):
    response = client_for(bob).post(
        "/ventures/sepsis-dx/comments/partners/", {"body": "   "}, headers=HX
    )
    assert response.status_code == 422
    assert "Write something before sending." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_comment_cannot_point_at_another_ventures_entry(bob, venture, other_venture):
    foreign = partner(other_venture)
    response = client_for(bob).post(
        "/ventures/sepsis-dx/comments/partners/", {"body": "x", "entry": foreign.pk}, headers=HX
    )
    assert response.status_code == 422
    assert not Comment.objects.exists()


def test_an_unknown_block_answers_404(bob, venture):
    assert client_for(bob).get("/ventures/sepsis-dx/comments/secrets/").status_code == 404


@pytest.mark.parametrize("who", ["carol", "erin", "frank", "mallory"])
def test_staff_and_outsiders_neither_read_nor_write_comments(request, alice, venture, who):
    thread = comment(venture, alice)
    client = client_for(request.getfixturevalue(who))
    assert client.get("/ventures/sepsis-dx/comments/partners/").status_code == 404
    assert client.post("/ventures/sepsis-dx/comments/partners/", {"body": "x"}).status_code == 404
    assert (
        client.post(f"/ventures/sepsis-dx/comments/{thread.pk}/reply/", {"body": "x"}).status_code
        == 404
    )
    assert client.post(f"/ventures/sepsis-dx/comments/{thread.pk}/resolve/").status_code == 404
    assert Comment.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, venture):
    response = client.post("/ventures/sepsis-dx/comments/partners/", {"body": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Comment.objects.exists()


def test_founder_replies_in_a_thread(alice, bob, venture):
    thread = comment(venture, bob, entry_id=partner(venture).pk, entry_name="BioMed")
    response = client_for(alice).post(
        f"/ventures/sepsis-dx/comments/{thread.pk}/reply/",
        {"body": "We have a second source."},
        headers=HX,
    )
    assert response.status_code == 200
    reply = Comment.objects.get(parent=thread)
    assert reply.author == alice and reply.block == "partners" and reply.entry_name == "BioMed"
    page = response.content.decode()
    assert page.index("Is this really a key partner?") < page.index("We have a second source.")


def test_founder_resolves_a_thread_and_reopens_it(alice, bob, venture):
    thread = comment(venture, bob)
    client = client_for(alice)
    response = client.post(f"/ventures/sepsis-dx/comments/{thread.pk}/resolve/", headers=HX)
    assert response.status_code == 200
    thread.refresh_from_db()
    assert thread.resolved_at is not None and thread.resolved_by == alice
    page = response.content.decode()
    assert "No open comments on Key Partners." in page
    assert "1 resolved thread" in page and "Resolved by alice@example.org" in page
    assert 'id="comment-count-partners" data-block="partners" hx-swap-oob="true">0' in page

    response = client.post(f"/ventures/sepsis-dx/comments/{thread.pk}/reopen/", headers=HX)
    thread.refresh_from_db()
    assert thread.resolved_at is None and thread.resolved_by is None
    assert "Resolve</button>" in response.content.decode()
    actions = list(
        ActivityLog.objects.filter(action__startswith="comment_re")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["comment_resolved", "comment_reopened"]


def test_resolving_without_htmx_returns_to_the_thread(alice, bob, venture):
    thread = comment(venture, bob)
    response = client_for(alice).post(f"/ventures/sepsis-dx/comments/{thread.pk}/resolve/")
    assert response.status_code == 303
    assert response["Location"] == f"/ventures/sepsis-dx/comments/partners/#comment-{thread.pk}"


def test_advisors_cannot_resolve_or_reopen(alice, bob, venture):
    thread = comment(venture, bob)
    client = client_for(bob)
    assert client.post(f"/ventures/sepsis-dx/comments/{thread.pk}/resolve/").status_code == 404
    thread.refresh_from_db()
    assert thread.resolved_at is None
    Comment.objects.filter(pk=thread.pk).update(resolved_at=thread.created_at, resolved_by=alice)
    assert client.post(f"/ventures/sepsis-dx/comments/{thread.pk}/reopen/").status_code == 404
    thread.refresh_from_db()
    assert thread.resolved_at is not None


def test_a_resolved_thread_takes_no_replies_until_reopened(alice, bob, venture):
    thread = comment(venture, bob)
    Comment.objects.filter(pk=thread.pk).update(resolved_at=thread.created_at, resolved_by=alice)
    response = client_for(bob).post(
        f"/ventures/sepsis-dx/comments/{thread.pk}/reply/", {"body": "But…"}, headers=HX
    )
    assert response.status_code == 409
    assert "A founder can reopen it" in response.content.decode()
    assert not Comment.objects.filter(parent=thread).exists()


def test_replies_cannot_be_resolved_or_replied_to_directly(alice, bob, venture):
    thread = comment(venture, bob)
    reply = comment(venture, alice, body="ok", parent=thread)
    client = client_for(alice)
    assert client.post(f"/ventures/sepsis-dx/comments/{reply.pk}/resolve/").status_code == 404
    assert (
        client.post(f"/ventures/sepsis-dx/comments/{reply.pk}/reply/", {"body": "x"}).status_code
        == 404
    )


def test_a_thread_of_another_venture_is_not_reachable_through_ones_own(alice, frank, other_venture):
    thread = comment(other_venture, frank)
    client = client_for(alice)
    assert client.post(f"/ventures/sepsis-dx/comments/{thread.pk}/resolve/").status_code == 404
    assert (
        client.post(f"/ventures/sepsis-dx/comments/{thread.pk}/reply/", {"body": "x"}).status_code
        == 404
    )


def test_comments_are_plain_text_escaped_with_line_breaks_kept(alice, bob, venture):
    comment(venture, bob, body='<script>alert(1)</script>\n"><img src=x onerror=alert(1)>')
    page = client_for(alice).get("/ventures/sepsis-dx/comments/partners/").content.decode()
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;<br>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
        in page
    )


def test_a_comment_may_be_at_most_2000_characters(bob, venture):
    response = client_for(bob).post(
        "/ventures/sepsis-dx/comments/partners/", {"body": "x" * 2001}, headers=HX
    )
    assert response.status_code == 422
    assert not Comment.objects.exists()


@pytest.mark.parametrize("threads", [1, 20])
def test_the_thread_panel_runs_a_constant_number_of_queries(
    alice, bob, venture, django_assert_num_queries, threads
):
    for i in range(threads):
        t = comment(venture, bob, body=f"thread {i}")
        comment(venture, alice, body=f"reply {i}", parent=t)
    client = client_for(alice)
    # session, user, venture, role, threads, replies, member roles, entries
    with django_assert_num_queries(8):
        response = client.get("/ventures/sepsis-dx/comments/partners/", headers=HX)
    assert response.content.decode().count('<li class="thread"') == threads


def test_resolving_a_thread_resolves_its_replies_for_the_pdf_appendix(alice, bob, venture):
    from canvas.views.exports import advisor_comments

    thread = comment(venture, alice, body="Founder asks")
    comment(venture, bob, body="Advisor answers", parent=thread)
    assert [c.body for c in advisor_comments(venture)] == ["Advisor answers"]
    client_for(alice).post(f"/ventures/sepsis-dx/comments/{thread.pk}/resolve/")
    assert advisor_comments(venture) == []
    assert not Comment.objects.filter(resolved_at__isnull=True).exists()
    client_for(alice).post(f"/ventures/sepsis-dx/comments/{thread.pk}/reopen/")
    assert [c.body for c in advisor_comments(venture)] == ["Advisor answers"]


# --- in the canvas -------------------------------------------------------------------------


def test_the_canvas_shows_each_blocks_open_thread_count(alice, bob, venture):
    comment(venture, bob)
    comment(venture, bob, body="Second")
    resolved = comment(venture, bob, body="Done")
    Comment.objects.filter(pk=resolved.pk).update(resolved_at=resolved.created_at)
    comment(venture, alice, body="a reply", parent=resolved)
    for user in (alice, bob):
        page = client_for(user).get("/ventures/sepsis-dx/canvas/").content.decode()
        count = re.search(r'id="comment-count-partners"[^>]*>(\d+)<', page)
        assert count and count.group(1) == "2"
        assert re.search(r'id="comment-count-channels"[^>]*>0<', page)
        assert 'href="/ventures/sepsis-dx/comments/partners/"' in page  # works without script


def test_cohort_staff_see_no_comment_controls_on_the_canvas(alice, carol, venture):
    comment(venture, alice)
    page = client_for(carol).get("/ventures/sepsis-dx/canvas/").content.decode()
    assert "comment-count-" not in page and "/comments/" not in page


def test_the_canvas_links_to_people_activity_and_sharing_by_role(alice, bob, carol, venture):
    founder = client_for(alice).get("/ventures/sepsis-dx/canvas/").content.decode()
    advisor = client_for(bob).get("/ventures/sepsis-dx/canvas/").content.decode()
    staff = client_for(carol).get("/ventures/sepsis-dx/canvas/").content.decode()
    for link in ("people/", "activity/", "share/"):
        assert f'href="/ventures/sepsis-dx/{link}"' in founder
    assert 'href="/ventures/sepsis-dx/activity/"' in advisor
    assert 'href="/ventures/sepsis-dx/share/"' not in advisor
    assert 'href="/ventures/sepsis-dx/activity/"' not in staff


def test_an_editor_fragment_keeps_the_open_thread_panel(alice, venture):
    canvas = venture.canvas
    data = {
        "cash_on_hand": "400000",
        "monthly_burn": "100000",
        "currency": "USD",
        "version": canvas.finances_version,
    }
    response = client_for(alice).post("/ventures/sepsis-dx/canvas/finances/", data, headers=HX)
    assert response.status_code == 200
    assert '<div id="comments-finances" hx-preserve="true"></div>' in response.content.decode()


@pytest.mark.parametrize("threads", [0, 30])
def test_comment_counts_add_one_query_to_the_canvas_whatever_their_number(
    alice, bob, venture, django_assert_num_queries, threads
):
    for i in range(threads):
        comment(venture, bob, body=f"t{i}", block=("partners", "channels", "finances")[i % 3])
    client = client_for(alice)
    # session, user, canvas + venture, 5 entry lists, role, the visit, open comment counts
    # (per block and per entry, one query)
    with django_assert_num_queries(11):
        assert client.get("/ventures/sepsis-dx/canvas/").status_code == 200
