"""Run a training recipe within a wall-clock budget and measure Top-1 on the test split.

The run has three phases, all inside ``budget_minutes``:

1. **Plan.** The model is built and a few updates are timed (one warm-up
   update, then two timed ones) together with one evaluation batch. From
   the time per update the planner computes how many updates fit in the
   budget after reserving time for the evaluation. When fewer than
   ``min_epochs`` epochs fit, the model is replaced by a smaller one from
   its family's ladder (:mod:`efficientdl.verify.architectures`) and timed
   again. A model far too slow is recognised from a probe on a few images
   before any full update is timed. The number of epochs is then cut to
   what fits. Every change is recorded in ``recipe.scaled_down``.
2. **Train.** The model is rebuilt from the seed, so the timing updates
   leave no trace, and trained for the planned number of updates with the
   schedule laid over exactly those updates. Training stops early at the
   deadline (the budget minus the evaluation reserve).
3. **Evaluate.** Top-1 accuracy, in percent, over the whole test split.

The device is CUDA when ``torch.cuda.is_available()``, else the CPU with
one PyTorch thread per idle core (see :func:`idle_cores`).
"""

from __future__ import annotations

import logging
import math
import os
import random
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch.utils.data import DataLoader

from efficientdl.verify.architectures import count_parameters_m
from efficientdl.verify.build import TrainingObjects, build_training, create_eval_transform, create_train_transform
from efficientdl.verify.datasets import ImageClassificationData, TransformedDataset
from efficientdl.verify.recipe import TrainingRecipe, fit_patch_size

logger = logging.getLogger(__name__)

#: Share of the budget kept free for timing noise.
SAFETY_FRACTION = 0.05

#: Share of the budget after which planning stops timing models and takes the smallest stand-in.
MAX_PLANNING_FRACTION = 0.3

#: Updates timed per candidate model: the first warms up (allocations, kernel selection), the rest are timed.
TIMED_UPDATES = 2

#: Images in the probe that screens out models far too slow for the budget.
PROBE_IMAGES = 8

#: How many times too slow a probe must show a model to be before it is replaced without full timing.
#: Per image, 8 images take longer than a full batch: on 32 px digits the probe overstated the update time
#: of ResNet-18 to ResNet-50 by 2.5x to 3.6x (one CPU thread, timm 1.0), so the margin is above that.
PROBE_MARGIN = 4

#: Share of the budget one warm-up update may take before its time is used as the estimate without timing more.
MAX_WARMUP_FRACTION = 0.05


@dataclass
class TrainProgress:
    """One progress report: ``stage`` is ``plan``, ``train`` or ``evaluate``."""

    stage: str
    completed: int
    total: int | None
    message: str = ""
    loss: float | None = None


@dataclass
class TrainResult:
    """Outcome of one budgeted run.

    Attributes
    ----------
    top1 : float
        Top-1 accuracy on the test split, percent.
    wall_seconds : float
        Time from the start of planning to the end of evaluation.
    device : str
        ``cpu`` or ``cuda:<index>``.
    device_name : str
        ``CPU`` or the CUDA device name (for ``gpu_type``).
    recipe : TrainingRecipe
        The recipe as run: the model, epochs and scaling actually used.
    updates : int
        Optimizer updates made.
    planned_updates : int
        Updates the plan allowed.
    seconds_per_update : float
        Time per update measured while planning.
    stop_reason : str
        ``completed``, ``deadline`` or ``non-finite loss``.
    final_loss : float or None
        Training loss of the last update.
    parameters_m : float
        Parameters of the trained model, millions.
    """

    top1: float
    wall_seconds: float
    device: str
    device_name: str
    recipe: TrainingRecipe
    updates: int
    planned_updates: int
    seconds_per_update: float
    stop_reason: str
    final_loss: float | None
    parameters_m: float


def select_device(num_threads: int | None = None) -> torch.device:
    """Return ``cuda`` when available, else ``cpu`` after setting PyTorch's thread count.

    Parameters
    ----------
    num_threads : int, optional
        CPU threads. Default: :func:`idle_cores`.
    """
    # NOTE: no test covers the CUDA branch, which has not been run on a GPU.
    if torch.cuda.is_available():
        return torch.device("cuda", torch.cuda.current_device())
    threads = num_threads or idle_cores()
    torch.set_num_threads(threads)
    logger.info("training on the CPU with %d PyTorch thread(s)", threads)
    return torch.device("cpu")


