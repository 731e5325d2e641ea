"""The canvas page: who sees what, how it is laid out, and how many queries it costs."""

import pytest

from canvas.board import board_context
from canvas.evaluator import evaluate
from canvas.models import Membership, PartnerEntry, create_venture
from tests.conftest import big_document, client_for, visible_text

URL = "/ventures/sepsis-dx/canvas/"


def page(client, url=URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_founder_sees_every_block_with_edit_controls(alice_client, venture):
    html = page(alice_client)
    for block in ("block-partners", "block-activities", "block-resources", "block-channels"):
        assert f'id="{block}"' in html
    for lane in ("lane-get", "lane-keep", "lane-grow"):
        assert f'id="{lane}"' in html
    assert 'id="finances"' in html and 'id="readiness"' in html and 'id="findings"' in html
    assert "Add a partner" in visible_text(html) and "Edit details" in html
    # finances and readiness are edited like every other part: Edit opens their form
    assert 'hx-get="/ventures/sepsis-dx/canvas/finances/edit/"' in html
    assert 'hx-get="/ventures/sepsis-dx/canvas/readiness/edit/"' in html
    assert 'hx-post="/ventures/sepsis-dx/canvas/finances/"' not in html


def test_the_editor_opens_as_the_overview_with_the_detailed_list_a_link_away(alice_client, venture):
    html = page(alice_client)
    assert 'class="board is-editable is-overview"' in html
    assert '<a href="?view=details">Detailed list</a>' in html
    details = alice_client.get("/ventures/sepsis-dx/canvas/?view=details").content.decode()
    assert 'class="board is-editable is-details"' in details
    assert '<a href="?view=overview">Canvas overview</a>' in details


def test_an_entry_name_opens_it_for_editing(alice_client, venture):
    partner = venture.canvas.partners.first()
    html = page(alice_client)
    assert (
        f'<a class="entry-name entry-open" href="?edit=partner-{partner.pk}#partner-{partner.pk}" '
        f'hx-get="/ventures/sepsis-dx/canvas/partners/{partner.pk}/edit/"'
    ) in html


def test_rule_codes_are_chips_that_carry_their_titles(alice_client, venture):
    html = page(alice_client)
    assert '<li class="chip chip-info" title="KR06 Key-person risk" tabindex="0">' in html


def test_block_headings_carry_no_number_that_reads_as_a_count(alice_client, venture):
    html = page(alice_client)
    assert 'class="block-no"' not in html
    assert '<h2 id="block-partners-title">Key Partners</h2>' in html


def test_a_full_canvas_is_scored_and_shows_no_first_run(alice_client, venture):
    html = page(alice_client)
    assert 'data-scored="true"' in html
    assert '<section id="first-run" class="first-run" hidden' in html


def test_a_new_venture_gets_the_first_run_and_is_not_scored_yet(alice_client, venture):
    for block in ("channels", "partners", "vendors", "activities", "resources"):
        getattr(venture.canvas, block).all().delete()
    from canvas.models import Canvas

    Canvas.objects.get(pk=venture.canvas.pk).refresh_evaluation()
    html = page(alice_client)
    assert 'data-scored="false"' in html and "Not scored yet" in html
    assert '<section id="first-run" class="first-run" aria-labelledby' in html
    assert "2 of 7 steps done" in html  # the venture details and the finances with a milestone
    assert 'href="/ventures/sepsis-dx/canvas/?add=channels-get#add-channels-get"' in html
    assert "CH01" in html  # the findings are still listed


def test_header_shows_name_labels_and_score(alice_client, venture):
    html = page(alice_client)
    assert '<h1 class="venture-name">Sepsis Dx</h1>' in html
    assert "HealthTech" in html and "Beachhead market" in html and "Capital sale" in html
    assert f'{venture.canvas.score}<span class="visually-hidden"> out of 100' in html


def test_page_links_to_pdf_and_versions_and_leaves_json_to_the_versions_page(alice_client, venture):
    html = page(alice_client)
    assert 'href="/ventures/sepsis-dx/canvas.pdf"' in html
    assert '<a href="/ventures/sepsis-dx/versions/">Versions</a>' in html
    assert 'href="/ventures/sepsis-dx/canvas.json"' not in html and ">History<" not in html


def test_each_block_shows_its_open_comment_count(alice_client, venture):
    html = page(alice_client)
    for block in ("channels", "partners", "activities", "resources", "finances", "readiness"):
        assert f'id="comment-count-{block}" data-block="{block}">0<' in html


def test_partner_shows_its_verdict_badge(alice_client, venture):
    html = page(alice_client)
    assert 'class="badge badge-good verdict">Key partner<' in html


def test_activity_that_fails_tests_names_them(alice_client, venture):
    html = page(alice_client)
    assert "Not core</span>" in html
    assert "Fails Relevance, Difficulty of imitation and Breadth of application" in html


def test_findings_link_to_their_entry(alice_client, venture):
    resource = venture.canvas.resources.get(name="Dr. Chen — Chief Scientific Officer")
    html = page(alice_client)
    assert f'<a class="finding-link" href="#resource-{resource.pk}">' in html  # KR06
    assert f'id="resource-{resource.pk}"' in html


def test_guidance_follows_the_solution_type(alice_client, venture):
    html = page(alice_client)
    assert "For devices and diagnostics (HealthTech)" in html
    assert "<code>CH07</code>" in html and "<code>CH04</code>" not in html


@pytest.mark.parametrize("client_name", ["bob_client", "carol_client"])
def test_advisor_and_staff_see_the_canvas_read_only(request, client_name, venture):
    html = page(request.getfixturevalue(client_name))
    assert "Read-only" in html
    assert "Sepsis Dx" in html and 'id="findings"' in html
    assert "hx-post" not in html and "Add a partner" not in html and "Edit details" not in html
    assert "<form" not in html.split('id="board"')[1]


@pytest.mark.parametrize("client_name", ["mallory_client"])
def test_outsider_gets_404(request, client_name, venture):
    assert request.getfixturevalue(client_name).get(URL).status_code == 404


def test_staff_of_another_cohort_and_another_founder_get_404(erin, frank, venture):
    assert client_for(erin).get(URL).status_code == 404
    assert client_for(frank).get(URL).status_code == 404


def test_anonymous_is_sent_to_login(client, venture):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_edit_query_opens_an_entry_form_without_javascript(alice_client, venture):
    partner = PartnerEntry.objects.get(canvas__venture=venture, name__startswith="BioMed")
    html = page(alice_client, f"{URL}?edit=partner-{partner.pk}")
    assert f'action="/ventures/sepsis-dx/canvas/partners/{partner.pk}/"' in html
    assert '<label for="partner-' in html and "Recovery time" in html


def test_add_query_opens_an_add_form_without_javascript(alice_client, venture):
    html = page(alice_client, f"{URL}?add=channels-keep")
    assert 'action="/ventures/sepsis-dx/canvas/channels/?slot=add-channels-keep"' in html
    assert '<option value="keep" selected>' in html


def test_page_has_no_inline_scripts_styles_or_handlers(alice_client, venture):
    response = alice_client.get(URL)
    html = response.content.decode()
    assert "style=" not in html and " onclick" not in html and "hx-on" not in html
    assert "<script>" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_empty_blocks_invite_the_first_entry(alice_client, venture):
    for model in ("channels", "partners", "activities", "resources"):
        getattr(venture.canvas, model).all().delete()
    html = page(alice_client)
    assert "No partners yet." in html and "No activities yet." in html
    assert "No resources yet." in html and "No Get channel yet." in html


# --- the board renders from a document alone -------------------------------------


def test_board_renders_read_only_from_a_document_alone(sepsis_doc):
    from django.template.loader import render_to_string

    html = render_to_string("canvas/_board.html", board_context(sepsis_doc, evaluate(sepsis_doc)))
    assert 'id="partners-1"' in html and 'href="#resources-0"' in html  # KR06 on Dr. Chen
    assert "hx-" not in html and "<form" not in html


# --- query counts ------------------------------------------------------------------


@pytest.fixture(params=[5, 200], ids=["5-per-block", "200-per-block"])
def sized_venture(request, alice):
    venture = create_venture("sized", big_document(request.param))
    Membership.objects.create(venture=venture, user=alice, role="founder")
    return venture


def test_page_runs_the_same_queries_for_5_and_200_entries(
    alice_client, sized_venture, django_assert_num_queries
):
    # session, user, canvas + venture, 5 entry lists, role, the visit, open comment counts
    with django_assert_num_queries(11):
        response = alice_client.get("/ventures/sized/canvas/")
    assert response.status_code == 200


def test_read_only_page_runs_the_same_queries_for_5_and_200_entries(
    carol_client, sized_venture, cohort, django_assert_num_queries
):
    sized_venture.cohort = cohort
    sized_venture.save()
    # session, user, canvas + venture, 4 entry lists, membership, cohort staff
    with django_assert_num_queries(10):
        response = carol_client.get("/ventures/sized/canvas/")
    assert response.status_code == 200
    assert "Read-only" in response.content.decode()
