"""Batch reports: the same ranking for many towns, streamed to CSV or Parquet.

Queries come from a CSV (``geonameid`` or ``city,country`` columns) or from a
selector over the city table (a country, a least population, all cities). Rows that
cannot be resolved are reported and skipped, never fatal. Results are written in
chunks to a temporary file beside the output and moved into place only when the run
completes, so a failed run never leaves a half-written report. With ``resume`` the
finished chunks of an interrupted run are kept and only the rest is computed.

A town for which no candidate passes the filters gets no row; its note (which filter
to widen) is kept beside the chunk and returned in :class:`BatchResult`, so the run
says which towns have none and why.
"""

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import AmbiguousCity, CityNotFound, InvalidInput
from ..io import read_csv, require_columns
from ..ranking import CandidateFilter, check_k

__all__ = ["QuerySet", "BatchResult", "read_queries", "select_queries", "run_batch", "check_format", "REPORT_COLUMNS"]

BACKENDS = ("processes", "threads", "dask")
FORMATS = ("csv", "parquet")
REPORT_COLUMNS = [
    "query_geonameid",
    "query_name",
    "query_country",
    "rank",
    "geonameid",
    "name",
    "country",
    "population",
    "distance_km",
    "score",
    "reasons",
]
CHUNK = 50


@dataclass(frozen=True)
class QuerySet:
    """Query rows to rank, with the input lines that could not be resolved."""

    rows: tuple
    skipped: tuple = field(default_factory=tuple)


@dataclass(frozen=True)
class BatchResult:
    """What a batch run wrote: ``rows`` report rows, and one ``"Town (CC): note"`` line per
    town that has no candidate under the filters (``without_candidates``), in query order."""

    rows: int
    without_candidates: tuple = ()


def read_queries(path, matcher):
    """Read a queries CSV: a ``geonameid`` column, or ``city`` and ``country`` columns (and an
    optional ``region``), resolved with ``matcher.row``."""
    what = "queries file"
    df = read_csv(path, what)
    cols = require_columns(df, [("geonameid",), ("city", "country"), ("city",)], what)
    rows, skipped = [], []
    for line, rec in enumerate(df.to_dict("records"), start=2):
        try:
            if cols == ("geonameid",):
                rows.append(matcher.row(rec["geonameid"]))
            else:
                rows.append(matcher.row(rec["city"], rec.get("country") or None, rec.get("region") or None))
        except (CityNotFound, AmbiguousCity, InvalidInput) as exc:
            skipped.append(f"line {line}: {exc}")
    return QuerySet(tuple(rows), tuple(skipped))


def select_queries(cities, country=None, min_population=None, all_cities=False):
    """Query rows chosen by a selector: every city of a country and/or above a population."""
    if not (country or min_population is not None or all_cities):
        raise InvalidInput("give a queries file, or a selector: --country, --min-population or --all")
    mask = np.ones(len(cities), dtype=bool)
    if country:
        mask &= cities.country == cities.countries.index_of(country)
    if min_population is not None:
        mask &= cities.population >= float(min_population)
    rows = np.flatnonzero(mask)
    rows = rows[np.argsort(-cities.population[rows], kind="stable")]
    return QuerySet(tuple(int(r) for r in rows))


