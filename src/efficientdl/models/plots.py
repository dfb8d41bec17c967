"""PNG plots of a training run: held-out predictions against measurements, and importance."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def plot_predicted_vs_measured(heldout: pd.DataFrame, path: str | Path) -> Path:
    """Scatter the forest's held-out predictions against measured Top-1, one colour per dataset.

    ``heldout`` needs the columns ``dataset``, ``measured`` and ``predicted``
    (see :attr:`efficientdl.pipeline.train.TrainResult.heldout`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure, axes = plt.subplots(figsize=(6.5, 6))
    for dataset, rows in heldout.groupby("dataset", sort=True):
        axes.scatter(rows["measured"], rows["predicted"], s=6, alpha=0.5, label=f"{dataset} ({len(rows)})")
    low = float(np.nanmin(heldout[["measured", "predicted"]].to_numpy()))
    high = float(np.nanmax(heldout[["measured", "predicted"]].to_numpy()))
    axes.plot([low, high], [low, high], color="black", linewidth=0.8, label="predicted = measured")
    mae = float(np.mean(np.abs(heldout["predicted"] - heldout["measured"])))
    axes.set(xlabel="measured Top-1 (%)", ylabel="predicted Top-1, held out (%)", title=f"grouped cross-validation, MAE {mae:.2f} points")
    axes.legend(fontsize=7, markerscale=2)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path


def plot_importance(importance: pd.DataFrame, path: str | Path, top: int = 15) -> Path:
    """Draw a horizontal bar chart of the ``top`` components by permutation importance, with their spread."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ranked = importance.sort_values("rank").head(top).iloc[::-1]
    figure, axes = plt.subplots(figsize=(6.5, 0.35 * len(ranked) + 1.2))
    axes.barh(ranked["component"], ranked["importance"], xerr=ranked["std"], color="tab:blue")
    axes.set(xlabel="growth of held-out MAE when shuffled (Top-1 points)", title="permutation importance per component")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return path
