"""The access matrix: every URL of the app, GET and POST, for every member of the cast.

SPEC §1: founders edit; advisors read, comment and export; cohort staff read every canvas of
their cohort and use its dashboard; a share-link holder reads one canvas and its PDF;
anonymous visitors get the login page and /healthz (plus the invitation and share-link
pages, which carry their own secret). A venture or cohort a person does not belong to
answers 404. Pages a role is not offered (writes for advisors and staff; the activity log
and comments for staff) answer 404 too, as the permission scopes make them.

Every pattern in ``canvas.urls`` needs an entry in MATRIX: adding a URL without one fails
``test_every_url_pattern_has_an_entry_in_the_matrix``. Each request runs in a savepoint that
is rolled back, so a founder's POST (restore, revoke, remove...) does not change what the
next person sees.

Status codes: 200/201 page; 302 to the login page (anonymous) or after a form; 303 after a
write; 404 hidden; 405 method not allowed (a GET-only URL, after sign-in); 422 a write that
reached its form and was refused as empty. ``REDIRECT_TO_LOGIN`` is checked to really point
at the login page.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.admin.sites import site as admin_site
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver

from canvas import urls
from canvas.models import BulkExport, Comment, Membership, PartnerEntry
from tests.conftest import client_for
from tests.review_fixtures import (
    make_invitation,
    make_share_link,
)

CAST = (
    "founder",  # alice, founder of Sepsis Dx
    "cofounder",  # dave, co-founder of Sepsis Dx
    "advisor",  # bob, advisor of Sepsis Dx
    "staff",  # carol, staff of Northstar (Sepsis Dx's cohort)
    "other_staff",  # erin, staff of another cohort
    "other_founder",  # frank, founder of Other Co
    "outsider",  # mallory, signed in, belongs to nothing
    "anonymous",  # not signed in
    "holder",  # not signed in, holds a live share link to Sepsis Dx
)


def who(
    founder: int,
    advisor: int | None = None,
    staff: int | None = None,
    *,
    cofounder: int | None = None,
    other_staff: int = 404,
    other_founder: int | None = None,
    outsider: int | None = None,
    anonymous: int = 302,
    holder: int | None = None,
) -> dict[str, int]:
    """Expected statuses; unnamed roles default to their nearest kin (the co-founder to the
    founder, advisor and staff to 404, the other founder and the outsider to the other staff,
    the holder to anonymous)."""
    return {
        "founder": founder,
        "cofounder": founder if cofounder is None else cofounder,
        "advisor": 404 if advisor is None else advisor,
        "staff": 404 if staff is None else staff,
        "other_staff": other_staff,
        "other_founder": other_staff if other_founder is None else other_founder,
        "outsider": other_staff if outsider is None else outsider,
        "anonymous": anonymous,
        "holder": anonymous if holder is None else holder,
    }


# Common shapes
READ_ALL = who(200, 200, 200)  # founders, advisors and cohort staff read it
MEMBERS = who(200, 200)  # founders and advisors only
FOUNDERS = who(200)  # founders only
WRONG_METHOD = who(405, 405, 405, other_staff=405)  # e.g. POST to a GET-only URL, signed in
EVERYONE_SIGNED_IN = who(200, 200, 200, other_staff=200)  # pages about no venture
PUBLIC_TOKEN = who(200, 200, 200, other_staff=200, anonymous=200)  # the secret is the token


@dataclass(frozen=True)
class Row:
    url: str
    get: dict[str, int]
    post: dict[str, int]
    post_data: dict[str, Any] = field(default_factory=dict)
    note: str = ""


MATRIX: dict[str, Row] = {
    # --- everyone ----------------------------------------------------------------------------
    "": Row(
        "/",
        EVERYONE_SIGNED_IN,
        who(405, 405, 405, other_staff=405, anonymous=405),
        note="the home page only reads: POST is not allowed, signed in or not",
    ),
    "healthz": Row(
        "/healthz",
        who(200, 200, 200, other_staff=200, anonymous=200),
        who(405, 405, 405, other_staff=405, anonymous=405),
    ),
    "accounts/login/": Row(
        "/accounts/login/",
        # Django's LoginView sends a signed-in person on only with ?next; it shows the form
        who(200, 200, 200, other_staff=200, anonymous=200),
        # an empty form is shown again with its errors
        who(200, 200, 200, other_staff=200, anonymous=200),
    ),
    "accounts/logout/": Row(
        "/accounts/logout/",
        who(405, 405, 405, other_staff=405, anonymous=405),
        who(302, 302, 302, other_staff=302, anonymous=302),
    ),
    "rules/": Row("/rules/", EVERYONE_SIGNED_IN, WRONG_METHOD),
    "schema/": Row("/schema/", EVERYONE_SIGNED_IN, WRONG_METHOD),
    "schema/canvas.json": Row("/schema/canvas.json", EVERYONE_SIGNED_IN, WRONG_METHOD),
    # --- the canvas (editor for founders, viewer for advisors and staff) ------------------
    "ventures/<slug:slug>/canvas/": Row("/ventures/sepsis-dx/canvas/", READ_ALL, WRONG_METHOD),
    "ventures/<slug:slug>/canvas/header/": Row(
        "/ventures/sepsis-dx/canvas/header/", who(303), who(422)
    ),
    "ventures/<slug:slug>/canvas/header/edit/": Row(
        "/ventures/sepsis-dx/canvas/header/edit/", who(302), WRONG_METHOD
    ),
    "ventures/<slug:slug>/canvas/finances/": Row(
        "/ventures/sepsis-dx/canvas/finances/", who(303), who(422)
    ),
    "ventures/<slug:slug>/canvas/finances/edit/": Row(
        "/ventures/sepsis-dx/canvas/finances/edit/", who(302), WRONG_METHOD
    ),
    "ventures/<slug:slug>/canvas/readiness/": Row(
        "/ventures/sepsis-dx/canvas/readiness/",
        who(303),
        who(409),
        note="an empty POST carries no version: a conflict",
    ),
    "ventures/<slug:slug>/canvas/readiness/edit/": Row(
        "/ventures/sepsis-dx/canvas/readiness/edit/", who(302), WRONG_METHOD
    ),
    "ventures/<slug:slug>/canvas/partners/<int:pk>/to-vendor/": Row(
        "/ventures/sepsis-dx/canvas/partners/{partner}/to-vendor/",
        WRONG_METHOD,
        who(303),
        note="Move to vendors: the partner becomes a vendor, then back to the page",
    ),
    "ventures/<slug:slug>/canvas/<str:block>/": Row(
        "/ventures/sepsis-dx/canvas/partners/", WRONG_METHOD, who(422)
    ),
    "ventures/<slug:slug>/canvas/<str:block>/new/": Row(
        "/ventures/sepsis-dx/canvas/partners/new/", who(302), WRONG_METHOD
    ),
    "ventures/<slug:slug>/canvas/<str:block>/<int:pk>/": Row(
        "/ventures/sepsis-dx/canvas/partners/{partner}/", who(303), who(422)
    ),
    "ventures/<slug:slug>/canvas/<str:block>/<int:pk>/edit/": Row(
        "/ventures/sepsis-dx/canvas/partners/{partner}/edit/", who(302), WRONG_METHOD
    ),
    "ventures/<slug:slug>/canvas/<str:block>/<int:pk>/delete/": Row(
        "/ventures/sepsis-dx/canvas/partners/{partner}/delete/", WRONG_METHOD, who(303)
    ),
    "ventures/<slug:slug>/canvas/<str:block>/<int:pk>/move/": Row(
        "/ventures/sepsis-dx/canvas/partners/{partner}/move/",
        WRONG_METHOD,
        who(303),
        {"direction": "down"},
    ),
    # --- exports -------------------------------------------------------------------------------
    "ventures/<slug:slug>/canvas.pdf": Row(
        "/ventures/sepsis-dx/canvas.pdf",
        who(202, 202, 202),
        WRONG_METHOD,
        note="202: the Preparing page, while the worker makes the PDF (test_pdf_views.py)",
    ),
    "ventures/<slug:slug>/canvas.json": Row(
        "/ventures/sepsis-dx/canvas.json", READ_ALL, WRONG_METHOD
    ),
    # --- versions ------------------------------------------------------------------------------
    "ventures/<slug:slug>/versions/": Row("/ventures/sepsis-dx/versions/", READ_ALL, who(400)),
    "ventures/<slug:slug>/versions/<int:number>/": Row(
        "/ventures/sepsis-dx/versions/1/", READ_ALL, WRONG_METHOD
    ),
    "ventures/<slug:slug>/versions/<int:number>.json": Row(
        "/ventures/sepsis-dx/versions/1.json", READ_ALL, WRONG_METHOD
    ),
    "ventures/<slug:slug>/versions/<int:number>/restore/": Row(
        "/ventures/sepsis-dx/versions/1/restore/", FOUNDERS, who(303)
    ),
    "ventures/<slug:slug>/compare/": Row("/ventures/sepsis-dx/compare/", READ_ALL, WRONG_METHOD),
    "ventures/<slug:slug>/upload/": Row("/ventures/sepsis-dx/upload/", FOUNDERS, who(400)),
    # --- people, sharing, activity, comments (issue #5) ------------------------------------
    "ventures/<slug:slug>/people/": Row("/ventures/sepsis-dx/people/", READ_ALL, WRONG_METHOD),
    "ventures/<slug:slug>/people/invite/": Row(
        "/ventures/sepsis-dx/people/invite/", WRONG_METHOD, who(422)
    ),
    "ventures/<slug:slug>/people/invitations/<int:pk>/revoke/": Row(
        "/ventures/sepsis-dx/people/invitations/{invitation}/revoke/", WRONG_METHOD, who(302)
    ),
    "ventures/<slug:slug>/people/members/<int:pk>/remove/": Row(
        "/ventures/sepsis-dx/people/members/{membership}/remove/", WRONG_METHOD, who(302)
    ),
    "ventures/<slug:slug>/share/": Row("/ventures/sepsis-dx/share/", FOUNDERS, who(422)),
    "ventures/<slug:slug>/share/<int:pk>/revoke/": Row(
        "/ventures/sepsis-dx/share/{link}/revoke/", WRONG_METHOD, who(302)
    ),
    "ventures/<slug:slug>/activity/": Row("/ventures/sepsis-dx/activity/", MEMBERS, WRONG_METHOD),
    "ventures/<slug:slug>/comments/<str:block>/": Row(
        "/ventures/sepsis-dx/comments/partners/", MEMBERS, who(303, 303), {"body": "Why?"}
    ),
    "ventures/<slug:slug>/comments/<int:pk>/reply/": Row(
        "/ventures/sepsis-dx/comments/{comment}/reply/", WRONG_METHOD, who(303, 303), {"body": "Ok"}
    ),
    "ventures/<slug:slug>/comments/<int:pk>/resolve/": Row(
        "/ventures/sepsis-dx/comments/{comment}/resolve/", WRONG_METHOD, who(303)
    ),
    "ventures/<slug:slug>/comments/<int:pk>/reopen/": Row(
        "/ventures/sepsis-dx/comments/{comment}/reopen/", WRONG_METHOD, who(303)
    ),
    "invitations/<str:token>/": Row(
        "/invitations/{invite_token}/",
        # a signed-in person sees whom it is for (and, if not them, that they must sign out)
        PUBLIC_TOKEN,
        # accepting needs the invited account (vera@example.org, nobody in the cast):
        # signed-in others are refused, anonymous visitors get the sign-up form back
        who(403, 403, 403, other_staff=403, anonymous=422),
    ),
    "s/<str:token>/": Row(
        "/s/{share_token}/",
        PUBLIC_TOKEN | {"anonymous": 404},
        who(405, 405, 405, other_staff=405, anonymous=405),
        note="anonymous visitors request it with a made-up token: 404",
    ),
    "s/<str:token>/canvas.pdf": Row(
        "/s/{share_token}/canvas.pdf",
        who(202, 202, 202, other_staff=202, anonymous=404, holder=202),
        who(405, 405, 405, other_staff=405, anonymous=405),
    ),
    # --- cohorts -----------------------------------------------------------------------------
    "cohorts/<slug:slug>/": Row("/cohorts/northstar/", who(404, 404, 200), WRONG_METHOD),
    "cohorts/<slug:slug>/canvases.csv": Row(
        "/cohorts/northstar/canvases.csv", who(404, 404, 200), WRONG_METHOD
    ),
    "cohorts/<slug:slug>/compare/": Row(
        "/cohorts/northstar/compare/", who(404, 404, 200), WRONG_METHOD
    ),
    "cohorts/<slug:slug>/exports/": Row(
        "/cohorts/northstar/exports/", WRONG_METHOD, who(404, 404, 302)
    ),
    "cohorts/<slug:slug>/exports/<int:export_id>/": Row(
        "/cohorts/northstar/exports/{export}/", who(404, 404, 200), WRONG_METHOD
    ),
    "cohorts/<slug:slug>/exports/<int:export_id>/download/": Row(
        "/cohorts/northstar/exports/{export}/download/", who(404, 404, 200), WRONG_METHOD
    ),
    "cohorts/<slug:slug>/invite/": Row(
        "/cohorts/northstar/invite/", who(404, 404, 200), who(404, 404, 422)
    ),
    "cohorts/<slug:slug>/invitations/<int:pk>/revoke/": Row(
        "/cohorts/northstar/invitations/{cohort_invitation}/revoke/",
        WRONG_METHOD,
        who(404, 404, 302),
    ),
}


# --- the URL patterns of the app ---------------------------------------------------------


def app_routes(patterns=None, prefix: str = "") -> list[str]:
    """Every route of canvas.urls, included ones expanded; the admin is tested on its own."""
    routes: list[str] = []
    for p in urls.urlpatterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            if p.urlconf_name is admin_site.urls[0] or route == "admin/":
                continue
            routes.extend(app_routes(p.url_patterns, route))
        elif isinstance(p, URLPattern):
            routes.append(route)
    return routes


def test_every_url_pattern_has_an_entry_in_the_matrix():
    routes = app_routes()
    missing = [r for r in routes if r not in MATRIX]
    assert not missing, f"add these URL patterns to MATRIX in {__file__}: {missing}"


def test_the_matrix_has_no_stale_entries():
    stale = sorted(set(MATRIX) - set(app_routes()))
    assert not stale, f"these MATRIX entries match no URL pattern any more: {stale}"


def test_every_entry_names_every_member_of_the_cast():
    for route, row in MATRIX.items():
        assert set(row.get) == set(CAST) == set(row.post), route


# --- the world the matrix runs in ---------------------------------------------------------


@pytest.fixture
def world(
    alice, dave, bob, carol, erin, frank, mallory, venture, cohort, settings, tmp_path, monkeypatch
):
    """The cast plus one of everything a URL can point at, on Sepsis Dx and Northstar.
    PDFs are not rendered here (access is the question; tests/test_pdf*.py and
    tests/test_xss.py render them): a PDF address answers its Preparing page."""
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "northstar.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    export = BulkExport.objects.create(
        cohort=cohort,
        requested_by=carol,
        status=BulkExport.DONE,
        total=1,
        done=1,
        file="exports/northstar.zip",
    )
    invite_token, invitation = make_invitation(
        email="vera@example.org", venture=venture, invited_by=alice
    )
    _, cohort_invitation = make_invitation(
        email="wes@example.org", role="founder", cohort=cohort, new_venture_name="Wound Watch"
    )
    share_token, link = make_share_link(venture, created_by=alice)
    partner = PartnerEntry.objects.filter(canvas=venture.canvas).order_by("position").first()
    comment = Comment.objects.create(
        canvas=venture.canvas, author=bob, block="partners", body="Why this partner?"
    )
    users = {
        "founder": alice,
        "cofounder": dave,
        "advisor": bob,
        "staff": carol,
        "other_staff": erin,
        "other_founder": frank,
        "outsider": mallory,
    }
    clients = {name: client_for(user) for name, user in users.items()}
    clients["anonymous"] = Client()
    clients["holder"] = Client()
    values = {
        "partner": partner.pk,
        "membership": Membership.objects.get(user=bob).pk,
        "invitation": invitation.pk,
        "cohort_invitation": cohort_invitation.pk,
        "link": link.pk,
        "comment": comment.pk,
        "export": export.pk,
        "invite_token": invite_token,
        "share_token": share_token,
    }
    return clients, values


MADE_UP_TOKEN = "A" * 43


def url_for(row: Row, role: str, values: dict[str, Any]) -> str:
    url = row.url.format(**values)
    if role == "anonymous" and "{share_token}" in row.url:
        # anonymous visitors without the link; the holder brings the real token
        url = url.replace(values["share_token"], MADE_UP_TOKEN)
    return url


def request_as(client: Client, method: str, url: str, data: dict[str, Any]):
    """One request whose effects are undone afterwards: its writes are rolled back and the
    client's cookies restored (so signing out, for one, signs no one out)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url, data)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


