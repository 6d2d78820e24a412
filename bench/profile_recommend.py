"""Where one recommendation's time goes: feature blocks, stage one, shortlist, stage two, reasons.

    python bench/profile_recommend.py [--partnerships PATH|bundled|none] [--towns 100]

Fits (or loads from the cache) the default matcher, then times each step of
``Matcher.recommend`` for a seeded sample of towns of 15k+ people and prints the median
milliseconds per step, with one bare numpy great-circle scan of every city as the yardstick.
"""

import argparse
import time
import warnings
from collections import defaultdict

import numpy as np

from sistermatch import Matcher
from sistermatch.features import QueryBatch
from sistermatch.ranking import CandidateFilter, top_k


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partnerships", default="bundled")
    ap.add_argument("--model", default="shortlist")
    ap.add_argument("--towns", type=int, default=100)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    t = time.time()
    m = Matcher(model=args.model, cache=True).fit(args.partnerships)
    print(f"fit or load: {time.time() - t:.1f}s ({type(m.model_).__name__})")
    cities = m.cities_
    rng = np.random.default_rng(0)
    rows = rng.choice(np.flatnonzero(cities.population >= 15000), args.towns, replace=False)
    steps = defaultdict(list)
    flt = CandidateFilter()
    for row in rows:
        row = int(row)
        t0 = time.perf_counter()
        cand = np.flatnonzero(flt.mask(cities, row, m.graph_.partners(row)))
        t1 = time.perf_counter()
        steps["candidates (mask)"].append(t1 - t0)
        batch = QueryBatch(m.context_, [row])
        qpos = np.zeros(len(cand), dtype=np.int64)
        for b in m.feature_set_.blocks:
            tb = time.perf_counter()
            b.compute(batch, qpos, cand)
            steps[f"features: {b.name}"].append(time.perf_counter() - tb)
        t2 = time.perf_counter()
        X = m.feature_set_.compute(QueryBatch(m.context_, [row]), qpos, cand)
        t3 = time.perf_counter()
        steps["features: all, into X"].append(t3 - t2)
        scores = m.model_.decision_function(X)
        t4 = time.perf_counter()
        steps["model: both stages"].append(t4 - t3)
        best = top_k(scores, 10, cities.population[cand])
        t5 = time.perf_counter()
        steps["top k"].append(t5 - t4)
        m.model_.contributions_at(X, best)
        t6 = time.perf_counter()
        steps["contributions of k rows"].append(t6 - t5)
        tr = time.perf_counter()
        m.recommend(int(cities.geonameid[row]), k=10)
        steps["recommend() end to end"].append(time.perf_counter() - tr)
        ts = time.perf_counter()
        d = np.arccos(np.clip(cities.xyz @ cities.xyz[row], -1, 1))
        np.argpartition(d, 100)[:100]
        steps["yardstick: numpy great-circle scan + top-100"].append(time.perf_counter() - ts)
    print(f"\n{'step':<48}{'median ms':>10}{'p95 ms':>10}")
    for name, v in steps.items():
        v = 1000 * np.asarray(v)
        print(f"{name:<48}{np.median(v):>10.2f}{np.percentile(v, 95):>10.2f}")


if __name__ == "__main__":
    main()
