"""Bad PDFs are reported, quarantined, and do not stop the batch."""

from __future__ import annotations

import time

import pypdf
import pytest

from efficientdl.pipeline.extract import extract_pdfs
from efficientdl.pipeline.workers import run_isolated


def _quarantine_kinds(warehouse) -> dict[str, str]:
    rows = warehouse.con.execute("SELECT source_file, reason, errors FROM quarantine WHERE source = 'pdf'").fetchall()
    return {path.rsplit("/", 1)[-1]: errors for path, _, errors in rows}


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [
        ("corrupt_pdf", "corrupt"),
        ("truncated_pdf", "corrupt"),
        ("encrypted_pdf", "encrypted"),
        ("empty_pdf", "empty"),
        ("image_only_pdf", "needs-ocr"),
    ],
)
def test_bad_pdf_quarantined(request, warehouse, fixture, kind):
    path = request.getfixturevalue(fixture)
    report = extract_pdfs(warehouse, [path], workers=1)
    assert report.papers[0].status == "quarantined"
    assert kind in _quarantine_kinds(warehouse)[path.name]


def test_image_only_recorded_needs_ocr(warehouse, image_only_pdf):
    extract_pdfs(warehouse, [image_only_pdf], workers=1)
    status = warehouse.con.execute("SELECT status FROM papers").fetchone()[0]
    assert status == "needs_ocr"


def test_long_pdf_over_page_limit(warehouse, long_pdf):
    report = extract_pdfs(warehouse, [long_pdf], workers=1)
    assert "300 pages, more than the page limit of 60" in report.papers[0].problems[0]
    assert "too-long" in _quarantine_kinds(warehouse)["long.pdf"]


def test_long_pdf_read_with_higher_limit(warehouse, long_pdf):
    report = extract_pdfs(warehouse, [long_pdf], page_limit=400, workers=1)
    assert report.papers[0].status == "extracted"


def test_time_limit_stops_worker(warehouse, paper_pdf, tmp_path):
    # 200 copies of a text page take seconds to lay out, far beyond the 0.2 s limit.
    reader = pypdf.PdfReader(str(paper_pdf))
    writer = pypdf.PdfWriter()
    for _ in range(200):
        writer.add_page(reader.pages[0])
    slow_pdf = tmp_path / "slow.pdf"
    with open(slow_pdf, "wb") as handle:
        writer.write(handle)

    report = extract_pdfs(warehouse, [slow_pdf], page_limit=400, time_limit=0.2, workers=1)
    assert report.papers[0].status == "quarantined"
    assert "timeout" in _quarantine_kinds(warehouse)[slow_pdf.name]


def test_isolated_worker_killed_at_limit():
    (_, outcome), = list(run_isolated(time.sleep, [30], workers=1, time_limit=0.2))
    assert outcome.status == "timeout"
    assert outcome.seconds < 10


def test_batch_goes_on_after_bad_file(warehouse, corrupt_pdf, encrypted_pdf, paper_pdf):
    report = extract_pdfs(warehouse, [corrupt_pdf, encrypted_pdf, paper_pdf], workers=2)
    statuses = {p.file: p.status for p in report.papers}
    assert statuses[paper_pdf.name] == "extracted"
    assert statuses[corrupt_pdf.name] == "quarantined"
    assert warehouse.count("extractions") > 0
