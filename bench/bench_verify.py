"""Measured Top-1 and wall time of budgeted verification runs on the digits.

Two published recipes are verified on scikit-learn's 8x8 digits (upsampled
to 32 px) within the same budget: the ResNet-50 ImageNet recipe (SGD with
momentum, cosine schedule, flips and random resized crops) and the DeiT-S
recipe (AdamW, warm-up and cosine, RandAugment, mixup, CutMix, random
erasing, label smoothing, stochastic depth). Both are stepped down to
stand-ins and shorter runs as the budget requires, and the table lists what
was actually trained. The load average is printed because other processes
on the machine slow the runs down.

Run: ``.venv/bin/python -m bench.bench_verify [BUDGET_MINUTES]`` (default 2).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from bench.report import write_section
from efficientdl.pipeline.verify import verify_recommendation
from efficientdl.warehouse.db import Warehouse

RECIPES = {
    "ResNet-50 (SGD, cosine)": {
        "architecture_family": "resnet", "parameters": 25.6, "optimizer": "SGD momentum", "lr_schedule": "cosine",
        "epochs": 90, "batch_size": 256, "learning_rate": 0.1, "data_augmentation": ["flip", "random resized crop"],
        "regularization": ["weight decay", "label smoothing"], "input_size": 224,
    },
    "DeiT-S (AdamW, RandAugment, mixup)": {
        "architecture_family": "deit", "parameters": 22.0, "optimizer": "AdamW", "lr_schedule": "linear warmup + cosine",
        "epochs": 300, "batch_size": 1024, "learning_rate": 0.001,
        "data_augmentation": ["flip", "random resized crop", "RandAugment", "mixup", "CutMix", "random erasing"],
        "regularization": ["weight decay", "label smoothing", "stochastic depth"], "input_size": 224,
    },
}


def main(budget_minutes: float = 2.0) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as folder, Warehouse(Path(folder) / "bench.duckdb") as wh:
        for name, config in RECIPES.items():
            load = os.getloadavg()[0]
            start = time.perf_counter()
            result = verify_recommendation(wh, config=config, dataset="digits", budget_minutes=budget_minutes, seed=0)
            stage_seconds = time.perf_counter() - start
            recipe = result.recipe
            rows.append(
                f"| {name} | {recipe['requested_model']} -> {recipe['model_name']} | {recipe['epochs']:g} | "
                f"{recipe['batch_size']} | {result.measured_top1:.1f} | {result.wall_seconds:.1f} | "
                f"{stage_seconds:.1f} | {load:.1f} |"
            )
            print(rows[-1], flush=True)

    body = (
        f"Budget {budget_minutes:g} min per run, seed 0, CPU only. Training run = planning + training + evaluation; "
        "stage = the whole `verify_recommendation` call (data loading and profiling included).\n\n"
        "| recipe | model (configured -> trained) | epochs trained | batch | Top-1 % | training run s | stage s | "
        "load average at start |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(rows)
    )
    write_section("verify", "Verification runs on the digits", f"python -m bench.bench_verify {budget_minutes:g}", body)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.0)
