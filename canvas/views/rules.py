"""The rule table: every rule of the evaluator, grouped by block."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..board import BLOCK_TITLES
from ..evaluator import RULESET_VERSION, SEVERITY_LABELS, rules_by_block
from ..guidance import VARIANT_RULES
from ..http import HtmxHttpRequest

_APPLIES_TO = {
    rule_id: label
    for key, label in (
        ("healthtech", "HealthTech only"),
        ("digital_medicine", "Digital Medicine only"),
    )
    for rule_id in VARIANT_RULES[key]
}


@login_required
@require_GET
def rules(request: HtmxHttpRequest) -> HttpResponse:
    groups = [
        {
            "block": block,
            "label": BLOCK_TITLES[block],
            "rules": [
                {
                    "id": r.id,
                    "severity": r.severity,
                    "severity_label": SEVERITY_LABELS[r.severity],
                    "title": r.title,
                    "summary": r.summary,
                    "applies_to": _APPLIES_TO.get(r.id, ""),
                }
                for r in block_rules
            ],
        }
        for block, block_rules in rules_by_block().items()
    ]
    return render(
        request, "canvas/rules.html", {"groups": groups, "ruleset_version": RULESET_VERSION}
    )
