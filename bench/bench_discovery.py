"""Discovery benchmark: precision and recall of the local PDF source's citation edges, and its speed.

Three corpus papers' reference lists were read by hand (``tests/gold/citations.yaml``):
the benchmark parses the corpus folder with a cold bibliography cache,
matches every reference to the folder's papers, and compares the edges of
those three papers with the hand-checked ones. It then runs the offline
snowball (three seeds, depth 2) and reports the graph it builds.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import yaml

from bench.report import write_section
from efficientdl.pipeline.snowball import Snowball, SnowballSettings
from efficientdl.pipeline.sources.local import LocalFolderSource
from efficientdl.warehouse.db import Warehouse

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "citations.yaml"
SHARED = Path(os.environ.get("EFFICIENTDL_SHARED", ROOT.parent / "shared"))


def edge_scores(source: LocalFolderSource, gold: dict) -> list[tuple[str, int, int, int]]:
    """Return ``(paper, true positives, found, expected)`` for each gold paper."""
    names = {sha: Path(parsed.path).name for sha, parsed in source.papers.items()}
    by_name = {name: sha for sha, name in names.items()}
    rows = []
    for paper, entry in gold["papers"].items():
        expected = set(entry["cites"])
        found = {names[match.cited] for match in source.matches(by_name[paper])}
        rows.append((paper, len(found & expected), len(found), len(expected)))
    return rows


def main() -> None:
    folder = SHARED / "corpus" / "pdf"
    if not folder.is_dir():
        print(f"skipped: {folder} is absent")
        return
    gold = yaml.safe_load(GOLD.read_text(encoding="utf-8"))
    load_before = os.getloadavg()[0]

    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch) / "bibliographies"
        started = time.perf_counter()
        source = LocalFolderSource(folder, cache_dir=cache, workers=2)
        n_papers = len(source.papers)
        parse_seconds = time.perf_counter() - started

        started = time.perf_counter()
        n_edges = len(source.edges())
        match_seconds = time.perf_counter() - started
        rows = edge_scores(source, gold)

        started = time.perf_counter()
        with Warehouse(Path(scratch) / "bench.duckdb") as wh:
            warm = LocalFolderSource(folder, cache_dir=cache, workers=2)
            report = Snowball(wh, [warm], SnowballSettings(max_depth=2)).run(
                ["arxiv:1512.03385", "arxiv:2010.11929", "arxiv:1807.11164"]
            )
            citations = wh.count("citations")
        snowball_seconds = time.perf_counter() - started

    tp = sum(r[1] for r in rows)
    found = sum(r[2] for r in rows)
    expected = sum(r[3] for r in rows)
    lines = [
        "Local PDF source on the 31-paper corpus; edges of three papers checked by hand against "
        "`tests/gold/citations.yaml`.",
        "",
        "| paper | correct | found | expected | precision | recall |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for paper, hits, n_found, n_expected in rows:
        lines.append(f"| {paper} | {hits} | {n_found} | {n_expected} | {hits / max(n_found, 1):.2f} | {hits / max(n_expected, 1):.2f} |")
    lines.append(f"| **all three** | {tp} | {found} | {expected} | {tp / max(found, 1):.2f} | {tp / max(expected, 1):.2f} |")
    lines += [
        "",
        f"- parse {n_papers} PDFs (cold cache, 2 worker processes): {parse_seconds:.1f} s",
        f"- match every reference to the folder ({n_edges} edges in all): {match_seconds:.1f} s",
        f"- offline snowball, 3 seeds, depth 2, warm cache: {snowball_seconds:.1f} s; "
        f"{report.kept} papers kept, {report.off_topic} off-topic, {citations} citation edges",
        f"- 1-minute load average when the benchmark started: {load_before:.1f} (times grow with other work on the machine)",
    ]
    body = "\n".join(lines)
    write_section("discovery", "Discovery: local PDF citation edges", "python -m bench.bench_discovery", body)
    print(body)


if __name__ == "__main__":
    main()
