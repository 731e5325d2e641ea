"""Evaluations stored under rule set 1 are replaced (SPEC §3, issue 13): by the data migration
that brings rule set 2 (canvas/migrations/0002_ruleset2.py) and by ``manage.py reevaluate``.
Afterwards the cohort dashboard's scores are those of a fresh evaluation of each canvas, and a
saved version keeps the evaluation it was made with, labelled with its rule set.

The migration test runs the real migrations backwards to 0001 and forwards again, on the
database the suite runs on (SQLite, or PostgreSQL with ``make test-postgres``).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from canvas.document import READINESS_QUESTIONS, TESTS, parse_document
from canvas.evaluator import RULESET_VERSION, evaluate
from canvas.models import Canvas, CanvasVersion, canvas_for_document, create_venture

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BEFORE = ("canvas", "0001_initial")

# The version-1 documents stored before the migration, by venture slug.
STORED = {"sepsis-dx-v1": "sepsis-dx.json", "recoverwell-v1": "demo-recoverwell.json"}


def v1_document(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / "v1" / name).read_text())


def as_rule_set_1(evaluation: dict[str, Any], score: int) -> dict[str, Any]:
    """An evaluation in the shape rule set 1 stored it: no "ruleset", no "points", no
    "unrated_tests"; the score made up so that a replacement shows."""
    return {
        "score": score,
        "runway_months": evaluation["runway_months"],
        "partners": evaluation["partners"],
        "activities": [
            {k: v for k, v in a.items() if k != "unrated_tests"} for a in evaluation["activities"]
        ],
        "findings": [{k: v for k, v in f.items() if k != "points"} for f in evaluation["findings"]],
    }


def rule_set_1_evaluation(data: dict[str, Any], score: int) -> dict[str, Any]:
    return as_rule_set_1(evaluate(parse_document(data)).to_dict(), score)


def store_with_historical_models(apps, cohort_id: int, slug: str, data: dict[str, Any]) -> None:
    """A venture, its canvas rows and one saved version as they stood under migration 0001:
    the document is version 1 and both evaluations are in the rule-set-1 shape."""
    Venture = apps.get_model("canvas", "Venture")
    HistoricalCanvas = apps.get_model("canvas", "Canvas")
    HistoricalVersion = apps.get_model("canvas", "CanvasVersion")
    v = data["venture"]
    venture = Venture.objects.create(
        slug=slug,
        name=v["name"],
        solution_type=v["solution_type"],
        market_stage=v["market_stage"],
        revenue_model=v["revenue_model"],
        cohort_id=cohort_id,
    )
    finances = data.get("finances") or {}
    readiness = data.get("readiness") or {}
    stale = rule_set_1_evaluation(data, score=42)
    canvas = HistoricalCanvas.objects.create(
        venture=venture,
        cash_on_hand=finances.get("cash_on_hand"),
        monthly_burn=finances.get("monthly_burn"),
        currency=finances.get("currency", "USD"),
        **{q: readiness.get(q) for q in READINESS_QUESTIONS},
        evaluation=stale,
        score=42,
        error_count=7,
        warning_count=7,
        info_count=7,
        runway_months=stale["runway_months"],
    )
    rows = apps.get_model("canvas", "ChannelEntry").objects
    for i, c in enumerate(data["channels"]):
        rows.create(
            canvas=canvas,
            position=i,
            stage=c["stage"],
            channel=c["channel"],
            relationship=c.get("relationship", ""),
            route=c["route"],
            mode=c.get("mode"),
            tags=c.get("tags", []),
        )
    rows = apps.get_model("canvas", "PartnerEntry").objects
    for i, p in enumerate(data["partners"]):
        rows.create(canvas=canvas, position=i, **p)
    rows = apps.get_model("canvas", "ActivityEntry").objects
    for i, a in enumerate(data["activities"]):
        ratings = {}
        for t in TESTS:
            ratings[f"{t}_rating"] = a[t]["rating"]
            ratings[f"{t}_rationale"] = a[t].get("rationale", "")
        rows.create(
            canvas=canvas,
            position=i,
            name=a["name"],
            declared_core=a.get("declared_core", False),
            outsourced_to=a.get("outsourced_to"),
            **ratings,
        )
    rows = apps.get_model("canvas", "ResourceEntry").objects
    for i, r in enumerate(data["resources"]):
        rows.create(canvas=canvas, position=i, **r)
    HistoricalVersion.objects.create(
        canvas=canvas,
        number=1,
        label="Made under rule set 1",
        document=data,
        evaluation=rule_set_1_evaluation(data, score=94),
        score=94,
    )


def migrate(target: list[tuple[str, str]] | None = None):
    """Migrate the test database to ``target`` (None: every app's latest migration) and
    return the executor, whose loader knows the historical models."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = target or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor


def dashboard_scores(client, cohort_slug: str) -> dict[str, int]:
    """Each venture's score as the cohort dashboard's CSV gives it, by slug."""
    response = client.get(f"/cohorts/{cohort_slug}/canvases.csv")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8")))
    return {row["slug"]: int(row["score"]) for row in rows}


def fresh_scores(cohort_slug: str) -> dict[str, int]:
    canvases = canvas_for_document().filter(venture__cohort__slug=cohort_slug)
    return {c.venture.slug: evaluate(c.to_document()).score for c in canvases}


# --- the data migration ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_0002_upgrades_documents_and_replaces_rule_set_1_evaluations(
    cohort, carol_client
):
    try:
        old_apps = migrate([BEFORE]).loader.project_state(BEFORE).apps
        for slug, name in STORED.items():
            store_with_historical_models(old_apps, cohort.pk, slug, v1_document(name))
    finally:
        migrate()

    for slug, name in STORED.items():
        upgraded = parse_document(v1_document(name)).to_data()
        canvas = canvas_for_document().get(venture__slug=slug)
        fresh = evaluate(canvas.to_document())
        # the current canvas: the same canvas, evaluated again under rule set 2
        assert canvas.to_document().to_data() == upgraded
        assert canvas.evaluation == fresh.to_dict() == evaluate(parse_document(upgraded)).to_dict()
        assert canvas.evaluation["ruleset"] == canvas.ruleset == RULESET_VERSION == 2
        assert all("points" in f for f in canvas.evaluation["findings"])
        assert (canvas.score, canvas.error_count, canvas.warning_count, canvas.info_count) == (
            fresh.score,
            fresh.errors,
            fresh.warnings,
            fresh.infos,
        )
        assert canvas.runway_months == fresh.runway_months
        assert canvas.cached_evaluation() == fresh
        # the saved version: its document in version 2, its evaluation as it was made
        version = CanvasVersion.objects.get(canvas=canvas, number=1)
        assert version.document == upgraded
        assert version.document["schema_version"] == 2
        assert version.document["vendors"] == []
        assert version.evaluation == rule_set_1_evaluation(v1_document(name), score=94)
        assert "ruleset" not in version.evaluation
        assert version.ruleset == 1
        assert not version.is_current_ruleset
        assert version.score == 94
        assert version.to_document().to_data() == upgraded

    # nothing stale is left for the cohort dashboard: it shows fresh scores
    scores = dashboard_scores(carol_client, cohort.slug)
    assert scores == fresh_scores(cohort.slug)
    assert set(scores) == set(STORED)
    assert 42 not in scores.values()


