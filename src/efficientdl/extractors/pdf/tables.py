"""Tables as rows of cells with boxes, and tables found from their captions.

Papers set most tables in booktabs style: horizontal rules only, so
ruling-line detectors miss them. :func:`caption_tables` finds them from
their caption ("Table 3: ..."): the rows next to the caption, within the
caption's column, whose words fall into two or more cells separated by
wide gaps, form the table body. Columns come from the cells of the rows
that hold numbers. The rows above the first such row are the header, and
a header cell spanning several columns heads each of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from efficientdl.extractors.pdf.layout import CELL_GAP, Line, PageLayout, Word, group_rows

CAPTION_RE = regex.compile(r"^(?:Table|TABLE|Tab\.)\s*(?P<number>\d{1,2}|[IVX]{1,5})\s*(?:[.:|](?:\s|$)|$)")
_NUMBER_CELL = regex.compile(r"^[\s(]*[-+−]?\d[\d,.]*\s*(?:[%×x²MKBGk]|\^2)?")
_MAX_ROW_GAP = 28.0
_MAX_ROWS = 70


@dataclass
class Cell:
    """Text of one table cell and its box ``[x0, top, x1, bottom]`` in points."""

    text: str
    bbox: list[float] | None = None


@dataclass
class Table:
    """One table: header rows first, then body rows, all of equal length."""

    page: int
    rows: list[list[Cell]]
    n_header: int
    source: str
    bbox: list[float] | None = None
    caption: str = ""
    caption_bbox: list[float] | None = None

    @property
    def n_columns(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def column_headers(self) -> list[str]:
        """Return each column's header, the header rows' texts joined top to bottom."""
        headers = []
        for column in range(self.n_columns):
            parts = [row[column].text for row in self.rows[: self.n_header] if column < len(row) and row[column].text]
            headers.append(" ".join(parts).strip())
        return headers

    @property
    def body(self) -> list[list[Cell]]:
        return self.rows[self.n_header :]


def is_number_cell(text: str) -> bool:
    """Whether a cell starts with a number (``81.3``, ``(25.6)``, ``224²``, ``4.1G``)."""
    return bool(_NUMBER_CELL.match(text.strip()))


def _union(boxes: list[list[float]]) -> list[float]:
    return [
        round(min(b[0] for b in boxes), 2),
        round(min(b[1] for b in boxes), 2),
        round(max(b[2] for b in boxes), 2),
        round(max(b[3] for b in boxes), 2),
    ]


def _cell_of(words: list[Word]) -> Cell:
    return Cell(" ".join(w.text for w in words), _union([[w.x0, w.top, w.x1, w.bottom] for w in words]))


class _Row(Line):
    """A page row split into table cells; its box and text come from :class:`Line`."""

    def __init__(self, words: list[Word]) -> None:
        super().__init__(0, words)
        self.cell_words = self.cells(CELL_GAP)

    @property
    def tabular(self) -> bool:
        return len(self.cell_words) >= 2

    @property
    def numeric(self) -> bool:
        return self.tabular and any(is_number_cell(" ".join(w.text for w in c)) for c in self.cell_words[1:])


def _walk(rows: list[_Row], start: int, step: int) -> list[_Row]:
    """Collect table rows from ``rows[start]`` in direction ``step`` (+1 down, -1 up)."""
    taken: list[_Row] = []
    index = start
    previous: _Row | None = None
    while 0 <= index < len(rows) and len(taken) < _MAX_ROWS:
        row = rows[index]
        if CAPTION_RE.match(row.text) or regex.match(r"^(?:Figure|Fig\.)\s*\d", row.text):
            break
        if previous is not None:
            gap = (row.top - previous.bottom) if step > 0 else (previous.top - row.bottom)
            if gap > _MAX_ROW_GAP:
                break
        if not row.tabular and len(row.words) > 6:
            break
        taken.append(row)
        previous = row
        index += step
    while taken and not taken[-1].tabular:
        taken.pop()
    return taken if step > 0 else taken[::-1]


def _columns(body: list[_Row]) -> list[tuple[float, float]]:
    intervals = sorted(
        (c[0].x0, c[-1].x1) for row in body for c in row.cell_words[1:]
    )
    merged: list[list[float]] = []
    for x0, x1 in intervals:
        if merged and x0 < merged[-1][1] - 0.5:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    return [(a, b) for a, b in merged]


def _assign(cell: list[Word], columns: list[tuple[float, float]]) -> list[int]:
    """Return the columns a cell covers: every column whose centre it spans, else the nearest."""
    x0, x1 = cell[0].x0, cell[-1].x1
    covered = [i for i, (a, b) in enumerate(columns) if x0 - 1 <= (a + b) / 2 <= x1 + 1]
    if covered:
        return covered
    centre = (x0 + x1) / 2
    return [min(range(len(columns)), key=lambda i: abs((columns[i][0] + columns[i][1]) / 2 - centre))]


def grid_from_rows(rows: list[_Row], page: int, caption: Line | None) -> Table | None:
    """Build a table from its rows (header and body) by aligning their cells to columns."""
    first_body = next((i for i, r in enumerate(rows) if r.numeric), None)
    if first_body is None:
        return None
    body = [r for r in rows[first_body:] if r.numeric]
    columns = _columns(body)
    if not columns:
        return None
    label_right = min(a for a, _ in columns)

    grid: list[list[Cell]] = []
    for row in rows:
        cells: list[list[Word]] = [[] for _ in range(len(columns) + 1)]
        for position, cell in enumerate(row.cell_words):
            if position == 0 and cell[-1].x1 <= label_right + 1:
                cells[0].extend(cell)
                continue
            for index in _assign(cell, columns):
                cells[index + 1].extend(cell)
        grid.append([_cell_of(c) if c else Cell("") for c in cells])

    boxes = [[w.x0, w.top, w.x1, w.bottom] for r in rows for w in r.words]
    return Table(
        page=page,
        rows=grid,
        n_header=first_body,
        source="words",
        bbox=_union(boxes),
        caption=caption.text if caption else "",
        caption_bbox=caption.bbox if caption else None,
    )


def _caption_block(lines: list[Line], index: int) -> Line:
    """Join a caption's first line with the lines that continue it."""
    first = lines[index]
    words = list(first.words)
    last = first
    for line in lines[index + 1 : index + 8]:
        if line.column != first.column or line.top - last.bottom > 4.0 or len(Line(0, line.words).cells()) > 1:
            break
        words.extend(line.words)
        last = line
    return Line(first.page, words, column=first.column, section=first.section)


