"""Words to lines in reading order, for one- and two-column pages.

A two-column page has a vertical gutter that few text rows cross, and it is
found from the words' x positions. Every row is then split at the gutter,
and runs of split rows are read left column first, right column second.
Rows that cross the gutter (titles, wide tables, wide figures' captions)
are read in place.

Coordinates are PDF points with pdfplumber's origin: ``x`` from the left
edge, ``top``/``bottom`` from the top edge of the page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

#: Words whose tops differ by less than this many points share a row.
ROW_TOLERANCE = 2.0

#: The smallest horizontal gap, in points, that separates two table cells.
CELL_GAP = 6.0


@dataclass(frozen=True)
class Word:
    """One word with its box (points) and font."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float = 0.0
    bold: bool = False


@dataclass
class Line:
    """Words on one row of one column, left to right.

    ``column`` is ``0`` for the left column, ``1`` for the right one and
    ``-1`` for a row that spans the page (or any row of a one-column page).
    """

    page: int
    words: list[Word]
    column: int = -1
    section: str | None = None
    heading: str | None = None

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def size(self) -> float:
        return max(w.size for w in self.words)

    @property
    def bold(self) -> bool:
        return all(w.bold for w in self.words)

    @property
    def bbox(self) -> list[float]:
        return [round(self.x0, 2), round(self.top, 2), round(self.x1, 2), round(self.bottom, 2)]

    def cells(self, gap: float = CELL_GAP) -> list[list[Word]]:
        """Group the words into cells separated by gaps wider than ``gap`` points."""
        groups: list[list[Word]] = []
        for word in self.words:
            if groups and word.x0 - groups[-1][-1].x1 <= gap:
                groups[-1].append(word)
            else:
                groups.append([word])
        return groups


@dataclass
class PageLayout:
    """The lines of one page in reading order, and where its gutter is."""

    page: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    gutter: float | None = None


def find_gutter(words: list[Word], width: float) -> float | None:
    """Return the x of a two-column page's gutter, or None for one column.

    Scans the middle of the page in steps of one point for the widest band
    crossed by the fewest text rows. Full-width rows (titles, wide
    tables and their captions) cross any gutter, so the band is a gutter
    when at most 40% of the rows (or 4% of the words) cross it and most
    other rows on each side are wider than 100 points (text columns, not
    the columns of a table).
    """
    rows = group_rows(words)
    if len(words) < 40 or len(rows) < 20:
        return None
    row_spans = [[(w.x0, w.x1) for w in row] for row in rows]
    word_spans = [[(w.x0, w.x1)] for w in words]

    # Conference templates centre the gutter, so the band around the middle
    # is tried first; a wide table elsewhere can have an emptier band. A tall
    # figure beside the text makes many rows cross but few words, so a band
    # crossed by at most 4% of the words also counts.
    best_x = None
    for low, high in ((0.45, 0.55), (0.33, 0.67)):
        candidate, crossing = _emptiest_band(row_spans, width * low, width * high)
        if candidate is not None and crossing <= 0.4 * len(rows):
            best_x = candidate
            break
        candidate, crossing = _emptiest_band(word_spans, width * low, width * high)
        if candidate is not None and crossing <= 0.04 * len(words):
            best_x = candidate
            break

    if best_x is None:
        return None
    split_rows = [row for row in rows if not any(w.x0 < best_x < w.x1 for w in row)]
    left = [w for row in split_rows for w in row if w.x1 <= best_x]
    right = [w for row in split_rows for w in row if w.x0 >= best_x]
    if len(left) < 0.2 * len(words) or len(right) < 0.2 * len(words):
        return None
    if _wide_row_width(left) < 100 or _wide_row_width(right) < 100:
        return None
    return best_x


def _emptiest_band(spans: list[list[tuple[float, float]]], low: float, high: float) -> tuple[float | None, int]:
    """Return the centre of the widest band in ``[low, high]`` crossed by the fewest rows, and that count."""
    positions = [low + step for step in range(int(high - low) + 1)]
    crossings = [sum(1 for span in spans if any(x0 < x < x1 for x0, x1 in span)) for x in positions]
    best_crossing = min(crossings)

    # Gaps between the words of one line are a few points wide; the gutter
    # is the widest band with the fewest crossings.
    best_x, best_run, run_start = None, 0, None
    for index, count in enumerate([*crossings, best_crossing + 1]):
        if count == best_crossing and run_start is None:
            run_start = index
        elif count != best_crossing and run_start is not None:
            if index - run_start > best_run:
                best_run = index - run_start
                best_x = positions[(run_start + index - 1) // 2]
            run_start = None
    return best_x, best_crossing


def _wide_row_width(words: list[Word]) -> float:
    """Return the 75th-percentile width of the rows the words form.

    Text columns give wide rows even beside a figure's short labels; the
    columns of a table give narrow ones.
    """
    widths = sorted(max(w.x1 for w in row) - min(w.x0 for w in row) for row in group_rows(words))
    return widths[(3 * len(widths)) // 4] if widths else 0.0


def group_rows(words: list[Word]) -> list[list[Word]]:
    """Group words into rows by their top edge, top to bottom, each row left to right."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (round(w.top, 1), w.x0)):
        if rows and abs(word.top - rows[-1][0].top) <= ROW_TOLERANCE:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(row, key=lambda w: w.x0) for row in rows]


def _row_crosses(row: list[Word], gutter: float) -> bool:
    """Whether a row is one piece of text running across the gutter."""
    if any(w.x0 < gutter < w.x1 for w in row):
        return True
    left = [w for w in row if w.x1 <= gutter]
    right = [w for w in row if w.x0 >= gutter]
    if not left or not right:
        return False
    return right[0].x0 - left[-1].x1 < 4.0


def order_lines(page: int, words: list[Word], width: float, height: float) -> PageLayout:
    """Return the page's lines in reading order (see the module docstring)."""
    gutter = find_gutter(words, width)
    rows = group_rows(words)
    layout = PageLayout(page, width, height, gutter=gutter)
    if gutter is None:
        layout.lines = [Line(page, row) for row in rows]
        return layout

    left: list[Line] = []
    right: list[Line] = []

    def flush() -> None:
        layout.lines.extend(left)
        layout.lines.extend(right)
        left.clear()
        right.clear()

    for row in rows:
        if _row_crosses(row, gutter):
            flush()
            layout.lines.append(Line(page, row))
            continue
        left_words = [w for w in row if w.x1 <= gutter]
        right_words = [w for w in row if w.x0 >= gutter]
        if left_words:
            left.append(Line(page, left_words, column=0))
        if right_words:
            right.append(Line(page, right_words, column=1))
    flush()
    return layout
