"""The cohort dashboard, its CSV, the comparison page and the bulk PDF export.

Every figure comes from the cached evaluation on each canvas (one query for the whole
table); the computation lives in ``canvas.cohort``. Cohort staff only: anyone else gets
404 from ``visible_cohort``.
"""

from __future__ import annotations

import csv
from html import escape
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import cohort as figures
from ..document import MARKET_STAGES, READINESS_QUESTIONS, SOLUTION_TYPES
from ..http import HtmxHttpRequest, is_partial
from ..models import ENTRY_MODELS, BulkExport, Cohort, VendorEntry, Venture
from ..permissions import visible_cohort
from ..tasks import start_export

# The columns a dashboard row reads (the figures need nothing else).
ROW_FIELDS = (
    "slug",
    "name",
    "solution_type",
    "market_stage",
    *(
        f"canvas__{f}"
        for f in (
            "evaluation",
            "score",
            "error_count",
            "warning_count",
            "info_count",
            "runway_months",
            "months_to_milestone",
            "next_milestone",
            "updated_at",
            *READINESS_QUESTIONS,
        )
    ),
)


def cohort_ventures(cohort: Cohort) -> QuerySet[Venture]:
    """The cohort's ventures with their canvases (cached evaluations) and the length of
    each vendor list (``vendor_count``, a subquery): one query for the whole cohort."""
    vendors = (
        VendorEntry.objects.filter(canvas=OuterRef("canvas"))
        .order_by()
        .values("canvas")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Venture.objects.filter(cohort=cohort)
        .select_related("canvas")
        .only(*ROW_FIELDS)
        .annotate(vendor_count=Coalesce(Subquery(vendors), 0))
        .order_by("name")
    )


def _cohort_rows(cohort: Cohort) -> list[figures.Row]:
    return figures.rows(cohort_ventures(cohort))


def _cell(value: object, heat: str) -> str:
    return f'<td class="num heat heat-{heat}">{escape(str(value))}</td>'


def _parts(text: str) -> str:
    """A 'a · b · c' line, escaped, that wraps only between its parts."""
    return " · ".join(f'<span class="part">{escape(p)}</span>' for p in text.split(" · "))


def _runway_cell(row: figures.Row) -> str:
    """The runway in months over the milestone line ('milestone in 14 mo · 4 mo to raise'),
    coloured as rules KR02-KR04 judge it; the full sentence is the cell's title."""
    if not row.evaluated:
        return _cell("—", row.runway_heat)
    figure = row.runway_text + (" mo" if row.runway_months is not None else "")
    return (
        f'<td class="num heat heat-{row.runway_heat} runway-cell"'
        f' title="{escape(row.runway_line)}">'
        f'<span class="runway-figure">{escape(figure)}</span> '
        f'<span class="runway-against">{_parts(row.runway_against)}</span></td>'
    )