def idle_cores() -> int:
    """Return the cores this process may use minus the 1-minute load average, at least 1.

    PyTorch's OpenMP threads spin while they wait for each other, so more
    threads than idle cores slow a run down instead of speeding it up.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return max(1, min(cores, cores - int(load + 0.5)))


def device_name(device: torch.device) -> str:
    """Return ``CPU`` or the CUDA device's name."""
    return torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy (used by timm's Mixup) and PyTorch; return a seeded generator for data loading."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def train_recipe(
    recipe: TrainingRecipe,
    data: ImageClassificationData,
    *,
    budget_minutes: float = 2.0,
    seed: int = 0,
    min_epochs: float = 10.0,
    on_progress: Callable[[TrainProgress], None] | None = None,
) -> TrainResult:
    """Train ``recipe`` on ``data`` within ``budget_minutes`` and measure Top-1.

    Parameters
    ----------
    recipe : TrainingRecipe
        Changed in place to what was run (model, epochs, ``scaled_down``).
    data : ImageClassificationData
    budget_minutes : float
        Wall-clock budget for planning, training and evaluation.
    seed : int
        Seeds the weights, the data order, the augmentations and mixup.
        The number of updates depends on measured speed, so two runs with
        one seed match only when they plan the same number of updates.
    min_epochs : float
        Minimum number of epochs (or the recipe's epochs, when fewer) a model
        must fit in the budget. A slower model is replaced by a smaller stand-in.
    on_progress : callable, optional
        Receives :class:`TrainProgress` reports.

    Returns
    -------
    TrainResult
    """
    if budget_minutes <= 0:
        raise ValueError(f"budget_minutes={budget_minutes}: the budget must be positive")
    start = time.monotonic()
    budget = budget_minutes * 60.0
    deadline = start + budget * (1.0 - SAFETY_FRACTION)
    report = on_progress or (lambda _progress: None)
    device = select_device()

    generator = seed_everything(seed)
    train_loader = DataLoader(
        TransformedDataset(data.train, create_train_transform(recipe)),
        batch_size=recipe.batch_size, shuffle=True, drop_last=True, generator=generator,
    )
    test_loader = DataLoader(
        TransformedDataset(data.test, create_eval_transform(recipe)), batch_size=max(64, recipe.batch_size * 2)
    )
    if len(train_loader) == 0:
        raise ValueError(
            f"{data.name}: {len(data.train)} training images make no full batch of {recipe.batch_size}; "
            "lower batch_size"
        )

    timing = _plan_model(recipe, train_loader, test_loader, device, start, deadline, budget, min_epochs, report)
    total_updates = _plan_updates(recipe, len(train_loader), timing, deadline, budget_minutes, device)

    seed_everything(seed)
    generator.manual_seed(seed)
    objects = build_training(recipe, total_updates, device)
    train_deadline = deadline - timing.eval_seconds
    updates, stop_reason, final_loss = _train(objects, recipe, train_loader, total_updates, train_deadline, device, report)

    epochs_run = updates / len(train_loader)
    if updates < total_updates:
        recipe.record_scaling(
            "epochs", recipe.epochs, round(epochs_run, 4),
            f"training stopped after {updates} of {total_updates} planned updates: {stop_reason}",
        )
    recipe.epochs = round(epochs_run, 4)

    top1 = evaluate(objects.model, test_loader, device, report)
    wall = time.monotonic() - start
    logger.info("trained %s for %d updates on %s in %.1f s: Top-1 %.2f%%", recipe.model_name, updates, device, wall, top1)
    return TrainResult(
        top1=top1,
        wall_seconds=wall,
        device=str(device),
        device_name=device_name(device),
        recipe=recipe,
        updates=updates,
        planned_updates=total_updates,
        seconds_per_update=timing.seconds_per_update,
        stop_reason=stop_reason,
        final_loss=final_loss,
        parameters_m=sum(p.numel() for p in objects.model.parameters()) / 1e6,
    )


@dataclass
class _Timing:
    seconds_per_update: float
    eval_seconds: float


