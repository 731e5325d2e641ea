"""The cohort dashboard (/cohorts/<slug>/): figures, filters, sorting, permissions,
htmx partials, common gaps, charts and a constant query count."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils.html import escape

from canvas import cohort as figures
from canvas.evaluator import BLOCKS, evaluate, readiness_summary, runway_level, runway_summary
from canvas.models import Canvas, Cohort, CohortStaff, Venture, create_venture
from canvas.views.cohort import cohort_ventures
from tests.conftest import big_document, client_for

DEMO = "/cohorts/demo-cohort/"


# --- helpers ---------------------------------------------------------------------------


class TableRows(HTMLParser):
    """The text of each cell of the dashboard table's body rows, keyed by venture slug."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.order: list[str] = []
        self._in_table = self._in_body = False
        self._cells: list[str] | None = None
        self._text: list[str] | None = None
        self._slug = ""
        self._hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "heat-table" in (a.get("class") or ""):
            self._in_table = True
        elif self._in_table and tag == "tbody":
            self._in_body = True
        elif self._in_body and tag == "tr":
            self._cells, self._slug = [], ""
        elif self._cells is not None and tag in ("td", "th"):
            self._text = []
        elif self._text is not None and tag == "input" and a.get("name") == "v":
            self._slug = a["value"]
        if self._text is not None and tag == "span" and a.get("aria-hidden") == "true":
            self._hidden_depth += 1

    def handle_endtag(self, tag):
        if tag == "span" and self._hidden_depth:
            self._hidden_depth -= 1
        elif tag in ("td", "th") and self._text is not None and self._cells is not None:
            self._cells.append(" ".join("".join(self._text).split()))
            self._text = None
        elif tag == "tr" and self._cells is not None:
            if self._slug:
                self.rows[self._slug] = self._cells
                self.order.append(self._slug)
            self._cells = None
        elif tag == "table" and self._in_table:
            self._in_table = self._in_body = False

    def handle_data(self, data):
        if self._text is not None and not self._hidden_depth:
            self._text.append(data)


def table_of(html: str) -> TableRows:
    parser = TableRows()
    parser.feed(html)
    return parser


# Columns of a body row, in order (the checkbox cell comes first).
COLS = ["pick", "name", "type", "stage", "score", "errors", "warnings", "infos", *BLOCKS,
        "core", "key_partners", "vendors", "runway", "readiness_summary", "updated"]  # fmt: skip


def cell(row: list[str], name: str) -> str:
    return row[COLS.index(name)]


def load_demo(settings):
    """The demo cohort exactly as ``manage.py seed_demo`` makes it; returns its staff user.
    (``settings`` is the test's: conftest's fast hasher applies to the demo passwords.)"""
    from django.contrib.auth import get_user_model

    call_command("seed_demo", stdout=StringIO())
    return get_user_model().objects.get(username="staff@example.com")


@pytest.fixture
def demo(db, settings):
    return load_demo(settings)


@pytest.fixture
def demo_client(demo):
    return client_for(demo)


def demo_canvases() -> list[Canvas]:
    return list(
        Canvas.objects.filter(venture__cohort__slug="demo-cohort")
        .select_related("venture")
        .prefetch_related("channels", "partners", "vendors", "activities", "resources")
        .order_by("venture__name")
    )


def demo_rows() -> list[figures.Row]:
    """The demo cohort's rows, loaded as the dashboard loads them (one query)."""
    return figures.rows(cohort_ventures(Cohort.objects.get(slug="demo-cohort")))


def expected_status(evaluation, block: str) -> str:
    severities = {f.severity for f in evaluation.findings_for(block)}
    if "error" in severities:
        return "errors"
    if "warning" in severities:
        return "warnings"
    return "infos" if "info" in severities else "complete"  # never "complete" with a finding


# --- the figures -----------------------------------------------------------------------


