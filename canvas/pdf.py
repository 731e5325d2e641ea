"""Canvas document + evaluation -> PDF (WeasyPrint, restricted fetcher).

``render_canvas_pdf(doc)`` returns the bytes of an A3-landscape report: page 1 is the
canvas (Key Partners | Key Activities over Key Resources | Channels in Get/Keep/Grow
lanes) with a verdict badge on every entry; entries that do not fit at the smallest
readable size continue on "(continued)" pages; then come the findings, the three-tests
and vendor-test tables, the other blocks in full, runway, readiness, advisor comments and
the rule legend.

How page 1 fits. WeasyPrint cannot shrink text to fit, so the layout is planned here:
every entry's height is estimated at each density level (font size and detail) from
Inter's real glyph widths, each block gets the roomiest level at which its column fits,
and blocks are placed with absolute positions in millimetres. After WeasyPrint lays the
page out, the real boxes are checked; a block whose entries did not all fit keeps only
those that did and the rest move to the continued pages (one more layout pass, rare).

Safety. Templates are autoescaped Django templates rendered by a private engine, and
``StaticFilesOnly`` is the only URL fetcher: it serves files under ``static/`` through
the private ``canvas-static:`` scheme and refuses every other URL (file:, http(s):,
data:, ...). The render has a deadline (``timeout``, default ``PDF_TIMEOUT_SECONDS``):
a watchdog thread raises an exception inside the rendering thread when it passes, so
the render stops wherever it is (main thread of a sync worker or any other thread).

Works without Django settings (the template engine is standalone); only the default
timeout is read from settings when they are configured.
"""

from __future__ import annotations

import ctypes
import logging
import mimetypes
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from urllib.request import OpenerDirector

from django.template import Context, Engine
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from canvas import document as d
from canvas.evaluator import (
    RULES,
    RULES_BY_ID,
    RULESET_VERSION,
    SEVERITY_LABELS,
    VERDICT_LABELS,
    Evaluation,
    Finding,
    evaluate,
)

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = ROOT / "static"
TEMPLATE_DIR = ROOT / "templates"
STATIC_SCHEME = "canvas-static"
DEFAULT_TIMEOUT_SECONDS = 20.0
TEMPLATE = "canvas/pdf/canvas.html"

BLOCK_TITLES = {
    "partners": "Key Partners",
    "activities": "Key Activities",
    "resources": "Key Resources",
    "channels": "Channels & Customer Relationships",
    "readiness": "Operational readiness",
    "finances": "Finances",
}
FINDING_BLOCKS = ("channels", "partners", "activities", "resources", "readiness")
BLOCK_QUESTIONS = {
    "partners": "Who would be hard to replace?",
    "activities": "What must we do ourselves?",
    "resources": "What do we need to own?",
    "channels": "How do we reach, keep and grow customers?",
}
ROUTE_SHORT = {
    "direct": "Direct",
    "distributor": "Distributor",
    "platform": "Platform",
    "partner": "Partner",
    "self_serve": "Self-serve",
}
ANSWERS = {True: "Yes", False: "No", None: "Not answered"}


# --- public API ----------------------------------------------------------------------


class PdfError(Exception):
    """The PDF could not be rendered."""


class PdfTimeout(PdfError):
    """The render passed its deadline and was stopped."""


@dataclass(frozen=True)
class ReviewComment:
    """An open advisor comment for the appendix (built by the caller, e.g. from Comment)."""

    block: str  # channels, partners, activities, resources, finances, readiness
    subject: str  # the entry's name, or "" for the block as a whole
    author: str
    created_at: datetime
    body: str