@pytest.mark.parametrize("route", list(MATRIX))
def test_access_matrix(world, route):
    clients, values = world
    row = MATRIX[route]
    problems = []
    for method, expected in (("GET", row.get), ("POST", row.post)):
        for role in CAST:
            url = url_for(row, role, values)
            response = request_as(clients[role], method, url, row.post_data)
            got = response.status_code
            if got != expected[role]:
                problems.append(f"{method} {url} as {role}: got {got}, expected {expected[role]}")
            elif (
                got == 302
                and role in ("anonymous", "holder")
                and route
                not in (
                    "accounts/login/",
                    "accounts/logout/",
                )
            ):
                location = response["Location"]
                if not location.startswith("/accounts/login/?next="):
                    problems.append(f"{method} {url} as {role}: redirected to {location}")
    assert not problems, "\n".join(problems)


# --- the admin -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in CAST if r != "holder"])
def test_no_one_in_the_cast_may_use_the_admin(world, role):
    clients, _ = world
    for url in ("/admin/", "/admin/canvas/venture/", "/admin/auth/user/"):
        response = clients[role].get(url)
        assert response.status_code == 302, (url, role)
        assert response["Location"].startswith("/admin/login/")


def test_django_staff_users_may_use_the_admin(django_user_model, db):
    admin = django_user_model.objects.create_superuser("root@example.org", "root@example.org")
    client = client_for(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/canvas/venture/").status_code == 200
