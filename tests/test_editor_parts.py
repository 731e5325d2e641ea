"""The venture's details, finances and readiness answers, and the rule table."""

import pytest

from canvas.evaluator import RULES
from canvas.models import Canvas, Venture

BASE = "/ventures/sepsis-dx/canvas/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def header_data(venture, **changes) -> dict:
    data = {
        "name": venture.name,
        "solution_type": venture.solution_type,
        "market_stage": venture.market_stage,
        "revenue_model": venture.revenue_model,
        "version": venture.version,
    }
    data.update(changes)
    return data


def finances_data(canvas, **changes) -> dict:
    data = {"cash_on_hand": "2400000", "monthly_burn": "133000", "currency": "USD"}
    data["version"] = canvas.finances_version
    data.update(changes)
    return data


# --- header ------------------------------------------------------------------------------


def test_header_edit_form_has_labelled_fields(alice_client, venture):
    html = alice_client.get(f"{BASE}header/edit/", **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="venture" class="venture is-editing"')
    for field, label in [("name", "Venture name"), ("solution_type", "Solution type")]:
        assert f'<label for="venture-{field}">{label}</label>' in html


def test_switching_solution_type_switches_variant_rules_and_guidance(alice_client, venture):
    data = header_data(venture, solution_type="digital_medicine")
    response = alice_client.post(f"{BASE}header/", data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Digital Medicine" in html
    assert '<details id="channels-help" class="help-panel" hx-swap-oob="true">' in html
    assert "For software and SaMD (Digital Medicine)" in html and "<code>CH04</code>" in html
    findings = html.split('<aside id="findings"')[1]
    assert "CH04" in findings and "CH07" not in findings
    venture.refresh_from_db()
    assert venture.solution_type == "digital_medicine" and venture.version == data["version"] + 1


def test_stale_header_save_is_refused_with_current_values(alice_client, venture):
    Venture.objects.filter(pk=venture.pk).update(
        name="Renamed elsewhere", version=venture.version + 1
    )
    response = alice_client.post(f"{BASE}header/", header_data(venture, name="Mine"), **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed meanwhile" in html and "Renamed elsewhere" in html and 'value="Mine"' in html
    assert f'name="version" value="{venture.version + 1}"' in html


def test_empty_venture_name_is_refused(alice_client, venture):
    response = alice_client.post(f"{BASE}header/", header_data(venture, name=""), **HTMX)
    assert response.status_code == 422
    assert 'id="venture-name_error"' in response.content.decode()


# --- finances ----------------------------------------------------------------------------


def test_finances_save_updates_runway_and_findings(alice_client, venture):
    data = finances_data(venture.canvas, cash_on_hand="400000", monthly_burn="100000")
    response = alice_client.post(f"{BASE}finances/", data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "4.0 months" in html and "KR03" in html
    canvas = Canvas.objects.get(pk=venture.canvas.pk)
    assert (canvas.cash_on_hand, canvas.monthly_burn) == (400000, 100000)


def test_zero_burn_shows_an_unlimited_runway(alice_client, venture):
    data = finances_data(venture.canvas, monthly_burn="0")
    html = alice_client.post(f"{BASE}finances/", data, **HTMX).content.decode()
    assert "Unlimited" in html


def test_currency_is_stored_upper_case_and_must_be_three_letters(alice_client, venture):
    data = finances_data(venture.canvas, currency="eur")
    assert alice_client.post(f"{BASE}finances/", data, **HTMX).status_code == 200
    assert Canvas.objects.get(pk=venture.canvas.pk).currency == "EUR"
    canvas = Canvas.objects.get(pk=venture.canvas.pk)
    response = alice_client.post(f"{BASE}finances/", finances_data(canvas, currency="E1X"), **HTMX)
    assert response.status_code == 422
    assert "three-letter currency code" in response.content.decode()


def test_negative_cash_is_refused(alice_client, venture):
    data = finances_data(venture.canvas, cash_on_hand="-5")
    response = alice_client.post(f"{BASE}finances/", data, **HTMX)
    assert response.status_code == 422
    assert 'id="finances-cash_on_hand_error"' in response.content.decode()


def test_stale_finances_save_is_refused(alice_client, venture):
    canvas = venture.canvas
    Canvas.objects.filter(pk=canvas.pk).update(monthly_burn=1, finances_version=99)
    response = alice_client.post(f"{BASE}finances/", finances_data(canvas), **HTMX)
    assert response.status_code == 409
    assert "The finances changed meanwhile." in response.content.decode()
    assert Canvas.objects.get(pk=canvas.pk).monthly_burn == 1


# --- readiness ---------------------------------------------------------------------------


def test_readiness_answers_are_saved(alice_client, venture):
    canvas = venture.canvas
    data = {"requirements_mapped": "yes", "frontline_staff_engaged": "no"}
    data["version"] = canvas.readiness_version
    response = alice_client.post(f"{BASE}readiness/", data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="readiness"')
    canvas = Canvas.objects.get(pk=canvas.pk)
    assert canvas.requirements_mapped is True and canvas.frontline_staff_engaged is False
    assert canvas.assessment_before_signature is None
    assert "RD01" in html and "RD02" in html


def test_readiness_questions_are_labelled_groups(alice_client, venture):
    html = alice_client.get(BASE + "?edit=readiness").content.decode()
    assert "<legend>The operational requirements on the customer&#x27;s lab" in html
    assert 'id="readiness-requirements_mapped_1"' in html


def test_stale_readiness_save_is_refused(alice_client, venture):
    canvas = venture.canvas
    Canvas.objects.filter(pk=canvas.pk).update(readiness_version=canvas.readiness_version + 1)
    data = {"requirements_mapped": "yes", "version": canvas.readiness_version}
    response = alice_client.post(f"{BASE}readiness/", data, **HTMX)
    assert response.status_code == 409
    assert "Re-apply my answers" in response.content.decode()


# --- the rule table ------------------------------------------------------------------------


def test_rule_table_lists_every_rule(alice_client):
    html = alice_client.get("/rules/").content.decode()
    for rule in RULES:
        assert f'<tr id="rule-{rule.id}">' in html
    assert "Digital Medicine only" in html and "HealthTech only" in html


def test_rule_table_needs_sign_in(client, db):
    assert client.get("/rules/").status_code == 302


# --- finances and readiness are edited like every other part ---------------------------


@pytest.mark.parametrize("part", ["finances", "readiness"])
def test_a_part_shows_as_text_until_edit_opens_its_form(alice_client, venture, part):
    html = alice_client.get(BASE).content.decode()
    section = html[html.index(f'<section id="{part}"') :]
    section = section[: section.index("</section>")]
    assert "<form" not in section
    response = alice_client.get(f"{BASE}{part}/edit/", **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith(
        f'<section id="{part}" class="block block-{part} is-editing"'
    )
    assert f'hx-post="{BASE}{part}/"' in fragment
    closed = alice_client.get(f"{BASE}{part}/", **HTMX).content.decode()
    assert "<form" not in closed and f'hx-get="{BASE}{part}/edit/"' in closed


@pytest.mark.parametrize("part", ["finances", "readiness"])
def test_a_part_opens_without_javascript(alice_client, venture, part):
    response = alice_client.get(f"{BASE}{part}/edit/")
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}?edit={part}#{part}"
    html = alice_client.get(f"{BASE}?edit={part}").content.decode()
    assert f'action="{BASE}{part}/"' in html


def test_a_saved_part_closes_its_form_and_updates_the_score_everywhere(alice_client, venture):
    data = finances_data(venture.canvas, months_to_milestone="20")
    response = alice_client.post(f"{BASE}finances/", data, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    section = html[: html.index("</section>")]
    assert "<form" not in section and "cash runs out 2 months before it" in section
    for oob in ("score", "score-bar", "first-run", "findings"):
        assert f'id="{oob}"' in html
    assert "KR03" in html


@pytest.mark.parametrize("who", ["bob", "carol", "mallory"])
@pytest.mark.parametrize("path", ["finances/edit/", "readiness/edit/", "finances/"])
def test_only_founders_open_a_part(request, venture, who, path):
    from tests.conftest import client_for

    client = client_for(request.getfixturevalue(who))
    assert client.get(f"{BASE}{path}", **HTMX).status_code == 404
