"""show(): the snippet with the value highlighted and the PNG of the page region."""

from __future__ import annotations

import numpy as np
import pdfplumber
import pytest
from PIL import Image

from efficientdl.pipeline import review
from efficientdl.pipeline.review import ReviewError

from .conftest import insert_extraction


def test_show_writes_png(queue, tmp_path):
    wh, ids = queue
    view = review.show(wh, ids["epochs_paper"], tmp_path / "crops")
    with Image.open(view.image_path) as image:
        assert image.format == "PNG"
    assert view.image_path.parent == tmp_path / "crops"


def test_show_image_size_matches_region(queue, tmp_path):
    wh, ids = queue
    view = review.show(wh, ids["epochs_paper"], tmp_path, resolution=144)
    x0, top, x1, bottom = view.crop_box
    with Image.open(view.image_path) as image:
        width, height = image.size
    assert abs(width - (x1 - x0) * 2) <= 2
    assert abs(height - (bottom - top) * 2) <= 2


def test_show_region_contains_box(queue, tmp_path):
    wh, ids = queue
    view = review.show(wh, ids["top1_r50"], tmp_path)
    x0, top, x1, bottom = view.extraction["bbox"]
    cx0, ctop, cx1, cbottom = view.crop_box
    assert cx0 <= x0 and ctop <= top and x1 <= cx1 and bottom <= cbottom


def test_show_region_holds_value_text(queue, paper_pdf, tmp_path):
    wh, ids = queue
    view = review.show(wh, ids["epochs_paper"], tmp_path, margin=4)
    with pdfplumber.open(paper_pdf.path) as pdf:
        text = pdf.pages[0].crop(view.crop_box).extract_text()
    assert "90 epochs" in text


def test_show_image_has_ink_at_box(queue, tmp_path):
    wh, ids = queue
    view = review.show(wh, ids["epochs_paper"], tmp_path, resolution=72)
    x0, top, x1, bottom = view.extraction["bbox"]
    cx0, ctop, _, _ = view.crop_box
    with Image.open(view.image_path) as image:
        pixels = np.asarray(image.convert("L"))
    inside = pixels[int(top - ctop) + 3 : int(bottom - ctop) - 3, int(x0 - cx0) + 3 : int(x1 - cx0) - 3]
    assert inside.min() < 100  # dark glyph pixels of "90 epochs"


def test_show_highlights_value(queue, tmp_path):
    wh, ids = queue
    view = review.show(wh, ids["epochs_paper"], tmp_path)
    start, end = view.highlight
    assert view.snippet[start:end] == "90 epochs"
    assert "[bold black on yellow]90 epochs[/bold black on yellow]" in view.snippet_markup()


def test_show_page_number(queue, tmp_path):
    wh, ids = queue
    assert review.show(wh, ids["top1_r50"], tmp_path).page == 1


def test_show_moved_pdf(queue, tmp_path):
    wh, ids = queue
    wh.con.execute("UPDATE papers SET pdf_path = ?", [str(tmp_path / "moved.pdf")])
    with pytest.raises(ReviewError, match="is not at .*moved.pdf"):
        review.show(wh, ids["top1_r50"], tmp_path)


def test_show_without_bbox(queue, tmp_path):
    wh, _ = queue
    insert_extraction(wh, "nobox0001", model=None, dataset=None, component="epochs", value=90, snippet="90 epochs")
    with pytest.raises(ReviewError, match="nobox0001: the extraction has no bounding box"):
        review.show(wh, "nobox0001", tmp_path)


def test_show_without_bbox_soft(queue, tmp_path):
    wh, _ = queue
    insert_extraction(wh, "nobox0001", model=None, dataset=None, component="epochs", value=90, snippet="90 epochs")
    view = review.show(wh, "nobox0001", tmp_path, require_image=False)
    assert view.image_path is None
    assert "no bounding box" in view.image_error


def test_show_page_out_of_range(queue, tmp_path):
    wh, ids = queue
    wh.con.execute("UPDATE extractions SET page = 3 WHERE extraction_id = ?", [ids["top1_r50"]])
    with pytest.raises(ReviewError, match="page 3 does not exist"):
        review.show(wh, ids["top1_r50"], tmp_path)