def caption_tables(layout: PageLayout, words: list[Word], covered: list[list[float]]) -> list[Table]:
    """Find the tables next to the page's ``Table N`` captions.

    ``covered`` contains the boxes of tables already found by a ruling-line
    detector; a caption next to one of them is left for that detector.
    """
    tables: list[Table] = []
    for index, line in enumerate(layout.lines):
        if not CAPTION_RE.match(line.text):
            continue
        caption = _caption_block(layout.lines, index)
        if layout.gutter is not None and line.column == 0:
            x_low, x_high = 0.0, layout.gutter
        elif layout.gutter is not None and line.column == 1:
            x_low, x_high = layout.gutter, layout.width
        else:
            x_low, x_high = 0.0, layout.width
        region_words = [w for w in words if w.x0 >= x_low - 1 and w.x1 <= x_high + 1]
        rows = [_Row(r) for r in group_rows(region_words)]
        caption_top, caption_bottom = caption.top, caption.bottom
        below_start = next((i for i, r in enumerate(rows) if r.top > caption_bottom + 0.5), len(rows))
        above_start = max((i for i, r in enumerate(rows) if r.bottom < caption_top - 0.5), default=-1)
        below = _walk(rows, below_start, +1)
        above = _walk(rows, above_start, -1) if above_start >= 0 else []
        chosen = _nearest_side(caption, below, above)
        table = grid_from_rows(chosen, layout.page, caption) if chosen else None
        if table is None or table.bbox is None:
            continue
        if any(boxes_overlap(table.bbox, box) for box in covered):
            continue
        tables.append(table)
    return tables


def _nearest_side(caption: Line, below: list[_Row], above: list[_Row]) -> list[_Row]:
    """Pick the rows on the caption's side that contains numbers and starts closest to it."""
    sides = []
    if any(r.numeric for r in below):
        sides.append((below[0].top - caption.bottom, below))
    if any(r.numeric for r in above):
        sides.append((caption.top - above[-1].bottom, above))
    if not sides:
        return []
    return min(sides, key=lambda side: side[0])[1]


def boxes_overlap(a: list[float], b: list[float]) -> bool:
    """Return whether two boxes share more than 30% of the smaller one's area."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return False
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height > 0.3 * max(smaller, 1e-6)
