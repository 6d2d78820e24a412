"""Programme matching at scale: 300 German towns against 300 French ones, one partner each.

    python bench/match.py [--n 300] [--min-population 10000] [--seed 0]

On the real data (every GeoNames city, the bundled partnerships; the model trains once
and is cached, the same cache as the CLI's). Prints the time of ``Matcher.match`` (the
mutual score matrix, the optimal assignment and every pair's reasons and alternatives,
apart) and the mean mutual score of the optimal assignment against a greedy baseline
that repeatedly takes the best remaining pair.
"""

import argparse
import time
import warnings

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="towns on each side")
    ap.add_argument("--min-population", type=float, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    from sistermatch import Matcher
    from sistermatch.matching import greedy_pairs, optimal_pairs

    t = time.perf_counter()
    m = Matcher(cache=True).fit()
    print(f"model ready in {time.perf_counter() - t:.1f}s")
    c = m.cities_
    rng = np.random.default_rng(args.seed)
    sides = []
    for code in ("DE", "FR"):
        pool = np.flatnonzero((c.country == c.countries.index_of(code)) & (c.population >= args.min_population))
        sides.append([c.city(r) for r in np.sort(rng.choice(pool, args.n, replace=False))])
        print(f"{code}: {args.n} of {len(pool):,} towns of {args.min_population:,.0f}+ people")

    t = time.perf_counter()
    pairs = m.match(sides[0], sides[1], max_partners=1)
    took = time.perf_counter() - t
    print(f"Matcher.match {args.n} x {args.n}: {took:.1f}s, {len(pairs)} pairs, {len(pairs.unmatched)} towns unmatched")

    # The same matrix again, to time its parts and to compare with greedy on equal terms.
    rows_a = [m.row(x) for x in sides[0]]
    rows_b = [m.row(x) for x in sides[1]]
    t = time.perf_counter()
    scores = m.mutual_scores(rows_a, rows_b)
    t_scores = time.perf_counter() - t
    t = time.perf_counter()
    best = optimal_pairs(scores)
    t_solve = time.perf_counter() - t
    greedy = greedy_pairs(scores)
    opt_mean = scores[best[:, 0], best[:, 1]].mean()
    greedy_mean = scores[greedy[:, 0], greedy[:, 1]].mean()
    print(
        f"  mutual score matrix {t_scores:.1f}s, assignment {t_solve:.2f}s, "
        f"reasons and alternatives {took - t_scores - t_solve:.1f}s (approx.)"
    )
    print(
        f"mean mutual score: optimal {opt_mean:.4f} (fit {100 * np.exp(opt_mean):.1f}%), "
        f"greedy {greedy_mean:.4f} (fit {100 * np.exp(greedy_mean):.1f}%); "
        f"{len(best)} vs {len(greedy)} pairs"
    )
    print(
        f"  match() mean score {pairs.mean_score:.4f} (it also leaves out pairs already twinned); "
        f"optimal pairs not in greedy's: {len(set(map(tuple, best)) - set(map(tuple, greedy)))} of {len(best)}"
    )
    worst = np.sort(scores[best[:, 0], best[:, 1]])[:5]
    gworst = np.sort(scores[greedy[:, 0], greedy[:, 1]])[:5]
    print(f"  five worst pairs: optimal {np.round(worst, 2).tolist()}, greedy {np.round(gworst, 2).tolist()}")
    for p in pairs[:3]:
        print(f"  {p.a.name} - {p.b.name}: {p.score:.3f}; {'; '.join(r.text for r in p.reasons[:3])}")


if __name__ == "__main__":
    main()
