"""The canvas board as template context: a pure function of a document and its evaluation.

``board_context(doc, evaluation)`` is all ``templates/canvas/_board.html`` needs, so the board
renders read-only from a document alone (an old version, a share link) exactly as the editor
shows it. The editor passes the database rows as ``entries`` (in document order) so each entry
carries its primary key and version, and ``editable=True`` with the venture's ``slug`` to show
the edit controls (their URLs come from ``reverse()``).

Entry elements get stable ids: ``partner-12`` (the row's pk) in the editor, ``partners-3``
(the index in the document) when rendered from a document alone. Findings link to them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from . import guidance
from .document import (
    BLOCK_TITLES,
    CATEGORIES,
    ENTRY_BLOCKS,
    ENTRY_LISTS,
    MARKET_STAGES,
    MODES,
    NOT_ASSESSED,
    NOT_RATED,
    PARTNER_TYPES,
    RATINGS,
    READINESS_QUESTIONS,
    RECOVERY_TIMES,
    REPLACEMENT_COSTS,
    REVENUE_MODELS,
    ROUTES,
    SOLUTION_TYPES,
    STAGES,
    TAGS,
    TESTS,
    CanvasDocument,
)
from .evaluator import (
    PASSING_RATINGS,
    RULES_BY_ID,
    SEVERITY_LABELS,
    VERDICT_LABELS,
    Evaluation,
    Finding,
    about,
    readiness_summary,
    rules_for,
    runway_level,
    runway_summary,
)
from .evaluator.wording import and_list

SINGULAR = {
    "channels": "channel",
    "partners": "partner",
    "vendors": "vendor",
    "activities": "activity",
    "resources": "resource",
}
VERDICT_CLASSES = {
    "key_partner": "good",
    "vendor": "warning",
    "borderline": "info",
    "unassessed": "neutral",
}
LIST_IDS = {
    "channels": "channel-lanes",
    "partners": "partners-list",
    "vendors": "vendors-list",
    "activities": "activities-list",
    "resources": "resources-list",
}
ADD_LABELS = {
    "channels": "Add a channel",
    "partners": "Add a partner",
    "vendors": "Add a vendor",
    "activities": "Add an activity",
    "resources": "Add a resource",
}
ANSWER_LABELS = {True: "Yes", False: "No", None: "Not answered"}

# Where a finding links to when its subject is not an entry (evaluator.about).
_ANCHORS = {"stage": "lane", "category": "category", "question": "readiness"}


def score_class(score: int) -> str:
    """'good', 'fair' or 'poor' (the colour of the score chip)."""
    if score >= 80:
        return "good"
    return "fair" if score >= 50 else "poor"


def entry_dom_id(block: str, *, pk: int | None = None, index: int = 0) -> str:
    """``partner-12`` for a database row, ``partners-3`` for the 4th entry of a document."""
    return f"{SINGULAR[block]}-{pk}" if pk is not None else f"{block}-{index}"


# An entry id no canvas reaches: its URL is reversed once per block with this id in it, and
# each entry's URL is that one with the entry's id in its place (a reverse() per entry was
# 10 ms of a 200-entry page).
_PK_PLACEHOLDER = 987654321


def entry_url_format(slug: str, block: str, name: str = "entry") -> str:
    """The URL ``name`` of an entry of ``block`` with ``{}`` where its id goes."""
    if name == "partner_to_vendor":
        url = reverse(name, args=(slug, _PK_PLACEHOLDER))
    else:
        url = reverse(name, args=(slug, block, _PK_PLACEHOLDER))
    head, _, tail = url.rpartition(str(_PK_PLACEHOLDER))
    return f"{head}{{}}{tail}"


# What an entry's controls do, by url name (Move to vendors: partners only).
ENTRY_ACTIONS = {
    "edit": "entry_edit",
    "move": "entry_move",
    "delete": "entry_delete",
    "to_vendor": "partner_to_vendor",
}


def format_amount(value: float | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def runway_text(doc: CanvasDocument, evaluation: Evaluation) -> tuple[str, str]:
    """(text, class) for runway against the milestone, for example '18.0 months of runway ·
    milestone in 14 months · 4 months to raise' and 'fair'; the class follows the runway
    rules' findings (KR02/KR03 poor, KR04 fair), so colour and findings agree."""
    level = runway_level(f.rule for f in evaluation.findings)
    return runway_summary(doc.finances, evaluation), level


