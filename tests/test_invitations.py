"""Accepting an invitation: sign up or sign in, then exactly the invited role, once."""

import smtplib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from canvas import invitations
from canvas.models import ActivityLog, Invitation, Membership, Venture
from tests.conftest import PASSWORD, client_for
from tests.review_fixtures import (
    invitation_path,
    make_invitation,
)

NEW_PASSWORD = "plum-harbour-7-lantern"


def sign_up(client: Client, token: str, password: str = NEW_PASSWORD, again: str | None = None):
    return client.post(
        f"/invitations/{token}/", {"password1": password, "password2": again or password}
    )


def test_invitation_page_says_what_the_person_is_invited_to(client, alice, venture):
    token, _ = make_invitation(email="vera@example.org", venture=venture, invited_by=alice)
    page = client.get(f"/invitations/{token}/").content.decode()
    assert "Join Sepsis Dx" in page
    assert "vera@example.org" in page and "advisor" in page
    assert "alice@example.org" in page
    assert '<label for="id_password1">Choose a password</label>' in page


def test_a_new_person_signs_up_and_becomes_exactly_an_advisor(client, alice, venture):
    token, invitation = make_invitation(email="Vera@Example.org", venture=venture)
    response = sign_up(client, token)
    assert response.status_code == 302
    assert response["Location"] == "/ventures/sepsis-dx/canvas/"
    vera = get_user_model().objects.get(email="vera@example.org")
    assert vera.check_password(NEW_PASSWORD)
    assert list(Membership.objects.filter(user=vera).values_list("role", flat=True)) == ["advisor"]
    assert not Venture.objects.editable_by(vera).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == vera and invitation.accepted_at is not None
    # signed in, and the log says who joined
    assert int(client.session["_auth_user_id"]) == vera.pk
    entry = ActivityLog.objects.get(action="member_added")
    assert entry.actor == vera and entry.summary == "vera@example.org joined as advisor"


def test_a_co_founder_invitation_grants_the_founder_role(client, alice, venture):
    token, _ = make_invitation(email="cofounder@example.org", role="founder", venture=venture)
    sign_up(client, token)
    user = get_user_model().objects.get(email="cofounder@example.org")
    assert Venture.objects.editable_by(user).get() == venture


def test_someone_with_an_account_signs_in_with_their_password_to_accept(client, frank, venture):
    token, _ = make_invitation(email="frank@example.org", venture=venture)
    page = client.get(f"/invitations/{token}/").content.decode()
    assert "Sign in to accept" in page and "password1" not in page
    response = client.post(f"/invitations/{token}/", {"password": PASSWORD})
    assert response.status_code == 302
    assert Membership.objects.get(user=frank, venture=venture).role == "advisor"
    # he keeps his own venture
    assert Membership.objects.filter(user=frank, venture__slug="other-co").exists()


def test_a_wrong_password_grants_nothing(client, frank, venture):
    token, invitation = make_invitation(email="frank@example.org", venture=venture)
    response = client.post(f"/invitations/{token}/", {"password": "not-it"})
    assert response.status_code == 422
    assert "That password is not right" in response.content.decode()
    assert not Membership.objects.filter(user=frank, venture=venture).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_signed_in_invitee_accepts_with_one_button(frank, venture):
    token, _ = make_invitation(email="frank@example.org", role="founder", venture=venture)
    client = client_for(frank)
    assert "Accept the invitation" in client.get(f"/invitations/{token}/").content.decode()
    assert client.post(f"/invitations/{token}/").status_code == 302
    assert Membership.objects.get(user=frank, venture=venture).role == "founder"


def test_someone_signed_in_as_another_account_is_told_so_and_cannot_accept(mallory, venture):
    token, invitation = make_invitation(email="vera@example.org", venture=venture)
    client = client_for(mallory)
    page = client.get(f"/invitations/{token}/").content.decode()
    assert "You are signed in as mallory@example.org" in page
    assert "sent to vera@example.org" in page
    assert "Sign out and continue" in page
    assert client.post(f"/invitations/{token}/").status_code == 403
    assert not Membership.objects.filter(user=mallory).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_signing_out_from_the_invitation_page_comes_back_to_it(mallory, venture):
    token, _ = make_invitation(email="vera@example.org", venture=venture)
    client = client_for(mallory)
    response = client.post("/accounts/logout/", {"next": f"/invitations/{token}/"})
    assert response.status_code == 302
    assert response["Location"] == f"/invitations/{token}/"
    assert "Create your account to accept" in client.get(response["Location"]).content.decode()


def test_an_invitation_works_only_once(client, venture):
    token, _ = make_invitation(email="vera@example.org", venture=venture)
    assert sign_up(client, token).status_code == 302
    other = Client()
    response = other.get(f"/invitations/{token}/")
    assert response.status_code == 404
    assert "already been accepted" in response.content.decode()
    assert sign_up(other, token, password="another-fine-password-9").status_code == 404
    assert get_user_model().objects.filter(email="vera@example.org").count() == 1


