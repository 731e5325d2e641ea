"""Vendors in the product (rule set 2): listed beside Key Partners, edited like every other
entry, and reached in one click from a partner whose verdict is vendor."""

from __future__ import annotations

import io

import pytest

from canvas import document as d
from canvas.evaluator import evaluate
from canvas.models import (
    ActivityEntry,
    Canvas,
    Membership,
    PartnerEntry,
    VendorEntry,
    create_venture,
)
from tests.conftest import big_document, client_for, load_fixture

BASE = "/ventures/sepsis-dx/canvas/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def rules_of(venture) -> list[tuple[str, str | None]]:
    canvas = Canvas.objects.get(venture=venture)
    return [(f["rule"], f["subject"]) for f in canvas.evaluation["findings"]]


@pytest.fixture
def courier(venture):
    """A partner rated as a vendor (KP02), with an activity outsourced to it."""
    canvas = venture.canvas
    partner = PartnerEntry.objects.create(
        canvas=canvas,
        position=10,
        name="Courier Express",
        partner_type="other",
        strategic_value="Same-day sample shipping",
        recovery_time="weeks",
        replacement_cost="minimal",
    )
    ActivityEntry.objects.create(
        canvas=canvas,
        position=10,
        name="Sample shipping",
        relevance_rating="low",
        imitation_rating="low",
        breadth_rating="low",
        outsourced_to="courier express",  # names compare ignoring case
    )
    canvas.refresh_evaluation()
    return partner


def test_a_founder_adds_a_vendor_and_sees_it_in_the_vendor_list(alice_client, venture):
    data = {"name": "Acme Legal", "service": "General counsel"}
    response = alice_client.post(f"{BASE}vendors/", data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="vendors-list"')
    assert "Acme Legal" in html and "General counsel" in html
    assert VendorEntry.objects.filter(canvas__venture=venture, name="Acme Legal").exists()


def test_the_canvas_page_shows_the_vendor_list_beside_key_partners(alice_client, venture):
    html = alice_client.get(BASE).content.decode()
    partners = html.index('id="block-partners"')
    vendors = html.index('id="block-vendors"')
    activities = html.index('id="block-activities"')
    assert partners < vendors < activities  # under the partners, inside their block
    assert "Ledgerline Bookkeeping" in html[vendors:activities]


def test_a_vendor_may_not_take_a_partners_name(alice_client, venture):
    data = {"name": "biomed contract manufacturing", "service": ""}
    response = alice_client.post(f"{BASE}vendors/", data, **HTMX)
    assert response.status_code == 422
    assert "Another partner or vendor already has this name" in response.content.decode()
    assert not VendorEntry.objects.filter(name__iexact=data["name"]).exists()


def test_a_partner_may_not_take_a_vendors_name(alice_client, venture):
    data = {"name": "LEDGERLINE BOOKKEEPING", "partner_type": "other"}
    response = alice_client.post(f"{BASE}partners/", data, **HTMX)
    assert response.status_code == 422
    assert "Another partner or vendor already has this name" in response.content.decode()


def test_renaming_a_vendor_keeps_the_activities_outsourced_to_it(alice_client, venture):
    vendor = VendorEntry.objects.get(canvas__venture=venture)
    data = {"name": "Ledgerline Accounts", "service": vendor.service, "version": vendor.version}
    response = alice_client.post(f"{BASE}vendors/{vendor.pk}/", data, **HTMX)
    assert response.status_code == 200
    activity = ActivityEntry.objects.get(name="General financial management")
    assert activity.outsourced_to == "Ledgerline Accounts"
    assert "KA06" not in {rule for rule, _ in rules_of(venture)}


def test_move_to_vendors_keeps_the_name_carries_the_value_and_clears_kp02(
    alice_client, venture, courier
):
    assert ("KP02", "Courier Express") in rules_of(venture)
    response = alice_client.post(f"{BASE}partners/{courier.pk}/to-vendor/", **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="partners-list"')
    for oob in ("vendors-list", "activities-list", "findings", "score"):
        assert f'id="{oob}"' in html
    assert not PartnerEntry.objects.filter(pk=courier.pk).exists()
    vendor = VendorEntry.objects.get(canvas__venture=venture, name="Courier Express")
    assert vendor.service == "Same-day sample shipping"
    assert ActivityEntry.objects.get(name="Sample shipping").outsourced_to == "courier express"
    found = rules_of(venture)
    assert ("KP02", "Courier Express") not in found
    assert ("KA06", "Sample shipping") not in found
    doc = Canvas.objects.get(venture=venture).to_document()
    assert [p.verdict for p in evaluate(doc).partners if p.name == "Courier Express"] == []


def test_move_to_vendors_without_javascript_redirects_back(alice_client, venture, courier):
    response = alice_client.post(f"{BASE}partners/{courier.pk}/to-vendor/")
    assert response.status_code == 303
    assert response["Location"] == f"{BASE}#block-vendors"
    assert VendorEntry.objects.filter(name="Courier Express").exists()


def test_the_editor_offers_move_to_vendors_only_for_a_vendor_verdict(alice_client, courier):
    html = alice_client.get(BASE).content.decode()
    assert html.count('class="to-vendor"') == 1
    assert f'action="{BASE}partners/{courier.pk}/to-vendor/"' in html


@pytest.mark.parametrize("who", ["bob", "carol", "mallory"])
def test_only_founders_may_move_a_partner(request, venture, courier, who):
    client = client_for(request.getfixturevalue(who))
    response = client.post(f"{BASE}partners/{courier.pk}/to-vendor/", **HTMX)
    assert response.status_code == 404
    assert PartnerEntry.objects.filter(pk=courier.pk).exists()


def test_move_to_vendors_of_another_canvas_partner_is_404(alice_client, other_venture):
    other = PartnerEntry.objects.filter(canvas__venture=other_venture).first()
    response = alice_client.post(f"{BASE}partners/{other.pk}/to-vendor/", **HTMX)
    assert response.status_code == 404
    assert PartnerEntry.objects.filter(pk=other.pk).exists()


@pytest.fixture(params=[5, 200], ids=["5-per-block", "200-per-block"])
def sized(request, alice):
    venture = create_venture("sized", big_document(request.param))
    Membership.objects.create(venture=venture, user=alice, role="founder")
    return venture


def test_move_to_vendors_runs_the_same_queries_for_any_canvas_size(
    alice_client, sized, django_assert_num_queries
):
    partner = PartnerEntry.objects.filter(canvas__venture=sized).order_by("position").first()
    # session, user, SAVEPOINT, canvas, 5 entry lists, delete (cascade check + delete),
    # insert, the two lists again, evaluation, activity log, RELEASE
    with django_assert_num_queries(17):
        response = alice_client.post(
            f"/ventures/sized/canvas/partners/{partner.pk}/to-vendor/", **HTMX
        )
    assert response.status_code == 200


def test_the_pdf_lists_the_vendors_and_runway_against_the_milestone():
    from pypdf import PdfReader

    from canvas.pdf import render_canvas_pdf

    doc = d.parse_document(load_fixture("sepsis-predict.json"))
    reader = PdfReader(io.BytesIO(render_canvas_pdf(doc)))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Vendors, beside the canvas" in text
    assert "SOC 2 audit firm" in text and "Cloud infrastructure provider" in text
    assert "20.0 months of runway · milestone in 12 months · 8 months to raise" in text
    assert "3 of 5 answered · 2 yes" in text
