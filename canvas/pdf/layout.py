"""Page 1's plan: how big every entry is, which density each block gets, where it goes.

WeasyPrint cannot shrink text to fit a box, so the layout is planned here, in millimetres:
each entry's height is estimated at each density ``Level`` from Inter's real glyph widths
(greedy word wrap, as Pango does it), each column picks the roomiest levels at which its
blocks fit, and the blocks are placed with absolute positions. A block that does not fit
even at the densest level shows the entries that do and the rest continue on the
"(continued)" pages. ``measure_page`` reads the laid-out page back (the anchors WeasyPrint
reports for the elements' ids) so that the report can correct an estimate that was too
small. The paper (A3, A4 or US Letter landscape) sets the room; the type sizes are the same
on each, so page 1 never prints under 7 pt. Keep the sizes here in step with
static/css/pdf.css.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from canvas.evaluator import Finding

PT = 0.352778  # mm per point
FALLBACK_WIDTH = 0.62  # em, for characters the vendored font does not cover


@cache
def _widths(weight: int) -> dict[str, float]:
    from fontTools.ttLib import TTFont

    from .fetcher import STATIC_DIR

    widths: dict[str, float] = {}
    for subset in ("latin-ext", "latin"):
        font = TTFont(STATIC_DIR / "fonts" / f"inter-{subset}-{weight}-normal.ttf", lazy=True)
        hmtx, upm = font["hmtx"], font["head"].unitsPerEm
        for code, glyph in font.getBestCmap().items():
            widths[chr(code)] = hmtx[glyph][0] / upm
    return widths


def text_width(text: str, size_pt: float, weight: int = 400) -> float:
    """Width of ``text`` in mm on one line (no kerning: a slight over-estimate)."""
    widths = _widths(weight)
    return sum(widths.get(c, FALLBACK_WIDTH) for c in text) * size_pt * PT


def word_widths(text: str, size_pt: float, weight: int = 400) -> list[float]:
    """Width in mm of each space-separated word of ``text``."""
    widths = _widths(weight)
    scale = size_pt * PT
    return [sum(widths.get(c, FALLBACK_WIDTH) for c in w) * scale for w in text.split()]


def wrap(words: list[float], width_mm: float, space_mm: float) -> int:
    """Lines that words of the given widths take, wrapped greedily into ``width_mm``."""
    if not words:
        return 0
    limit = width_mm * 0.99  # a small margin for rounding (measured: no line is missed)
    lines, used = 1, 0.0
    for w in words:
        if used and used + space_mm + w <= limit:
            used += space_mm + w
            continue
        if used:
            lines += 1
        if w <= limit:
            used = w
        else:  # overflow-wrap: break-word splits a word longer than the line
            extra, used = divmod(w, limit)
            lines += int(extra)
    return lines


def line_count(text: str, width_mm: float, size_pt: float, weight: int = 400) -> int:
    """Lines ``text`` takes when wrapped at spaces into ``width_mm``."""
    space = _widths(weight)[" "] * size_pt * PT
    return wrap(word_widths(text, size_pt, weight), width_mm, space)


MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 10.0, 9.0, 13.0


@dataclass(frozen=True)
class Paper:
    """A landscape sheet the report is laid out on (pdf.css: ``@page <key>``)."""

    key: str  # a3, a4, letter: the ``?paper=`` value and the CSS page name
    label: str
    width: float  # mm, landscape
    height: float
    key_lines: int  # lines the badge key under the board takes at this width

    @property
    def content_w(self) -> float:
        return self.width - 2 * MARGIN_X

    @property
    def content_h(self) -> float:
        return self.height - MARGIN_TOP - MARGIN_BOTTOM

    @property
    def title_width(self) -> float:
        """The venture name's column in the header (pdf.css: .head-title)."""
        return self.content_w - HEAD_META_W - HEAD_SCORE_W - 2 * HEAD_GAP

    @property
    def key_height(self) -> float:
        return KEY_HEIGHT + (self.key_lines - 1) * KEY_LINE


