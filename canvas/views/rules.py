"""The rule table: every rule of the evaluator, grouped by block."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..board import BLOCK_TITLES
from ..document import SOLUTION_TYPES, STAGES
from ..evaluator import POINTS, RULESET_VERSION, SEVERITY_LABELS, Rule, rules_by_block
from ..http import HtmxHttpRequest


def _applies_to(rule: Rule) -> str:
    """'HealthTech only', 'Keep stage', ...: read from the rule itself."""
    parts = []
    if rule.solution_type:
        parts.append(f"{SOLUTION_TYPES[rule.solution_type]} only")
    if rule.stage:
        parts.append(f"{STAGES[rule.stage]} stage")
    return " · ".join(parts)


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
                    "points": r.points,
                    "costlier": r.points != POINTS[r.severity],
                    "applies_to": _applies_to(r),
                }
                for r in block_rules
            ],
        }
        for block, block_rules in rules_by_block().items()
    ]
    context = {"groups": groups, "ruleset_version": RULESET_VERSION, "points": POINTS}
    return render(request, "canvas/rules.html", context)
