"""The cohort dashboard's figures, computed from the cached evaluations.

Pure functions over ``(venture, canvas)`` pairs: nothing here queries the database or
evaluates a canvas (Django is used only to escape HTML). Every figure comes from the
cached fields that ``Canvas.refresh_evaluation()`` keeps current (score, counts, runway,
the SPEC §3 evaluation JSON), the months to the milestone, the readiness answers and the
vendor list's length, so one query loads a whole cohort.

- ``rows()`` builds one ``Row`` per venture; ``TableState`` reads the table's filter and
  sort from the query string and writes the links that change them.
- ``common_gaps()`` counts, for every rule that fires, the ventures it fires for.
- ``score_histogram()``, ``runway_scatter()`` and ``core_activity_bars()`` return chart
  geometry (plain numbers) that the template draws as SVG.
- ``comparison()`` lays out 2-4 canvases block by block for the comparison page.

The package: ``venture_rows`` (one ``Row`` per venture, the status and heat-map levels),
``table`` (columns, filters and sorting), ``gaps`` (summary and common gaps), ``charts``,
``compare`` and ``export_csv``. Everything callers use is re-exported here.
"""

from __future__ import annotations

from .charts import (
    SCORE_BINS,
    Bar,
    BarChart,
    Dot,
    Scatter,
    Tick,
    core_activity_bars,
    runway_scatter,
    score_histogram,
)
from .compare import MAX_COMPARE, MIN_COMPARE, VERDICT_LEVELS, Cell, CompareBlock, Item, comparison
from .export_csv import CSV_HEADER, FORMULA_PREFIXES, csv_rows, csv_safe
from .gaps import Gap, Summary, common_gaps, summary
from .table import COLUMNS, COLUMNS_BY_KEY, DEFAULT_SORT, Column, HeaderCell, TableState
from .venture_rows import (
    COMPLETE,
    ERRORS,
    FAIR,
    GOOD,
    INFOS,
    NEUTRAL,
    NOT_EVALUATED,
    POOR,
    SHORT_BLOCK_LABELS,
    STATUS_LABELS,
    WARNINGS,
    BlockStatus,
    Row,
    finding_url,
    row_for,
    rows,
    score_level,
)

__all__ = [
    "Bar",
    "BarChart",
    "BlockStatus",
    "COLUMNS",
    "COLUMNS_BY_KEY",
    "COMPLETE",
    "CSV_HEADER",
    "Cell",
    "Column",
    "CompareBlock",
    "DEFAULT_SORT",
    "Dot",
    "ERRORS",
    "FAIR",
    "FORMULA_PREFIXES",
    "GOOD",
    "Gap",
    "HeaderCell",
    "INFOS",
    "Item",
    "MAX_COMPARE",
    "MIN_COMPARE",
    "NEUTRAL",
    "NOT_EVALUATED",
    "POOR",
    "Row",
    "SCORE_BINS",
    "SHORT_BLOCK_LABELS",
    "STATUS_LABELS",
    "Scatter",
    "Summary",
    "TableState",
    "Tick",
    "VERDICT_LEVELS",
    "WARNINGS",
    "common_gaps",
    "comparison",
    "core_activity_bars",
    "csv_rows",
    "csv_safe",
    "finding_url",
    "row_for",
    "rows",
    "runway_scatter",
    "score_histogram",
    "score_level",
    "summary",
]