def test_demo_cohort_figures_match_the_evaluator_run_directly(demo):
    canvases = demo_canvases()
    assert len(canvases) == 7
    rows = {r.slug: r for r in demo_rows()}
    for canvas in canvases:
        doc = canvas.to_document()
        ev = evaluate(doc)
        row = rows[canvas.venture.slug]
        assert row.score == ev.score
        assert (row.errors, row.warnings, row.infos) == (ev.errors, ev.warnings, ev.infos)
        assert row.core_activities == sum(1 for a in ev.activities if a.core)
        assert row.key_partners == sum(1 for p in ev.partners if p.verdict == "key_partner")
        assert row.partners_rated_vendor == sum(1 for p in ev.partners if p.verdict == "vendor")
        assert row.vendors == len(doc.vendors)
        assert row.runway_months == ev.runway_months
        assert row.runway_unlimited == ev.runway_unlimited
        assert row.milestone_months == doc.finances.months_to_milestone
        assert row.runway_line == runway_summary(doc.finances, ev)
        assert row.runway_heat == runway_level(f.rule for f in ev.findings)
        assert row.readiness_yes == sum(1 for _q, a in doc.readiness.answers() if a is True)
        assert row.readiness_text == readiness_summary(doc.readiness)
        assert [b.status for b in row.blocks] == [expected_status(ev, b) for b in BLOCKS]
        assert set(row.rules) == {f.rule for f in ev.findings}


def test_demo_dashboard_shows_each_ventures_figures_as_the_evaluator_computes_them(
    demo_client,
):
    response = demo_client.get(DEMO)
    assert response.status_code == 200
    html = response.content.decode()
    table = table_of(html)
    assert len(table.rows) == 7
    for canvas in demo_canvases():
        doc = canvas.to_document()
        ev = evaluate(doc)
        row = table.rows[canvas.venture.slug]
        assert cell(row, "name") == doc.venture.name
        assert cell(row, "score") == str(ev.score)
        assert cell(row, "errors") == str(ev.errors)
        assert cell(row, "warnings") == str(ev.warnings)
        assert cell(row, "infos") == str(ev.infos)
        for block in BLOCKS:
            status = expected_status(ev, block)
            text = cell(row, block)
            if status == "complete":
                assert text == "Complete"
            elif status == "infos":
                assert text == f"{len(ev.findings_for(block))} info"
            else:
                count = sum(1 for f in ev.findings_for(block) if f.severity == status[:-1])
                assert text == f"{count} {status[:-1]}{'s' if count != 1 else ''}"
        core = sum(1 for a in ev.activities if a.core)
        assert cell(row, "core") == f"{core} of {len(ev.activities)}"
        keys = sum(1 for p in ev.partners if p.verdict == "key_partner")
        assert cell(row, "key_partners") == f"{keys} of {len(ev.partners)}"
        assert cell(row, "vendors") == str(len(doc.vendors))
        # runway against the milestone, in the evaluator's words (short in the cell)
        runway = "Unknown" if ev.runway_months is None else f"{ev.runway_months:.1f} mo"
        line = runway_summary(doc.finances, ev)
        against = " · ".join(line.split(" · ")[1:])
        assert cell(row, "runway") == f"{runway} {re.sub(r'months?', 'mo', against)}"
        assert f'title="{escape(line)}"' in html
        # readiness as what it is: "3 of 5 answered · 2 yes"
        assert cell(row, "readiness_summary") == readiness_summary(doc.readiness)


def test_no_figure_hard_codes_the_number_of_readiness_questions(demo_client):
    page = demo_client.get(DEMO).content.decode()
    assert "/5<" not in page and "of 5)" not in page and "of 5," not in page
    assert "Readiness questions answered, and answered yes" in page


def test_the_vendor_list_and_the_runway_against_the_milestone_are_on_the_dashboard(
    demo_client,
):
    table = table_of(demo_client.get(DEMO).content.decode())
    sepsis = table.rows["sepsis-dx"]
    assert int(cell(sepsis, "vendors")) >= 1
    assert cell(sepsis, "runway") == "18.0 mo milestone in 14 mo · 4 mo to raise"


