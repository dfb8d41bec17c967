"""Fixtures of the review tests: a real one-page PDF and a warehouse with extractions of it.

The PDF is drawn with matplotlib (TrueType fonts, so pdfplumber reads the
text back), and every extraction's box is the one pdfplumber finds for its
text in that PDF.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from efficientdl.warehouse.db import Warehouse, stable_id, to_json

PAPER_ID = "paper-resnet"
ARXIV_ID = "1512.03385"

#: Lines of the page: (text, y position as a figure fraction, font family).
PAGE_LINES = (
    ("We train for 90 epochs with SGD", 0.9, "sans-serif"),
    ("ResNet-101 is trained for 120 epochs", 0.8, "sans-serif"),
    ("Model        Top-1   Params", 0.6, "monospace"),
    ("ResNet-50    76.1    25.6M", 0.5, "monospace"),
    ("ResNet-101   77.4    44.5M", 0.4, "monospace"),
)

#: name: (model, dataset, component, value, text found on the page, snippet line, confidence)
EXTRACTIONS = {
    "top1_r50": ("ResNet-50", "ImageNet-1k", "top1", 76.1, "76.1", 3, 0.95),
    "top1_r101": ("ResNet-101", "ImageNet-1k", "top1", 77.4, "77.4", 4, 0.60),
    "params_r50": ("ResNet-50", "ImageNet-1k", "parameters", 25.6, "25.6M", 3, 0.90),
    "epochs_paper": (None, None, "epochs", 90, "90 epochs", 0, 0.85),
    "epochs_r101": ("ResNet-101", None, "epochs", 120, "120 epochs", 1, 0.70),
    "optimizer_paper": (None, None, "optimizer", "SGD", "SGD", 0, 0.40),
}


@dataclass
class PaperPdf:
    path: Path
    boxes: dict[str, list[float]]


@dataclass
class Queue:
    """A warehouse file holding one paper and its pending extractions."""

    db_path: Path
    pdf: PaperPdf
    ids: dict[str, str]


@pytest.fixture(scope="session")
def paper_pdf(tmp_path_factory) -> PaperPdf:
    """Draw the page, save it as PDF and look up the box of every extracted text."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pdfplumber

    path = tmp_path_factory.mktemp("papers") / "resnet.pdf"
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        figure = plt.figure(figsize=(6, 4))
        for text, y, family in PAGE_LINES:
            figure.text(0.05, y, text, fontsize=11, family=family)
        figure.savefig(path)
        plt.close(figure)

    boxes = {}
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        for _, _, _, _, text, _, _ in EXTRACTIONS.values():
            match = page.search(text, regex=False)[0]
            boxes[text] = [match["x0"], match["top"], match["x1"], match["bottom"]]
    return PaperPdf(path, boxes)


def insert_extraction(wh: Warehouse, extraction_id: str, *, model, dataset, component, value, raw_text=None,
                      bbox=None, snippet=None, confidence=0.5, page=1, paper_id=PAPER_ID) -> None:
    wh.con.execute(
        "INSERT INTO extractions (extraction_id, paper_id, model_name, dataset, component, value, raw_text, page, "
        "bbox, snippet, extractor, confidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pdf-test/1', ?)",
        [extraction_id, paper_id, model, dataset, component, to_json(value), raw_text, page, bbox, snippet, confidence],
    )


@pytest.fixture(scope="session")
def queue_template(tmp_path_factory, paper_pdf: PaperPdf) -> Queue:
    """Build the warehouse once; each test works on a copy (migrating a new file takes most of a second)."""
    db_path = tmp_path_factory.mktemp("template") / "warehouse.duckdb"
    ids = {}
    with Warehouse(db_path) as wh:
        wh.con.execute(
            "INSERT INTO papers (paper_id, title, arxiv_id, year, pdf_path, pages) VALUES (?, ?, ?, ?, ?, 1)",
            [PAPER_ID, "Deep Residual Learning", ARXIV_ID, 2016, str(paper_pdf.path)],
        )
        for name, (model, dataset, component, value, text, line, confidence) in EXTRACTIONS.items():
            ids[name] = stable_id(PAPER_ID, model, dataset, component, text)
            insert_extraction(
                wh,
                ids[name],
                model=model,
                dataset=dataset,
                component=component,
                value=value,
                raw_text=text,
                bbox=paper_pdf.boxes[text],
                snippet=PAGE_LINES[line][0],
                confidence=confidence,
            )
    return Queue(db_path, paper_pdf, ids)


@pytest.fixture
def queue_db(db_path: Path, queue_template: Queue) -> Queue:
    """Copy the built warehouse to this test's file, closed, so a CLI call can open it."""
    shutil.copyfile(queue_template.db_path, db_path)
    return Queue(db_path, queue_template.pdf, dict(queue_template.ids))


@pytest.fixture
def queue(queue_db: Queue):
    """Yield ``(warehouse, ids)`` with the warehouse open for writing."""
    with Warehouse(queue_db.db_path) as wh:
        yield wh, queue_db.ids