def test_an_expired_invitation_answers_404_and_grants_nothing(client, venture):
    token, invitation = make_invitation(email="vera@example.org", venture=venture)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(f"/invitations/{token}/")
    assert response.status_code == 404
    assert "It expired on" in response.content.decode()
    assert sign_up(client, token).status_code == 404
    assert not get_user_model().objects.filter(email="vera@example.org").exists()


def test_an_invitation_that_expires_while_the_form_is_open_grants_nothing(client, frank, venture):
    token, invitation = make_invitation(email="frank@example.org", venture=venture)
    client.force_login(frank)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.post(f"/invitations/{token}/").status_code == 404
    assert not Membership.objects.filter(user=frank, venture=venture).exists()


def test_a_revoked_invitation_answers_404(client, venture):
    token, invitation = make_invitation(email="vera@example.org", venture=venture)
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    response = client.get(f"/invitations/{token}/")
    assert response.status_code == 404
    assert "withdrawn" in response.content.decode()


@pytest.mark.parametrize("token", ["nope", "A" * 43, "a" * 200])
def test_an_unknown_token_answers_404(client, db, token):
    response = client.get(f"/invitations/{token}/")
    assert response.status_code == 404
    assert "not a valid invitation" in response.content.decode()


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("short1", None, "This password is too short."),
        ("password123", None, "This password is too common."),
        ("83749162538", None, "This password is entirely numeric."),
        ("vera@example.org", None, "too similar to the"),
        (NEW_PASSWORD, "something-else-entirely", "The two passwords differ."),
    ],
)
def test_sign_up_follows_the_password_validators(client, venture, password, again, message):
    token, _ = make_invitation(email="vera@example.org", venture=venture)
    response = sign_up(client, token, password=password, again=again)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(email="vera@example.org").exists()


def test_an_advisor_invited_as_founder_is_promoted(bob, venture):
    token, _ = make_invitation(email="bob@example.org", role="founder", venture=venture)
    client_for(bob).post(f"/invitations/{token}/")
    assert Membership.objects.get(user=bob).role == "founder"


def test_the_last_founder_cannot_be_demoted_by_an_invitation(alice, venture):
    token, _ = make_invitation(email="alice@example.org", role="advisor", venture=venture)
    response = client_for(alice).post(f"/invitations/{token}/")
    assert response.status_code == 404
    assert Membership.objects.get(user=alice).role == "founder"


# --- cohort staff invite the founder of a new venture -------------------------------------