HEAD_META_W, HEAD_SCORE_W, HEAD_GAP = 84.0, 49.0, 6.0  # pdf.css: .head-meta, .score
HEAD_RULE = 0.6  # the header's bottom border
KEY_HEIGHT = 5.0  # the line under the board that explains the badges
KEY_LINE = 7.2 * 1.3 * 0.352778  # each further line of it (7.2 pt, line-height 1.3)
PAPERS = {
    paper.key: paper
    for paper in (
        Paper("a3", "A3", 420.0, 297.0, 1),
        Paper("a4", "A4", 297.0, 210.0, 2),
        Paper("letter", "US Letter", 279.4, 215.9, 2),
    )
}
DEFAULT_PAPER = PAPERS["a3"]
GAP = 4.0  # between columns and between blocks
BORDER, BORDER_TOP = 0.35, 1.0
BLOCK_PAD_X, BLOCK_PAD_Y = 3.0, 2.6
BLOCK_HEAD = 9.8  # title line and question line
BLOCK_CHROME = BLOCK_HEAD + 2 * BLOCK_PAD_Y + BORDER + BORDER_TOP
LANE_HEAD = 5.7  # top rule and stage title
LANE_GAP = 1.2
NOTE_LINE = 4.7  # measured: a 7 pt line with its rule chip, and its margin
MORE_LINE = 4.4
LINE_HEIGHT = 1.28
# A lane's top rule: border-box sizing takes it off the lane's height. (Left out, an exact
# fit on paper missed by 0.3 mm and cost a second layout of the whole document.)
LANE_RULE = 0.3


@dataclass(frozen=True)
class Level:
    name: str
    size: float  # pt, name and text
    small: float  # pt, meta line and badges
    pad_y: float  # mm, above and below an entry
    detail: int  # 2: name, meta and description; 1: name and meta; 0: name only
    columns: int


LEVELS = (
    Level("large", 10.0, 8.2, 1.6, 2, 1),
    Level("roomy", 9.0, 7.6, 1.3, 2, 1),
    Level("compact", 8.0, 7.0, 0.8, 1, 1),
    Level("dense", 7.0, 7.0, 0.45, 0, 1),
    Level("dense-2", 7.0, 7.0, 0.45, 0, 2),
)


@dataclass
class Item:
    """One canvas entry as the templates show it."""

    kind: str  # partner, activity, resource, channel
    name: str
    badge: str
    badge_class: str
    meta: list[tuple[str, str]]  # (text, css class) pieces of the meta line
    description: str
    chips: list[Finding]
    anchor: str = ""  # the id of its last line on page 1 (set by its Region)

    def meta_text(self) -> str:
        return " · ".join(text for text, _ in self.meta)

    def name_words(self, level: Level) -> list[float]:
        """The name line's words in mm: the badge, the name, the rule chips."""
        size = level.small
        badge = text_width(self.badge.upper(), size, 600) * 1.06 + 2.2 + 0.4
        chips = [text_width(chip.rule, size, 600) + 1.9 for chip in self.chips]
        return [badge, *word_widths(self.name, level.size, 600), *chips]

    def height(self, level: Level, width: float) -> float:
        inner = width - 3.2  # entry padding
        lh = LINE_HEIGHT * PT
        space = _widths(600)[" "] * level.size * PT
        name_lines = wrap(self.name_words(level), inner, space)
        h = 2 * level.pad_y + name_lines * level.size * lh + 0.25
        if level.detail >= 1 and self.meta:
            h += line_count(self.meta_text(), inner, level.small) * level.small * lh
        if level.detail >= 2 and self.description:
            h += line_count(self.description, inner, level.small) * level.small * lh + 0.3
        return h


@dataclass
class Note:
    """A finding about a block or lane as a whole (no entry to hang it on)."""

    finding: Finding
    text: str


class _Placed:
    """A box placed on page 1 (its x, y, width and height in mm)."""

    x: float
    y: float
    width: float
    height: float

    def style(self) -> str:
        return (
            f"left:{self.x:.2f}mm;top:{self.y:.2f}mm;"
            f"width:{self.width:.2f}mm;height:{self.height:.2f}mm"
        )