def row_html(row: figures.Row) -> SafeString:
    """One table row, every value from the data escaped. The cells follow the table head
    in ``canvas/cohort.html#table``.

    Built here rather than by the template engine because ``bench/bench_cohort.py`` shows
    it is needed (re-measured 2026-12-03: 100 ventures x 40 entries, this 2-core VM at load
    3.9-6.7, runs of the two versions interleaved). The same rows as a ``{% partialdef %}``
    (byte-identical HTML, about 50 template variables a row, 5,000 a page) made the page
    1.8 times the work: 477 M instead of 265 M instructions a request (cachegrind, free of
    the VM's noise). Page medians over 6 runs: CPU 74-107 ms (these f-strings, 9 runs:
    38-61 ms); wall 92-254 ms, 4 runs of 6 over the 150 ms budget (f-strings 38-97 ms, none
    over). The htmx table: CPU 56-80 ms (f-strings 27-47 ms). Re-measure before replacing."""
    slug, name = escape(row.slug), escape(row.name)
    blocks = "".join(
        f'<td class="heat heat-{b.heat} block-cell"><span aria-hidden="true">{b.mark}</span>'
        f'<span class="visually-hidden">{b.text}</span></td>'
        for b in row.blocks
    )
    updated = "—"
    if row.updated_at:
        when = localtime(row.updated_at)
        updated = f'<time datetime="{when.isoformat()}">{date_format(when, "j M Y")}</time>'
    return mark_safe(  # safe: every value from the data is escaped
        "<tr>"
        f'<td class="select-col"><input type="checkbox" name="v" value="{slug}" form="compare"'
        f' id="pick-{slug}" aria-label="Compare {name}"></td>'
        f'<th scope="row" class="name-col"><a href="{escape(row.canvas_url)}">{name}</a></th>'
        f'<td class="wrap">{escape(row.solution_type_label)}</td>'
        f'<td class="wrap">{escape(row.market_stage_short)}</td>'
        + _cell(row.score if row.evaluated else "—", row.score_heat)
        + _cell(row.errors, row.errors_heat)
        + _cell(row.warnings, row.warnings_heat)
        + _cell(row.infos, row.infos_heat)
        + blocks
        + f'<td class="num heat heat-{row.core_heat}">{row.core_activities}'
        f'<span class="of"> of {row.activities}</span></td>'
        f'<td class="num heat heat-{row.key_partners_heat}">{row.key_partners}'
        f'<span class="of"> of {row.partners}</span></td>'
        + _cell(row.vendors, row.vendors_heat)
        + _runway_cell(row)
        + f'<td class="num heat heat-{row.readiness_heat} readiness-cell">'
        f"{_parts(row.readiness_text)}</td>" + f'<td class="num">{updated}</td></tr>'
    )


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def cohort_dashboard(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The dashboard. Its filters apply to every figure on it: the cards, the table, the
    charts, the common gaps and the CSV link. htmx swaps ``#dashboard`` when a filter
    changes and only ``#table`` when the sort does."""
    cohort = visible_cohort(request.user, slug)
    table = _cohort_rows(cohort)
    state = figures.TableState.from_query(request.GET)
    shown = state.apply(table)
    context = {
        "cohort": cohort,
        "state": state,
        "rows": [row_html(r) for r in shown],
        "total": len(table),
        "headers": state.headers(),
        "solution_types": SOLUTION_TYPES,
        "market_stages": MARKET_STAGES,
    }
    if is_partial(request, "table"):
        return render(request, "canvas/cohort.html#table", context)
    context |= {
        "summary": figures.summary(shown),
        "gaps": figures.common_gaps(shown),
        "histogram": figures.score_histogram(shown),
        "scatter": figures.runway_scatter(shown),
        "core_bars": figures.core_activity_bars(shown),
    }
    if is_partial(request, "dashboard"):
        return render(request, "canvas/cohort.html#dashboard", context)
    context["export"] = cohort.exports.first()
    return render(request, "canvas/cohort.html", context)


@login_required
@require_GET
def cohort_csv(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The dashboard's figures, one row per venture, with the table's filters and sort."""
    cohort = visible_cohort(request.user, slug)
    state = figures.TableState.from_query(request.GET)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{cohort.slug}-canvases.csv"'
    response["Cache-Control"] = "private, no-store"  # the cohort's figures, as private as its PDFs
    writer = csv.writer(response)
    writer.writerows(figures.csv_rows(state.apply(_cohort_rows(cohort))))
    return response


@login_required
@require_GET
def cohort_compare(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """2-4 chosen ventures side by side, block by block (``?v=slug&v=slug``)."""
    cohort = visible_cohort(request.user, slug)
    ventures = list(Venture.objects.filter(cohort=cohort).select_related("canvas").order_by("name"))
    wanted = list(dict.fromkeys(s for s in request.GET.getlist("v") if s))
    by_slug = {v.slug: v for v in ventures}
    chosen = [by_slug[s] for s in wanted if s in by_slug]
    problem = ""
    if len(wanted) != len(chosen):
        problem = "Some of the chosen ventures are not in this cohort. Choose again below."
    elif len(chosen) < figures.MIN_COMPARE:
        problem = "Choose at least two ventures to compare."
    elif len(chosen) > figures.MAX_COMPARE:
        problem = f"Choose at most {figures.MAX_COMPARE} ventures to compare."
    blocks = []
    if not problem:
        canvas_ids = [v.canvas.pk for v in chosen if hasattr(v, "canvas")]
        entries: dict[str, dict[int, list]] = {}
        for block, model in ENTRY_MODELS.items():  # one query per block kind
            grouped: dict[int, list] = {}
            for entry in model.objects.filter(canvas_id__in=canvas_ids):
                grouped.setdefault(entry.canvas_id, []).append(entry)
            entries[block] = grouped
        blocks = figures.comparison(chosen, entries)
    return render(
        request,
        "canvas/cohort_compare.html",
        {
            "cohort": cohort,
            "ventures": ventures,
            "chosen": chosen,
            "chosen_slugs": {v.slug for v in chosen},
            "blocks": blocks,
            "problem": problem,
            "columns": len(chosen),
        },
    )


# --- bulk PDF export -------------------------------------------------------------------


def _export_for(request: HtmxHttpRequest, slug: str, export_id: int) -> BulkExport:
    cohort = visible_cohort(request.user, slug)
    return get_object_or_404(
        BulkExport.objects.select_related("cohort"), pk=export_id, cohort=cohort
    )


@login_required
@require_POST
def cohort_export_start(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    cohort = visible_cohort(request.user, slug)
    export = start_export(cohort, request.user)
    if request.htmx:
        return render(request, "canvas/cohort.html#export", {"cohort": cohort, "export": export})
    return redirect(f"/cohorts/{cohort.slug}/exports/{export.pk}/")


@login_required
@require_GET
@vary_on_headers("HX-Request")
def cohort_export_status(request: HtmxHttpRequest, slug: str, export_id: int) -> HttpResponse:
    """The progress fragment (htmx polls it every second while the export runs), or a
    small page of its own without JavaScript."""
    export = _export_for(request, slug, export_id)
    context = {"cohort": export.cohort, "export": export}
    if is_partial(request):
        return render(request, "canvas/cohort.html#export", context)
    return render(request, "canvas/cohort_export.html", context)


@login_required
@require_GET
def cohort_export_download(request: HtmxHttpRequest, slug: str, export_id: int):
    export = _export_for(request, slug, export_id)
    if export.status != BulkExport.DONE or not export.file:
        raise Http404("This export has no file yet.")
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / export.file).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404("The export file is gone; start a new export.")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{export.cohort.slug}-canvases-{export.pk}.zip",
        content_type="application/zip",
    )
