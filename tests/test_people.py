"""The People page: founders see members and invitations, invite, revoke and remove
members (never the last founder); advisors and cohort staff read the member list."""

import pytest

from canvas.models import ActivityLog, Invitation, Membership
from canvas.tokens import hash_token
from tests.conftest import client_for
from tests.review_fixtures import (
    invitation_path,
    make_invitation,
)


def test_founder_sees_members_pending_invitations_and_the_invite_form(alice, bob, venture):
    make_invitation(email="pending@example.org", venture=venture, invited_by=alice)
    page = client_for(alice).get("/ventures/sepsis-dx/people/").content.decode()
    assert "alice@example.org" in page and "bob@example.org" in page
    assert "pending@example.org" in page
    assert '<label for="id_email">Email address</label>' in page
    assert "Send invitation" in page


@pytest.mark.parametrize("who", ["bob", "carol"])
def test_advisor_and_cohort_staff_read_the_member_list_without_invitations_or_controls(
    request, alice, bob, carol, venture, who
):
    make_invitation(email="pending@example.org", venture=venture, invited_by=alice)
    response = client_for(request.getfixturevalue(who)).get("/ventures/sepsis-dx/people/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "alice@example.org" in page and "bob@example.org" in page
    assert "pending@example.org" not in page
    assert "Send invitation" not in page and "Remove…" not in page


@pytest.mark.parametrize("who", ["erin", "frank", "mallory"])
def test_people_of_a_venture_are_hidden_from_outsiders(request, venture, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get("/ventures/sepsis-dx/people/").status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, venture):
    response = client.get("/ventures/sepsis-dx/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_founder_invites_an_advisor_by_email_and_only_the_hash_is_stored(
    alice, venture, mailoutbox
):
    response = client_for(alice).post(
        "/ventures/sepsis-dx/people/invite/", {"email": "Vera@Example.org", "role": "advisor"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/ventures/sepsis-dx/people/"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["Vera@Example.org"]
    assert "Sepsis Dx" in mail.subject
    assert "advisor" in mail.body
    token = invitation_path(mail).split("/")[2]
    assert len(token) >= 43  # 32 random bytes: 256 bits
    invitation = Invitation.objects.get()
    assert invitation.role == "advisor" and invitation.venture == venture
    assert invitation.invited_by == alice
    assert invitation.token_hash == hash_token(token) != token
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_founder_invites_a_co_founder(alice, venture, mailoutbox):
    client_for(alice).post(
        "/ventures/sepsis-dx/people/invite/", {"email": "cofounder@example.org", "role": "founder"}
    )
    assert Invitation.objects.get().role == "founder"
    assert "co-founder" in mailoutbox[0].body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address", "role": "advisor"}, "Enter a valid email address."),
        ({"email": "x@example.org", "role": "staff"}, "Select a valid choice."),
        ({"email": "bob@example.org", "role": "advisor"}, "is already a member of Sepsis Dx"),
    ],
)
def test_an_invalid_invitation_is_refused_with_a_clear_error(
    alice, bob, venture, mailoutbox, data, message
):
    response = client_for(alice).post("/ventures/sepsis-dx/people/invite/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Invitation.objects.exists() and not mailoutbox


def test_inviting_the_same_person_again_withdraws_the_earlier_invitation(
    alice, venture, mailoutbox
):
    client = client_for(alice)
    for _ in range(2):
        client.post(
            "/ventures/sepsis-dx/people/invite/", {"email": "vera@example.org", "role": "advisor"}
        )
    first, second = Invitation.objects.order_by("pk")
    assert first.revoked_at is not None and second.revoked_at is None
    assert client.get(invitation_path(mailoutbox[0])).status_code == 404
    assert client_for_anonymous_get(invitation_path(mailoutbox[1])) == 200


def client_for_anonymous_get(path: str) -> int:
    from django.test import Client

    return Client().get(path).status_code


@pytest.mark.parametrize("who", ["bob", "carol", "mallory"])
def test_only_founders_may_invite(request, alice, venture, mailoutbox, who):
    client = client_for(request.getfixturevalue(who))
    response = client.post(
        "/ventures/sepsis-dx/people/invite/", {"email": "x@example.org", "role": "founder"}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists() and not mailoutbox


def test_founder_revokes_a_pending_invitation_and_its_link_stops_working(client, alice, venture):
    token, invitation = make_invitation(email="vera@example.org", venture=venture)
    revoke = f"/ventures/sepsis-dx/people/invitations/{invitation.pk}/revoke/"
    page = client_for(alice).get("/ventures/sepsis-dx/people/").content.decode()
    assert f'action="{revoke}"' in page
    response = client_for(alice).post(revoke)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    response = client.get(f"/invitations/{token}/")
    assert response.status_code == 404
    assert "withdrawn" in response.content.decode()


def test_revoking_needs_a_post(alice, venture):
    _, invitation = make_invitation(email="vera@example.org", venture=venture)
    url = f"/ventures/sepsis-dx/people/invitations/{invitation.pk}/revoke/"
    assert client_for(alice).get(url).status_code == 405
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_founder_of_another_venture_cannot_revoke_its_invitations(frank, venture):
    _, invitation = make_invitation(email="vera@example.org", venture=venture)
    client = client_for(frank)
    assert (
        client.post(f"/ventures/sepsis-dx/people/invitations/{invitation.pk}/revoke/").status_code
        == 404
    )
    # nor through his own venture's address
    assert (
        client.post(f"/ventures/other-co/people/invitations/{invitation.pk}/revoke/").status_code
        == 404
    )
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_founder_removes_an_advisor_who_then_sees_nothing(alice, bob, venture):
    membership = Membership.objects.get(user=bob)
    response = client_for(alice).post(f"/ventures/sepsis-dx/people/members/{membership.pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(user=bob).exists()
    assert client_for(bob).get("/ventures/sepsis-dx/people/").status_code == 404
    entry = ActivityLog.objects.get(action="member_removed")
    assert entry.actor == alice and "bob@example.org" in entry.summary


def test_the_last_founder_cannot_be_removed(alice, bob, venture):
    membership = Membership.objects.get(user=alice)
    client = client_for(alice)
    response = client.post(
        f"/ventures/sepsis-dx/people/members/{membership.pk}/remove/", follow=True
    )
    assert Membership.objects.filter(user=alice, role="founder").exists()
    assert "at least one founder" in response.content.decode()
    page = client.get("/ventures/sepsis-dx/people/").content.decode()
    assert "The last founder cannot be removed" in page


def test_a_founder_may_remove_a_co_founder_and_leave_while_another_remains(alice, dave, venture):
    dave_membership = Membership.objects.get(user=dave)
    client_for(alice).post(f"/ventures/sepsis-dx/people/members/{dave_membership.pk}/remove/")
    assert not Membership.objects.filter(user=dave).exists()

    # dave back, then alice leaves: dave is the founder left
    Membership.objects.create(venture=venture, user=dave, role="founder")
    alice_membership = Membership.objects.get(user=alice)
    response = client_for(alice).post(
        f"/ventures/sepsis-dx/people/members/{alice_membership.pk}/remove/"
    )
    assert response["Location"] == "/"
    assert list(Membership.objects.values_list("user__username", flat=True)) == ["dave@example.org"]


@pytest.mark.parametrize("who", ["bob", "carol", "frank"])
def test_only_founders_of_the_venture_remove_members(request, alice, bob, venture, who):
    membership = Membership.objects.get(user=alice)
    client = client_for(request.getfixturevalue(who))
    response = client.post(f"/ventures/sepsis-dx/people/members/{membership.pk}/remove/")
    assert response.status_code == 404
    assert Membership.objects.filter(user=alice).exists()


def test_removal_asks_for_confirmation_first(alice, bob, venture):
    page = client_for(alice).get("/ventures/sepsis-dx/people/").content.decode()
    assert '<details class="confirm">' in page
    assert "Yes, remove bob@example.org" in page


@pytest.mark.parametrize("members", [1, 15])
def test_people_page_runs_a_constant_number_of_queries(
    alice, venture, django_user_model, django_assert_num_queries, members
):
    for i in range(members):
        user = django_user_model.objects.create_user(username=f"m{i}@example.org")
        Membership.objects.create(venture=venture, user=user, role="advisor")
        make_invitation(email=f"p{i}@example.org", venture=venture, invited_by=alice)
    client = client_for(alice)
    # session, user, venture, role, members, invitations
    with django_assert_num_queries(6):
        assert client.get("/ventures/sepsis-dx/people/").status_code == 200