def _finding(f: Finding, href: str) -> dict[str, Any]:
    rule = RULES_BY_ID.get(f.rule)
    return {
        "rule": f.rule,
        "severity": f.severity,
        "severity_label": SEVERITY_LABELS.get(f.severity, f.severity),
        "block": f.block,
        "subject": f.subject,
        "message": f.message,
        "title": rule.title if rule else f.rule,
        "href": href,
    }


def _channel(item: dict[str, Any], ch: Any) -> None:
    item["name"] = ch.channel
    item["stage_label"] = STAGES[ch.stage]
    item["route_label"] = ROUTES[ch.route]
    item["route_short"] = ROUTES[ch.route].split(" (")[0]
    item["mode_label"] = MODES.get(ch.mode, "") if ch.mode else ""
    item["tag_labels"] = [TAGS[t] for t in ch.tags]


def _partner(item: dict[str, Any], p: Any, evaluation: Evaluation, index: int) -> None:
    item["name"] = p.name
    item["type_label"] = PARTNER_TYPES[p.partner_type]
    item["recovery_label"] = RECOVERY_TIMES.get(p.recovery_time, NOT_ASSESSED)
    item["cost_label"] = REPLACEMENT_COSTS.get(p.replacement_cost, NOT_ASSESSED)
    verdict = (
        evaluation.partners[index].verdict
        if index < len(evaluation.partners)
        else evaluation.partner_verdict(p.name)
    ) or "unassessed"
    item["verdict"] = verdict
    item["verdict_label"] = VERDICT_LABELS[verdict]
    item["verdict_class"] = VERDICT_CLASSES[verdict]
    item["to_vendor"] = verdict == "vendor"  # offers "Move to vendors"


def _vendor(item: dict[str, Any], v: Any) -> None:
    item["name"] = v.name


def _activity(item: dict[str, Any], a: Any, provider_keys: set[str]) -> None:
    """The three tests and the verdict: 'Core', 'Not core' or, while any test is unrated,
    'Not yet rated' (never a verdict). The founder's claim is shown only where it differs
    from the verdict (KA02, KA03), so a badge and a claim never read as each other."""
    item["name"] = a.name
    tests = []
    failed, unrated = [], []
    for key, label in TESTS.items():
        assessment = getattr(a, key)
        rating = assessment.rating
        passed = rating in PASSING_RATINGS
        if rating is None:
            unrated.append(label)
        elif not passed:
            failed.append(label)
        tests.append(
            {
                "key": key,
                "label": label,
                "rating": rating,
                "rating_label": RATINGS[rating] if rating else NOT_RATED,
                "rationale": assessment.rationale,
                "passed": passed,
                "unrated": rating is None,
                "state": "pass" if passed else "unrated" if rating is None else "fail",
            }
        )
    core = not failed and not unrated
    item["tests"] = tests
    item["core"] = core
    item["rated"] = not unrated
    item["verdict_label"] = "Core" if core else "Not core" if not unrated else NOT_RATED
    item["verdict_class"] = "good" if core else "neutral" if not unrated else "unrated"
    item["failed_labels"] = failed
    item["failed_text"] = and_list(failed) if failed else ""
    item["unrated_text"] = and_list(unrated) if unrated else ""
    item["declared_core"] = a.declared_core
    # the claim, where it differs from the verdict
    if a.declared_core and not core:
        item["claim_text"] = "Declared core by the team"
    elif core and not a.declared_core:
        item["claim_text"] = "Not yet declared core by the team"
    else:
        item["claim_text"] = ""
    item["outsourced_to"] = a.outsourced_to
    target = a.outsourced_to
    item["outsourced_known"] = target is None or target.casefold() in provider_keys


def _resource(item: dict[str, Any], r: Any) -> None:
    item["name"] = r.name
    item["category_label"] = CATEGORIES[r.category]
    months = r.replacement_months
    if months is None:
        item["months_text"] = ""
    else:
        number = int(months) if float(months).is_integer() else months
        item["months_text"] = f"{number} month{'' if number == 1 else 's'}"


