"""The extract stage on a generated paper: values, evidence and idempotency."""

from __future__ import annotations

import json

from efficientdl.pipeline.extract import extract_pdfs


def _values(warehouse, component: str) -> list:
    rows = warehouse.con.execute("SELECT value FROM extractions WHERE component = ?", [component]).fetchall()
    return [json.loads(v) for (v,) in rows]


def test_paper_row_has_arxiv_id(warehouse, paper_pdf):
    extract_pdfs(warehouse, [paper_pdf], workers=1)
    paper_id, pages = warehouse.con.execute("SELECT paper_id, pages FROM papers").fetchone()
    assert paper_id == "arxiv:2401.01234"
    assert pages == 1


def test_paper_wide_settings(warehouse, paper_pdf):
    extract_pdfs(warehouse, [paper_pdf], workers=1)
    assert 300 in _values(warehouse, "epochs")
    assert "AdamW" in _values(warehouse, "optimizer")
    assert 1024 in _values(warehouse, "batch_size")
    assert ["RandAugment"] in _values(warehouse, "data_augmentation")
    model = warehouse.con.execute("SELECT model_name FROM extractions WHERE component = 'epochs'").fetchone()[0]
    assert model is None


def test_table_top1_per_model(warehouse, paper_pdf):
    extract_pdfs(warehouse, [paper_pdf], workers=1)
    rows = warehouse.con.execute(
        "SELECT model_name, value, dataset, bbox, snippet FROM extractions WHERE component = 'top1' ORDER BY model_name"
    ).fetchall()
    by_model = {model: (json.loads(value), dataset, bbox, snippet) for model, value, dataset, bbox, snippet in rows}
    assert by_model["TinyNet-S"][0] == 75.3
    assert by_model["TinyNet-L"][1] == "ImageNet-1k"
    assert len(by_model["TinyNet-L"][2]) == 4
    assert "Top-1 (%)" in by_model["TinyNet-L"][3]


def test_second_run_adds_nothing(warehouse, paper_pdf):
    extract_pdfs(warehouse, [paper_pdf], workers=1)
    before = warehouse.count("extractions")
    report = extract_pdfs(warehouse, [paper_pdf], workers=1)
    assert report.papers[0].status == "skipped"
    assert warehouse.count("extractions") == before


def test_rerun_keeps_review_status(warehouse, paper_pdf):
    extract_pdfs(warehouse, [paper_pdf], workers=1)
    warehouse.con.execute("UPDATE extractions SET status = 'accepted'")
    warehouse.con.execute("DELETE FROM pdf_runs")
    extract_pdfs(warehouse, [paper_pdf], workers=1)
    pending = warehouse.count("extractions", "status = 'pending'")
    assert pending == 0


def test_real_pdf_squeezenet(shared_dir, warehouse):
    path = shared_dir / "corpus" / "pdf" / "squeezenet-1602.07360.pdf"
    extract_pdfs(warehouse, [path], workers=1)
    rows = warehouse.con.execute(
        "SELECT value FROM extractions WHERE component = 'top1' AND model_name = 'SqueezeNet' AND confidence >= 0.8"
    ).fetchall()
    assert 57.5 in [json.loads(v) for (v,) in rows]
    assert "Caffe" in _values(warehouse, "framework")
