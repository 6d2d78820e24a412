"""Latency and throughput: CLI start, one recommendation, a batch report, against a numpy scan.

    python bench/speed.py [--partnerships bundled] [--batch 1000] [--k 100] [--jobs 1]

Prints:
- the wall time of `sistermatch recommend` in a fresh process (after a first run has
  built the caches);
- the median and p95 of `Matcher.recommend` (k=10) over 200 towns of 15,000+ people,
  and its CPU time a query, with numpy's BLAS threads as they come and with one (as the
  service and the batch workers run);
- the wall time of the whole `sistermatch batch` command (start-up included) for N such
  towns with k candidates each, and, measured in the same run, the time of one bare numpy
  great-circle scan of all cities (their vectors stored row by row) plus a top-k
  selection per town: the yardstick, and the batch's ratio to it; then the same scan over
  the package's own column-stored vectors, and the ratio to that.
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_limits


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partnerships", default="bundled")
    ap.add_argument("--batch", type=int, default=1000, help="towns in the batch run")
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    cmd = ["sistermatch", "recommend", "Coventry", "--country", "GB", "--partnerships", args.partnerships]
    subprocess.run(cmd, capture_output=True, check=True)  # builds the caches if needed
    walls = []
    for _ in range(3):
        t = time.time()
        subprocess.run(cmd, capture_output=True, check=True)
        walls.append(time.time() - t)
    runs = ", ".join(f"{w:.2f}" for w in walls)
    print(f"CLI recommend, fresh process: median {statistics.median(walls):.2f}s (runs: {runs})", flush=True)

    from sistermatch import Matcher

    m = Matcher(cache=True, n_jobs=-1).fit(args.partnerships)
    cities = m.cities_
    rng = np.random.default_rng(0)
    big = np.flatnonzero(cities.population >= 15000)
    rows = rng.choice(big, 200, replace=False)
    m.warm_up()  # as the service and the batch do before their first query

    def timed(threads):
        lat, cpu = [], time.process_time()
        with threadpool_limits(limits=threads):
            for r in rows:
                t = time.perf_counter()
                m.recommend(int(cities.geonameid[r]), k=10)
                lat.append(1000 * (time.perf_counter() - t))
        return lat, 1000 * (time.process_time() - cpu) / len(rows)

    lat, cpu = timed(None)
    print(
        f"Matcher.recommend k=10 over 200 towns: median {np.median(lat):.1f} ms, p95 {np.percentile(lat, 95):.1f} ms;"
        f" CPU {cpu:.1f} ms a query"
    )
    lat, cpu = timed(1)  # as the service and the batch workers run
    print(
        f"  with one BLAS thread: median {np.median(lat):.1f} ms, p95 {np.percentile(lat, 95):.1f} ms;"
        f" CPU {cpu:.1f} ms a query"
    )

    towns = rng.choice(big, args.batch, replace=False)
    with tempfile.TemporaryDirectory() as tmp:
        queries = os.path.join(tmp, "towns.csv")
        with open(queries, "w") as fh:
            fh.write("geonameid\n" + "\n".join(str(int(cities.geonameid[r])) for r in towns) + "\n")
        out = os.path.join(tmp, "report.csv")
        batch = [
            "sistermatch",
            "batch",
            queries,
            "--out",
            out,
            "-k",
            str(args.k),
            "--jobs",
            str(args.jobs),
            "--partnerships",
            args.partnerships,
        ]
        t = time.time()
        subprocess.run(batch, capture_output=True, check=True)
        took = time.time() - t
        n = sum(1 for _ in open(out)) - 1
    # The yardstick: a bare scan of (n, 3) vectors stored row by row, as np.column_stack
    # builds them and as this measure has read them since the issue was filed; and, for the
    # record, the same scan over the package's own table, column by column since 0.4.3,
    # where numpy's row norms run about 2.4 times as fast.
    scans = {}
    for layout, xyz in (("row-ordered", np.ascontiguousarray(cities.xyz)), ("column-ordered", cities.xyz)):
        t = time.time()
        for r in towns:
            d = 2 * np.arcsin(np.clip(np.linalg.norm(xyz - xyz[r], axis=1) / 2, 0, 1))
            np.argpartition(d, args.k)[: args.k]
        scans[layout] = time.time() - t
    scan = scans["row-ordered"]
    print(
        f"batch {args.batch} towns, k={args.k}, jobs={args.jobs}, whole command: {took:.1f}s ({n:,} rows); "
        f"numpy scan + top-{args.k} per town: {scan:.1f}s; ratio {took / scan:.1f}x"
        f" (over column-ordered vectors: {scans['column-ordered']:.1f}s; ratio {took / scans['column-ordered']:.1f}x)"
    )


if __name__ == "__main__":
    main()
