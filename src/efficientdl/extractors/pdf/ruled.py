"""Tables drawn with ruling lines: camelot's lattice parser and pdfplumber's table finder.

camelot's lattice flavour renders the page to find its lines. It runs here
with ``backend="pdfium"`` (pypdfium2, installed with camelot), because
Ghostscript, camelot's other renderer, is not a Python package and may be
absent. Only pages with both vertical and horizontal rules are handed to
camelot, since lattice finds nothing on the others. A page camelot fails on
is reported as a problem and the other detectors still run on it.
"""

from __future__ import annotations

import logging
import warnings

from efficientdl.extractors.pdf.tables import Cell, Table, is_number_cell

logger = logging.getLogger(__name__)

#: camelot tables whose parsing accuracy (percent of text inside cells) is below this are dropped.
MIN_CAMELOT_ACCURACY = 80.0


def has_ruling(page) -> bool:
    """Return whether a pdfplumber page has at least two vertical and two horizontal rules."""
    edges = page.edges
    vertical = sum(1 for e in edges if e["orientation"] == "v" and e["bottom"] - e["top"] >= 8)
    horizontal = sum(1 for e in edges if e["orientation"] == "h" and e["x1"] - e["x0"] >= 20)
    return vertical >= 2 and horizontal >= 2


def _header_rows(rows: list[list[Cell]]) -> int:
    for index, row in enumerate(rows):
        if sum(is_number_cell(c.text) for c in row[1:]) >= 1:
            return index
    return len(rows)


def _stacked_rows(texts: list[list[str]]) -> bool:
    """Return whether many cells hold several text lines, that is rows sharing one ruled cell.

    Booktabs tables rule only groups of rows, so a lattice parser returns
    one cell per group. Such tables are left to the caption-anchored parser,
    which reads rows from the words.
    """
    cells = [str(t) for row in texts for t in row if str(t).strip()]
    if not cells:
        return True
    stacked = sum(1 for t in cells if "\n" in t.strip())
    return stacked > 0.2 * len(cells)


def camelot_tables(path: str, page_number: int, page_height: float) -> list[Table]:
    """Return camelot lattice tables of one page (1-based); raises what camelot raises."""
    import camelot

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = camelot.read_pdf(
            path,
            pages=str(page_number),
            flavor="lattice",
            backend="pdfium",
            copy_text=["h", "v"],
            suppress_stdout=True,
        )

    tables = []
    for table in found:
        if table.parsing_report.get("accuracy", 0) < MIN_CAMELOT_ACCURACY or min(table.shape) < 2:
            continue
        if _stacked_rows(table.df.values.tolist()):
            continue
        rows = []
        for r, cell_row in enumerate(table.cells):
            row = []
            for c, cell in enumerate(cell_row):
                text = " ".join(str(table.df.iat[r, c]).split())
                row.append(Cell(text, [round(cell.x1, 2), round(page_height - cell.y2, 2), round(cell.x2, 2), round(page_height - cell.y1, 2)]))
            rows.append(row)
        x1, y1, x2, y2 = table._bbox
        tables.append(
            Table(
                page=page_number,
                rows=rows,
                n_header=_header_rows(rows),
                source="camelot-lattice",
                bbox=[round(x1, 2), round(page_height - y2, 2), round(x2, 2), round(page_height - y1, 2)],
            )
        )
    return tables


def plumber_tables(page) -> list[Table]:
    """Return the ruled tables pdfplumber's table finder sees on a page."""
    tables = []
    for found in page.find_tables():
        texts = found.extract()
        if _stacked_rows([[t or "" for t in row] for row in texts]):
            continue
        rows = []
        for found_row, text_row in zip(found.rows, texts):
            row = []
            for box, text in zip(found_row.cells, text_row):
                bbox = [round(v, 2) for v in box] if box is not None else None
                row.append(Cell(" ".join((text or "").split()), bbox))
            rows.append(row)
        if len(rows) < 2 or max(len(r) for r in rows) < 2:
            continue
        tables.append(
            Table(
                page=page.page_number,
                rows=rows,
                n_header=_header_rows(rows),
                source="pdfplumber",
                bbox=[round(v, 2) for v in found.bbox],
            )
        )
    return tables