def check_format(fmt):
    """``InvalidInput`` unless ``fmt`` is a report format batch can write."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be {' or '.join(FORMATS)}, got {fmt!r}")


def _recommend_chunk(matcher, rows, k, flt):
    out, notes = [], []
    for recs in matcher.recommend_rows(rows, k, flt):
        out.extend(r.to_row() for r in recs)
        if not recs:
            notes.append(f"{recs.query.name} ({recs.query.country}): {recs.note}")
    return pd.DataFrame(out, columns=REPORT_COLUMNS), notes


def _run_key(*job):
    """A short key of the whole job, so a resumed run only reuses chunks of the same job."""
    return hashlib.sha256(repr(job).encode()).hexdigest()[:16]


def run_batch(
    matcher,
    queries,
    out,
    k=10,
    fmt="csv",
    jobs=1,
    resume=False,
    progress=None,
    backend="processes",
    scheduler=None,
    chunk_size=CHUNK,
    **filters,
):
    """Rank every query and write one report row per (query, rank).

    Parameters
    ----------
    matcher : Matcher
        Fitted.
    queries : QuerySet
    out : str or Path
        The report; written only when every chunk is done.
    k : int
    fmt : {"csv", "parquet"}
    jobs : int
        Parallel workers on this machine.
    resume : bool
        Keep the chunks an interrupted run of the same job finished, compute the rest.
    progress : callable, optional
        Called with the number of queries done after each chunk.
    backend : {"processes", "threads", "dask"}
        With ``jobs > 1``: forked worker processes sharing the fitted model (default),
        threads, or a Dask cluster (``scheduler`` address, or a local one) for more than
        one machine.
    chunk_size : int
        Queries per chunk: the unit of parallel work and of resumption.
    **filters
        As for :meth:`Matcher.recommend`.

    Returns
    -------
    BatchResult
        Rows written, and the towns without a candidate with the filter to widen.
    """
    k = check_k(k)
    check_format(fmt)
    if jobs < 1:
        raise InvalidInput(f"jobs must be at least 1, got {jobs}")
    flt = CandidateFilter.make(**filters)
    out = Path(out)
    if not out.parent.exists():
        raise InvalidInput(f"output folder does not exist: {out.parent}")
    rows = list(queries.rows)
    work = out.parent / f".{out.name}.{_run_key(rows, k, flt, fmt, chunk_size)}.parts"
    if work.exists() and not resume:
        for p in work.iterdir():
            p.unlink()
    work.mkdir(exist_ok=True)
    chunks = [rows[i : i + chunk_size] for i in range(0, len(rows), chunk_size)]
    todo = [i for i in range(len(chunks)) if not (work / f"{i:06d}.{fmt}").exists()]
    pending = set(todo)
    done_queries = sum(len(chunks[i]) for i in range(len(chunks)) if i not in pending)
    if progress:
        progress(done_queries)

    def finish(i, result):
        nonlocal done_queries
        df, notes = result
        part = work / f"{i:06d}.{fmt}"
        tmp = work / f".{i:06d}.{fmt}.tmp"
        # The notes go first: a chunk on disk always has its notes beside it.
        (work / f"{i:06d}.notes").write_text("".join(n + "\n" for n in notes), encoding="utf-8")
        if fmt == "csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
        os.replace(tmp, part)  # a chunk is either complete on disk or absent
        done_queries += len(chunks[i])
        if progress:
            progress(done_queries)

    if backend not in BACKENDS:
        raise InvalidInput(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend == "dask":
        _run_dask(matcher, chunks, todo, k, flt, scheduler, finish)
    elif jobs == 1 or not todo:
        for i in todo:
            finish(i, _recommend_chunk(matcher, chunks[i], k, flt))
    else:
        for i, result in _run_joblib(matcher, chunks, todo, k, flt, jobs, backend):
            finish(i, result)
    n = _concatenate(work, len(chunks), fmt, out)
    notes = []
    for i in range(len(chunks)):
        notes.extend((work / f"{i:06d}.notes").read_text(encoding="utf-8").splitlines())
    for p in work.iterdir():
        p.unlink()
    work.rmdir()
    return BatchResult(n, tuple(notes))


def _run_joblib(matcher, chunks, todo, k, flt, jobs, backend):
    """Chunks in parallel: worker processes (forked, so they share the fitted matcher's
    memory instead of receiving a copy) or joblib's threads."""
    if backend == "threads":
        from joblib import Parallel, delayed

        yield from Parallel(n_jobs=jobs, prefer="threads", return_as="generator")(
            delayed(lambda j: (j, _recommend_chunk(matcher, chunks[j], k, flt)))(i) for i in todo
        )
        return
    from ..parallel import forked_imap

    matcher.warm_up()  # lazily built state, built once here and shared by the forked workers
    # Only the chunk number travels to a worker and only its rows come back, in order, each
    # written as it arrives, so memory stays flat and an interrupted run loses only the
    # chunks in flight.
    yield from forked_imap(lambda i: (i, _recommend_chunk(matcher, chunks[i], k, flt)), todo, jobs)


def _run_dask(matcher, chunks, todo, k, flt, scheduler, finish):
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InvalidInput("the dask backend needs dask[distributed]: pip install 'sistermatch[dask]'") from None
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        remote = client.scatter(matcher, broadcast=True)
        futures = {client.submit(_recommend_chunk, remote, chunks[i], k, flt, pure=False): i for i in todo}
        for fut in as_completed(futures):
            finish(futures[fut], fut.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _concatenate(work, n_chunks, fmt, out):
    from ..io import atomic_path

    total = 0
    with atomic_path(out) as tmp:
        if fmt == "csv":
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                fh.write(",".join(REPORT_COLUMNS) + "\n")
                for i in range(n_chunks):
                    with open(work / f"{i:06d}.csv", encoding="utf-8") as part:
                        next(part)
                        for line in part:
                            fh.write(line)
                            total += 1
        else:
            import pyarrow.parquet as pq

            writer = None
            try:
                for i in range(n_chunks):
                    table = pq.read_table(work / f"{i:06d}.parquet")
                    if table.num_rows == 0:
                        continue
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, table.schema)
                    writer.write_table(table)
                    total += table.num_rows
            finally:
                if writer is not None:
                    writer.close()
            if writer is None:
                pd.DataFrame(columns=REPORT_COLUMNS).to_parquet(tmp, index=False)
    return total