def test_cohort_staff_invite_a_founder_and_accepting_creates_the_venture_in_the_cohort(
    carol, cohort, mailoutbox
):
    response = client_for(carol).post(
        "/cohorts/northstar/invite/", {"venture_name": "Wound Watch", "email": "wes@example.org"}
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.cohort == cohort and invitation.role == "founder"
    assert invitation.venture is None and invitation.new_venture_name == "Wound Watch"
    mail = mailoutbox[0]
    assert "Wound Watch" in mail.subject and "Northstar" in mail.body

    client = Client()
    path = invitation_path(mail)
    assert "Bring Wound Watch into Northstar" in client.get(path).content.decode()
    response = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    venture = Venture.objects.get(name="Wound Watch")
    assert response["Location"] == f"/ventures/{venture.slug}/canvas/"
    assert venture.slug == "wound-watch" and venture.cohort == cohort
    wes = get_user_model().objects.get(email="wes@example.org")
    assert Venture.objects.editable_by(wes).get() == venture
    assert Venture.objects.visible_to(carol).filter(pk=venture.pk).exists()
    doc = venture.canvas.to_document()
    assert doc.channels == doc.partners == doc.activities == doc.resources == []
    actions = set(
        ActivityLog.objects.filter(canvas=venture.canvas).values_list("action", flat=True)
    )
    assert actions == {"created", "member_added"}


def test_a_new_venture_gets_a_free_address(carol, cohort, venture):
    token, _ = make_invitation(
        email="x@example.org", role="founder", cohort=cohort, new_venture_name="Sepsis DX"
    )
    sign_up(Client(), token)
    assert Venture.objects.filter(name="Sepsis DX").get().slug == "sepsis-dx-2"


@pytest.mark.parametrize("who", ["erin", "alice", "bob", "mallory"])
def test_only_staff_of_the_cohort_invite_ventures_into_it(request, cohort, mailoutbox, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get("/cohorts/northstar/invite/").status_code == 404
    response = client.post(
        "/cohorts/northstar/invite/", {"venture_name": "X", "email": "x@example.org"}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists() and not mailoutbox


def test_cohort_staff_see_and_revoke_pending_cohort_invitations(carol, cohort):
    token, invitation = make_invitation(
        email="x@example.org", role="founder", cohort=cohort, new_venture_name="Vein View"
    )
    client = client_for(carol)
    page = client.get("/cohorts/northstar/invite/").content.decode()
    assert "Vein View" in page
    revoke = f"/cohorts/northstar/invitations/{invitation.pk}/revoke/"
    assert f'action="{revoke}"' in page
    response = client.post(revoke)
    assert response.status_code == 302
    assert Client().get(f"/invitations/{token}/").status_code == 404


def test_staff_of_another_cohort_cannot_revoke_its_invitations(erin, cohort):
    _, invitation = make_invitation(email="x@example.org", role="founder", cohort=cohort)
    client = client_for(erin)
    assert client.post(f"/cohorts/northstar/invitations/{invitation.pk}/revoke/").status_code == 404
    assert client.post(f"/cohorts/elsewhere/invitations/{invitation.pk}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_a_cohort_invitation_needs_a_venture_name_and_an_address(carol, cohort):
    response = client_for(carol).post(
        "/cohorts/northstar/invite/", {"venture_name": " ", "email": "nope"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "This field is required." in page and "Enter a valid email address." in page


# --- hardening: header text, sending after the commit, nothing withdrawn on failure ---------


@pytest.mark.parametrize("line_break", ["\r", "\n", "\r\n", "\u2028", "\u2029"])
def test_a_line_break_in_the_venture_name_still_sends_the_invitation(
    alice, venture, mailoutbox, line_break
):
    Venture.objects.filter(pk=venture.pk).update(name=f"Sepsis{line_break}Dx")
    response = client_for(alice).post(
        "/ventures/sepsis-dx/people/invite/", {"email": "vera@example.org", "role": "advisor"}
    )
    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.subject == "alice@example.org invites you to Sepsis Dx on Operations Canvas"
    assert Invitation.objects.get().email == "vera@example.org"


def test_a_line_break_in_a_new_venture_name_becomes_a_space(carol, cohort, mailoutbox):
    response = client_for(carol).post(
        "/cohorts/northstar/invite/",
        {"venture_name": "Wound\r\nWatch\u2028Pro", "email": "wes@example.org"},
    )
    assert response.status_code == 302
    assert "Wound Watch Pro" in mailoutbox[0].subject
    assert Invitation.objects.get().new_venture_name == "Wound Watch Pro"


def test_a_failed_send_leaves_no_invitation_and_withdraws_nothing(alice, venture, monkeypatch):
    earlier_token, earlier = make_invitation(email="vera@example.org", venture=venture)

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(invitations, "send_mail", refuse)
    client = client_for(alice)
    for _ in range(2):  # a retry starts from the same state
        response = client.post(
            "/ventures/sepsis-dx/people/invite/", {"email": "vera@example.org", "role": "advisor"}
        )
        assert response.status_code == 503
        assert "could not be sent just now" in response.content.decode()
    assert list(Invitation.objects.values_list("pk", flat=True)) == [earlier.pk]
    earlier.refresh_from_db()
    assert earlier.revoked_at is None
    assert Client().get(f"/invitations/{earlier_token}/").status_code == 200


def test_a_new_invitation_withdraws_the_earlier_one_once_it_is_sent(alice, venture, mailoutbox):
    _, earlier = make_invitation(email="vera@example.org", venture=venture)
    client_for(alice).post(
        "/ventures/sepsis-dx/people/invite/", {"email": "Vera@example.org", "role": "advisor"}
    )
    earlier.refresh_from_db()
    assert earlier.revoked_at is not None
    assert len(mailoutbox) == 1
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1


def test_the_invitation_page_keeps_the_origin_of_its_form(client, venture):
    # no-referrer made Chromium post the form with "Origin: null", which the CSRF check refuses
    token, _ = make_invitation(email="vera@example.org", venture=venture)
    response = client.get(f"/invitations/{token}/")
    assert response["Referrer-Policy"] == "same-origin"


def test_accepting_with_the_browsers_origin_header_passes_the_csrf_check(venture):
    token, _ = make_invitation(email="vera@example.org", venture=venture)
    client = Client(enforce_csrf_checks=True)
    client.get(f"/invitations/{token}/")
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        f"/invitations/{token}/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "csrfmiddlewaretoken": csrf},
        headers={"Origin": "http://testserver"},
    )
    assert response.status_code == 302
    assert Membership.objects.get(user__email="vera@example.org").role == "advisor"


def test_the_accepting_logic_lives_in_the_domain_layer(venture, frank):
    token, invitation = make_invitation(email="frank@example.org", venture=venture)
    assert invitations.accept_invitation(invitation, frank) == venture
    with pytest.raises(invitations.InvitationUnusable):
        invitations.accept_invitation(invitation, frank)  # single use