def _plan_model(recipe, train_loader, test_loader, device, start, deadline, budget, min_epochs, report) -> _Timing:
    """Time the recipe's model and step down its ladder until ``min_epochs`` fit in the budget.

    A model with smaller stand-ins is first probed on :data:`PROBE_IMAGES`
    images. When the probe's estimate is at least :data:`PROBE_MARGIN` times
    too slow, the model is replaced by the next smaller stand-in without
    timing full updates, which for a large model could take much of the
    budget. After a full timing the planner jumps to the largest stand-in
    whose parameter count suggests it fits.
    """
    updates_per_epoch = len(train_loader)
    required = math.ceil(min(min_epochs, recipe.epochs) * updates_per_epoch)
    original_model = recipe.model_name
    probe_batch = next(iter(train_loader))

    while True:
        report(TrainProgress("plan", 0, None, f"timing {recipe.model_name}"))
        if recipe.stand_ins:
            estimate = _probe_model(recipe, probe_batch, len(test_loader.dataset), device)
            affordable = _affordable_updates(estimate, deadline)
            if affordable * PROBE_MARGIN < required:
                logger.info("%s: estimated %.3f s per update from a probe; too slow", recipe.model_name, estimate.seconds_per_update)
                _step_down(recipe, original_model, estimate, affordable, required, updates_per_epoch, device, start, budget,
                           estimated=True)
                continue

        timing = _time_model(recipe, train_loader, test_loader, device, budget)
        affordable = _affordable_updates(timing, deadline)
        logger.info(
            "%s: %.3f s per update, evaluation %.2f s, %d updates fit (%d required)",
            recipe.model_name, timing.seconds_per_update, timing.eval_seconds, affordable, required,
        )
        if affordable >= required or not recipe.stand_ins:
            return timing
        _step_down(recipe, original_model, timing, affordable, required, updates_per_epoch, device, start, budget)


def _step_down(
    recipe, original_model, timing, affordable, required, updates_per_epoch, device, start, budget, *, estimated=False
) -> None:
    """Replace the recipe's model by a stand-in, recording why.

    After a probe (``estimated``) the next smaller stand-in is taken, because
    the probe overstates the time. After a full timing the largest stand-in
    whose parameter count is at most the model's divided by the speed-up
    needed is taken. Once planning has used :data:`MAX_PLANNING_FRACTION` of
    the budget, the smallest stand-in is taken.
    """
    planning_over = time.monotonic() - start > MAX_PLANNING_FRACTION * budget
    speedup = required / max(affordable, 1)
    target = count_parameters_m(recipe.model_name) / speedup
    smaller = [name for name in recipe.stand_ins if count_parameters_m(name) <= target]
    if planning_over:
        replacement = recipe.stand_ins[-1]
    elif estimated:
        replacement = recipe.stand_ins[0]
    else:
        replacement = smaller[0] if smaller else recipe.stand_ins[-1]

    qualifier = "an estimated " if estimated else ""
    reason = (
        f"{recipe.model_name} takes {qualifier}{timing.seconds_per_update:.2f} s per update on {device}, so the budget "
        f"fits {affordable / updates_per_epoch:.1f} epochs, fewer than the required {required / updates_per_epoch:.0f}"
    )
    recipe.record_scaling("model", original_model, replacement, reason)
    recipe.stand_ins = recipe.stand_ins[recipe.stand_ins.index(replacement) + 1:]
    recipe.model_name = replacement
    fit_patch_size(recipe)


def _probe_model(recipe: TrainingRecipe, batch, test_size: int, device) -> _Timing:
    """Estimate the time per update and of the evaluation from one forward and backward pass on a few images.

    The estimate scales the probe linearly with the batch size, and takes a
    forward pass as a third of a forward and backward pass. Small batches
    use the hardware less well, so the estimate errs on the slow side.
    """
    from efficientdl.verify.build import create_model

    model = create_model(recipe).to(device)
    model.train()
    images = batch[0][:PROBE_IMAGES].to(device)
    targets = batch[1][:PROBE_IMAGES].to(device)

    torch.nn.functional.cross_entropy(model(images), targets).backward()
    _synchronize(device)
    tick = time.monotonic()
    torch.nn.functional.cross_entropy(model(images), targets).backward()
    _synchronize(device)
    per_image = (time.monotonic() - tick) / len(images)
    return _Timing(per_image * recipe.batch_size, per_image * test_size / 3)