# --- manage.py reevaluate ----------------------------------------------------------------


@pytest.mark.django_db
def test_reevaluate_replaces_rule_set_1_evaluations_and_the_dashboard_shows_fresh_scores(
    venture, cohort, carol_client
):
    glucosight = create_venture(
        "glucosight-v1", parse_document(v1_document("demo-glucosight.json")), cohort=cohort
    )
    canvases = Canvas.objects.filter(venture__in=[venture, glucosight])
    for canvas in canvases:
        canvas.evaluation = as_rule_set_1(canvas.evaluation, score=42)
        canvas.ruleset, canvas.score, canvas.error_count = 1, 42, 7
        canvas.save(update_fields=["evaluation", "ruleset", "score", "error_count"])
    assert sorted(canvases.values_list("ruleset", "score")) == [(1, 42), (1, 42)]

    out = io.StringIO()
    call_command("reevaluate", stdout=out)

    assert out.getvalue().strip() == "Re-evaluated 2 canvases under rule set 2."
    for canvas in canvas_for_document().filter(venture__in=[venture, glucosight]):
        fresh = evaluate(canvas.to_document())
        assert canvas.evaluation == fresh.to_dict()
        assert canvas.ruleset == canvas.evaluation["ruleset"] == 2
        assert (canvas.score, canvas.error_count) == (fresh.score, fresh.errors)
    scores = dashboard_scores(carol_client, cohort.slug)
    assert scores == fresh_scores(cohort.slug)
    assert 42 not in scores.values()


@pytest.mark.django_db
def test_the_dashboard_page_shows_the_fresh_scores_after_reevaluate(venture, cohort, carol_client):
    Canvas.objects.filter(venture=venture).update(
        evaluation=as_rule_set_1(venture.canvas.evaluation, score=42), ruleset=1, score=42
    )
    call_command("reevaluate", stdout=io.StringIO())
    from tests.test_cohort_dashboard import cell, table_of

    page = carol_client.get(f"/cohorts/{cohort.slug}/").content.decode()
    row = table_of(page).rows["sepsis-dx"]
    assert cell(row, "score") == str(fresh_scores(cohort.slug)["sepsis-dx"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL never stored a NUL character in text"
)
def test_migration_0002_does_not_stop_on_a_nul_character_stored_before_it_was_refused(cohort):
    data = v1_document("sepsis-dx.json")
    spoiled = json.loads(json.dumps(data))
    spoiled["partners"][0]["strategic_value"] = "IRB approval\x00, 400 cases"
    try:
        old_apps = migrate([BEFORE]).loader.project_state(BEFORE).apps
        store_with_historical_models(old_apps, cohort.pk, "nul-v1", data)
        # as SQLite could hold them before the document refused NUL
        old_apps.get_model("canvas", "CanvasVersion").objects.filter(
            canvas__venture__slug="nul-v1"
        ).update(document=spoiled)
        old_apps.get_model("canvas", "PartnerEntry").objects.filter(
            canvas__venture__slug="nul-v1", position=0
        ).update(strategic_value="IRB approval\x00, 400 cases")
    finally:
        migrate()
    version = CanvasVersion.objects.get(canvas__venture__slug="nul-v1")
    assert version.document["partners"][0]["strategic_value"] == "IRB approval, 400 cases"
    canvas = Canvas.objects.get(venture__slug="nul-v1")
    assert canvas.ruleset == 2 and canvas.evaluation["ruleset"] == 2