def test_demo_cohort_has_the_expected_spread_of_scores(demo):
    """A fixed point: the demo data's scores, so a change in the cache shows up here."""
    scores = {r.slug: r.score for r in demo_rows()}
    assert scores == {
        slug: evaluate(c.to_document()).score
        for slug, c in ((c.venture.slug, c) for c in demo_canvases())
    }
    # WoundLens runs out of cash before its milestone (KR03 costs 25): it ranks low
    assert scores["recoverwell"] < 50 and scores["woundlens"] < 50
    assert 50 <= scores["sonopoint"] < 80 <= scores["rhythmwear"]


def test_a_canvas_change_refreshes_the_cached_figures_the_dashboard_reads(carol_client, venture):
    before = table_of(carol_client.get("/cohorts/northstar/").content.decode())
    Canvas.objects.filter(pk=venture.canvas.pk).update(monthly_burn=0)  # not yet re-evaluated
    canvas = Canvas.objects.get(pk=venture.canvas.pk)
    middle = table_of(carol_client.get("/cohorts/northstar/").content.decode())
    assert cell(middle.rows["sepsis-dx"], "runway") == cell(before.rows["sepsis-dx"], "runway")
    canvas.refresh_evaluation()
    after = table_of(carol_client.get("/cohorts/northstar/").content.decode())
    assert cell(after.rows["sepsis-dx"], "runway").startswith("Unlimited")


# --- permissions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/cohorts/northstar/",
        "/cohorts/northstar/canvases.csv",
        "/cohorts/northstar/compare/?v=sepsis-dx&v=sepsis-dx-2",
    ],
)
def test_staff_of_another_cohort_get_404(erin, venture, url):
    assert client_for(erin).get(url).status_code == 404