def _items(
    block: str,
    doc: CanvasDocument,
    evaluation: Evaluation,
    rows: Sequence[Any] | None,
    slug: str | None,
    open_forms: Mapping[str, Any],
) -> list[dict[str, Any]]:
    items = []
    url_format = entry_url_format(slug, block) if slug else ""
    action_formats = (
        {
            action: entry_url_format(slug, block, name)
            for action, name in ENTRY_ACTIONS.items()
            if action != "to_vendor" or block == "partners"
        }
        if slug
        else {}
    )
    entries = getattr(doc, block)
    provider_keys = (
        {x.name.casefold() for x in (*doc.partners, *doc.vendors)}
        if block == "activities"
        else set()
    )
    for index, data in enumerate(entries):
        row = rows[index] if rows is not None and index < len(rows) else None
        pk = row.pk if row is not None else None
        dom_id = entry_dom_id(block, pk=pk, index=index)
        item: dict[str, Any] = {
            "block": block,
            "index": index,
            "dom_id": dom_id,
            "pk": pk,
            "version": row.version if row is not None else None,
            "data": data,
            "findings": [],
            "url": url_format.format(pk) if url_format and pk is not None else "",
            "urls": {a: f.format(pk) for a, f in action_formats.items()} if pk is not None else {},
            "form": open_forms.get(dom_id),
            "list_id": LIST_IDS[block],
        }
        if block == "channels":
            _channel(item, data)
        elif block == "partners":
            _partner(item, data, evaluation, index)
        elif block == "vendors":
            _vendor(item, data)
        elif block == "activities":
            _activity(item, data, provider_keys)
        else:
            _resource(item, data)
        items.append(item)
    _mark_ends(items)
    return items


def _mark_ends(items: list[dict[str, Any]]) -> None:
    for i, item in enumerate(items):
        item["first"] = i == 0
        item["last"] = i == len(items) - 1


