"""Where one recommendation's time goes: stage one by feature block, shortlist, stage two, reasons.

    python bench/profile_recommend.py [--partnerships PATH|bundled|none] [--towns 100] [--k 10]

Fits (or loads from the cache) the default matcher, then times each step of the fast
path ``Matcher.recommend`` takes, for a seeded sample of towns of 15k+ people, and
prints the median milliseconds per step, with one bare numpy great-circle scan of every
city plus a top-100 selection as the yardstick. The steps are timed one by one, so
their sum is a little above the end-to-end figure. A block's own step is the work it
does itself; the dense terms it names (a column, a gap, a lookup per city) are summed
in one pass in the "sum of the parts" step.
"""

import argparse
import time
import warnings
from collections import defaultdict

import numpy as np

from sistermatch import Matcher
from sistermatch.features import QueryBatch
from sistermatch.features.base import LinearScore
from sistermatch.models.training import linear_stage_for
from sistermatch.ranking import CandidateFilter
from sistermatch.reasons import top_reasons


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partnerships", default="bundled")
    ap.add_argument("--model", default="shortlist")
    ap.add_argument("--towns", type=int, default=100)
    ap.add_argument("--k", type=int, default=10)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    t = time.time()
    m = Matcher(model=args.model, cache=True).fit(args.partnerships)
    m.warm_up()  # as the service and the batch do before their first query
    print(f"fit or load: {time.time() - t:.1f}s ({type(m.model_).__name__})")
    cities, fs, model = m.cities_, m.feature_set_, m.model_
    rng = np.random.default_rng(0)
    rows = rng.choice(np.flatnonzero(cities.population >= 15000), args.towns, replace=False)
    steps = defaultdict(list)
    flt = CandidateFilter()

    def timed(name, f):
        t0 = time.perf_counter()
        out = f()
        steps[name].append(time.perf_counter() - t0)
        return out

    def rows_of(batch, cand, pos):
        return fs.compute(batch, np.zeros(len(pos), np.int64), cand[pos])

    def one(row):
        partners = m.graph_.partners(row)
        cand = timed("candidates (the filter's mask)", lambda: np.flatnonzero(flt.mask(cities, row, partners)))
        batch = QueryBatch(m.context_, [row])
        linear = timed("stage one: the query's segment", lambda: linear_stage_for(model, fs, batch))
        if linear is None:
            raise SystemExit(f"{type(model).__name__} has no linear first stage: nothing to profile by parts")
        weights, intercept = linear
        score = LinearScore(m.context_)
        j = 0
        for b in fs.blocks:
            w = weights[j : j + len(b.columns)]
            j += len(b.columns)
            if w.any():
                timed(f"stage one: {b.name}", lambda b=b, w=w: b.add_linear(batch, w, score))
        s1 = timed("stage one: sum of the parts (dense terms)", lambda: score.total(cand, intercept))
        if getattr(model, "shortlist", None) is not None:
            short = timed("shortlist: pick the best", lambda: model._shortlist(s1))[0]  # as rank_first picks
            X = timed("shortlist: feature rows", lambda: rows_of(batch, cand, short))
            timed("stage two: the re-ranker's trees", lambda: model.pair_scores(X))
        scores, reranked = model.rank_first(s1, lambda pos: rows_of(batch, cand, pos))
        best = timed("top k", lambda: m._best(scores, args.k, cand, reranked))  # the engine's own pick
        Xk = timed("k rows: feature rows", lambda: rows_of(batch, cand, best))
        rr = None if reranked is None else reranked[best]
        ck = timed("k rows: contributions", lambda: model.contributions_rows(Xk, rr))
        timed(
            "k rows: reasons",
            lambda: [top_reasons(fs, batch, 0, cand[p], x, c) for p, x, c in zip(best, Xk, ck)],
        )
        timed("recommend() end to end", lambda: m.recommend(int(cities.geonameid[row]), k=args.k))

        def scan():
            d = np.arccos(np.clip(cities.xyz @ cities.xyz[row], -1, 1))
            return np.argpartition(d, 100)[:100]

        timed("yardstick: numpy great-circle scan + top-100", scan)

    for row in rows:
        one(int(row))
    print(f"\n{'step':<48}{'median ms':>10}{'p95 ms':>10}")
    for name, v in steps.items():
        v = 1000 * np.asarray(v)
        print(f"{name:<48}{np.median(v):>10.2f}{np.percentile(v, 95):>10.2f}")


if __name__ == "__main__":
    main()
