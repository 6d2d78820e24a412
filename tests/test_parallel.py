"""`sistermatch.parallel`: forked workers for mining and batch reports."""

import multiprocessing
import os
import signal
import threading
import time

import pytest

from sistermatch.errors import MatcherError, WorkerLost
from sistermatch.parallel import forked_imap, n_workers


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_forked_workers_keep_the_order_and_one_job_runs_here():
    calls = []

    def square(i):
        calls.append(i)
        return i * i, os.getpid()

    out = list(forked_imap(square, range(7), n_jobs=2))
    assert [v for v, _ in out] == [i * i for i in range(7)]
    assert calls == [] and os.getpid() not in {pid for _, pid in out}  # ran in the workers, not here
    assert [v for v, _ in forked_imap(square, range(3), n_jobs=None)] == [0, 1, 4] and calls == [0, 1, 2]


def test_worker_count_reads_n_jobs_as_joblib_does():
    cores = os.cpu_count() or 1
    assert n_workers(None, 10) == n_workers(1, 10) == 1
    assert n_workers(-1, 1000) == cores
    assert n_workers(-2, 1000) == max(cores - 1, 1)
    assert n_workers(8, 3) == 3  # never more workers than tasks


def _finishes_within(seconds, fn):
    """Run ``fn`` in a thread; return what it returned or raised, failing if it hangs."""
    out = {}

    def target():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test to assert on
            out["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"still waiting after {seconds} s"
    return out


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_a_killed_worker_stops_the_run_with_a_clear_error_instead_of_hanging():
    parent = os.getpid()

    def killed_on_three(i):
        if i == 3 and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer does
        return i

    out = _finishes_within(60, lambda: list(forked_imap(killed_on_three, range(8), n_jobs=2)))
    assert isinstance(out.get("error"), WorkerLost), out
    assert isinstance(out["error"], MatcherError) and "fewer parallel jobs" in str(out["error"])


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_stopping_early_cancels_the_tasks_not_started(tmp_path):
    def mark(i):
        (tmp_path / f"{i}.done").touch()
        time.sleep(0.02)
        return i

    results = forked_imap(mark, range(200), n_jobs=2)
    assert next(results) == 0
    results.close()  # the caller stops after one result
    assert len(list(tmp_path.iterdir())) < 200  # the rest were cancelled, not run to the end
