"""Recommend values for the components a user leaves open, with evidence, and store the result.

:func:`recommend` builds the search space from the request and the
warehouse and runs one search method on the predictor, starting from the
user's baseline. It then predicts the best candidates with their intervals,
lists what changed against the baseline, finds the most similar published
configurations, draws the convergence plot and writes one
``recommendations`` row.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from efficientdl.models.base import Predictor
from efficientdl.search.base import SearchResult
from efficientdl.search.baselines import make_searcher
from efficientdl.search.build import build_space, load_rows
from efficientdl.search.evidence import nearest_configurations
from efficientdl.search.objective import DEFAULT_DOMAIN_PENALTY, PredictorObjective
from efficientdl.search.request import RecommendationRequest, normalize_fixed
from efficientdl.search.space import Config, NumberDimension, SearchSpace
from efficientdl.warehouse.db import Warehouse, stable_id, to_json

logger = logging.getLogger(__name__)

#: Fields compared when looking for similar published configurations, besides the searched ones.
EVIDENCE_FIELDS = ("model_name", "dataset", "architecture_family", "pretraining_data", "parameters", "input_size")

#: Directory of the convergence plots, relative to the warehouse's directory.
PLOTS_SUBDIR = Path("artifacts") / "recommendations"


def plain(value: Any) -> Any:
    """Return ``value`` as JSON-ready Python data (numpy scalars and arrays converted)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclass
class Recommendation:
    """A stored recommendation.

    Attributes
    ----------
    best : dict
        ``config`` (user-fixed and searched values), ``predicted_top1``,
        ``interval`` (low, high, percent), ``score`` (the searched objective)
        and ``domain_distance``.
    top : list of dict
        The best distinct configurations, best first, shaped like ``best``.
    baseline : dict
        The user's baseline configuration and its prediction, shaped like ``best``.
    changes : list of dict
        ``component``, ``baseline`` and ``recommended`` for each searched
        component whose recommended value differs from the baseline.
    evidence : list of dict
        The most similar published configurations (see
        :func:`efficientdl.search.evidence.nearest_configurations`).
    """

    recommendation_id: str
    predictor_id: str
    method: str
    seed: int
    budget: int
    evaluations: int
    seconds: float
    request: dict[str, Any]
    best: dict[str, Any]
    top: list[dict[str, Any]]
    baseline: dict[str, Any]
    changes: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    plot_path: str | None = None
    result: SearchResult | None = field(default=None, repr=False)

    def as_json(self) -> dict[str, Any]:
        """Return the JSON object printed by ``efficientdl recommend --json``."""
        return plain(
            {
                "recommendation_id": self.recommendation_id,
                "predictor_id": self.predictor_id,
                "method": self.method,
                "seed": self.seed,
                "budget": self.budget,
                "evaluations": self.evaluations,
                "seconds": round(self.seconds, 3),
                "best": self.best,
                "top": self.top,
                "baseline": self.baseline,
                "changes": self.changes,
                "evidence": [
                    {k: e[k] for k in ("title", "model_name", "top1", "similarity")} for e in self.evidence
                ],
                "plot_path": self.plot_path,
            }
        )


def describe_candidates(objective: PredictorObjective, candidates: Sequence[Config], shown: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Predict ``candidates`` in one call and return one entry per candidate.

    ``shown`` contains the values every entry's ``config`` repeats (the user's
    fixed values); the searched values follow them.
    """
    if not candidates:
        return []
    frame = objective.predict(candidates)
    entries = []
    for candidate, (_, row) in zip(candidates, frame.iterrows()):
        entries.append(
            plain(
                {
                    "config": {**shown, **candidate},
                    "predicted_top1": round(float(row["predicted_top1"]), 3),
                    "interval": [round(float(row["low"]), 3), round(float(row["high"]), 3)],
                    "score": round(float(row["score"]), 3),
                    "domain_distance": round(float(row["domain_distance"]), 3),
                }
            )
        )
    return entries


def distinct_top(result: SearchResult, space: SearchSpace, baseline: Mapping[str, Any], k: int) -> list[Config]:
    """Return the ``k`` best evaluated candidates, best first, without near-duplicates.

    Among equal scores the candidate changing the fewest components of the
    baseline comes first. A candidate is skipped when one already chosen has
    the same score and the same choices and sets, differing only in numbers:
    the predictor cannot tell such candidates apart, and a list of them
    hides the alternatives.
    """
    leaders = sorted(result.history, key=lambda e: (-e.score, e.index))[: max(500, 50 * k)]
    ranked = sorted(leaders, key=lambda e: (-e.score, len(changed_components(space, baseline, e.config)), e.index))
    numbers = {d.name for d in space.dimensions if isinstance(d, NumberDimension)}
    chosen: list[Config] = []
    signatures: set[tuple] = set()
    for evaluation in ranked:
        categorical = space.key({**evaluation.config, **{n: 0.0 for n in numbers}})
        signature = (round(evaluation.score, 9), categorical)
        if signature in signatures:
            continue
        signatures.add(signature)
        chosen.append(evaluation.config)
        if len(chosen) == k:
            break
    return chosen


def changed_components(space: SearchSpace, baseline: Mapping[str, Any], best: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the searched components whose recommended value differs from the baseline."""
    changes = []
    for name in space.names:
        before, after = baseline.get(name), best[name]
        if not _same_value(before, after):
            changes.append(plain({"component": name, "baseline": before, "recommended": after}))
    return changes


