"""The table: filters, sorting and its columns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from ..document import MARKET_STAGES, SOLUTION_TYPES
from ..evaluator import BLOCK_LABELS, BLOCKS
from .venture_rows import SHORT_BLOCK_LABELS, Row


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    numeric: bool = True
    first: str = "desc"  # the direction of a first click: numbers high first
    abbr: str = ""  # a fuller name for screen readers when the label is short
    sort: Any = field(default=None, compare=False)


def _block_sort(block: str) -> Any:
    index = BLOCKS.index(block)
    return lambda r: r.blocks[index].rank


COLUMNS: tuple[Column, ...] = (
    Column("name", "Venture", numeric=False, first="asc", sort=lambda r: r.name.casefold()),
    Column(
        "solution_type",
        "Type",
        numeric=False,
        first="asc",
        abbr="Solution type",
        sort=lambda r: r.solution_type_label,
    ),
    Column(
        "market_stage",
        "Stage",
        numeric=False,
        first="asc",
        abbr="Market stage",
        sort=lambda r: (
            list(MARKET_STAGES).index(r.market_stage) if r.market_stage in MARKET_STAGES else -1
        ),
    ),
    Column("score", "Score", first="asc", sort=lambda r: (r.evaluated, r.score)),
    Column("errors", "Errors", sort=lambda r: r.errors),
    Column("warnings", "Warnings", sort=lambda r: r.warnings),
    Column("infos", "Info", abbr="Info findings", sort=lambda r: r.infos),
    *(
        Column(
            f"block_{b}",
            SHORT_BLOCK_LABELS[b],
            numeric=False,
            abbr=BLOCK_LABELS[b],
            sort=_block_sort(b),
        )
        for b in BLOCKS
    ),
    Column("core", "Core activities", sort=lambda r: r.core_activities),
    Column("key_partners", "Key partners", sort=lambda r: r.key_partners),
    Column("vendors", "Vendors", abbr="Vendors on the vendor list", sort=lambda r: r.vendors),
    Column(
        "runway",
        "Runway",
        first="asc",
        abbr="Runway in months, against the next fundable milestone",
        sort=lambda r: r.runway_sort,
    ),
    Column(
        "readiness",
        "Readiness answers",
        abbr="Readiness questions answered, and answered yes",
        sort=lambda r: r.readiness_sort,
    ),
    Column(
        "updated",
        "Updated",
        first="desc",
        abbr="Last updated",
        sort=lambda r: r.updated_at.timestamp() if r.updated_at else 0.0,
    ),
)
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT_SORT = "name"


@dataclass(frozen=True, slots=True)
class HeaderCell:
    column: Column
    href: str  # the query string that sorts by this column
    aria_sort: str  # "ascending", "descending" or "" (not sorted by this column)
    next_dir: str

    @property
    def label(self) -> str:
        return self.column.label


@dataclass(frozen=True, slots=True)
class TableState:
    """The table's view: filters and sort, read from and written to the query string."""

    solution_type: str = ""
    market_stage: str = ""
    sort: str = DEFAULT_SORT
    dir: str = "asc"

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> TableState:
        """Unknown values are ignored, so a hand-edited URL still shows a table."""
        solution_type = query.get("solution_type", "")
        market_stage = query.get("market_stage", "")
        sort = query.get("sort", DEFAULT_SORT)
        if sort not in COLUMNS_BY_KEY:
            sort = DEFAULT_SORT
        direction = query.get("dir") or COLUMNS_BY_KEY[sort].first
        return cls(
            solution_type=solution_type if solution_type in SOLUTION_TYPES else "",
            market_stage=market_stage if market_stage in MARKET_STAGES else "",
            sort=sort,
            dir=direction if direction in ("asc", "desc") else "asc",
        )

    @property
    def filtered(self) -> bool:
        return bool(self.solution_type or self.market_stage)

    @property
    def active_filters(self) -> list[tuple[str, str]]:
        """(filter, chosen value) for each filter that is on, in the page's words."""
        chosen = [
            ("Solution type", SOLUTION_TYPES.get(self.solution_type, "")),
            ("Market stage", MARKET_STAGES.get(self.market_stage, "")),
        ]
        return [(name, value) for name, value in chosen if value]

    def params(self, **changes: str) -> dict[str, str]:
        values = {
            "solution_type": self.solution_type,
            "market_stage": self.market_stage,
            "sort": self.sort,
            "dir": self.dir,
        }
        values.update(changes)
        if values["sort"] == DEFAULT_SORT and values["dir"] == "asc":
            values.pop("sort"), values.pop("dir")
        return {k: v for k, v in values.items() if v}

    def query(self, **changes: str) -> str:
        """``?solution_type=...&sort=...``, or "" for the default view (so the unfiltered
        CSV link is the plain ``canvases.csv`` address)."""
        params = self.params(**changes)
        return "?" + urlencode(params) if params else ""

    def apply(self, table: Iterable[Row]) -> list[Row]:
        """Filter, then sort (ties by name, so the order is stable)."""
        selected = [
            r
            for r in table
            if (not self.solution_type or r.solution_type == self.solution_type)
            and (not self.market_stage or r.market_stage == self.market_stage)
        ]
        selected.sort(key=lambda r: r.name.casefold())
        selected.sort(key=COLUMNS_BY_KEY[self.sort].sort, reverse=self.dir == "desc")
        return selected

    def headers(self) -> list[HeaderCell]:
        cells = []
        for column in COLUMNS:
            if column.key == self.sort:
                next_dir = "desc" if self.dir == "asc" else "asc"
                aria = "ascending" if self.dir == "asc" else "descending"
            else:
                next_dir, aria = column.first, ""
            cells.append(
                HeaderCell(column, self.query(sort=column.key, dir=next_dir), aria, next_dir)
            )
        return cells