def _time_model(recipe: TrainingRecipe, train_loader, test_loader, device, budget: float) -> _Timing:
    """Time :data:`TIMED_UPDATES` updates after one warm-up update, and one evaluation batch.

    When the warm-up update alone takes more than :data:`MAX_WARMUP_FRACTION`
    of the budget, its time is the estimate: it overstates the steady
    state, which errs towards a smaller model.
    """
    objects = build_training(recipe, total_updates=TIMED_UPDATES + 1, device=device)
    objects.model.train()
    batches = iter(train_loader)
    durations = []
    for index in range(TIMED_UPDATES + 1):
        tick = time.monotonic()
        try:
            images, targets = next(batches)
        except StopIteration:
            batches = iter(train_loader)
            images, targets = next(batches)
        _update(objects, recipe, images, targets, device)
        _synchronize(device)
        durations.append(time.monotonic() - tick)
        if index == 0 and durations[0] > MAX_WARMUP_FRACTION * budget:
            break
    if len(durations) > 1:
        durations = durations[1:]

    objects.model.eval()
    tick = time.monotonic()
    with torch.inference_mode():
        images, _ = next(iter(test_loader))
        objects.model(images.to(device))
    _synchronize(device)
    eval_seconds = (time.monotonic() - tick) * len(test_loader)
    return _Timing(float(np.median(durations)), eval_seconds)


def _affordable_updates(timing: _Timing, deadline: float) -> int:
    remaining = deadline - time.monotonic() - timing.eval_seconds
    return max(0, int(remaining / max(timing.seconds_per_update, 1e-6)))


def _plan_updates(recipe, updates_per_epoch, timing, deadline, budget_minutes, device) -> int:
    """Cut the epochs to what the budget fits and return the number of updates to make (at least one)."""
    requested = max(1, math.ceil(recipe.epochs * updates_per_epoch))
    affordable = _affordable_updates(timing, deadline)
    if affordable >= requested:
        return requested

    total = max(1, affordable)
    recipe.record_scaling(
        "epochs", recipe.epochs, round(total / updates_per_epoch, 4),
        f"{budget_minutes:g} min on {device} at {timing.seconds_per_update:.2f} s per update fit {total} updates "
        f"of {requested} ({updates_per_epoch} per epoch)",
    )
    recipe.epochs = round(total / updates_per_epoch, 4)
    return total


def _update(objects: TrainingObjects, recipe: TrainingRecipe, images, targets, device) -> float:
    """Make one optimizer update and return its loss."""
    images, targets = images.to(device), targets.to(device)
    if objects.mixup is not None:
        images, targets = objects.mixup(images, targets)
    loss = objects.loss(objects.model(images), targets)
    objects.optimizer.zero_grad(set_to_none=True)
    loss.backward()
    if recipe.clip_grad is not None:
        torch.nn.utils.clip_grad_norm_(objects.model.parameters(), recipe.clip_grad)
    objects.optimizer.step()
    return float(loss.detach())


def _train(objects, recipe, train_loader, total_updates, train_deadline, device, report) -> tuple[int, str, float | None]:
    """Train until ``total_updates``, the deadline or a non-finite loss; return updates, stop reason, last loss."""
    objects.model.train()
    updates = 0
    loss = None
    while updates < total_updates:
        for images, targets in train_loader:
            # The first update is always made, so a run past its deadline still trains.
            if updates > 0 and time.monotonic() >= train_deadline:
                return updates, "deadline", loss
            loss = _update(objects, recipe, images, targets, device)
            updates += 1
            objects.scheduler.step_update(num_updates=updates)
            report(TrainProgress("train", updates, total_updates, recipe.model_name, loss))
            if not math.isfinite(loss):
                logger.warning("%s: loss is %s at update %d; training stopped", recipe.model_name, loss, updates)
                return updates, "non-finite loss", loss
            if updates >= total_updates:
                break
    return updates, "completed", loss


def evaluate(model: torch.nn.Module, loader: DataLoader, device, report=None) -> float:
    """Return Top-1 accuracy of ``model`` over ``loader``, in percent."""
    model.eval()
    correct = 0
    seen = 0
    with torch.inference_mode():
        for batch, (images, targets) in enumerate(loader, start=1):
            predictions = model(images.to(device)).argmax(dim=1).cpu()
            correct += int((predictions == targets).sum())
            seen += len(targets)
            if report is not None:
                report(TrainProgress("evaluate", batch, len(loader), "Top-1 on the test split"))
    if seen == 0:
        raise ValueError("the test split is empty; Top-1 needs at least one test image")
    return 100.0 * correct / seen


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
