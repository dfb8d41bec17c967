"""Ruled tables: pdfplumber's finder, camelot's lattice parser, and a camelot failure."""

from __future__ import annotations

import pdfplumber

from efficientdl.extractors.pdf.document import ruled_tables
from efficientdl.extractors.pdf.ruled import camelot_tables, has_ruling


def test_ruled_page_detected(ruled_table_pdf):
    with pdfplumber.open(ruled_table_pdf) as pdf:
        assert has_ruling(pdf.pages[0])


def test_camelot_reads_ruled_table(ruled_table_pdf):
    with pdfplumber.open(ruled_table_pdf) as pdf:
        height = float(pdf.pages[0].height)
    tables = camelot_tables(str(ruled_table_pdf), 1, height)
    texts = [[cell.text for cell in row] for row in tables[0].rows]
    assert ["Net-A", "5.2", "75.3"] in texts
    assert tables[0].n_header == 1


def test_camelot_failure_recorded(ruled_table_pdf, tmp_path):
    problems: list[str] = []
    with pdfplumber.open(ruled_table_pdf) as pdf:
        tables = ruled_tables(str(tmp_path / "moved-away.pdf"), pdf.pages[0], problems)
    assert problems[0].startswith("camelot failed on page 1")
    assert tables[0].source == "pdfplumber"