@dataclass
class Region(_Placed):
    """A box of entries on page 1: a block, or one lane of the channels block."""

    key: str  # partners, activities, resources, channels-get, ...
    title: str
    items: list[Item]
    notes: list[Note]
    empty_text: str
    lane: bool = False
    level: Level = LEVELS[0]
    shown: int = 0
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0

    def __post_init__(self) -> None:
        for number, item in enumerate(self.items):
            item.anchor = f"i-{self.key}-{number}"

    @property
    def anchor(self) -> str:
        """The id of the region's box on page 1."""
        return f"r-{self.key}"

    @property
    def bottom_inset(self) -> float:
        """From the region box's bottom edge to its content's (a block's padding and border)."""
        return 0.0 if self.lane else BLOCK_PAD_Y + BORDER

    @property
    def chrome(self) -> float:
        head = LANE_HEAD + LANE_RULE if self.lane else BLOCK_CHROME
        notes = sum(
            line_count(f"{n.finding.rule}__ {n.text}", self.inner_width, 7.0, 600) * NOTE_LINE
            for n in self.notes
        )
        empty = 0.0 if self.items else 5.0
        return head + notes + empty

    @property
    def inner_width(self) -> float:
        return self.width - (0 if self.lane else 2 * (BLOCK_PAD_X + BORDER))

    def rows(self, level: Level, count: int | None = None) -> list[float]:
        """Row heights of the first ``count`` items at ``level``."""
        items = self.items if count is None else self.items[:count]
        width = self.inner_width / level.columns - (1.5 if level.columns > 1 else 0)
        heights = [item.height(level, width) for item in items]
        n = level.columns
        return [max(heights[i : i + n]) for i in range(0, len(heights), n)]

    def need(self, level: Level) -> float:
        return self.chrome + sum(self.rows(level))

    def fit(self) -> None:
        """Show the longest prefix of items that fits in ``height`` (keeping a line
        for the "more on the following pages" marker when not all of them do)."""
        rows = self.rows(self.level)
        room = self.height - self.chrome + 0.01  # 0.01: float rounding of an exact fit
        if sum(rows) > room:
            room -= MORE_LINE
        shown, n = 0, self.level.columns
        for row in rows:
            room -= row
            if room < 0:
                break
            shown += n
        self.shown = min(shown, len(self.items))

    @property
    def visible(self) -> list[Item]:
        return self.items[: self.shown]

    @property
    def visible_parts(self) -> list[dict[str, Any]]:
        """The visible entries with the lines the level shows of each (name, meta line,
        description) and which of them is the entry's last: the board draws an entry as
        its paragraphs alone, the spacing and the rule under it on the first and last of
        them, without a wrapping box (the wrappers took a fifteenth of the render time)."""
        parts = []
        for item in self.visible:
            meta = self.level.detail >= 1 and bool(item.meta)
            desc = self.level.detail >= 2 and bool(item.description)
            end = "desc" if desc else "meta" if meta else "name"
            parts.append({"item": item, "meta": meta, "desc": desc, "end": end})
        return parts

    @property
    def visible_rows(self) -> list[list[Item | None]]:
        return _chunks(self.visible, self.level.columns)

    @property
    def rest_rows(self) -> list[list[Item | None]]:
        return _chunks(self.rest, 3)

    @property
    def label(self) -> str:
        """What the board shows: the lane's stage, or nothing for a block (its title)."""
        return self.title.rsplit(" — ", 1)[-1]

    @property
    def count_text(self) -> str:
        return str(len(self.items)) if self.items else ""

    @property
    def more_text(self) -> str:
        return f"{len(self.rest)} more on the following pages, under “{self.title} (continued)”"

    @property
    def continued_text(self) -> str:
        first, total = self.shown + 1, len(self.items)
        return (
            f"Entries {first}–{total} of {total}. Page 1 shows the first {self.shown}; "
            "these did not fit there at a readable size."
        )

    @property
    def rest(self) -> list[Item]:
        return self.items[self.shown :]


@dataclass
class Block(_Placed):
    """A canvas block on page 1; the channels block holds three lane regions."""

    key: str
    title: str
    question: str
    regions: list[Region]
    level_index: int = 0
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0

    @property
    def lanes(self) -> bool:
        return len(self.regions) > 1 or self.regions[0].lane

    @property
    def level(self) -> Level:
        return LEVELS[self.level_index]

    @property
    def chrome(self) -> float:
        return BLOCK_CHROME if self.lanes else 0.0

    def need(self, level: Level) -> float:
        gaps = LANE_GAP * (len(self.regions) - 1) if self.lanes else 0.0
        return self.chrome + gaps + sum(r.need(level) for r in self.regions)

    def place(self, x: float, y: float, width: float, height: float) -> None:
        self.x, self.y, self.width, self.height = x, y, width, height
        for region in self.regions:
            region.level = self.level
        if not self.lanes:
            region = self.regions[0]
            region.x, region.y, region.width, region.height = x, y, width, height
            region.fit()
            return
        inner_w = width - 2 * (BLOCK_PAD_X + BORDER)
        for region in self.regions:
            region.width = inner_w
        top = BLOCK_PAD_Y + BLOCK_HEAD  # lanes are placed in the block's padding box
        room = height - self.chrome - LANE_GAP * (len(self.regions) - 1)
        sizes = share(room, [r.need(self.level) for r in self.regions])
        for region, size in zip(self.regions, sizes, strict=True):
            region.x, region.y, region.height = BLOCK_PAD_X, top, size
            region.fit()
            top += size + LANE_GAP


def _chunks(items: list[Item], size: int) -> list[list[Item | None]]:
    """Rows of ``size`` items, the last one padded with None."""
    rows: list[list[Item | None]] = []
    for i in range(0, len(items), size):
        row: list[Item | None] = list(items[i : i + size])
        rows.append(row + [None] * (size - len(row)))
    return rows