def _link_findings(
    evaluation: Evaluation, items: Mapping[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Finding dicts with an href to their entry (or lane, category, question, block);
    entry findings are also attached to the entry's ``findings`` list."""
    by_name: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for block, block_items in items.items():
        for item in block_items:
            by_name.setdefault((block, item["name"]), []).append(item)
    used: dict[tuple[str, str], int] = {}
    result = []
    for f in evaluation.findings:
        kind = about(f)
        href = "#finances" if kind == "runway" else f"#block-{f.block}"
        if f.subject is not None:
            if kind in _ANCHORS:
                href = f"#{_ANCHORS[kind]}-{f.subject}"
            else:
                candidates = by_name.get((f.block, f.subject), [])
                if candidates:
                    # Duplicate names (allowed for activities): the n-th finding of a rule for
                    # a name goes to the n-th entry of that name, a fair guess in document order.
                    key = (f.rule, f"{f.block}\x00{f.subject}")
                    n = used.get(key, 0)
                    used[key] = n + 1
                    target = candidates[min(n, len(candidates) - 1)]
                    href = f"#{target['dom_id']}"
                    finding = _finding(f, href)
                    target["findings"].append(finding)
                    result.append(finding)
                    continue
        result.append(_finding(f, href))
    return result


def is_scored(doc: CanvasDocument) -> bool:
    """Whether the canvas is far enough along for its score to mean something: every block
    of the canvas has an entry. Until then pages say "Not scored yet" (the findings are
    still listed), not a red number built from empty blocks."""
    return all(getattr(doc, block) for block in ENTRY_BLOCKS)


def first_run(
    doc: CanvasDocument, evaluation: Evaluation, *, details_saved: bool
) -> dict[str, Any]:
    """The guided first run: seven steps, each done or not, with where to do it. Shown
    while some block of the canvas is still empty."""
    fin = doc.finances
    unrated = any(a.unrated_tests for a in evaluation.activities)
    unassessed = any(p.verdict == "unassessed" for p in evaluation.partners)
    steps = [
        ("Set the solution type and market stage", details_saved, "#venture", "?edit=venture"),
        (
            "Add a channel in each stage: Get, Keep and Grow",
            {c.stage for c in doc.channels} >= set(STAGES),
            "#add-channels-get",
            "?add=channels-get",
        ),
        (
            "Put your partners through the vendor test",
            bool(doc.partners) and not unassessed,
            "#add-partners",
            "?add=partners",
        ),
        (
            "Rate your activities on the three tests",
            bool(doc.activities) and not unrated,
            "#add-activities",
            "?add=activities",
        ),
        ("List your key resources", bool(doc.resources), "#add-resources", "?add=resources"),
        (
            "Enter your finances and next fundable milestone",
            fin.cash_on_hand is not None
            and fin.monthly_burn is not None
            and bool(fin.next_milestone)
            and fin.months_to_milestone is not None,
            "#finances",
            "?edit=finances",
        ),
        (
            "Answer the operational-readiness questions",
            all(answer is not None for _, answer in doc.readiness.answers()),
            "#readiness",
            "?edit=readiness",
        ),
    ]
    done = sum(1 for _, ok, _, _ in steps if ok)
    return {
        "show": not is_scored(doc),
        "done": done,
        "total": len(steps),
        "steps": [
            {"label": label, "done": ok, "anchor": anchor, "action": action}
            for label, ok, anchor, action in steps
        ],
    }


def board_context(
    doc: CanvasDocument,
    evaluation: Evaluation,
    *,
    entries: Mapping[str, Sequence[Any]] | None = None,
    editable: bool = False,
    slug: str | None = None,
    versions: Mapping[str, int] | None = None,
    open_forms: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything ``canvas/_board.html`` renders.

    - ``entries``: block -> model rows in document order (the editor); gives pk and version.
    - ``editable`` and ``slug`` (the venture's): show the edit controls, with their URLs.
    - ``versions``: {"venture", "finances", "readiness"} optimistic-lock versions (editor).
    - ``open_forms``: element id -> form context, for parts shown as a form (editor).
    """
    entries = entries or {}
    open_forms = open_forms or {}
    versions = versions or {}
    editable = bool(editable)
    scored = is_scored(doc)
    slug = slug if editable else None
    base_url = reverse("canvas", args=(slug,)) if slug else ""
    items = {
        block: _items(block, doc, evaluation, entries.get(block), slug, open_forms)
        for block in ENTRY_LISTS
    }
    findings = _link_findings(evaluation, items)

    lanes = []
    for stage, stage_label in STAGES.items():
        lane_items = [i for i in items["channels"] if i["data"].stage == stage]
        _mark_ends(lane_items)  # move buttons move within a lane: first/last per lane
        lanes.append(
            {
                "stage": stage,
                "label": stage_label,
                "dom_id": f"lane-{stage}",
                "items": lane_items,
                "help": guidance.STAGES[stage],
                "missing": not lane_items,
                "slot": add_slot(
                    "channels",
                    slug,
                    open_forms,
                    stage=stage,
                    label=f"Add a {stage_label} channel",
                ),
            }
        )

    present = {r.category for r in doc.resources}
    categories = [
        {
            "key": key,
            "label": label,
            "dom_id": f"category-{key}",
            "present": key in present,
            "help": guidance.CATEGORIES[key],
        }
        for key, label in CATEGORIES.items()
    ]

    readiness_findings: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        if f["block"] == "readiness" and f["subject"]:
            readiness_findings.setdefault(f["subject"], []).append(f)
    readiness = [
        {
            "key": key,
            "label": label,
            "answer": answer,
            "answer_label": ANSWER_LABELS[answer],
            "answer_class": {True: "good", False: "warning", None: "neutral"}[answer],
            "dom_id": f"readiness-{key}",
            "findings": readiness_findings.get(key, []),
        }
        for key, answer in doc.readiness.answers()
        for label in (READINESS_QUESTIONS[key],)
    ]

    fin = doc.finances
    runway, runway_cls = runway_text(doc, evaluation)
    venture = doc.venture
    solution_type = venture.solution_type
    groups = [
        {
            "block": block,
            "label": BLOCK_TITLES[block],
            "dom_id": f"findings-{block}",
            "findings": [f for f in findings if f["block"] == block],
        }
        for block in (*ENTRY_BLOCKS, "readiness")
    ]
    block_counts = {
        g["block"]: {
            "errors": sum(1 for f in g["findings"] if f["severity"] == "error"),
            "warnings": sum(1 for f in g["findings"] if f["severity"] == "warning"),
            "total": len(g["findings"]),
        }
        for g in groups
    }

    variant = guidance.SOLUTION_TYPES[solution_type]
    return {
        "editable": editable,
        "base_url": base_url,
        "slug": slug or "",
        "doc": doc,
        "evaluation": evaluation,
        "venture": {
            "name": venture.name,
            "solution_type": solution_type,
            "solution_type_label": SOLUTION_TYPES[solution_type],
            "market_stage": venture.market_stage,
            "market_stage_label": MARKET_STAGES[venture.market_stage],
            "revenue_model": venture.revenue_model,
            "revenue_model_label": REVENUE_MODELS[venture.revenue_model],
            "version": versions.get("venture"),
            "form": open_forms.get("venture"),
        },
        "score": evaluation.score,
        "score_class": score_class(evaluation.score) if scored else "unscored",
        "scored": scored,
        "first_run": first_run(doc, evaluation, details_saved=versions.get("venture", 2) > 1),
        "counts": {
            "errors": evaluation.errors,
            "warnings": evaluation.warnings,
            "infos": evaluation.infos,
        },
        "block_counts": block_counts,
        "titles": BLOCK_TITLES,
        "lanes": lanes,
        "channels": items["channels"],
        "partners": items["partners"],
        "vendors": items["vendors"],
        "activities": items["activities"],
        "resources": items["resources"],
        "categories": categories,
        "finances": {
            "cash_on_hand": fin.cash_on_hand,
            "monthly_burn": fin.monthly_burn,
            "currency": fin.currency,
            "cash_text": format_amount(fin.cash_on_hand),
            "burn_text": format_amount(fin.monthly_burn),
            "next_milestone": fin.next_milestone,
            "months_to_milestone": fin.months_to_milestone,
            "months_text": format_amount(fin.months_to_milestone),
            "runway_text": runway,
            "runway_class": runway_cls,
            "version": versions.get("finances"),
            "form": open_forms.get("finances"),
        },
        "readiness": readiness,
        "readiness_summary": readiness_summary(doc.readiness),
        "readiness_version": versions.get("readiness"),
        "readiness_form": open_forms.get("readiness"),
        "findings": findings,
        "finding_groups": groups,
        "add_slots": {
            block: add_slot(block, slug, open_forms, label=ADD_LABELS[block])
            for block in ("partners", "vendors", "activities", "resources")
        },
        "guidance": {
            "channels_intro": guidance.CHANNELS_INTRO,
            "market_stage": guidance.MARKET_STAGES[venture.market_stage],
            "variant_title": variant["title"],
            "variant_points": variant["points"],
            "variant_rules": [
                {"id": r.id, "title": r.title, "summary": r.summary}
                for r in rules_for(solution_type)
            ],
            "partners_intro": guidance.PARTNERS_INTRO,
            "vendor_test": guidance.VENDOR_TEST,
            "vendor_answers": guidance.VENDOR_TEST_ANSWERS,
            "partners_tip": guidance.PARTNERS_TIP,
            "vendors_intro": guidance.VENDORS_INTRO,
            "unrated": guidance.UNRATED,
            "activities_intro": guidance.ACTIVITIES_INTRO,
            "tests": [
                {"key": key, "label": TESTS[key], "text": text}
                for key, text in guidance.TESTS.items()
            ],
            "tests_pass": guidance.TESTS_PASS,
            "resources_intro": guidance.RESOURCES_INTRO,
            "runway": guidance.RUNWAY,
            "milestone": guidance.MILESTONE,
            "readiness_intro": guidance.READINESS_INTRO,
        },
    }


def add_slot(
    block: str,
    slug: str | None,
    open_forms: Mapping[str, Any],
    *,
    stage: str | None = None,
    label: str = "",
) -> dict[str, Any]:
    """Where a new entry is added: a button, or the add form when it is open. Its URLs
    (``slug`` given, the editor) open the form with htmx and, without JavaScript, the page
    with the form open."""
    slot_id = f"add-{block}-{stage}" if stage else f"add-{block}"
    url = href = ""
    if slug:
        url = reverse("entry_new", args=(slug, block))
        if stage:
            url += "?" + urlencode({"stage": stage})
        href = reverse("canvas", args=(slug,)) + "?" + urlencode({"add": slot_id[4:]})
        href += f"#{slot_id}"
    label = label or ADD_LABELS[block]
    return {
        "id": slot_id,
        "block": block,
        "stage": stage,
        "form": open_forms.get(slot_id),
        "label": label,
        # "a partner": the button reads "+ Add" where space is short, and is named in full
        "what": label.removeprefix("Add "),
        "url": url,
        "href": href,
    }