def _same_value(before: Any, after: Any) -> bool:
    if isinstance(after, (list, tuple, np.ndarray)):
        return isinstance(before, (list, tuple, np.ndarray)) and sorted(before) == sorted(after)
    if not _comparable(before):
        return False
    if isinstance(after, float):
        return math.isclose(float(before), after, rel_tol=1e-9)
    return before == after


def _comparable(value: Any) -> bool:
    if isinstance(value, (list, tuple, np.ndarray)):
        return True
    return value is not None and not pd.isna(value)


def save_convergence_plot(result: SearchResult, path: Path, title: str) -> Path:
    """Draw each evaluation's score and the best score so far against evaluations; write a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scores = np.array([e.score for e in result.history])
    figure, axes = plt.subplots(figsize=(6, 3.5), dpi=100)
    evaluations = np.arange(1, len(scores) + 1)
    axes.scatter(evaluations, scores, s=6, color="0.7", label="evaluation")
    axes.plot(evaluations, result.best_so_far(), color="C0", label="best so far")
    axes.set_xlabel("evaluations")
    axes.set_ylabel("score (predicted Top-1 % minus domain penalty)")
    axes.set_title(title, fontsize=9)
    if len(scores):
        best = float(scores.max())
        spread = float(np.percentile(scores, 90) - scores.min()) if len(scores) > 1 else 1.0
        axes.set_ylim(best - 2.0 * max(spread, 0.5), best + 0.2 * max(spread, 0.5))
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path


def store_recommendation(wh: Warehouse, rec: Recommendation) -> None:
    """Write ``rec`` into ``recommendations``, replacing an earlier row with the same id."""
    best = {**rec.best, "baseline": rec.baseline, "changes": rec.changes}
    wh.con.execute("BEGIN TRANSACTION")
    try:
        wh.con.execute("DELETE FROM recommendations WHERE recommendation_id = ?", [rec.recommendation_id])
        wh.con.execute(
            "INSERT INTO recommendations (recommendation_id, predictor_id, request, method, seed, budget, "
            "evaluations, seconds, best, top, evidence, plot_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                rec.recommendation_id, rec.predictor_id, to_json(plain(rec.request)), rec.method, rec.seed,
                rec.budget, rec.evaluations, rec.seconds, to_json(plain(best)), to_json(plain(rec.top)),
                to_json(plain(rec.evidence)), rec.plot_path,
            ],
        )
        wh.con.execute("COMMIT")
    except Exception:
        wh.con.execute("ROLLBACK")
        raise


def recommend(
    wh: Warehouse,
    request: RecommendationRequest,
    method: str = "eps-bo",
    budget: int = 200,
    seed: int = 0,
    *,
    predictor: Predictor | None = None,
    predictor_id: str | None = None,
    n_top: int = 5,
    n_evidence: int = 3,
    domain_penalty: float = DEFAULT_DOMAIN_PENALTY,
    searcher_options: Mapping[str, Any] | None = None,
    plot_dir: str | Path | None = None,
    store: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Recommendation:
    """Search the components ``request`` leaves open and return the recommendation.

    Parameters
    ----------
    wh : Warehouse
        Source of comparable rows and evidence; the result is written to
        its ``recommendations`` table when ``store`` is set (read-write then).
    request : RecommendationRequest
        Fixed values, searched components and constraints.
    method : str
        Search method (see :data:`efficientdl.search.baselines.METHODS`).
    budget : int
        Predictor evaluations allowed (ignored by ``exhaustive``).
    seed : int
        Seed of the search; the same request and seed give the same result.
    predictor : Predictor, optional
        Default: the registry's predictor ``predictor_id`` (the latest when None).
    n_top, n_evidence : int
        Configurations and similar published configurations reported.
    domain_penalty : float
        Top-1 points subtracted per unit of domain distance above 1.0.
    searcher_options : dict, optional
        Passed to the GP-based searchers (``alpha``, ``beta``, ``eps0``, ...).
    plot_dir : path, optional
        Directory of the convergence PNG; default
        ``<warehouse dir>/artifacts/recommendations``.
    store : bool
        Write the ``recommendations`` row and the plot.
    progress : callable, optional
        Called after each objective call with the candidates evaluated so
        far and the expected total (the budget, or the space size for an
        exhaustive search).

    Raises
    ------
    SearchSpaceError
        Naming the field, value or constraint when the request is impossible.
    """
    started = time.perf_counter()
    if predictor is None:
        from efficientdl.models.registry import load_predictor

        predictor = load_predictor(wh, predictor_id)

    rows = load_rows(wh)
    space, baseline = build_space(rows, request, predictor)
    user_fixed = normalize_fixed(request.fixed)
    objective = PredictorObjective(predictor, space, risk_averse=request.risk_averse, domain_penalty=domain_penalty)
    searcher = make_searcher(method, grid=request.grid, **dict(searcher_options or {}))

    logger.info("searching %s with %s, budget %d, seed %d", ", ".join(space.names), method, budget, seed)
    baseline_searched = {name: baseline.get(name) for name in space.names}
    initial = [baseline_searched] + [p for p in [space.project(baseline_searched)] if p is not None]
    total = space.size if method == "exhaustive" and space.size is not None else budget
    scored = objective if progress is None else _ReportingObjective(objective, progress, total)
    result = searcher.search(space, scored, budget, seed, initial=initial)

    chosen = distinct_top(result, space, baseline_searched, n_top)
    top = describe_candidates(objective, chosen, user_fixed)
    baseline_entry = _baseline_entry(objective, space, baseline_searched, user_fixed)
    changes = changed_components(space, baseline_searched, chosen[0])
    evidence_fields = [*EVIDENCE_FIELDS, *space.names, *user_fixed]
    evidence = nearest_configurations(rows, space.complete(chosen[0]), evidence_fields, n_evidence)

    request_json = {
        **request.as_json(),
        "resolved": {
            "fixed": user_fixed,
            "searched": space.names,
            "held": {k: v for k, v in baseline.items() if k not in user_fixed and k not in space.names},
            "space": space.describe(),
            "baseline": baseline,
        },
    }
    recommendation_id = stable_id(
        "recommendation", predictor.predictor_id, to_json(plain(request.as_json())), method, seed, budget
    )
    rec = Recommendation(
        recommendation_id=recommendation_id,
        predictor_id=predictor.predictor_id,
        method=method,
        seed=seed,
        budget=budget,
        evaluations=result.evaluations,
        seconds=time.perf_counter() - started,
        request=plain(request_json),
        best=top[0],
        top=top,
        baseline=baseline_entry,
        changes=changes,
        evidence=evidence,
        result=result,
    )

    if store:
        directory = Path(plot_dir) if plot_dir is not None else wh.path.resolve().parent / PLOTS_SUBDIR
        title = f"{method}: {', '.join(space.names)} (seed {seed})"
        rec.plot_path = str(save_convergence_plot(result, directory / f"{recommendation_id}.png", title))
        store_recommendation(wh, rec)
    return rec


class _ReportingObjective:
    """Pass calls to ``objective`` and report the running count of evaluated candidates."""

    def __init__(self, objective: PredictorObjective, report: Callable[[int, int], None], total: int) -> None:
        self.objective = objective
        self.report = report
        self.total = total
        self.evaluated = 0

    def __call__(self, candidates: Sequence[Config]) -> np.ndarray:
        scores = self.objective(candidates)
        self.evaluated += len(candidates)
        self.report(self.evaluated, self.total)
        return scores


def _baseline_entry(objective: PredictorObjective, space: SearchSpace, searched: Config, shown: Mapping[str, Any]) -> dict[str, Any]:
    """Predict the baseline; a searched component without a baseline value is left out of the prediction."""
    known = {k: v for k, v in searched.items() if _comparable(v)}
    if len(known) < len(searched):
        frame = objective.predictor.predict_frame(pd.DataFrame([space.complete(known)]))
        row = frame.iloc[0]
        return plain(
            {
                "config": {**shown, **searched},
                "predicted_top1": round(float(row["predicted_top1"]), 3),
                "interval": [round(float(row["low"]), 3), round(float(row["high"]), 3)],
                "domain_distance": round(float(row["domain_distance"]), 3),
            }
        )
    return describe_candidates(objective, [searched], shown)[0]