def pdf_filename(slug: str, version_number: int | None) -> str:
    """``<slug>-canvas-v<N>.pdf`` for a saved version, ``<slug>-canvas-current.pdf`` else."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", slug).strip("-") or "canvas"
    suffix = "current" if version_number is None else f"v{int(version_number)}"
    return f"{safe}-canvas-{suffix}.pdf"


def default_timeout() -> float:
    """``settings.PDF_TIMEOUT_SECONDS`` when Django is configured, else 20 s."""
    try:
        from django.conf import settings

        return float(getattr(settings, "PDF_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    except Exception:  # settings not configured: the module works without Django
        return DEFAULT_TIMEOUT_SECONDS


def render_canvas_pdf(
    doc: d.CanvasDocument,
    evaluation: Evaluation | None = None,
    *,
    version_label: str = "current",
    generated_at: datetime | None = None,
    comments: Sequence[ReviewComment] = (),
    author: str = "",
    timeout: float | None = None,
) -> bytes:
    """Render the canvas and its evaluation (computed when None) to PDF bytes.

    Raises ``PdfTimeout`` when the render takes longer than ``timeout`` seconds
    (default ``default_timeout()``; 0 or less means no deadline) and ``PdfError``
    when WeasyPrint fails.
    """
    evaluation = evaluation if evaluation is not None else evaluate(doc)
    generated_at = generated_at or datetime.now(UTC)
    seconds = default_timeout() if timeout is None else timeout

    def work() -> bytes:
        report = Report(doc, evaluation, version_label, generated_at, comments, author)
        return report.write_pdf()

    return run_with_deadline(seconds, work)


# --- the URL fetcher -------------------------------------------------------------------

STATIC_SUFFIXES = {".css", ".woff2", ".woff", ".ttf", ".otf", ".png", ".svg"}


class StaticFilesOnly(URLFetcher):
    """Serve ``canvas-static:<path>`` from the app's static directory; refuse the rest.

    Every refused URL is recorded in ``refused`` (for logs and tests).
    """

    def __init__(self, root: Path = STATIC_DIR):
        # URLFetcher.__init__ would build urllib handlers (and an SSL context, ~30 ms)
        # that this fetcher never uses; set up only what WeasyPrint reads.
        OpenerDirector.__init__(self)
        self._timeout = 1
        self._http_headers = {}
        self._allowed_protocols = (STATIC_SCHEME,)
        self._fail_on_errors = False
        self._request = None
        self.root = root.resolve()
        self.refused: list[str] = []

    def resolve(self, url: str) -> Path | None:
        """The file a URL names, or None when it is not one the PDF may load."""
        prefix = f"{STATIC_SCHEME}:"
        if not url.startswith(prefix):
            return None
        rel = unquote(url[len(prefix) :].split("?", 1)[0].split("#", 1)[0]).lstrip("/")
        if not rel or "\\" in rel or "\x00" in rel or ".." in rel.split("/"):
            return None
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root) or path.suffix.lower() not in STATIC_SUFFIXES:
            return None
        return path if path.is_file() else None

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = self.resolve(url)
        if path is None:
            self.refused.append(url)
            log.warning("PDF render refused to load %.200r", url)
            raise ValueError(f"refused: the PDF may only load the app's static files ({url:.80})")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".woff2":
            content_type = "font/woff2"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


# --- the deadline ----------------------------------------------------------------------


class _Interrupt(BaseException):
    """Raised inside the rendering thread by the watchdog (BaseException, so that
    WeasyPrint's ``except Exception`` handlers do not swallow it)."""


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc


class _Deadline:
    """A watchdog thread that interrupts ``thread_id`` once ``seconds`` have passed,
    unless ``finish()`` came first. Injection and finish() share a lock, and finish()
    clears an injected exception not yet delivered, so none escapes the guarded call."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.thread_id = threading.get_ident()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.done = False
        self.fired = False

    def start(self) -> None:
        self.thread = threading.Thread(target=self._watch, name="pdf-deadline", daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        if self.stop.wait(self.seconds):
            return
        with self.lock:
            if not self.done:
                self.fired = True
                _set_async_exc(ctypes.c_ulong(self.thread_id), ctypes.py_object(_Interrupt))

    def finish(self) -> None:
        with self.lock:
            self.done = True
            if self.fired:  # delivered already, or still pending: clear it
                _set_async_exc(ctypes.c_ulong(self.thread_id), None)
        self.stop.set()
        self.thread.join()  # no watchdog outlives its render


def run_with_deadline[T](seconds: float, work: Callable[[], T]) -> T:
    """Call ``work()`` in this thread; raise PdfTimeout if it runs past ``seconds``."""
    if not seconds or seconds <= 0:
        return _wrap_errors(work)
    deadline = _Deadline(seconds)
    message = f"Rendering the PDF took longer than {seconds:g} s and was stopped."
    try:
        deadline.start()
        try:
            result = _wrap_errors(work)
        finally:
            deadline.finish()
    except _Interrupt:
        raise PdfTimeout(message) from None
    except PdfError as exc:
        if deadline.fired:
            raise PdfTimeout(message) from exc
        raise
    if deadline.fired:
        raise PdfTimeout(message)
    return result


def _wrap_errors[T](work: Callable[[], T]) -> T:
    try:
        return work()
    except PdfError:
        raise
    except Exception as exc:
        log.exception("PDF render failed")
        raise PdfError(f"The PDF could not be rendered ({type(exc).__name__}).") from exc


# --- text measurement (Inter's glyph widths) ------------------------------------------

PT = 0.352778  # mm per point
FALLBACK_WIDTH = 0.62  # em, for characters the vendored font does not cover


@cache
def _widths(weight: int) -> dict[str, float]:
    from fontTools.ttLib import TTFont

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
    limit = width_mm * 0.97  # a small margin for rounding and kerning
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


# --- the board plan --------------------------------------------------------------------

PAGE_W, PAGE_H = 420.0, 297.0
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 10.0, 9.0, 13.0
CONTENT_W = PAGE_W - 2 * MARGIN_X
CONTENT_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
GAP = 4.0  # between columns and between blocks
BORDER, BORDER_TOP = 0.35, 1.0
BLOCK_PAD_X, BLOCK_PAD_Y = 3.0, 2.6
BLOCK_HEAD = 9.8  # title line and question line
BLOCK_CHROME = BLOCK_HEAD + 2 * BLOCK_PAD_Y + BORDER + BORDER_TOP
LANE_HEAD = 5.7  # top rule and stage title
LANE_GAP = 1.2
KEY_HEIGHT = 5.0  # the line under the board that explains the badges
NOTE_LINE = 4.2
MORE_LINE = 4.4
LINE_HEIGHT = 1.28


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


@dataclass
class Region:
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

    @property
    def chrome(self) -> float:
        head = LANE_HEAD if self.lane else BLOCK_CHROME
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

    def style(self) -> str:
        return (
            f"left:{self.x:.2f}mm;top:{self.y:.2f}mm;"
            f"width:{self.width:.2f}mm;height:{self.height:.2f}mm"
        )


@dataclass
class Block:
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

    def style(self) -> str:
        return (
            f"left:{self.x:.2f}mm;top:{self.y:.2f}mm;"
            f"width:{self.width:.2f}mm;height:{self.height:.2f}mm"
        )


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
    """Choose each block's density level and place the blocks one above the other."""
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
    if best is None:  # even the densest level does not fit: the rest continues
        best = tuple(len(LEVELS) - 1 for _ in blocks)
    for block, lv in zip(blocks, best, strict=True):
        block.level_index = lv
    sizes = share(room, [needs[i, lv] for i, lv in enumerate(best)])
    top = y
    for block, size in zip(blocks, sizes, strict=True):
        block.place(x, top, width, size)
        top += size + GAP


def _combos(n: int, k: int) -> list[tuple[int, ...]]:
    if n == 0:
        return [()]
    return [(lv, *rest) for lv in range(k) for rest in _combos(n - 1, k)]


# --- view model ----------------------------------------------------------------------


def _subject_label(finding: Finding) -> str:
    subject = finding.subject
    if subject is None:
        return ""
    if finding.rule == "CH01":
        return f"{d.label('stage', subject)} stage"
    if finding.rule == "KR01":
        return f"{d.label('category', subject)} resources"
    if finding.block == "readiness":
        return d.label("question", subject)
    return subject


def _findings_count(n: int) -> str:
    return f"{n} finding{'s' if n != 1 else ''}"


def _money(amount: float | None, currency: str) -> str:
    if amount is None:
        return "Not given"
    return f"{currency} {amount:,.0f}"


def _months(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g} month{'s' if value != 1 else ''}"


@dataclass
class FindingRow:
    finding: Finding
    severity: str
    subject: str


@dataclass
class Report:
    doc: d.CanvasDocument
    evaluation: Evaluation
    version_label: str
    generated_at: datetime
    comments: Sequence[ReviewComment]
    author: str
    blocks: list[Block] = field(default_factory=list)
    header_height: float = 0.0

    def __post_init__(self) -> None:
        self.by_subject: dict[tuple[str, str], list[Finding]] = {}
        self.block_level: dict[str, list[Finding]] = {}
        for f in self.evaluation.findings:
            if f.subject is not None and f.rule not in ("CH01", "KR01") and f.block != "readiness":
                self.by_subject.setdefault((f.block, f.subject), []).append(f)
            else:
                self.block_level.setdefault(f.block, []).append(f)
        self.plan()

    # -- entries --
    def _chips(self, block: str, name: str) -> list[Finding]:
        return self.by_subject.get((block, name), [])

    def partner_items(self) -> list[Item]:
        items = []
        for p in self.doc.partners:
            verdict = self.evaluation.partner_verdict(p.name) or ""
            meta = [
                (d.label("partner_type", p.partner_type), ""),
                (f"Recovery: {d.label('recovery_time', p.recovery_time).split(' (')[0]}", ""),
                (f"Replacement: {d.label('replacement_cost', p.replacement_cost)}", ""),
            ]
            items.append(
                Item(
                    "partner",
                    p.name,
                    VERDICT_LABELS.get(verdict, "Not evaluated"),
                    f"verdict-{verdict or 'none'}",
                    meta,
                    p.strategic_value,
                    self._chips("partners", p.name),
                )
            )
        return items

    def activity_items(self) -> list[Item]:
        items = []
        for a in self.doc.activities:
            verdict = self.evaluation.activity_verdict(a.name)
            core = verdict.core if verdict else None
            meta = []
            for test, title in (
                ("relevance", "Relevance"),
                ("imitation", "Imitation"),
                ("breadth", "Breadth"),
            ):
                rating = getattr(a, test).rating
                passed = verdict is not None and test not in verdict.failed_tests
                meta.append((f"{title} {d.label('rating', rating)}", "pass" if passed else "fail"))
            if a.outsourced_to:
                meta.append((f"Outsourced to {a.outsourced_to}", ""))
            items.append(
                Item(
                    "activity",
                    a.name,
                    "Not evaluated" if core is None else "Core" if core else "Not core",
                    "core" if core else "not-core",
                    meta,
                    "",
                    self._chips("activities", a.name),
                )
            )
        return items

    def resource_items(self) -> list[Item]:
        items = []
        for r in self.doc.resources:
            meta = []
            if r.replacement_months is not None:
                meta.append((f"Replacement: {_months(r.replacement_months)}", ""))
            if r.risk_if_lost:
                meta.append((f"If lost: {r.risk_if_lost}", ""))
            items.append(
                Item(
                    "resource",
                    r.name,
                    d.label("category", r.category),
                    f"category-{r.category}",
                    meta,
                    r.why_strategic,
                    self._chips("resources", r.name),
                )
            )
        return items

    def channel_items(self, stage: str) -> list[Item]:
        items = []
        for c in self.doc.channels:
            if c.stage != stage:
                continue
            meta = [(d.label("mode", c.mode), "")] if c.mode else []
            if c.tags:
                meta.append((", ".join(d.label("tag", t) for t in c.tags), ""))
            items.append(
                Item(
                    "channel",
                    c.channel,
                    ROUTE_SHORT.get(c.route, c.route),
                    f"route-{c.route}",
                    meta,
                    c.relationship,
                    self._chips("channels", c.channel),
                )
            )
        return items

    def notes(self, block: str, stage: str | None = None) -> list[Note]:
        notes = []
        for f in self.block_level.get(block, []):
            if block == "channels" and (f.rule == "CH01") != (stage is not None):
                continue
            if f.rule == "CH01" and f.subject != stage:
                continue
            text = RULES_BY_ID[f.rule].title if f.rule in RULES_BY_ID else ""
            if f.rule == "KR01":
                text = f"No {d.label('category', f.subject).lower()} resource"
            notes.append(Note(f, text))
        return notes

    # -- layout --
    def plan(self) -> None:
        def block(key: str, items: list[Item], empty: str) -> Block:
            region = Region(key, BLOCK_TITLES[key], items, self.notes(key), empty)
            return Block(key, BLOCK_TITLES[key], BLOCK_QUESTIONS[key], [region])

        partners = block("partners", self.partner_items(), "No partners on the canvas yet.")
        activities = block("activities", self.activity_items(), "No activities yet.")
        resources = block("resources", self.resource_items(), "No resources yet.")
        lanes = [
            Region(
                f"channels-{stage}",
                f"{BLOCK_TITLES['channels']} — {label}",
                self.channel_items(stage),
                self.notes("channels", stage),
                f"No {label} channel yet.",
                lane=True,
            )
            for stage, label in d.STAGES.items()
        ]
        channels = Block("channels", BLOCK_TITLES["channels"], BLOCK_QUESTIONS["channels"], lanes)
        channels.regions[0].notes = self.notes("channels") + channels.regions[0].notes
        self.blocks = [partners, activities, resources, channels]
        self.header_height = self.estimate_header()
        self.layout()

    def layout(self) -> None:
        top = self.header_height + GAP
        height = CONTENT_H - top - KEY_HEIGHT - 1.0
        widths = [0.29, 0.355, 0.355]
        free = CONTENT_W - 2 * GAP
        x = 0.0
        columns = [[self.blocks[0]], [self.blocks[1], self.blocks[2]], [self.blocks[3]]]
        for column, share_ in zip(columns, widths, strict=True):
            plan_column(column, x, top, free * share_, height)
            x += free * share_ + GAP

    def estimate_header(self) -> float:
        name = self.doc.venture.name
        size = 22 if len(name) <= 45 else 16 if len(name) <= 90 else 11
        self.title_size = size
        lines = line_count(name, 250, size, 700)
        label_lines = line_count(self.version_label, 60, 8.5, 400)
        return max(24.0, 8.0 + lines * size * 1.15 * PT, 14.0 + label_lines * 8.5 * 1.3 * PT)

    def shown_in_full(self, block: str) -> bool:
        """Whether page 1 shows every entry of ``block`` with all of its text."""
        regions = next(b.regions for b in self.blocks if b.key == block)
        return all(r.level.detail == 2 and not r.rest for r in regions)

    @property
    def regions(self) -> list[Region]:
        return [r for b in self.blocks for r in b.regions]

    @property
    def continued(self) -> list[Region]:
        return [r for r in self.regions if r.rest]

    # -- report pages --
    def finding_groups(self) -> list[dict[str, Any]]:
        groups = []
        for block in FINDING_BLOCKS:
            rows = [
                FindingRow(f, SEVERITY_LABELS.get(f.severity, f.severity), _subject_label(f))
                for f in self.evaluation.findings_for(block)
            ]
            groups.append({"title": BLOCK_TITLES[block], "rows": rows, "count": str(len(rows))})
        return groups

    def activity_rows(self) -> list[dict[str, Any]]:
        rows = []
        for a in self.doc.activities:
            verdict = self.evaluation.activity_verdict(a.name)
            tests = [
                {
                    "label": d.TESTS[t],
                    "rating": d.label("rating", getattr(a, t).rating),
                    "rationale": getattr(a, t).rationale,
                    "passed": verdict is not None and t not in verdict.failed_tests,
                }
                for t in d.TESTS
            ]
            rows.append(
                {
                    "activity": a,
                    "tests": tests,
                    "core": verdict.core if verdict else None,
                    "failed": ", ".join(d.TESTS[t] for t in verdict.failed_tests)
                    if verdict
                    else "",
                }
            )
        return rows

    def partner_rows(self) -> list[dict[str, Any]]:
        rows = []
        for p in self.doc.partners:
            verdict = self.evaluation.partner_verdict(p.name) or ""
            rows.append(
                {
                    "partner": p,
                    "type": d.label("partner_type", p.partner_type),
                    "recovery": d.label("recovery_time", p.recovery_time),
                    "cost": d.label("replacement_cost", p.replacement_cost),
                    "verdict": VERDICT_LABELS.get(verdict, "Not evaluated"),
                    "verdict_key": verdict or "none",
                }
            )
        return rows

    def runway(self) -> str:
        e = self.evaluation
        if e.runway_unlimited:
            return "Unlimited (no monthly burn)"
        if e.runway_months is None:
            return "Unknown"
        return f"{e.runway_months:.1f} months"

    def context(self) -> dict[str, Any]:
        doc, e = self.doc, self.evaluation
        v = doc.venture
        fired = {f.rule for f in e.findings}
        counts = {r.id: 0 for r in RULES}
        for f in e.findings:
            counts[f.rule] = counts.get(f.rule, 0) + 1
        title = f"{v.name} — Operations canvas ({self.version_label})"
        when = self.generated_at.astimezone(UTC)
        return {
            "title": title,
            "author": self.author or v.name,
            "created": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "generated": when.strftime("%-d %B %Y, %H:%M UTC"),
            "version_label": self.version_label,
            "venture": v,
            "title_size": f"{self.title_size}pt",
            "solution_type": d.label("solution_type", v.solution_type),
            "market_stage": d.label("market_stage", v.market_stage),
            "revenue_model": d.label("revenue_model", v.revenue_model),
            "score": str(e.score),
            "score_class": "good" if e.score >= 80 else "fair" if e.score >= 50 else "poor",
            "counts": [
                (str(n), word if n == 1 else plural, sev if n else "zero")
                for n, word, plural, sev in (
                    (e.errors, "error", "errors", "error"),
                    (e.warnings, "warning", "warnings", "warning"),
                    (e.infos, "info", "info", "info"),
                )
            ],
            "runway": self.runway(),
            "ruleset": RULESET_VERSION,
            "header_style": f"height:{self.header_height:.2f}mm",
            "key_style": f"top:{CONTENT_H - KEY_HEIGHT + 1.2:.2f}mm",
            "blocks": self.blocks,
            "roomy": LEVELS[1],
            "continued": self.continued,
            "findings": self.finding_groups(),
            "activity_rows": self.activity_rows(),
            "partner_rows": self.partner_rows(),
            # Resources and channels have no table of their own when page 1 shows every
            # one of their entries with all its text; otherwise, here is all of it.
            "resources": [
                {
                    "r": r,
                    "category": d.label("category", r.category),
                    "months": _months(r.replacement_months),
                }
                for r in doc.resources
            ]
            if not self.shown_in_full("resources")
            else [],
            "channels": [
                {
                    "c": c,
                    "stage": d.label("stage", c.stage),
                    "route": d.label("route", c.route),
                    "mode": d.label("mode", c.mode) or "—",
                    "tags": ", ".join(d.label("tag", t) for t in c.tags),
                }
                for c in doc.channels
            ]
            if not self.shown_in_full("channels")
            else [],
            "finances": {
                "cash": _money(doc.finances.cash_on_hand, doc.finances.currency),
                "burn": _money(doc.finances.monthly_burn, doc.finances.currency),
            },
            "readiness": [
                {"question": d.label("question", q), "answer": ANSWERS[a], "key": str(a).lower()}
                for q, a in doc.readiness.answers()
            ],
            "comments": [
                {
                    "c": c,
                    "block": BLOCK_TITLES.get(c.block, c.block),
                    "date": c.created_at.astimezone(UTC).strftime("%-d %b %Y"),
                }
                for c in self.comments
            ],
            "rules": [
                {
                    "rule": r,
                    "severity": SEVERITY_LABELS.get(r.severity, r.severity),
                    "block": BLOCK_TITLES.get(r.block, r.block),
                    "count": _findings_count(counts.get(r.id, 0)) if r.id in fired else "",
                }
                for r in RULES
            ],
        }

    # -- output --
    def html(self) -> str:
        context = Context(self.context(), autoescape=True, use_l10n=False, use_tz=False)
        return _engine().get_template(TEMPLATE).render(context)

    def write_pdf(self) -> bytes:
        fetcher = StaticFilesOnly()
        for _attempt in range(3):
            document = layout_html(self.html(), fetcher)
            if not self.adjust(document):
                break
        return document.write_pdf()

    def adjust(self, document: Any) -> bool:
        """Compare page 1 as laid out with the plan; shrink what did not fit.

        Returns True when the plan changed and page 1 must be laid out again."""
        try:
            measured = measure_page(document.pages[0])
        except Exception:  # internal WeasyPrint API changed: trust the estimate
            log.warning("could not measure the PDF's first page", exc_info=True)
            return False
        changed = False
        header = measured.get("header")
        if header and header["needed"] > header["height"] + 0.5:
            self.header_height += header["needed"] - header["height"] + 1.0
            self.layout()
            return True
        for region in self.regions:
            seen = measured.get(region.key)
            if not seen:
                continue
            fitting = seen["fitting"]
            if fitting < region.shown:
                if not region.rest:  # make room for the "more on the following pages" line
                    fitting = max(0, fitting - 1)
                log.info("PDF: %s fits %d entries, not %d", region.key, fitting, region.shown)
                region.shown = fitting
                changed = True
        return changed


def layout_html(html: str, fetcher: StaticFilesOnly | None = None) -> Any:
    """Lay out HTML the way every PDF of the app is made: pdf.css, the vendored fonts,
    and no URL but the app's static files (``fetcher`` records what it refused)."""
    css, fonts = _stylesheet()
    page = HTML(string=html, base_url=f"{STATIC_SCHEME}:", url_fetcher=fetcher or StaticFilesOnly())
    return page.render(stylesheets=[css], font_config=fonts)


def html_to_pdf(html: str, fetcher: StaticFilesOnly | None = None) -> bytes:
    """PDF bytes of arbitrary HTML under the app's rules (used by tests and the benchmark)."""
    return layout_html(html, fetcher).write_pdf()


def measure_page(page: Any) -> dict[str, dict[str, Any]]:
    """Per region on a laid-out page: its bottom and how many of its entries fit."""
    px = 25.4 / 96  # mm per CSS px
    regions: dict[str, dict[str, Any]] = {}
    items: list[tuple[str, float]] = []
    header_bottom = 0.0

    def walk(box: Any) -> None:
        nonlocal header_bottom
        box = getattr(box, "_box", box)  # an AbsolutePlaceholder stands for its box
        element = getattr(box, "element", None)
        kind = type(box).__name__
        if element is not None and kind in ("BlockBox", "FlexBox", "GridBox"):
            if key := element.get("data-region"):
                bottom = box.content_box_y() + box.height
                regions.setdefault(key, {"bottom": bottom * px})
            elif key := element.get("data-item"):
                items.append((key, (box.position_y + box.margin_height()) * px))
            elif element.get("data-header") is not None:
                regions["header"] = {"height": box.height * px, "top": box.content_box_y() * px}
            elif element.get("data-header-part") is not None:
                header_bottom = max(header_bottom, (box.position_y + box.margin_height()) * px)
        for child in getattr(box, "children", ()) or ():
            walk(child)

    walk(page._page_box)
    for key, bottom in items:
        region = regions.get(key)
        if region is None:
            continue
        region.setdefault("fitting", 0)
        region.setdefault("broken", False)
        if bottom <= region["bottom"] + 0.2 and not region["broken"]:
            region["fitting"] += 1
        else:
            region["broken"] = True
    for region in regions.values():
        region.setdefault("fitting", 0)
    if "header" in regions:
        regions["header"]["needed"] = header_bottom - regions["header"]["top"]
    return regions


_local = threading.local()


def _stylesheet() -> tuple[CSS, FontConfiguration]:
    """static/css/pdf.css with its fonts loaded, parsed once per thread (a font
    configuration is not shared between threads) and again when the file changes."""
    path = STATIC_DIR / "css" / "pdf.css"
    mtime = path.stat().st_mtime_ns
    cached = getattr(_local, "stylesheet", None)
    if cached is None or cached[0] != mtime:
        fonts = FontConfiguration()
        url = f"{STATIC_SCHEME}:css/pdf.css"
        css = CSS(url=url, url_fetcher=StaticFilesOnly(), font_config=fonts)
        cached = _local.stylesheet = (mtime, css, fonts)
    return cached[1], cached[2]


@cache
def _engine() -> Engine:
    return Engine(
        dirs=[str(TEMPLATE_DIR)],
        autoescape=True,
        debug=False,
        string_if_invalid="",
        loaders=[
            ("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"])
        ],
    )


__all__ = [
    "PdfError",
    "PdfTimeout",
    "ReviewComment",
    "StaticFilesOnly",
    "default_timeout",
    "pdf_filename",
    "render_canvas_pdf",
]
