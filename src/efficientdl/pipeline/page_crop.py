"""Render the page region around an extracted value, and find the value in its snippet.

Boxes are ``[x0, top, x1, bottom]`` in PDF points measured from the top-left
corner of the page, as pdfplumber reports words and characters.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Sequence

import pdfplumber

logger = logging.getLogger(__name__)


#: Context around a box, (horizontal, vertical) in points: wide enough to show a table cell's
#: row label and column header in a two-column paper.
DEFAULT_MARGIN = (144.0, 48.0)


class CropError(ValueError):
    """Raised when the page region cannot be rendered: no box, an invalid box, a missing page."""


def check_bbox(bbox: Sequence[float] | None) -> tuple[float, float, float, float]:
    """Return ``bbox`` as four floats, or raise :class:`CropError` when it is missing or not a box.

    >>> check_bbox([10, 20, 50, 30])
    (10.0, 20.0, 50.0, 30.0)
    """
    if bbox is None or len(bbox) == 0:
        raise CropError("the extraction has no bounding box")
    if len(bbox) != 4:
        raise CropError(f"the bounding box {list(bbox)} does not have 4 numbers [x0, top, x1, bottom]")
    x0, top, x1, bottom = (float(v) for v in bbox)
    if not (x0 < x1 and top < bottom):
        raise CropError(f"the bounding box {list(bbox)} is empty: x0 < x1 and top < bottom must hold")
    return x0, top, x1, bottom


def render_crop(
    pdf_path: str | Path,
    page_number: int,
    bbox: Sequence[float],
    out_path: str | Path,
    *,
    resolution: int = 150,
    margin: float | tuple[float, float] = DEFAULT_MARGIN,
) -> tuple[float, float, float, float]:
    """Render the region around ``bbox`` on one page to a PNG file, with the box outlined.

    Parameters
    ----------
    pdf_path : path-like
        The PDF file.
    page_number : int
        1-based page number.
    bbox : sequence of 4 floats
        ``[x0, top, x1, bottom]`` in PDF points.
    out_path : path-like
        PNG file to write; its folder is created.
    resolution : int
        Dots per inch of the image (72 gives one pixel per point).
    margin : float or (float, float)
        Points of context added left and right, and above and below the box
        (one number for both), clipped to the page.

    Returns
    -------
    tuple of float
        The rendered region ``(x0, top, x1, bottom)`` in PDF points.
    """
    x0, top, x1, bottom = check_bbox(bbox)
    margin_x, margin_y = (margin, margin) if isinstance(margin, (int, float)) else margin
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)

    with pdfplumber.open(pdf_path) as pdf:
        if not 1 <= page_number <= len(pdf.pages):
            raise CropError(f"page {page_number} does not exist: {pdf_path} has {len(pdf.pages)} page(s)")
        page = pdf.pages[page_number - 1]
        page_x0, page_top, page_x1, page_bottom = page.bbox
        region = (
            max(page_x0, x0 - margin_x),
            max(page_top, top - margin_y),
            min(page_x1, x1 + margin_x),
            min(page_bottom, bottom + margin_y),
        )
        if not (region[0] < region[2] and region[1] < region[3]):
            raise CropError(f"the bounding box {list(bbox)} lies outside page {page_number} ({page.bbox})")
        image = page.crop(region).to_image(resolution=resolution)
        outline = (max(x0, region[0]), max(top, region[1]), min(x1, region[2]), min(bottom, region[3]))
        image.draw_rect(outline, fill=(255, 220, 0, 60), stroke=(220, 0, 0, 255), stroke_width=2)
        image.save(out_path, format="PNG")
    logger.debug("rendered %s page %d region %s to %s", pdf_path, page_number, region, out_path)
    return region


def _value_texts(value: Any) -> list[str]:
    """Spellings of a stored value as it may appear in the text: 90.0 is written 90."""
    if value is None:
        return []
    if isinstance(value, list):
        return [text for item in value for text in _value_texts(item)]
    if isinstance(value, float) and value.is_integer():
        return [str(int(value)), str(value)]
    return [str(value)]


def find_highlight(snippet: str | None, raw_text: str | None, value: Any) -> tuple[int, int] | None:
    """Return the ``(start, end)`` character span of the value in ``snippet``, or None.

    The raw text as extracted is looked for first, then the stored value's
    spellings; matching ignores case.

    >>> find_highlight("We train for 90 epochs with SGD", None, 90.0)
    (13, 15)
    """
    if not snippet:
        return None
    for needle in ([raw_text] if raw_text else []) + _value_texts(value):
        needle = needle.strip()
        if not needle:
            continue
        # A whole-token match first, so 90 is not found inside 1900 or 90.5.
        pattern = re.compile(rf"(?<![\w.]){re.escape(needle)}(?!\w|\.\d)", re.IGNORECASE)
        match = pattern.search(snippet) or re.search(re.escape(needle), snippet, re.IGNORECASE)
        if match:
            return match.start(), match.end()
    return None
