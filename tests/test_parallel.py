"""`sistermatch.parallel`: forked workers for mining and batch reports."""

import multiprocessing
import os

import pytest

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
