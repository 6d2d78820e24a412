"""Latency and throughput: CLI cold start, one recommendation, a batch report.

    python bench/speed.py --partnerships ../shared/data/partnerships.csv [--batch 1000] [--k 100]

Prints the wall time of `sistermatch recommend` in a fresh process (after a first run
has built the caches), the median and p95 of `Matcher.recommend` over 200 towns, and
the time of a batch report for N towns with k candidates each.
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time
import warnings

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partnerships", default="../shared/data/partnerships.csv")
    ap.add_argument("--batch", type=int, default=1000, help="towns in the batch run")
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    cmd = ["sistermatch", "recommend", "Coventry", "--country", "GB", "--partnerships", args.partnerships]
    subprocess.run(cmd, capture_output=True, check=True)  # builds the caches if needed
    walls = []
    for _ in range(3):
        t = time.time()
        subprocess.run(cmd, capture_output=True, check=True)
        walls.append(time.time() - t)
    print(
        f"CLI recommend, fresh process: median {statistics.median(walls):.2f}s (runs: "
        + ", ".join(f"{w:.2f}" for w in walls)
        + ")"
    )

    from sistermatch import Matcher
    from sistermatch.interfaces.batch import QuerySet, run_batch

    t = time.time()
    m = Matcher(cache=True).fit(args.partnerships)
    print(f"Matcher load (cached model): {time.time() - t:.2f}s")
    rng = np.random.default_rng(0)
    big = np.flatnonzero(m.cities_.population >= 15000)
    rows = rng.choice(big, 200, replace=False)
    m.recommend(int(m.cities_.geonameid[rows[0]]), k=10)
    lat = []
    for r in rows:
        t = time.perf_counter()
        m.recommend(int(m.cities_.geonameid[r]), k=10)
        lat.append(1000 * (time.perf_counter() - t))
    print(f"recommend k=10 over 200 towns: median {np.median(lat):.1f} ms, p95 {np.percentile(lat, 95):.1f} ms")

    rows = rng.choice(big, args.batch, replace=False)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "report.csv")
        t = time.time()
        n = run_batch(m, QuerySet(tuple(int(r) for r in rows)), out, k=args.k, jobs=args.jobs).rows
        took = time.time() - t
    print(
        f"batch {args.batch} towns, k={args.k}, jobs={args.jobs}: {took:.1f}s ({n:,} rows, "
        f"{1000 * took / args.batch:.1f} ms/town)"
    )


if __name__ == "__main__":
    main()
