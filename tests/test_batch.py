"""Batch reports: rows per (query, rank), parallel and Dask runs, Parquet, and resuming a killed run."""

import multiprocessing
import os
import signal

import pandas as pd
import pytest

from conftest import make_cities
from sistermatch import InvalidInput, Matcher, WorkerLost
from sistermatch.interfaces import batch
from sistermatch.interfaces.batch import REPORT_COLUMNS, QuerySet, read_queries, run_batch, select_queries
from sistermatch.models import LogisticRanker


@pytest.fixture(scope="module")
def matcher(graph):
    return Matcher(cities=make_cities(), model=LogisticRanker(), n_folds=2, negatives=6).fit(graph)


@pytest.fixture(scope="module")
def every_town(matcher):
    return QuerySet(tuple(range(len(matcher.cities_))))


def test_report_has_one_row_per_query_and_rank(matcher, every_town, tmp_path):
    out = tmp_path / "r.csv"
    n = run_batch(matcher, every_town, out, k=3).rows
    df = pd.read_csv(out)
    assert list(df.columns) == REPORT_COLUMNS
    assert n == len(df) == 3 * len(every_town.rows)
    assert (df.groupby("query_geonameid")["rank"].apply(list) == pd.Series([[1, 2, 3]] * 23).values).all()
    assert (df["country"] != df["query_country"]).all()
    # The same ranking as the Python API.
    api = matcher.recommend(1, k=3)
    assert list(df[df.query_geonameid == 1].geonameid) == [r.city.geonameid for r in api]


@pytest.mark.parametrize("backend", ["processes", "threads"])
def test_parallel_parquet_and_chunks_give_the_same_rows(matcher, every_town, tmp_path, backend):
    run_batch(matcher, every_town, tmp_path / "a.csv", k=4)
    run_batch(matcher, every_town, tmp_path / "b.parquet", k=4, fmt="parquet", jobs=2, chunk_size=5, backend=backend)
    a = pd.read_csv(tmp_path / "a.csv")
    b = pd.read_parquet(tmp_path / "b.parquet")
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


class Killed(Exception):
    pass


def test_a_killed_and_resumed_run_writes_exactly_the_uninterrupted_rows(matcher, every_town, tmp_path):
    run_batch(matcher, every_town, tmp_path / "full.csv", k=5, chunk_size=4)
    out = tmp_path / "resumed.csv"
    calls = []

    def die_after_two_chunks(done):
        calls.append(done)
        if len(calls) == 3:
            raise Killed

    with pytest.raises(Killed):
        run_batch(matcher, every_town, out, k=5, chunk_size=4, progress=die_after_two_chunks)
    assert not out.exists()  # nothing half-written
    seen = []
    run_batch(matcher, every_town, out, k=5, chunk_size=4, resume=True, progress=seen.append)
    assert seen[0] == 8  # two chunks of four were kept, not recomputed
    assert out.read_text() == (tmp_path / "full.csv").read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_selectors(matcher):
    cities = matcher.cities_
    us = select_queries(cities, country="US")
    assert {cities.country_code(r) for r in us.rows} == {"US"} and len(us.rows) == 7
    big = select_queries(cities, min_population=1_000_000)
    assert all(cities.population[r] >= 1e6 for r in big.rows)
    assert len(select_queries(cities, all_cities=True).rows) == len(cities)
    with pytest.raises(InvalidInput, match="selector"):
        select_queries(cities)


def test_read_queries_reports_unresolvable_rows(matcher, tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("city,country\nCoventry,GB\nAtlantis,GB\nSpringfield,US\n", encoding="utf-8")
    qs = read_queries(path, matcher)
    assert len(qs.rows) == 1 and len(qs.skipped) == 2
    assert "line 3" in qs.skipped[0] and "ambiguous" in qs.skipped[1]


def test_bad_arguments(matcher, every_town, tmp_path):
    with pytest.raises(InvalidInput, match="format"):
        run_batch(matcher, every_town, tmp_path / "r.xlsx", fmt="xlsx")
    with pytest.raises(InvalidInput, match="backend"):
        run_batch(matcher, every_town, tmp_path / "r.csv", jobs=2, backend="mpi")
    with pytest.raises(InvalidInput, match="jobs"):
        run_batch(matcher, every_town, tmp_path / "r.csv", jobs=0)
    with pytest.raises(InvalidInput, match="does not exist"):
        run_batch(matcher, every_town, tmp_path / "missing" / "r.csv")


def test_dask_backend_gives_the_same_rows_as_threads(matcher, every_town, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    run_batch(matcher, every_town, tmp_path / "threads.csv", k=3, chunk_size=6)
    # A cluster named by its scheduler's address, as on a real cluster; its workers are
    # threads of this process (worker processes would take seconds to start), so the engine
    # travels by the client's scatter and the rows come back as their chunks complete.
    local = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with local as cluster:
        address = cluster.scheduler_address
        run_batch(matcher, every_town, tmp_path / "dask.csv", k=3, chunk_size=6, backend="dask", scheduler=address)
    assert (tmp_path / "dask.csv").read_text() == (tmp_path / "threads.csv").read_text()


def test_towns_without_candidates_get_no_rows_and_a_note_even_after_a_resume(matcher, every_town, tmp_path):
    # Within 300 km abroad: Caen has London; Coventry, Kiel and most others have no one.
    full = run_batch(matcher, every_town, tmp_path / "full.csv", k=2, chunk_size=4, max_distance_km=300)
    df = pd.read_csv(tmp_path / "full.csv")
    assert 9 in set(df.query_geonameid) and 1 not in set(df.query_geonameid)
    assert full.rows == len(df)
    noted = {line.split(" (")[0] for line in full.without_candidates}
    assert "Coventry" in noted and "Caen" not in noted
    assert len(full.without_candidates) + df.query_geonameid.nunique() == len(every_town.rows)
    assert all("max_distance_km" in line for line in full.without_candidates)
    calls = []

    def die(done):
        calls.append(done)
        if len(calls) == 3:
            raise Killed

    with pytest.raises(Killed):
        run_batch(matcher, every_town, tmp_path / "r.csv", k=2, chunk_size=4, max_distance_km=300, progress=die)
    resumed = run_batch(matcher, every_town, tmp_path / "r.csv", k=2, chunk_size=4, max_distance_km=300, resume=True)
    assert resumed == full


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_a_worker_killed_mid_run_is_an_error_and_a_resume_finishes_the_report(
    matcher, every_town, tmp_path, monkeypatch
):
    run_batch(matcher, every_town, tmp_path / "full.csv", k=3, chunk_size=4)
    parent, real = os.getpid(), batch._recommend_chunk

    def killed_on_the_last_chunk(m, rows, k, flt):
        if max(rows) == len(every_town.rows) - 1 and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer does
        return real(m, rows, k, flt)

    monkeypatch.setattr(batch, "_recommend_chunk", killed_on_the_last_chunk)
    out = tmp_path / "r.csv"
    with pytest.raises(WorkerLost):
        run_batch(matcher, every_town, out, k=3, chunk_size=4, jobs=2)
    assert not out.exists()  # nothing half-written
    monkeypatch.setattr(batch, "_recommend_chunk", real)
    seen = []
    run_batch(matcher, every_town, out, k=3, chunk_size=4, resume=True, progress=seen.append)
    assert 0 < seen[0] < len(every_town.rows)  # the chunks done before the loss were kept
    assert out.read_text() == (tmp_path / "full.csv").read_text()
