"""Precision, recall and speed of the PDF extractor against the hand-checked gold files.

Runs ``extract_pdfs`` over the papers that have a file in ``tests/gold``
(or over every PDF with ``--all``, for speed only) into a fresh warehouse
and compares the stored extractions with the gold values.

Matching rules
--------------
- Paper-wide settings (optimizer, learning rate, batch size, epochs,
  schedule, framework, GPU type and count, input size) are compared with
  the gold ``settings``. Only extractions for the gold main dataset or for
  no dataset are judged; ones for another dataset (a CIFAR recipe in an
  ImageNet paper) are counted as unjudged. Choices must be equal; batch
  size, GPU count and input size must be equal; learning rate and epochs
  may differ by 1 % of the gold value.
- Sets (regularization, data augmentation) are matched item by item, and
  ``dataset`` extractions against the gold ``datasets`` list.
- Top-1 and parameters are judged only for models named in the gold file
  (names compared lower-cased without spaces or punctuation, aliases
  allowed); rows of other models (baselines quoted from other papers) and
  values on a dataset other than the gold model's are unjudged.
  Top-1 matches when the value is within 0.06 points of one of the gold
  values; parameters match within 3 % (or 0.05 M).
- Other components read from a table row (an input size, epochs) are
  judged against the paper's settings for gold models and unjudged for
  other models.
- A judged extraction of a component the gold file does not state for that
  paper is a false positive.

Gold files marked ``held_out: true`` were written after the rules were
tuned on the others; they are scored separately, so the table shows the
tuned papers and one line shows the held-out ones.

Precision counts the extractions with confidence >= 0.8; recall counts the
gold values matched by any extraction, whatever its confidence.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import regex
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import write_section  # noqa: E402
from efficientdl.pipeline.extract import extract_pdfs  # noqa: E402
from efficientdl.warehouse.db import Warehouse  # noqa: E402

GOLD_DIR = ROOT / "tests" / "gold"
CORPUS = ROOT.parent / "shared" / "corpus" / "pdf"
THRESHOLD = 0.8
_SINGLE = ("optimizer", "learning_rate", "batch_size", "epochs", "lr_schedule", "framework", "gpu_type", "gpu_count", "input_size")
_SETS = ("regularization", "data_augmentation")
_RELATIVE = {"learning_rate": 0.01, "epochs": 0.01}


def model_key(name: str) -> str:
    return regex.sub(r"[^a-z0-9]", "", name.lower())


def load_gold() -> dict[str, dict]:
    """Return the gold files that describe one paper PDF (a ``paper`` key), by file stem."""
    gold = {}
    for path in sorted(GOLD_DIR.glob("*.yaml")):
        content = yaml.safe_load(path.read_text())
        if isinstance(content, dict) and str(content.get("paper", "")).endswith(".pdf"):
            gold[path.stem] = content
    return gold


def same_value(component: str, predicted, gold) -> bool:
    if component in _RELATIVE:
        return abs(float(predicted) - float(gold)) <= _RELATIVE[component] * abs(float(gold))
    if isinstance(gold, (int, float)) and not isinstance(gold, bool):
        try:
            return float(predicted) == float(gold)
        except (TypeError, ValueError):
            return False
    return predicted == gold


def judge_paper(gold: dict, rows: list[dict], tally: dict) -> None:
    """Add one paper's true and false positives and its recall to ``tally`` (by component)."""
    settings = gold.get("settings") or {}
    main = gold.get("dataset")
    models = {}
    for model in gold.get("models") or []:
        for name in [model["name"], *(model.get("aliases") or [])]:
            models[model_key(name)] = model
    found_gold = set()

    for row in rows:
        component, value, confident = row["component"], row["value"], row["confidence"] >= THRESHOLD
        verdict = None
        if row["model_name"] and component not in ("top1", "parameters") and model_key(row["model_name"]) not in models:
            tally[component]["unjudged"] += 1
            continue
        if component in ("top1", "parameters"):
            model = models.get(model_key(row["model_name"] or ""))
            if model is None:
                tally[component]["unjudged"] += 1
                continue
            if row["dataset"] not in (None, model["dataset"]):
                tally[component]["unjudged"] += 1
                continue
            if component == "top1":
                verdict = any(abs(value - g) <= 0.06 for g in model.get("top1") or [])
            else:
                gold_params = model.get("parameters")
                verdict = gold_params is not None and abs(value - gold_params) <= max(0.05, 0.03 * gold_params)
            if verdict:
                found_gold.add((component, model["name"]))
        elif component == "dataset":
            verdict = value in (gold.get("datasets") or [])
            if verdict:
                found_gold.add(("dataset", value))
        elif component in _SETS:
            if row["dataset"] not in (None, main):
                tally[component]["unjudged"] += 1
                continue
            items = settings.get(component) or []
            verdict = all(item in items for item in value)
            for item in value:
                if item in items:
                    found_gold.add((component, item))
        else:
            if row["dataset"] not in (None, main):
                tally[component]["unjudged"] += 1
                continue
            verdict = component in settings and same_value(component, value, settings[component])
            if verdict:
                found_gold.add((component, None))
        if confident:
            tally[component]["tp" if verdict else "fp"] += 1
            if not verdict:
                tally[component]["errors"].append(f"{gold['paper']}: {row['model_name'] or '-'} {component}={value} ({row['raw_text'][:40]!r})")

    wanted = []
    for component, value in settings.items():
        if component in _SETS:
            wanted += [(component, item) for item in value]
        else:
            wanted.append((component, None))
    wanted += [("dataset", d) for d in gold.get("datasets") or []]
    for model in gold.get("models") or []:
        if model.get("top1"):
            wanted.append(("top1", model["name"]))
        if model.get("parameters") is not None:
            wanted.append(("parameters", model["name"]))
    for key in wanted:
        tally[key[0]]["gold"] += 1
        tally[key[0]]["recalled"] += key in found_gold
        if key not in found_gold:
            tally[key[0]]["missed"].append(f"{gold['paper']}: {key[0]} {key[1] or settings.get(key[0])}")


