"""Worker processes forked from this one, so they share its memory (a fitted model, the
city tables) instead of each receiving a pickled copy: training's shortlist mining and
batch reports both fan out this way."""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .errors import WorkerLost

__all__ = ["forked_imap", "n_workers"]

_FORKED = {}


def n_workers(n_jobs, n_items):
    """Worker processes for ``n_items`` tasks: ``n_jobs`` as joblib reads it (None or 1:
    none; -1 every core; -2 all but one), at most one per task."""
    n = int(n_jobs or 1)
    if n < 0:
        n = max((os.cpu_count() or 1) + 1 + n, 1)
    return min(n, n_items)


def _call(key, i):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # one worker per core: inner BLAS threads would oversubscribe
        return _FORKED[key](i)


def forked_imap(fn, items, n_jobs):
    """Yield ``fn(i)`` for each of ``items``, in order, from forked worker processes that
    inherit ``fn``: only ``i`` and the result are pickled. Runs in this process where
    :func:`n_workers` gives one or none, or where the platform cannot fork.

    A worker that dies (the system's out-of-memory killer, a signal) raises
    :class:`~sistermatch.errors.WorkerLost` at once, instead of leaving the run waiting
    for it forever. When the caller stops early, tasks not yet started are cancelled and
    the running ones finish.
    """
    items = list(items)
    n = n_workers(n_jobs, len(items))
    if n <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for i in items:
            yield fn(i)
        return
    key = id(fn)
    _FORKED[key] = fn  # set before the workers fork, so each inherits it
    pool = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"))
    try:
        yield from pool.map(_call, [key] * len(items), items)
    except BrokenProcessPool:
        raise WorkerLost(
            f"one of {n} worker processes ended abruptly (the system may have run out of memory); "
            "try fewer parallel jobs"
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _FORKED.pop(key, None)
