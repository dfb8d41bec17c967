"""PDFs made by the tests: a small paper with a results table, and broken files."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pypdf  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

PAPER_LINES = [
    (0.95, "4.1. Implementation details"),
    (0.91, "All models are trained for 300 epochs with AdamW and a batch size of 1024 on 8 V100 GPUs."),
    (0.88, "The learning rate is 0.001 with a cosine schedule, and we use RandAugment and mixup."),
    (0.85, "We evaluate on the ImageNet validation set."),
    (0.78, "Table 1: Top-1 accuracy on ImageNet."),
]
TABLE_ROWS = [("Model", "Params (M)", "Top-1 (%)"), ("TinyNet-S", "5.2", "75.3\u2020"), ("TinyNet-L", "12.8", "79.1")]


def write_paper(path: Path, pages: int = 1) -> Path:
    """Write a one-column paper page (repeated ``pages`` times) with settings and a results table."""
    with PdfPages(path) as pdf:
        for _ in range(pages):
            figure = plt.figure(figsize=(8.5, 11))
            for y, text in PAPER_LINES:
                figure.text(0.08, y, text, fontsize=9)
            for row_index, row in enumerate(TABLE_ROWS):
                for column, text in enumerate(row):
                    figure.text(0.15 + 0.25 * column, 0.75 - 0.02 * row_index, text, fontsize=9)
            pdf.savefig(figure)
            plt.close(figure)
    return path


@pytest.fixture
def paper_pdf(tmp_path: Path) -> Path:
    return write_paper(tmp_path / "tinynet-2401.01234.pdf")


@pytest.fixture
def corrupt_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20)
    return path


@pytest.fixture
def truncated_pdf(tmp_path: Path, paper_pdf: Path) -> Path:
    path = tmp_path / "truncated.pdf"
    data = paper_pdf.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


@pytest.fixture
def encrypted_pdf(tmp_path: Path, paper_pdf: Path) -> Path:
    writer = pypdf.PdfWriter(clone_from=str(paper_pdf))
    writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / "encrypted.pdf"
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


@pytest.fixture
def empty_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "empty.pdf"
    with open(path, "wb") as handle:
        pypdf.PdfWriter().write(handle)
    return path


@pytest.fixture
def image_only_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "scanned.pdf"
    with PdfPages(path) as pdf:
        figure = plt.figure(figsize=(8.5, 11))
        axes = figure.add_axes([0, 0, 1, 1])
        axes.imshow(np.random.default_rng(0).random((60, 40)), cmap="gray")
        axes.axis("off")
        pdf.savefig(figure)
        plt.close(figure)
    return path


@pytest.fixture
def long_pdf(tmp_path: Path, paper_pdf: Path) -> Path:
    """The paper followed by 299 blank pages."""
    writer = pypdf.PdfWriter(clone_from=str(paper_pdf))
    for _ in range(299):
        writer.add_blank_page(612, 792)
    path = tmp_path / "long.pdf"
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


@pytest.fixture
def ruled_table_pdf(tmp_path: Path) -> Path:
    """A page with a fully ruled 3 x 3 table (every cell boxed)."""
    path = tmp_path / "ruled.pdf"
    with PdfPages(path) as pdf:
        figure = plt.figure(figsize=(8.5, 11))
        xs, ys = [0.1, 0.35, 0.6, 0.85], [0.8, 0.76, 0.72, 0.68]
        for x in xs:
            figure.add_artist(plt.Line2D([x, x], [ys[-1], ys[0]], color="black", linewidth=1))
        for y in ys:
            figure.add_artist(plt.Line2D([xs[0], xs[-1]], [y, y], color="black", linewidth=1))
        cells = [("Model", "Params (M)", "Top-1 (%)"), ("Net-A", "5.2", "75.3"), ("Net-B", "12.8", "79.1")]
        for row, texts in enumerate(cells):
            for column, text in enumerate(texts):
                figure.text(xs[column] + 0.02, ys[row] - 0.028, text, fontsize=9)
        pdf.savefig(figure)
        plt.close(figure)
    return path
