"""Run one job per worker process, with a wall-clock limit per job.

A job that overruns its limit is terminated (its process killed), so one
PDF that makes a parser spin cannot stall a batch. Results travel back
through a pipe, so they must be picklable. The parent process is the only
one that writes to the warehouse.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    """Result of one job, with status ``ok`` (and its result), ``error`` (it raised), ``timeout`` or ``crashed``."""

    status: str
    result: Any = None
    error: str | None = None
    seconds: float = 0.0


def _child(function: Callable, argument: Any, connection) -> None:
    try:
        result = function(argument)
        connection.send(Outcome("ok", result))
    except BaseException as exc:  # everything goes back to the parent, which reports it
        connection.send(Outcome("error", exc if _picklable(exc) else None, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"))
    finally:
        connection.close()


def _picklable(value: Any) -> bool:
    import pickle

    try:
        pickle.dumps(value)
        return True
    except Exception:
        return False


def run_isolated(function: Callable, arguments: list[Any], *, workers: int, time_limit: float) -> Iterator[tuple[Any, Outcome]]:
    """Yield ``(argument, outcome)`` for each argument as its process finishes.

    Parameters
    ----------
    function : callable
        Module-level function of one argument (it runs in a child process).
    arguments : list
        One job per element.
    workers : int
        Processes running at once (at least 1).
    time_limit : float
        Seconds one job may run before its process is killed.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if time_limit <= 0:
        raise ValueError(f"time_limit must be positive, got {time_limit}")
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")

    pending = list(arguments)
    running: dict[Any, tuple[Any, Any, float]] = {}
    while pending or running:
        while pending and len(running) < workers:
            argument = pending.pop(0)
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(function, argument, sender), daemon=True)
            process.start()
            sender.close()
            running[receiver] = (argument, process, time.monotonic())

        now = time.monotonic()
        next_deadline = min(started + time_limit for _, _, started in running.values())
        ready = wait(list(running), timeout=max(0.0, next_deadline - now))
        for receiver in ready:
            argument, process, started = running.pop(receiver)
            try:
                outcome = receiver.recv()
            except EOFError:
                process.join(5)
                outcome = Outcome("crashed", error=f"worker process exited with code {process.exitcode}")
            receiver.close()
            process.join(5)
            outcome.seconds = time.monotonic() - started
            yield argument, outcome

        now = time.monotonic()
        for receiver in [r for r, (_, _, started) in running.items() if now - started >= time_limit]:
            argument, process, started = running.pop(receiver)
            process.kill()
            process.join(5)
            receiver.close()
            logger.warning("job %s passed its time limit of %.0f s and was stopped", argument, time_limit)
            yield argument, Outcome("timeout", error=f"took longer than the time limit of {time_limit:g} s", seconds=now - started)
