"""Hardening: login lockout, Content-Security-Policy with nonces, CSRF on htmx requests,
password validators, secure cookies in production, and no unescaped output."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from canvas.models import Invitation, Membership
from tests.conftest import PASSWORD, client_for
from tests.review_fixtures import (
    make_invitation,
)

ROOT = Path(__file__).resolve().parent.parent


# --- login rate limit (django-axes) ---------------------------------------------------------


def test_login_locks_after_five_failures_and_refuses_even_the_right_password(client, alice):
    for attempt in range(1, 6):
        response = client.post(
            "/accounts/login/", {"username": alice.username, "password": f"wrong-{attempt}"}
        )
        if attempt < 5:
            assert response.status_code == 200
            assert "Please enter a correct" in response.content.decode()
    assert response.status_code == 429  # the fifth failure locks the account
    response = client.post("/accounts/login/", {"username": alice.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_a_lockout_is_per_account_and_address(client, alice, bob):
    for attempt in range(5):
        client.post("/accounts/login/", {"username": alice.username, "password": f"no-{attempt}"})
    response = client.post(
        "/accounts/login/", {"username": bob.username, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert int(client.session["_auth_user_id"]) == bob.pk


def test_a_successful_sign_in_resets_the_failure_count(client, alice):
    for attempt in range(4):
        client.post("/accounts/login/", {"username": alice.username, "password": f"no-{attempt}"})
    client.post("/accounts/login/", {"username": alice.username, "password": PASSWORD})
    client.logout()
    for attempt in range(4):
        client.post("/accounts/login/", {"username": alice.username, "password": f"no-{attempt}"})
    response = client.post("/accounts/login/", {"username": alice.username, "password": PASSWORD})
    assert response.status_code == 302


def test_the_invitation_sign_in_counts_towards_the_same_lockout(client, frank, venture):
    token, invitation = make_invitation(email="frank@example.org", venture=venture)
    for attempt in range(5):
        client.post(f"/invitations/{token}/", {"password": f"wrong-{attempt}"})
    response = client.post(f"/invitations/{token}/", {"password": PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert not Membership.objects.filter(user=frank, venture=venture).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


# --- Content-Security-Policy ------------------------------------------------------------------


PAGES = [
    "/accounts/login/",
    "/",
    "/ventures/sepsis-dx/people/",
    "/ventures/sepsis-dx/share/",
    "/ventures/sepsis-dx/activity/",
]


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_strict_csp_with_a_fresh_nonce(alice, venture, path):
    client = client_for(alice)
    first, second = client.get(path), client.get(path)
    assert first.status_code == 200
    policy = csp_directives(first)
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    nonces = [s for s in scripts if s.startswith("'nonce-")]
    assert len(nonces) == 1
    assert nonces != [s for s in csp_directives(second)["script-src"] if s.startswith("'nonce-")]


@pytest.mark.parametrize("path", PAGES)
def test_every_script_tag_carries_the_nonce_and_there_are_no_inline_handlers(alice, venture, path):
    response = client_for(alice).get(path)
    nonce = next(
        s[len("'nonce-") : -1]
        for s in csp_directives(response)["script-src"]
        if s.startswith("'nonce-")
    )
    page = response.content.decode()
    tags = re.findall(r"<script\b[^>]*>", page)
    assert tags, "the page loads htmx"
    for tag in tags:
        assert f'nonce="{nonce}"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", page), "inline event handler"
    assert not re.search(r"\shx-on[:-]", page)
    assert " style=" not in page


def test_base_template_puts_a_nonce_on_every_script():
    base = (ROOT / "templates" / "base.html").read_text()
    for tag in re.findall(r"<script\b[^>]*>", base):
        assert "nonce=" in tag, tag


def test_the_shared_canvas_and_invitation_pages_send_the_csp_too(client, venture):
    from tests.review_fixtures import make_share_link

    token, _ = make_share_link(venture)
    invite, _ = make_invitation(email="x@example.org", venture=venture)
    for path in (f"/s/{token}/", f"/invitations/{invite}/"):
        response = client.get(path)
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]
        assert "'nonce-" in response["Content-Security-Policy"]


# --- CSRF on htmx requests -------------------------------------------------------------------


def test_htmx_posts_need_the_csrf_header_that_the_page_provides(alice, venture):
    client = client_for(alice, enforce_csrf_checks=True)
    page = client.get("/ventures/sepsis-dx/people/").content.decode()
    body_headers = re.search(r"<body hx-headers='([^']+)'", page)
    assert body_headers, "the CSRF token is on <body> for every htmx request"
    token = json.loads(body_headers.group(1))["X-CSRFToken"]
    data = {"email": "vera@example.org", "role": "advisor"}

    refused = client.post(
        "/ventures/sepsis-dx/people/invite/", data, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 403
    assert not Invitation.objects.exists()

    accepted = client.post(
        "/ventures/sepsis-dx/people/invite/",
        data,
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert accepted.status_code == 302
    assert Invitation.objects.count() == 1


def test_the_csrf_cookie_value_also_works_as_the_header(alice, venture):
    client = client_for(alice, enforce_csrf_checks=True)
    client.get("/ventures/sepsis-dx/people/")
    cookie = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        "/ventures/sepsis-dx/people/invite/",
        {"email": "vera@example.org", "role": "advisor"},
        headers={"HX-Request": "true", "X-CSRFToken": cookie},
    )
    assert response.status_code == 302


def test_a_form_post_without_its_token_is_refused(alice, venture):
    client = client_for(alice, enforce_csrf_checks=True)
    response = client.post(
        "/ventures/sepsis-dx/people/invite/", {"email": "vera@example.org", "role": "advisor"}
    )
    assert response.status_code == 403


# --- passwords and cookies ---------------------------------------------------------------------


def test_all_four_django_password_validators_are_on():
    names = {v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }


def test_production_settings_make_sessions_and_cookies_secure():
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({k: getattr(settings, k) for k in ["
        "'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'SESSION_COOKIE_SAMESITE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
        "'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS']}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))} | {
        "DJANGO_SETTINGS_MODULE": "canvas.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "canvas.example.org",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    prod = json.loads(out.stdout.strip().splitlines()[-1])
    assert prod["DEBUG"] is False
    assert prod["SESSION_COOKIE_SECURE"] and prod["CSRF_COOKIE_SECURE"]
    assert prod["SESSION_COOKIE_HTTPONLY"] and prod["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert prod["SECURE_SSL_REDIRECT"] and prod["SECURE_HSTS_SECONDS"] >= 31536000
    assert prod["SECURE_CONTENT_TYPE_NOSNIFF"] and prod["X_FRAME_OPTIONS"] == "DENY"


# --- nothing is rendered unescaped -----------------------------------------------------------

PLAIN_TEXT_EMAIL = {"templates/email/invitation.txt", "templates/email/invitation_subject.txt"}


def test_no_html_template_turns_autoescaping_off():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if not path.is_file() or str(path.relative_to(ROOT)) in PLAIN_TEXT_EMAIL:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\|\s*safe\b", r"\|\s*safeseq\b", r"{%\s*autoescape\s+off"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not offenders, offenders


def test_python_code_marks_text_safe_only_where_it_says_why():
    """HTML built in Python (for speed) escapes every value and says so: each mark_safe()
    carries a "# safe:" comment; SafeString() only wraps what a template rendered."""
    offenders = []
    for path in sorted((ROOT / "canvas").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.relative_to(ROOT)}:{number}"
            if "mark_safe(" in line and "# safe:" not in line:
                offenders.append(where)
            if "SafeString(" in line and not re.search(r"SafeString\([\w.]+\.render\(", line):
                offenders.append(where)
    assert not offenders, offenders


# --- tokens kept out of django-axes' records -----------------------------------------------


def test_axes_records_and_logs_no_live_invitation_token(client, frank, venture, caplog):
    from axes.models import AccessAttempt, AccessLog

    token, _ = make_invitation(email="frank@example.org", venture=venture)
    with caplog.at_level("INFO", logger="axes"):
        client.post(f"/invitations/{token}/", {"password": "wrong"})
        client.post(f"/invitations/{token}/", {"password": PASSWORD})
    assert Membership.objects.filter(user=frank, venture=venture).exists()
    stored = [*AccessAttempt.objects.values_list("path_info", flat=True)]
    stored += AccessLog.objects.values_list("path_info", flat=True)
    assert stored and set(stored) == {"/invitations/[redacted]/"}
    assert "invitations/[redacted]" in caplog.text
    assert token not in caplog.text


# --- bidirectional-text controls -------------------------------------------------------------

BIDI_NAME = "Invoice\u202egnp.exe\u202c \u2067isolated\u2069"


def test_bidi_controls_in_typed_text_never_reach_a_page(alice, bob, venture):
    from canvas.models import Comment, PartnerEntry

    partner = PartnerEntry.objects.filter(canvas=venture.canvas).order_by("position").first()
    PartnerEntry.objects.filter(pk=partner.pk).update(name=BIDI_NAME)
    Comment.objects.create(canvas=venture.canvas, author=bob, block="partners", body=BIDI_NAME)
    client = client_for(alice)
    for path in ("/ventures/sepsis-dx/canvas/", "/ventures/sepsis-dx/comments/partners/"):
        page = client.get(path).content.decode()
        assert "Invoicegnp.exe isolated" in page
        assert not any(chr(c) in page for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


# --- private downloads are not cached -------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("alice", "/ventures/sepsis-dx/canvas.json"),
        ("alice", "/ventures/sepsis-dx/versions/1.json"),
        ("carol", "/cohorts/northstar/canvases.csv"),
    ],
)
def test_json_and_csv_downloads_are_private_and_not_stored(request, venture, who, path):
    response = client_for(request.getfixturevalue(who)).get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


# --- a refused form explains itself ----------------------------------------------------------


def test_a_csrf_failure_shows_the_apps_page_saying_what_to_do(alice, venture):
    client = client_for(alice, enforce_csrf_checks=True)
    response = client.post(
        "/ventures/sepsis-dx/people/invite/", {"email": "vera@example.org", "role": "advisor"}
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "<title>Please reload the form · Operations Canvas</title>" in page
    assert "Reload the page" in page and "sign in again" in page
    assert '<a href="/">Reload the page</a>' in page  # no Referer: the home page
    response = client.post(
        "/ventures/sepsis-dx/people/invite/",
        {"email": "vera@example.org", "role": "advisor"},
        headers={"Referer": "http://testserver/ventures/sepsis-dx/people/"},
    )
    assert '<a href="/ventures/sepsis-dx/people/">Reload the page</a>' in response.content.decode()
    assert "CSRF verification failed" not in page


def test_an_htmx_csrf_failure_answers_one_line_the_page_shows(alice, venture):
    client = client_for(alice, enforce_csrf_checks=True)
    response = client.post(
        "/ventures/sepsis-dx/canvas/finances/", {}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("Not saved: ")
