"""Reference-list parsing and title matching on hand-made lines and on real corpus PDFs."""

from __future__ import annotations

from efficientdl.pipeline.sources.bibliography import BibliographyCache, parse_reference, split_entries
from efficientdl.pipeline.sources.matching import title_in_text, title_similarity


def lines(*texts, x0=50.0, spacing=10.0, gaps=()):
    top, out = 100.0, []
    for i, text in enumerate(texts):
        top += spacing * (1.6 if i in gaps else 1.0)
        indent = x0 if not isinstance(text, tuple) else x0 + text[1]
        out.append({"text": text if isinstance(text, str) else text[0], "x0": indent, "top": top, "column": 1})
    return out


def test_split_bracketed_entries():
    entries = split_entries(lines(
        "[1] K. He, X. Zhang. Deep residual learning for image", "recognition. In CVPR, 2016.",
        "[2] K. Simonyan and A. Zisserman. Very deep convolu-", "tional networks. In ICLR, 2015.",
        "[3] A. Krizhevsky. Learning multiple layers of features, 2009.",
    ))
    assert len(entries) == 3
    assert entries[1] == "K. Simonyan and A. Zisserman. Very deep convolutional networks. In ICLR, 2015."


def test_split_numbered_entries():
    entries = split_entries(lines(
        "1. Krizhevsky, A., Sutskever, I.: Imagenet classification", "with deep networks. (2012)",
        "2. Simonyan, K., Zisserman, A.: Very deep networks. (2014)",
        "3. He, K., Zhang, X.: Deep residual learning. (2016)",
    ))
    assert [e[:10] for e in entries] == ["Krizhevsky", "Simonyan, ", "He, K., Zh"]


def test_split_author_year_on_gaps():
    entries = split_entries(lines(
        "Samira Abnar and Willem Zuidema. Quantifying attention flow in transformers.",
        "In ACL, 2020.",
        "Philip Bachman and William Buchwalter. Learning representations by maximizing",
        "mutual information across views. In NeurIPS, 2019.",
        gaps=(2,),
    ))
    assert len(entries) == 2


def test_split_hanging_indent():
    entries = split_entries(lines(
        "Abnar, S. and Zuidema, W. Quantifying attention flow.", ("In ACL, 2020.", 8),
        "Bachman, P. Learning representations by maximizing", ("mutual information. In NeurIPS, 2019.", 8),
        "Chen, T. A simple framework for contrastive learning.", ("In ICML, 2020.", 8),
    ))
    assert len(entries) == 3


def test_reference_arxiv_id():
    reference = parse_reference("Q. Xie et al. Self-training with noisy student. arXiv preprint arXiv:1911.04252v4, 2019.")
    assert reference.arxiv_id == "1911.04252"


def test_reference_doi():
    reference = parse_reference("B. Polyak. Acceleration of stochastic approximation. doi: 10.1137/0330046. URL x.")
    assert reference.doi == "10.1137/0330046"


def test_title_in_text_fuzzy():
    entry = "Christian Szegedy et al. Rethinking the incep tion architecture for computer vision. In CVPR, 2016."
    assert title_in_text("Rethinking the Inception Architecture for Computer Vision", entry) > 0.9


def test_short_title_needs_exact_words():
    assert title_in_text("Dual Path Networks", "Y. Chen. Dual pathway networks for speech. 2017.") == 0.0


def test_title_similarity_ignores_case_and_hyphens():
    assert title_similarity("Squeeze-and-Excitation Networks", "squeeze and excitation networks") > 0.9


def test_parse_real_pdf(shared_dir, tmp_path):
    parsed = BibliographyCache(tmp_path).parse(shared_dir / "corpus" / "pdf" / "resnet-1512.03385.pdf")
    assert parsed.title == "Deep Residual Learning for Image Recognition"
    assert parsed.arxiv_id == "1512.03385"
    assert len(parsed.references) == 50


def test_cache_reused_by_sha256(shared_dir, tmp_path):
    cache = BibliographyCache(tmp_path)
    cache.parse(shared_dir / "corpus" / "pdf" / "squeezenet-1602.07360.pdf")
    stored = list(tmp_path.glob("*.json"))
    assert len(stored) == 1
    assert stored[0].stem == "5d2d0503ed81daf7973e0f522734e554737b19b7dea61fb9b3f8858c8501d2b6"


def test_broken_pdf_quarantined(shared_dir, tmp_path):
    import shutil

    from efficientdl.pipeline.snowball import Snowball
    from efficientdl.pipeline.sources.local import LocalFolderSource
    from efficientdl.warehouse.db import Warehouse

    folder = tmp_path / "pdfs"
    folder.mkdir()
    for name in ("resnet-1512.03385.pdf", "googlenet-1409.4842.pdf"):
        shutil.copy(shared_dir / "corpus" / "pdf" / name, folder / name)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")

    source = LocalFolderSource(folder, cache_dir=tmp_path / "cache", workers=1)
    with Warehouse(tmp_path / "w.duckdb") as wh:
        report = Snowball(wh, [source]).run(["arxiv:1512.03385"])
        reason = wh.execute("SELECT reason FROM quarantine WHERE source_key LIKE 'local:%broken.pdf'").fetchone()[0]
        edges = wh.count("citations")
    assert "not a readable PDF" in reason
    assert report.kept == 2
    assert edges == 1