def share(total: float, needs: list[float]) -> list[float]:
    """Split ``total`` among ``needs``: when everything fits, the slack evens the parts
    out (raise the smallest first); when it does not, the largest parts are cut first."""
    if not needs:
        return []
    if sum(needs) <= total:
        # the level h with sum(max(n, h)) == total: parts above it keep their need
        ordered = sorted(needs, reverse=True)
        rest, count = total, len(ordered)
        level = total / count
        for i, n in enumerate(ordered):
            level = rest / (count - i)
            if n <= level:
                break
            rest -= n
        return [max(n, level) for n in needs]
    ordered = sorted(needs)
    rest, count = total, len(ordered)
    cap = total / count
    for i, n in enumerate(ordered):
        cap = rest / (count - i)
        if n >= cap:
            break
        rest -= n
    return [min(n, cap) for n in needs]


def plan_column(blocks: list[Block], x: float, y: float, width: float, height: float) -> None:
    """Choose each block's density level and place the blocks one above the other.

    When every block fits at some level, the roomiest combination wins (the smallest
    densest level, then the smallest sum). When even the densest levels do not fit, the
    combination of the two smallest-type levels (one or two columns) that shows the most
    entries on page 1 wins; the rest continue on the following pages."""
    for block in blocks:
        for region in block.regions:
            region.width = width - (2 * (BLOCK_PAD_X + BORDER) if block.lanes else 0)
    room = height - GAP * (len(blocks) - 1)
    needs = {(i, lv): b.need(LEVELS[lv]) for i, b in enumerate(blocks) for lv in range(len(LEVELS))}
    best: tuple[int, ...] | None = None
    best_key: tuple[int, int] | None = None
    for combo in _combos(len(blocks), len(LEVELS)):
        if sum(needs[i, lv] for i, lv in enumerate(combo)) > room:
            continue
        key = (max(combo), sum(combo))
        if best_key is None or key < best_key:
            best, best_key = combo, key
    if best is None:  # nothing fits: show as many entries as the smallest levels allow
        densest = [i for i, lv in enumerate(LEVELS) if lv.size == LEVELS[-1].size]
        most = -1
        for combo in _combos(len(blocks), len(densest)):
            levels = tuple(densest[c] for c in combo)
            _place(blocks, levels, needs, x, y, width, room)
            shown = sum(r.shown for b in blocks for r in b.regions)
            if shown > most:  # ties keep the earlier combination: fewer columns
                best, most = levels, shown
    assert best is not None
    _place(blocks, best, needs, x, y, width, room)


def _place(
    blocks: list[Block],
    levels: tuple[int, ...],
    needs: dict[tuple[int, int], float],
    x: float,
    y: float,
    width: float,
    room: float,
) -> None:
    for block, lv in zip(blocks, levels, strict=True):
        block.level_index = lv
    sizes = share(room, [needs[i, lv] for i, lv in enumerate(levels)])
    top = y
    for block, size in zip(blocks, sizes, strict=True):
        block.place(x, top, width, size)
        top += size + GAP


def _combos(n: int, k: int) -> list[tuple[int, ...]]:
    if n == 0:
        return [()]
    return [(lv, *rest) for lv in range(k) for rest in _combos(n - 1, k)]


def measure_page(page: Any, regions: list[Region]) -> dict[str, dict[str, Any]]:
    """Per region on a laid-out page 1: how many of its entries fit (``fitting``), and for
    the header the height its parts need and the height it has.

    Reads ``Page.anchors``, the boxes WeasyPrint reports for the elements' ids (in CSS px
    from the page's top left corner): ``r-<region>`` for a region, ``i-<region>-<n>`` for
    an entry's last line, ``h`` and ``hp-<n>`` for the header and its parts. Empty when the
    anchors are points without a size (then the plan is trusted as it is)."""
    anchors = {name: box for name, box in page.anchors.items() if len(box) >= 4}
    if not anchors:
        return {}
    px = 25.4 / 96  # mm per CSS px
    measured: dict[str, dict[str, Any]] = {}
    for region in regions:
        box = anchors.get(region.anchor)
        if box is None:
            continue
        bottom = box[3] * px - region.bottom_inset
        fitting = 0
        for item in region.visible:
            end = anchors.get(item.anchor)
            if end is None or end[3] * px > bottom + 0.2:
                break
            fitting += 1
        measured[region.key] = {"bottom": bottom, "fitting": fitting}
    header = anchors.get("h")
    parts = [box for name, box in anchors.items() if name.startswith("hp-")]
    if header is not None and parts:
        top = header[1] * px
        measured["header"] = {
            "height": header[3] * px - HEAD_RULE - top,
            "needed": max(box[3] for box in parts) * px - top,
        }
    return measured
