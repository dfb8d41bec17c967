"""Words to lines in reading order, for one- and two-column pages.

A two-column page has a vertical gutter that almost no word crosses. The
gutter is found from the words' x positions; every text row is then split
at the gutter, and runs of split rows are read left column first, right
column second. Rows that cross the gutter (titles, wide tables, wide
figures' captions) are read in place.

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

    Scans the middle third of the page for the x position crossed by the
    fewest words. It is a gutter when at most 4% of the words cross it and
    at least a quarter of the words lie on each side.
    """
    if len(words) < 40:
        return None

    best_x, best_crossing = None, len(words) + 1
    x = width * 0.33
    while x <= width * 0.67:
        crossing = sum(1 for w in words if w.x0 < x < w.x1)
        if crossing < best_crossing:
            best_x, best_crossing = x, crossing
        x += 1.0

    if best_x is None or best_crossing > 0.04 * len(words):
        return None
    left = sum(1 for w in words if w.x1 <= best_x)
    right = sum(1 for w in words if w.x0 >= best_x)
    if left < 0.25 * len(words) or right < 0.25 * len(words):
        return None
    return best_x


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
