"""Every htmx save and fragment runs the same number of SQL queries for a canvas with 5 or
with 200 entries in each block.

A save: session, user, SAVEPOINT, the canvas with its venture, 5 entry lists, the write,
the stored evaluation, the activity log, RELEASE SAVEPOINT; adding, deleting and moving also
read the changed list again. A response that shows entries also reads their open comment
threads (one query: the entries' comment markers).
"""

import pytest

from canvas.models import Canvas, Membership, PartnerEntry, Venture, create_venture
from tests.conftest import big_document

BASE = "/ventures/sized/canvas/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(params=[5, 200], ids=["5-per-block", "200-per-block"])
def sized(request, alice):
    """A venture of alice's with 5 or 200 entries in each block."""
    venture = create_venture("sized", big_document(request.param))
    Membership.objects.create(venture=venture, user=alice, role="founder")
    return venture


def second_partner(venture) -> PartnerEntry:
    return PartnerEntry.objects.filter(canvas__venture=venture).order_by("position")[1]


def test_editing_a_partner(alice_client, sized, django_assert_num_queries):
    entry = second_partner(sized)
    data = {**entry.to_data(), "recovery_time": "weeks", "version": entry.version}
    with django_assert_num_queries(14):
        response = alice_client.post(f"{BASE}partners/{entry.pk}/", data, **HTMX)
    assert response.status_code == 200


def test_renaming_a_partner_used_by_activities(alice_client, sized, django_assert_num_queries):
    from canvas.models import ActivityEntry

    entry = second_partner(sized)
    ActivityEntry.objects.filter(canvas__venture=sized).update(outsourced_to=entry.name)
    data = {**entry.to_data(), "name": "Renamed partner", "version": entry.version}
    # + the activities' update
    with django_assert_num_queries(15):
        response = alice_client.post(f"{BASE}partners/{entry.pk}/", data, **HTMX)
    assert response.status_code == 200


def test_adding_a_partner(alice_client, sized, django_assert_num_queries):
    PartnerEntry.objects.filter(pk=second_partner(sized).pk).delete()  # room for one more
    data = {
        "name": "New partner",
        "partner_type": "other",
        "recovery_time": "weeks",
        "replacement_cost": "minimal",
    }
    with django_assert_num_queries(15):
        response = alice_client.post(f"{BASE}partners/", data, **HTMX)
    assert response.status_code == 200


def test_deleting_a_partner(alice_client, sized, django_assert_num_queries):
    entry = second_partner(sized)
    with django_assert_num_queries(15):
        response = alice_client.post(f"{BASE}partners/{entry.pk}/delete/", **HTMX)
    assert response.status_code == 200


def test_moving_a_partner(alice_client, sized, django_assert_num_queries):
    entry = second_partner(sized)
    with django_assert_num_queries(15):
        response = alice_client.post(
            f"{BASE}partners/{entry.pk}/move/", {"direction": "up"}, **HTMX
        )
    assert response.status_code == 200


def test_a_stale_save(alice_client, sized, django_assert_num_queries):
    entry = second_partner(sized)
    data = {**entry.to_data(), "version": entry.version - 1 or 99}
    # session, user, SAVEPOINT, canvas + 4 lists, the refused UPDATE, RELEASE SAVEPOINT
    with django_assert_num_queries(12):
        response = alice_client.post(f"{BASE}partners/{entry.pk}/", data, **HTMX)
    assert response.status_code == 409


def test_an_invalid_save(alice_client, sized, django_assert_num_queries):
    entry = second_partner(sized)
    data = {**entry.to_data(), "name": "", "version": entry.version}
    with django_assert_num_queries(11):
        response = alice_client.post(f"{BASE}partners/{entry.pk}/", data, **HTMX)
    assert response.status_code == 422


def test_saving_the_header(alice_client, sized, django_assert_num_queries):
    venture = Venture.objects.get(pk=sized.pk)
    data = {
        "name": "Sized",
        "solution_type": "digital_medicine",
        "market_stage": "target",
        "revenue_model": "subscription",
        "version": venture.version,
    }
    # no entry list to read again; the channel lanes' comment markers
    with django_assert_num_queries(14):
        response = alice_client.post(f"{BASE}header/", data, **HTMX)
    assert response.status_code == 200


def test_saving_the_finances(alice_client, sized, django_assert_num_queries):
    canvas = Canvas.objects.get(venture=sized)
    data = {"cash_on_hand": "1000", "monthly_burn": "100", "currency": "USD"}
    data["version"] = canvas.finances_version
    with django_assert_num_queries(13):
        response = alice_client.post(f"{BASE}finances/", data, **HTMX)
    assert response.status_code == 200


def test_saving_the_readiness_answers(alice_client, sized, django_assert_num_queries):
    canvas = Canvas.objects.get(venture=sized)
    data = {"requirements_mapped": "yes", "version": canvas.readiness_version}
    with django_assert_num_queries(13):
        response = alice_client.post(f"{BASE}readiness/", data, **HTMX)
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["partners/{pk}/edit/", "partners/{pk}/", "partners/new/"])
def test_opening_and_closing_forms(alice_client, sized, django_assert_num_queries, path):
    entry = second_partner(sized)
    # session, user, canvas + venture, 5 entry lists; an entry's open comment threads (its
    # marker), not for the add form
    with django_assert_num_queries(8 if path.endswith("new/") else 9):
        response = alice_client.get(BASE + path.format(pk=entry.pk), **HTMX)
    assert response.status_code == 200
