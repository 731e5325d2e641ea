"""Adding, editing, deleting and reordering entries with htmx: fragments, live findings,
validation, conflicts and permissions."""

import pytest

from canvas.models import (
    ActivityEntry,
    ActivityLog,
    ChannelEntry,
    PartnerEntry,
    ResourceEntry,
)
from tests.conftest import client_for, visible_text

BASE = "/ventures/sepsis-dx/canvas/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def partner(venture, prefix="BioMed") -> PartnerEntry:
    return PartnerEntry.objects.get(canvas__venture=venture, name__startswith=prefix)


def partner_data(entry: PartnerEntry, **changes) -> dict:
    data = {**entry.to_data(), "version": entry.version}
    data.update(changes)
    return data


def activity_data(**changes) -> dict:
    data = {
        "name": "Sensor calibration",
        "relevance_rating": "high",
        "relevance_rationale": "Accuracy sells the device",
        "imitation_rating": "low",
        "imitation_rationale": "Standard lab practice",
        "breadth_rating": "medium",
        "breadth_rationale": "Any biosensor",
        "declared_core": "on",
        "outsourced_to": "",
    }
    data.update(changes)
    return data


# --- edit ------------------------------------------------------------------------------


def test_founder_edits_a_partner_and_sees_vendor_badge_and_kp02(alice_client, venture):
    entry = partner(venture)
    data = partner_data(entry, recovery_time="weeks", replacement_cost="minimal")
    response = alice_client.post(f"{BASE}partners/{entry.pk}/", data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="partner-{entry.pk}"')
    assert 'class="badge badge-warning verdict">Vendor<' in html
    assert '<aside id="findings" class="findings-panel"' in html and 'hx-swap-oob="true"' in html
    assert "KP02" in html and '<div id="score"' in html
    entry.refresh_from_db()
    assert (entry.recovery_time, entry.version) == ("weeks", data["version"] + 1)


def test_saving_stores_the_evaluation_and_logs_the_change(alice, alice_client, venture):
    entry = partner(venture)
    data = partner_data(entry, recovery_time="weeks", replacement_cost="minimal")
    alice_client.post(f"{BASE}partners/{entry.pk}/", data, **HTMX)
    venture.canvas.refresh_from_db()
    assert any(f["rule"] == "KP02" for f in venture.canvas.evaluation["findings"])
    last = ActivityLog.objects.filter(canvas=venture.canvas).first()
    assert (last.action, last.actor) == ("edited", alice)
    assert "BioMed" in last.summary


def test_edit_form_fragment_has_a_visible_label_for_every_field(alice_client, venture):
    entry = partner(venture)
    response = alice_client.get(f"{BASE}partners/{entry.pk}/edit/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    for field in ("name", "partner_type", "strategic_value", "what_would_be_lost"):
        assert f'<label for="partner-{entry.pk}-{field}">' in html
    assert f'name="version" value="{entry.version}"' in html


def test_cancel_returns_the_entry_as_displayed(alice_client, venture):
    entry = partner(venture)
    html = alice_client.get(f"{BASE}partners/{entry.pk}/", **HTMX).content.decode()
    assert html.lstrip().startswith(f'<li id="partner-{entry.pk}"') and "<select" not in html


def test_edit_without_htmx_redirects_to_the_page_with_the_form_open(alice_client, venture):
    entry = partner(venture)
    response = alice_client.get(f"{BASE}partners/{entry.pk}/edit/")
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}?edit=partner-{entry.pk}#partner-{entry.pk}"


def test_save_without_htmx_redirects_back_to_the_entry(alice_client, venture):
    entry = partner(venture)
    response = alice_client.post(f"{BASE}partners/{entry.pk}/", partner_data(entry))
    assert response.status_code == 303
    assert response["Location"] == f"{BASE}#partner-{entry.pk}"


def test_activity_declared_core_but_failing_a_test_gets_ka02_naming_it(alice_client, venture):
    entry = ActivityEntry.objects.get(canvas__venture=venture, name="Cartridge manufacturing")
    data = activity_data(name=entry.name, version=entry.version)
    response = alice_client.post(f"{BASE}activities/{entry.pk}/", data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "KA02" in html and "Fails Difficulty of imitation" in html
    assert "declared core but fails Difficulty of imitation" in html


def test_changing_a_channel_stage_moves_it_to_the_other_lane(alice_client, venture):
    entry = ChannelEntry.objects.filter(canvas__venture=venture, stage="get").first()
    data = {**entry.to_data(), "stage": "grow", "version": entry.version, "mode": ""}
    response = alice_client.post(f"{BASE}channels/{entry.pk}/", data, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#channel-lanes"
    html = response.content.decode()
    grow = html.split('id="lane-grow"')[1]
    assert f'id="channel-{entry.pk}"' in grow


def test_renaming_a_partner_renames_it_in_activities_outsourced_to_it(alice_client, venture):
    entry = partner(venture)
    outsourced = ActivityEntry.objects.get(canvas__venture=venture, outsourced_to=entry.name)
    data = partner_data(entry, name="BioMed CMO Inc")
    response = alice_client.post(f"{BASE}partners/{entry.pk}/", data, **HTMX)
    assert response.status_code == 200
    outsourced.refresh_from_db()
    assert outsourced.outsourced_to == "BioMed CMO Inc"
    assert '<div id="activities-list" class="entry-list" hx-swap-oob="true">' in (
        response.content.decode()
    )


def test_editing_a_resource_updates_the_category_coverage(alice_client, venture):
    entry = ResourceEntry.objects.filter(canvas__venture=venture, category="physical").first()
    data = {**entry.to_data(), "category": "human", "version": entry.version}
    data["replacement_months"] = ""
    html = alice_client.post(f"{BASE}resources/{entry.pk}/", data, **HTMX).content.decode()
    assert '<ul id="resource-categories"' in html and "KR01" in html


# --- validation ------------------------------------------------------------------------


def test_empty_name_is_refused_next_to_the_field_and_nothing_is_saved(alice_client, venture):
    entry = partner(venture)
    response = alice_client.post(
        f"{BASE}partners/{entry.pk}/", partner_data(entry, name=" "), **HTMX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert f'<div class="field-error" id="partner-{entry.pk}-name_error">' in html
    assert 'aria-invalid="true"' in html
    entry.refresh_from_db()
    assert entry.name.startswith("BioMed")


def test_invalid_edit_keeps_the_other_values_typed(alice_client, venture):
    entry = partner(venture)
    data = partner_data(entry, name="", strategic_value="Typed but not saved")
    html = alice_client.post(f"{BASE}partners/{entry.pk}/", data, **HTMX).content.decode()
    assert "Typed but not saved" in html


def test_duplicate_partner_name_is_refused_ignoring_case(alice_client, venture):
    entry = partner(venture)
    data = partner_data(entry, name="massachusetts general hospital ed")
    response = alice_client.post(f"{BASE}partners/{entry.pk}/", data, **HTMX)
    assert response.status_code == 422
    assert "Another partner or vendor already has this name" in response.content.decode()


def test_text_longer_than_2000_characters_is_refused(alice_client, venture):
    entry = partner(venture)
    data = partner_data(entry, strategic_value="x" * 2001)
    response = alice_client.post(f"{BASE}partners/{entry.pk}/", data, **HTMX)
    assert response.status_code == 422
    assert "at most 2000 characters" in response.content.decode()


def test_unknown_vocabulary_value_is_refused(alice_client, venture):
    entry = partner(venture)
    data = partner_data(entry, recovery_time="decades")
    response = alice_client.post(f"{BASE}partners/{entry.pk}/", data, **HTMX)
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()


def test_negative_replacement_months_are_refused(alice_client, venture):
    entry = ResourceEntry.objects.filter(canvas__venture=venture).first()
    data = {**entry.to_data(), "replacement_months": "-1", "version": entry.version}
    response = alice_client.post(f"{BASE}resources/{entry.pk}/", data, **HTMX)
    assert response.status_code == 422
    assert "Enter a number of 0 or more." in response.content.decode()


def test_invalid_save_without_htmx_shows_the_page_with_the_error(alice_client, venture):
    entry = partner(venture)
    response = alice_client.post(f"{BASE}partners/{entry.pk}/", partner_data(entry, name=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" in html and f'id="partner-{entry.pk}-name_error"' in html


# --- conflicts -------------------------------------------------------------------------


def test_stale_save_is_refused_showing_current_value_and_a_way_to_reapply(alice_client, venture):
    entry = partner(venture)
    stale_version = entry.version
    PartnerEntry.objects.filter(pk=entry.pk).update(
        strategic_value="Changed in the other tab", version=stale_version + 1
    )
    data = partner_data(entry, strategic_value="Mine", version=stale_version)
    response = alice_client.post(f"{BASE}partners/{entry.pk}/", data, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "This partner changed meanwhile." in html
    assert "Changed in the other tab" in html  # the current value
    assert "Mine" in html and "Re-apply my changes" in html  # their value, ready to re-apply
    assert f'name="version" value="{stale_version + 1}"' in html
    entry.refresh_from_db()
    assert entry.strategic_value == "Changed in the other tab"


def test_reapplying_after_a_conflict_saves_the_persons_values(alice_client, venture):
    entry = partner(venture)
    PartnerEntry.objects.filter(pk=entry.pk).update(version=entry.version + 1)
    data = partner_data(entry, strategic_value="Mine", version=entry.version + 1)
    response = alice_client.post(f"{BASE}partners/{entry.pk}/", data, **HTMX)
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.strategic_value == "Mine"


def test_two_tabs_never_silently_overwrite_each_other(alice, dave, venture):
    entry = partner(venture)
    first, second = client_for(alice), client_for(dave)
    one = partner_data(entry, strategic_value="From tab one")
    two = partner_data(entry, strategic_value="From tab two")
    assert first.post(f"{BASE}partners/{entry.pk}/", one, **HTMX).status_code == 200
    assert second.post(f"{BASE}partners/{entry.pk}/", two, **HTMX).status_code == 409
    entry.refresh_from_db()
    assert entry.strategic_value == "From tab one"


def test_saving_an_entry_deleted_meanwhile_offers_to_add_it_again(alice_client, venture):
    entry = partner(venture)
    data = partner_data(entry, strategic_value="Mine")
    PartnerEntry.objects.filter(pk=entry.pk).delete()
    response = alice_client.post(f"{BASE}partners/{entry.pk}/", data, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "This partner was deleted meanwhile." in html
    assert f'hx-post="{BASE}partners/?slot=partner-{entry.pk}"' in html and "Mine" in html


def test_re_adding_an_entry_deleted_meanwhile_creates_it(alice_client, venture):
    entry = partner(venture)
    data = partner_data(entry)
    PartnerEntry.objects.filter(pk=entry.pk).delete()
    response = alice_client.post(f"{BASE}partners/?slot=partner-{entry.pk}", data, **HTMX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#partners-list"
    assert PartnerEntry.objects.filter(canvas__venture=venture, name=entry.name).exists()


# --- add -------------------------------------------------------------------------------


def test_add_form_fragment_opens_in_its_slot(alice_client, venture):
    html = alice_client.get(f"{BASE}partners/new/", **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="add-partners" class="add-slot is-open">')
    assert '<label for="add-partners-name">Name</label>' in html


def test_activity_add_form_offers_the_canvas_partners_for_outsourced_to(alice_client, venture):
    html = alice_client.get(f"{BASE}activities/new/", **HTMX).content.decode()
    assert '<option value="" selected>Nobody: done in-house</option>' in html
    assert '<option value="BioMed Contract Manufacturing">' in html


def test_cancelling_the_add_form_shows_the_add_button_again(alice_client, venture):
    html = alice_client.get(f"{BASE}partners/new/?cancel=1", **HTMX).content.decode()
    assert "Add a partner" in visible_text(html) and "<form" not in html


def test_founder_adds_a_vendor_and_sees_it_with_kp02(alice_client, venture):
    data = {
        "name": "Office IT support",
        "partner_type": "other",
        "recovery_time": "weeks",
        "replacement_cost": "minimal",
    }
    response = alice_client.post(f"{BASE}partners/", data, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#partners-list"
    html = response.content.decode()
    added = PartnerEntry.objects.get(canvas__venture=venture, name="Office IT support")
    assert f'id="partner-{added.pk}"' in html and "Vendor" in html and "KP02" in html
    assert added.position == 5
    assert ActivityLog.objects.filter(canvas=venture.canvas, action="created").exists()


def test_adding_a_channel_to_a_lane_preselects_its_stage(alice_client, venture):
    html = alice_client.get(f"{BASE}channels/new/?stage=grow", **HTMX).content.decode()
    assert 'id="add-channels-grow"' in html and '<option value="grow" selected>' in html


def test_channel_tags_are_stored_in_vocabulary_order(alice_client, venture):
    data = {
        "channel": "Hospital pilots",
        "stage": "get",
        "route": "direct",
        "mode": "",
        "tags": ["pilot_conversion", "pilot"],
    }
    response = alice_client.post(f"{BASE}channels/?slot=add-channels-get", data, **HTMX)
    assert response.status_code == 200
    added = ChannelEntry.objects.get(canvas__venture=venture, channel="Hospital pilots")
    assert added.tags == ["pilot", "pilot_conversion"] and added.mode is None


def test_invalid_add_answers_422_with_the_form_in_its_slot(alice_client, venture):
    response = alice_client.post(f"{BASE}partners/", {"name": ""}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="add-partners"')
    assert 'id="add-partners-name_error"' in html and 'id="add-partners-partner_type_error"' in html


def test_the_201st_entry_of_a_block_is_refused(alice_client, venture):
    canvas = venture.canvas
    ResourceEntry.objects.bulk_create(
        ResourceEntry(canvas=canvas, name=f"R{i}", category="human", position=10 + i)
        for i in range(200 - canvas.resources.count())
    )
    data = {"name": "One too many", "category": "human"}
    response = alice_client.post(f"{BASE}resources/", data, **HTMX)
    assert response.status_code == 422
    assert "already holds 200 entries" in response.content.decode()
    assert canvas.resources.count() == 200


def test_unknown_block_is_404(alice_client, venture):
    assert alice_client.post(f"{BASE}widgets/", {}, **HTMX).status_code == 404


# --- delete and reorder ------------------------------------------------------------------


def test_founder_deletes_a_partner(alice_client, venture):
    entry = partner(venture)
    response = alice_client.post(f"{BASE}partners/{entry.pk}/delete/", **HTMX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#partners-list"
    html = response.content.decode()
    assert f'id="partner-{entry.pk}"' not in html
    assert "KA06" in html  # an activity is still outsourced to it
    assert not PartnerEntry.objects.filter(pk=entry.pk).exists()


def test_deleting_an_entry_already_deleted_is_harmless(alice_client, venture):
    entry = partner(venture)
    alice_client.post(f"{BASE}partners/{entry.pk}/delete/", **HTMX)
    logged = ActivityLog.objects.count()
    response = alice_client.post(f"{BASE}partners/{entry.pk}/delete/", **HTMX)
    assert response.status_code == 200
    assert ActivityLog.objects.count() == logged


def test_deleting_the_last_entry_shows_the_empty_state(alice_client, venture):
    for entry in PartnerEntry.objects.filter(canvas__venture=venture):
        alice_client.post(f"{BASE}partners/{entry.pk}/delete/", **HTMX)
    html = alice_client.get(BASE).content.decode()
    assert "No partners yet." in html


def test_moving_an_entry_up_renumbers_the_block(alice_client, venture):
    entries = list(PartnerEntry.objects.filter(canvas__venture=venture))
    response = alice_client.post(
        f"{BASE}partners/{entries[2].pk}/move/", {"direction": "up"}, **HTMX
    )
    assert response.status_code == 200
    order = list(PartnerEntry.objects.filter(canvas__venture=venture).values_list("pk", "position"))
    assert order == [
        (entries[0].pk, 0),
        (entries[2].pk, 1),
        (entries[1].pk, 2),
        (entries[3].pk, 3),
        (entries[4].pk, 4),
    ]


def test_moving_the_first_entry_up_changes_nothing(alice_client, venture):
    first = PartnerEntry.objects.filter(canvas__venture=venture).first()
    alice_client.post(f"{BASE}partners/{first.pk}/move/", {"direction": "up"}, **HTMX)
    assert PartnerEntry.objects.filter(canvas__venture=venture).first() == first


def test_channels_move_within_their_lane(alice_client, venture):
    keep = list(ChannelEntry.objects.filter(canvas__venture=venture, stage="keep"))
    alice_client.post(f"{BASE}channels/{keep[1].pk}/move/", {"direction": "up"}, **HTMX)
    after = list(ChannelEntry.objects.filter(canvas__venture=venture, stage="keep"))
    assert after == [keep[1], keep[0]]
    stages = list(
        ChannelEntry.objects.filter(canvas__venture=venture).values_list("stage", flat=True)
    )
    assert stages == ["get", "get", "keep", "keep", "grow", "grow"]


def test_move_needs_a_direction(alice_client, venture):
    entry = partner(venture)
    response = alice_client.post(f"{BASE}partners/{entry.pk}/move/", {"direction": "left"})
    assert response.status_code == 400


# --- permissions -----------------------------------------------------------------------


FOUNDER_ONLY = [
    ("post", "partners/{pk}/"),
    ("post", "partners/"),
    ("post", "partners/{pk}/delete/"),
    ("post", "partners/{pk}/move/"),
    ("get", "partners/{pk}/edit/"),
    ("get", "partners/new/"),
    ("post", "header/"),
    ("post", "finances/"),
    ("post", "readiness/"),
    ("get", "partners/{pk}/"),
    ("get", "header/"),
    ("get", "header/edit/"),
]


@pytest.mark.parametrize("who", ["bob", "carol", "mallory", "frank", "erin"])
def test_only_founders_may_write_everyone_else_gets_404(request, venture, who):
    entry = partner(venture)
    client = client_for(request.getfixturevalue(who))
    data = partner_data(entry, recovery_time="weeks", replacement_cost="minimal", name="X")
    for method, path in FOUNDER_ONLY:
        url = BASE + path.format(pk=entry.pk)
        response = getattr(client, method)(url, data if method == "post" else None, **HTMX)
        assert response.status_code == 404, f"{method} {url}"
    entry.refresh_from_db()
    assert entry.name.startswith("BioMed") and entry.recovery_time == "years"
    assert PartnerEntry.objects.filter(canvas__venture=venture).count() == 5


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "{pk}/"), ("get", "{pk}/"), ("get", "{pk}/edit/"), ("post", "{pk}/delete/")]
    + [("post", "{pk}/move/")],
)
def test_an_entry_of_another_canvas_is_404(alice_client, other_venture, venture, method, path):
    foreign = PartnerEntry.objects.filter(canvas__venture=other_venture).first()
    data = {**partner_data(foreign, name="Hijacked"), "direction": "down"}
    url = f"{BASE}partners/" + path.format(pk=foreign.pk)
    response = getattr(alice_client, method)(url, data if method == "post" else None, **HTMX)
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name != "Hijacked" and foreign.position == 0


def test_anonymous_writes_are_sent_to_login(client, venture):
    entry = partner(venture)
    response = client.post(f"{BASE}partners/{entry.pk}/", partner_data(entry))
    assert response.status_code == 302


def test_an_unknown_slot_falls_back_to_the_blocks_add_slot(alice_client, venture):
    response = alice_client.post(f'{BASE}partners/?slot="><b>x', {"name": ""}, **HTMX)
    assert response.status_code == 422
    assert response.content.decode().lstrip().startswith('<div id="add-partners"')
