"""The canvas document format: its JSON Schema and a readable page about it.

Both are generated from ``canvas.document`` (``json_schema()`` and the vocabularies), so
they cannot drift from what import, export and upload accept. Both require sign-in: SPEC §1
lets anonymous visitors see only the login page and ``/healthz``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..document import LABELS, MAX_ENTRIES, MAX_TEXT, READINESS_QUESTIONS, json_schema

# What the schema cannot say, in the words of SPEC §2. Keys are field paths as shown on
# the page; tests check that each one names a real field.
NOTES: dict[str, str] = {
    "schema_version": (
        "The version of this format: 2. Version 1 documents are read too and upgraded on read "
        "(no vendors, no milestone); the app always writes version 2."
    ),
    "venture.solution_type": (
        "Decides which channel rules apply (HealthTech: clinical training; Digital Medicine: "
        "IT security review, pilot conversion and EHR integration)."
    ),
    "channels[].channel": "What the channel is. Findings about a channel name it by this text.",
    "channels[].tags": "Each tag at most once.",
    "partners[].name": (
        "Unique across partners and vendors together, compared ignoring case: a name is either "
        "a partner or a vendor."
    ),
    "partners[].recovery_time": (
        "How long to recover if the relationship ended tomorrow; null: not yet assessed "
        "(finding KP06)."
    ),
    "partners[].replacement_cost": "The strategic cost of that loss; null: not yet assessed.",
    "vendors": (
        "Commodity providers any competent firm could replace. Shown beside the canvas; no vendor "
        "test and no partner rule applies to them. Left out means none; never null."
    ),
    "vendors[].name": "Unique across partners and vendors together, compared ignoring case.",
    "vendors[].service": "What they provide; may be empty.",
    "activities[].relevance": "Relevance to customer value (a test passes at medium or high).",
    "activities[].relevance.rating": "null: not yet rated (the activity then has no verdict).",
    "activities[].imitation": "Difficulty of imitation (passes at medium or high).",
    "activities[].breadth": "Breadth of application (passes at medium or high).",
    "activities[].declared_core": "Whether you consider the activity core.",
    "activities[].outsourced_to": (
        "Null, or the name of the partner or vendor that does it (compared ignoring case). "
        "Naming neither is not a validation error but finding KA06."
    ),
    "resources[].replacement_months": "Months it would take to replace the resource.",
    "finances": "May be null or left out: then every figure is unknown.",
    "finances.monthly_burn": (
        "Runway = cash on hand / monthly burn; a burn of 0 with cash on hand means unlimited."
    ),
    "finances.next_milestone": "The next fundable milestone, in your words; may be empty.",
    "finances.months_to_milestone": (
        "Months to reach it (0 included); runway is judged against it plus six months to raise. "
        "null: not given (runway is then judged against 6 and 12 months)."
    ),
    "readiness": "May be null or left out: then every question is unanswered.",
}


@dataclass(frozen=True)
class FieldDoc:
    path: str  # "channels[].stage"
    depth: int  # 0 for top-level fields
    kind: str  # readable type
    required: bool
    nullable: bool
    default: str  # JSON text of the default, "" when there is none
    limits: tuple[str, ...]
    values: tuple[tuple[str, str], ...]  # allowed values and their labels
    note: str


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return defs[ref.rsplit("/", 1)[-1]] if ref else node


def _vocabulary(values: list[str]) -> tuple[tuple[str, str], ...]:
    """The values with their readable labels, from the vocabulary they belong to."""
    for vocabulary in LABELS.values():
        if set(values) == set(vocabulary):
            return tuple((v, vocabulary[v]) for v in values)
    return tuple((v, "") for v in values)


def _limits(node: dict[str, Any]) -> list[str]:
    limits = []
    if node.get("minLength"):
        limits.append("not empty")
    if "maxLength" in node:
        limits.append(f"at most {node['maxLength']:,} characters")
    if "maxItems" in node:
        limits.append(f"at most {node['maxItems']} entries")
    if "minimum" in node:
        limits.append(f"{node['minimum']} or more")
    if "pattern" in node and "description" not in node:
        limits.append(f"matches {node['pattern']}")
    return limits


_TYPES = {
    "string": "text",
    "number": "number",
    "integer": "whole number",
    "boolean": "true or false",
    "object": "object",
    "array": "list",
}


def schema_fields(schema: dict[str, Any] | None = None) -> list[FieldDoc]:
    """Every field of the document, depth first, as rows for the format page."""
    schema = schema or json_schema()
    defs = schema.get("$defs", {})
    rows: list[FieldDoc] = []

    def walk(node: dict[str, Any], prefix: str, depth: int) -> None:
        node = _resolve(node, defs)
        required = set(node.get("required", []))
        for name, prop in node.get("properties", {}).items():
            path = f"{prefix}{name}"
            options = prop.get("anyOf", [prop])
            nullable = any(o.get("type") == "null" for o in options)
            target = _resolve(next(o for o in options if o.get("type") != "null"), defs)
            limits = _limits(target) + (_limits(prop) if target is not prop else [])
            values: tuple[tuple[str, str], ...] = ()
            kind = _TYPES.get(target.get("type", "object"), target.get("type", ""))
            if "const" in target:
                kind = f"the number {target['const']}"
            elif "enum" in target:
                kind = "one of the values listed"
                values = _vocabulary(target["enum"])
            items = _resolve(target.get("items", {}), defs)
            if target.get("type") == "array":
                if "enum" in items:
                    kind = "list of values listed"
                    values = _vocabulary(items["enum"])
                elif items.get("type") == "object":
                    kind = "list of objects"
            if name in READINESS_QUESTIONS:
                note = READINESS_QUESTIONS[name] + ". Null: not answered."
            else:
                note = NOTES.get(path, "")
            description = target.get("description") or prop.get("description")
            if description:
                note = f"{note} {description}.".strip() if note else f"{description}."
            rows.append(
                FieldDoc(
                    path=path,
                    depth=depth,
                    kind=kind + (" or null" if nullable else ""),
                    required=name in required,
                    nullable=nullable,
                    default=json.dumps(prop["default"]) if "default" in prop else "",
                    limits=tuple(limits),
                    values=values,
                    note=note,
                )
            )
            if target.get("type") == "object" or "properties" in target:
                walk(target, f"{path}.", depth + 1)
            elif items.get("type") == "object" or "properties" in items:
                walk(items, f"{path}[].", depth + 1)

    walk(schema, "", 0)
    return rows


EXAMPLE = {
    "schema_version": 2,
    "venture": {
        "name": "Sepsis Dx",
        "solution_type": "healthtech",
        "market_stage": "beachhead",
        "revenue_model": "capital_sale",
    },
    "channels": [
        {
            "stage": "get",
            "channel": "Clinical partnership with 3 academic EDs",
            "relationship": "Collaborative co-design",
            "route": "direct",
            "mode": "in_person",
            "tags": ["clinical_partnership", "pilot"],
        }
    ],
    "partners": [
        {
            "name": "BioMed Contract Manufacturing",
            "partner_type": "contract_manufacturer",
            "strategic_value": "ISO 13485 facility",
            "what_would_be_lost": "18-24 months to qualify another",
            "recovery_time": "years",
            "replacement_cost": "significant",
        }
    ],
    "vendors": [{"name": "Acme Bookkeeping", "service": "Monthly books and payroll"}],
    "activities": [
        {
            "name": "Cartridge manufacturing",
            "relevance": {"rating": "low", "rationale": "Commodity once designed"},
            "imitation": {"rating": "low", "rationale": "Any ISO-certified CMO"},
            "breadth": {"rating": "low", "rationale": "Specific to this device"},
            "declared_core": False,
            "outsourced_to": "BioMed Contract Manufacturing",
        }
    ],
    "resources": [
        {
            "name": "Patent portfolio",
            "category": "intellectual",
            "why_strategic": "Blocks replication",
            "risk_if_lost": "Freedom-to-operate risk",
            "replacement_months": None,
        }
    ],
    "finances": {
        "cash_on_hand": 2400000,
        "monthly_burn": 133000,
        "currency": "USD",
        "next_milestone": "510(k) submitted with validation-study data",
        "months_to_milestone": 14,
    },
    "readiness": {
        "assessment_before_signature": True,
        "requirements_mapped": False,
        "customer_success_owns_adoption": None,
        "operational_case_studies": None,
        "frontline_staff_engaged": True,
    },
}


@login_required
@require_safe
def schema_json(request: HttpRequest) -> HttpResponse:
    """The JSON Schema (draft 2020-12) of the canvas document."""
    return JsonResponse(json_schema(), json_dumps_params={"indent": 2, "ensure_ascii": False})


@login_required
@require_safe
def schema_page(request: HttpRequest) -> HttpResponse:
    """The canvas document format in readable form."""
    rows = schema_fields()
    sections = []
    for row in rows:
        if row.depth == 0:
            sections.append({"field": row, "rows": []})
        else:
            sections[-1]["rows"].append(row)
    context = {
        "sections": sections,
        "max_text": f"{MAX_TEXT:,}",
        "max_entries": MAX_ENTRIES,
        "example": json.dumps(EXAMPLE, indent=2, ensure_ascii=False),
    }
    return render(request, "canvas/schema.html", context)