def run(pdfs: list[Path], workers: int) -> tuple[dict, float, int, dict]:
    with tempfile.TemporaryDirectory() as folder, Warehouse(Path(folder) / "bench.duckdb") as wh:
        started = time.perf_counter()
        report = extract_pdfs(wh, pdfs, workers=workers)
        seconds = time.perf_counter() - started
        cursor = wh.con.execute("SELECT e.*, p.pdf_path FROM extractions e JOIN papers p USING (paper_id)")
        names = [d[0] for d in cursor.description]
        rows_by_file = defaultdict(list)
        for raw in cursor.fetchall():
            row = dict(zip(names, raw))
            row["value"] = json.loads(row["value"])
            rows_by_file[Path(row["pdf_path"]).stem].append(row)
    return rows_by_file, seconds, report.pages, report.as_dict()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv if argv is not None else [])
    if not args.corpus.is_dir():
        print(f"skipped: {args.corpus} is absent")
        return

    gold = load_gold()
    pdfs = [args.corpus / g["paper"] for g in gold.values() if (args.corpus / g["paper"]).exists()]
    rows_by_file, seconds, pages, summary = run(pdfs, args.workers)

    tally: dict = defaultdict(lambda: {"tp": 0, "fp": 0, "gold": 0, "recalled": 0, "unjudged": 0, "errors": [], "missed": []})
    held_out: dict = defaultdict(lambda: {"tp": 0, "fp": 0, "gold": 0, "recalled": 0, "unjudged": 0, "errors": [], "missed": []})
    for stem, paper in gold.items():
        judge_paper(paper, rows_by_file.get(stem, []), held_out if paper.get("held_out") else tally)

    lines = ["| component | precision (conf >= 0.8) | judged | recall | gold values |", "| --- | --- | --- | --- | --- |"]
    total = {"tp": 0, "fp": 0, "gold": 0, "recalled": 0}
    for component in sorted(tally):
        t = tally[component]
        judged = t["tp"] + t["fp"]
        precision = f"{t['tp'] / judged:.2f}" if judged else "-"
        recall = f"{t['recalled'] / t['gold']:.2f}" if t["gold"] else "-"
        lines.append(f"| {component} | {precision} | {judged} | {recall} | {t['gold']} |")
        for key in total:
            total[key] += t[key]
    judged = total["tp"] + total["fp"]
    overall_p = total["tp"] / judged if judged else 0.0
    overall_r = total["recalled"] / total["gold"] if total["gold"] else 0.0
    lines.append(f"| **all** | **{overall_p:.2f}** | {judged} | **{overall_r:.2f}** | {total['gold']} |")
    errors = [e for t in tally.values() for e in t["errors"]]
    held = {key: sum(t[key] for t in held_out.values()) for key in ("tp", "fp", "gold", "recalled")}
    held_line = ""
    if held["gold"]:
        held_judged = held["tp"] + held["fp"]
        held_line = (
            f"\n\nHeld-out papers (gold written after the rules were tuned): precision "
            f"{held['tp'] / held_judged if held_judged else 0:.2f} over {held_judged} judged, recall "
            f"{held['recalled'] / held['gold']:.2f} of {held['gold']} gold values."
        )
    body = (
        f"{len(pdfs)} gold papers ({sum(1 for g in gold.values() if g.get('held_out'))} held out), {pages} pages "
        f"in {seconds:.1f} s with {args.workers} workers ({pages / seconds:.2f} pages/s); "
        "targets: precision >= 0.85, recall >= 0.6. The table covers the papers the rules were tuned on.\n\n"
        + "\n".join(lines)
        + held_line
        + "\n\nConfident extractions judged wrong (first 15):\n\n"
        + "\n".join(f"- {e}" for e in errors[:15])
    )
    print(body)
    print("\nAll confident extractions judged wrong:\n" + "\n".join(errors))
    print("\nHeld-out errors:\n" + "\n".join(e for t in held_out.values() for e in t["errors"]))
    print("\nHeld-out misses:\n" + "\n".join(m for t in held_out.values() for m in t["missed"]))
    print("\nGold values no extraction matched:\n" + "\n".join(m for t in tally.values() for m in t["missed"]))
    write_section("pdf_extraction", "PDF extraction against the gold papers", "python -m bench.bench_pdf_extraction", body)


if __name__ == "__main__":
    main(sys.argv[1:])