@pytest.mark.parametrize("who", ["alice", "bob", "mallory"])
def test_founders_advisors_and_outsiders_get_404_for_the_dashboard(request, who, cohort):
    user = request.getfixturevalue(who)
    assert client_for(user).get("/cohorts/northstar/").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, cohort):
    response = client.get("/cohorts/northstar/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_cohort_is_404(carol_client):
    assert carol_client.get("/cohorts/nope/").status_code == 404


# --- filters and sorting ---------------------------------------------------------------


def test_filter_by_solution_type_keeps_only_those_ventures(demo_client):
    table = table_of(demo_client.get(DEMO + "?solution_type=healthtech").content.decode())
    assert set(table.rows) == {"rhythmwear", "sepsis-dx", "sonopoint"}
    assert all(cell(r, "type") == "HealthTech" for r in table.rows.values())


def test_filter_by_market_stage_keeps_only_those_ventures(demo_client):
    table = table_of(demo_client.get(DEMO + "?market_stage=beachhead").content.decode())
    assert set(table.rows) == {"recoverwell", "sepsis-dx", "sepsis-predict", "woundlens"}


def test_filters_combine(demo_client):
    url = DEMO + "?solution_type=digital_medicine&market_stage=beachhead"
    table = table_of(demo_client.get(url).content.decode())
    assert set(table.rows) == {"recoverwell", "sepsis-predict", "woundlens"}


def test_a_filter_with_no_match_says_so(demo_client):
    page = demo_client.get(DEMO + "?solution_type=healthtech&market_stage=expansion").content
    assert table_of(page.decode()).order == ["sonopoint"]
    page = demo_client.get(DEMO + "?solution_type=digital_medicine&market_stage=expansion")
    assert "No venture matches these filters" in page.content.decode()


def test_unknown_filter_and_sort_values_are_ignored(demo_client):
    response = demo_client.get(DEMO + "?solution_type=biotech&sort=nonsense&dir=sideways")
    assert response.status_code == 200
    assert len(table_of(response.content.decode()).rows) == 7


def test_filter_form_keeps_the_chosen_values_selected(demo_client):
    page = demo_client.get(DEMO + "?solution_type=healthtech").content.decode()
    assert '<option value="healthtech" selected>' in page


def test_rows_are_sorted_by_name_by_default(demo_client):
    order = table_of(demo_client.get(DEMO).content.decode()).order
    names = dict(Venture.objects.values_list("slug", "name"))
    assert order == sorted(order, key=lambda s: names[s].casefold())


def test_sorting_by_score_descending_puts_the_best_canvas_first(demo_client):
    table = table_of(demo_client.get(DEMO + "?sort=score&dir=desc").content.decode())
    scores = [int(cell(table.rows[s], "score")) for s in table.order]
    assert scores == sorted(scores, reverse=True)
    assert table.order[0] == "rhythmwear"


def test_sorting_by_runway_ascending_puts_unknown_runway_first(demo_client):
    table = table_of(demo_client.get(DEMO + "?sort=runway&dir=asc").content.decode())
    assert cell(table.rows[table.order[0]], "runway").startswith("Unknown")
    known = [float(cell(table.rows[s], "runway").split()[0]) for s in table.order[1:]]
    assert known == sorted(known)


def test_every_column_sorts_both_ways(demo_client):
    for column in figures.COLUMNS:
        url = DEMO + f"?sort={column.key}&dir="
        asc = table_of(demo_client.get(url + "asc").content.decode()).order
        desc = table_of(demo_client.get(url + "desc").content.decode()).order
        assert sorted(asc) == sorted(desc) and len(asc) == 7, column.key
        key = figures.COLUMNS_BY_KEY[column.key].sort
        rows = {r.slug: r for r in demo_rows()}
        values = [key(rows[s]) for s in asc]
        assert values == sorted(values), column.key


def test_the_sorted_column_carries_aria_sort_and_others_do_not(demo_client):
    page = demo_client.get(DEMO + "?sort=score&dir=desc").content.decode()
    assert page.count("aria-sort=") == 1
    assert re.search(
        r'<th scope="col" class="num" aria-sort="descending">\s*<a[^>]*sort=score', page
    )


def test_sort_links_keep_the_filters_and_toggle_direction(demo_client):
    page = demo_client.get(DEMO + "?market_stage=beachhead&sort=score&dir=asc").content.decode()
    assert 'href="/cohorts/demo-cohort/?market_stage=beachhead&amp;sort=score&amp;dir=desc"' in page
    assert (
        'href="/cohorts/demo-cohort/?market_stage=beachhead&amp;sort=errors&amp;dir=desc"' in page
    )


def test_the_sort_state_rides_along_with_the_filter_form(demo_client):
    page = demo_client.get(DEMO + "?sort=score&dir=desc").content.decode()
    assert '<input type="hidden" name="sort" value="score" form="filters">' in page
    assert '<input type="hidden" name="dir" value="desc" form="filters">' in page


# --- htmx ------------------------------------------------------------------------------


def test_htmx_table_request_gets_only_the_table_fragment(demo_client):
    response = demo_client.get(
        DEMO + "?solution_type=healthtech&sort=score&dir=desc",
        headers={"HX-Request": "true", "HX-Target": "table"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="table"')
    assert "<html" not in html and "Common gaps" not in html
    assert table_of(html).order == ["rhythmwear", "sepsis-dx", "sonopoint"]
    assert "HX-Request" in response["Vary"]


def test_filter_form_swaps_every_figure_and_sort_links_the_table_and_both_push_the_url(
    demo_client,
):
    page = demo_client.get(DEMO).content.decode()
    form = re.search(r'<form id="filters"[^>]*>', page).group(0)
    assert 'hx-get="/cohorts/demo-cohort/"' in form and 'hx-target="#dashboard"' in form
    assert 'hx-push-url="true"' in form and 'method="get"' in form
    link = re.search(r'<a class="sort-link"[^>]*>', page).group(0)
    assert 'hx-target="#table"' in link and 'hx-push-url="true"' in link and "href=" in link


def test_history_restore_gets_the_whole_page(demo_client):
    response = demo_client.get(
        DEMO + "?sort=score",
        headers={"HX-Request": "true", "HX-Target": "table", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


# --- common gaps and charts ------------------------------------------------------------


def test_common_gaps_count_the_ventures_each_rule_fires_for(demo):
    expected: dict[str, set[str]] = {}
    for canvas in demo_canvases():
        for f in evaluate(canvas.to_document()).findings:
            expected.setdefault(f.rule, set()).add(canvas.venture.slug)
    gaps = figures.common_gaps(demo_rows())
    assert {g.rule: {r.slug for r in g.ventures} for g in gaps} == expected
    counts = [g.count for g in gaps]
    assert counts == sorted(counts, reverse=True)
    assert all(g.out_of == 7 for g in gaps)


def test_common_gaps_link_to_each_canvas_at_the_finding(demo_client):
    page = demo_client.get(DEMO).content.decode()
    assert "Common gaps" in page
    assert 'href="/ventures/recoverwell/canvas/?finding=KP01#findings"' in page
    # the most frequent rule comes first
    first = re.search(r'<li class="gap">.*?<code>(\w+)</code>', page, re.S).group(1)
    assert first == figures.common_gaps(demo_rows())[0].rule


def test_charts_are_server_rendered_svg_with_titles_and_a_text_alternative(demo_client):
    page = demo_client.get(DEMO).content.decode()
    for title in ("Score distribution", "Runway against score", "Core activities per venture"):
        assert re.search(rf'<svg[^>]*role="img"[^>]*>\s*<title id="[\w-]+">{title}</title>', page)
    assert page.count("<desc id=") == 3
    assert page.count('<circle class="dot') == 7  # one dot per venture
    # text alternatives: the histogram's data table; the other two point at the table
    assert page.count('<details class="chart-data">') == 1
    assert page.count('<a href="#table-heading">Ventures table</a>') == 2
    assert "chart.js" not in page.lower()


def test_pages_carry_no_inline_styles_scripts_or_event_handlers(demo_client):
    for url in (DEMO, "/cohorts/demo-cohort/compare/?v=sepsis-dx&v=woundlens"):
        page = demo_client.get(url).content.decode()
        assert "style=" not in page
        assert "hx-on" not in page and " onclick=" not in page
        for script in re.findall(r"<script[^>]*>", page):
            assert "src=" in script and "nonce=" in script


def test_table_scrolls_on_small_screens_and_headers_have_scope(demo_client):
    page = demo_client.get(DEMO).content.decode()
    assert '<div class="table-wrap" role="region"' in page
    assert page.count('<th scope="row" class="name-col">') == 7
    assert '<th scope="col"' in page


# --- query count -----------------------------------------------------------------------


@pytest.mark.parametrize("n", [5, 100])
def test_dashboard_query_count_is_the_same_for_5_and_100_ventures(
    django_user_model, cohort, django_assert_num_queries, n
):
    doc = big_document(2)
    for i in range(n):
        create_venture(f"v-{i:03d}", doc, cohort=cohort)
    staff = django_user_model.objects.create_user(username="s@example.org", password="x-long-pw")
    CohortStaff.objects.create(cohort=cohort, user=staff)
    client = client_for(staff)
    # session, user, cohort, ventures with their canvases, latest export
    with django_assert_num_queries(5):
        response = client.get("/cohorts/northstar/")
    assert len(table_of(response.content.decode()).rows) == n
    # the htmx table fragment: session, user, cohort, ventures
    with django_assert_num_queries(4):
        client.get("/cohorts/northstar/?sort=score", headers={"HX-Request": "true",
                                                              "HX-Target": "table"})  # fmt: skip
    # the htmx fragment a filter swaps (cards, table, charts, gaps): the same four
    with django_assert_num_queries(4):
        client.get("/cohorts/northstar/?market_stage=beachhead",
                   headers={"HX-Request": "true", "HX-Target": "dashboard"})  # fmt: skip
    # the CSV: session, user, cohort, ventures
    with django_assert_num_queries(4):
        client.get("/cohorts/northstar/canvases.csv")


def test_venture_names_are_escaped_everywhere_on_the_dashboard(carol_client, cohort, sepsis_doc):
    evil = '<img src=x onerror="alert(1)"> & Co'
    doc = sepsis_doc.model_copy(
        update={"venture": sepsis_doc.venture.model_copy(update={"name": evil})}
    )
    create_venture("evil-co", doc, cohort=cohort)
    page = carol_client.get("/cohorts/northstar/").content.decode()
    assert "<img src=x" not in page
    escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; Co"
    assert page.count(escaped) >= 4  # table row, common gaps, chart marks, checkbox label
    assert table_of(page).rows["evil-co"][COLS.index("name")] == evil
