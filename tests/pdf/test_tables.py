"""Table clean-up and results-table reading."""

from __future__ import annotations

import pytest

from efficientdl.extractors.pdf.layout import Word, find_gutter, order_lines
from efficientdl.extractors.pdf.tables import Cell, Table
from efficientdl.extractors.rules.cells import clean_model_name, clean_number
from efficientdl.extractors.rules.results_table import column_role, table_findings


@pytest.mark.parametrize(
    ("text", "expected"),
    [("81.3†", 81.3), ("78.6*", 78.6), ("**80.1**", 80.1), ("76.2 ± 0.1", 76.2), ("77 . 54", 77.54), ("25,557,032", 25557032.0), ("—", None)],
)
def test_clean_number(text, expected):
    assert clean_number(text) == expected


def test_clean_model_name_drops_citation():
    assert clean_model_name("DeiT-S [51]∗") == "DeiT-S"


@pytest.mark.parametrize(
    ("header", "caption", "role"),
    [
        ("Top-1 Acc. (%)", "", "top1"),
        ("top-1 err.", "", "top1-error"),
        ("Top-5", "", "top5"),
        ("#Params", "", "parameters"),
        ("FLOPs (G)", "", "flops"),
        ("Resolution", "", "input_size"),
        ("Top-1", "Comparison of error rates", "top1-error"),
    ],
)
def test_column_role(header, caption, role):
    assert column_role(header, caption) == role


def _table(rows: list[list[str]], header_rows: int, caption: str) -> Table:
    return Table(page=3, rows=[[Cell(t, [0, 0, 1, 1]) for t in row] for row in rows], n_header=header_rows, source="test", caption=caption)


def test_two_line_header_and_error_column():
    table = _table(
        [["", "ImageNet", "Params"], ["Model", "top-1 err.", "(M)"], ["Net-A [3]", "21.4†", "25.6"], ["Net-B", "(+0.3)", "44.2"]],
        2,
        "Table 3: Results.",
    )
    findings = {(f.model_name, f.component): f for f in table_findings(table, None)}
    assert findings[("Net-A", "top1")].value == 78.6
    assert findings[("Net-A", "top1")].dataset == "ImageNet-1k"
    assert "100 - top-1 error" in findings[("Net-A", "top1")].snippet
    assert findings[("Net-B", "parameters")].value == 44.2
    assert ("Net-B", "top1") not in findings


def test_fraction_column_scaled():
    table = _table([["Model", "Top-1"], ["Net-A", "0.813"], ["Net-B", "0.795"]], 1, "Table 1: Accuracy on CIFAR-10.")
    values = sorted(f.value for f in table_findings(table, None))
    assert values == [79.5, 81.3]


def test_spanning_label_copied_down():
    table = _table([["Model", "Res.", "Top-1 Acc."], ["Net-A", "224", "80.1"], ["", "384", "82.0"]], 1, "Table 2: ImageNet.")
    top1 = [(f.model_name, f.value) for f in table_findings(table, None) if f.component == "top1"]
    assert ("Net-A", 82.0) in top1


def _column_words(x0: float) -> list[Word]:
    return [Word("word", x0 + 30 * i, 100 + 12 * row, x0 + 30 * i + 25, 110 + 12 * row) for row in range(20) for i in range(7)]


def test_gutter_found_between_columns():
    words = _column_words(50) + _column_words(320)
    gutter = find_gutter(words, 612)
    assert 270 < gutter < 320


def test_two_columns_read_left_first():
    left = [Word("left", 50, 100 + 12 * r, 280, 110 + 12 * r) for r in range(25)]
    right = [Word("right", 320, 100 + 12 * r, 560, 110 + 12 * r) for r in range(25)]
    layout = order_lines(1, left + right, 612, 792)
    texts = [line.text for line in layout.lines]
    assert texts[:25] == ["left"] * 25
