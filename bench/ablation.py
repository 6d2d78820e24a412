"""Ablation: what each feature group and each part of the default ranker is worth.

    python bench/ablation.py [--partnerships ../shared/data/partnerships.csv] [--max-queries 400]

Trains the default ranker on the seeded split's training pairs once with every feature
group, then once without each group in turn, and once without each part of the ranker
(stage two trained on mined shortlists, the documented priors, the reason constraints,
the warm/cold segmented first stage), and prints Hits@10/100 warm and cold with the
change against the full default. Same split and queries for every row (seed 0).
"""

import argparse
import json
import time
import warnings

from sistermatch import Matcher, load_cities
from sistermatch.evaluation import evaluate, split_partnerships
from sistermatch.features import ALL_ASPECTS
from sistermatch.models import LambdaRanker, LogisticRanker, ShortlistRanker
from sistermatch.models.shortlist import DOCUMENTED_REASONS
from sistermatch.partnerships import load_partnerships
from sistermatch.resolve import Resolver


def _without(aspect):
    aspects = tuple(a for a in ALL_ASPECTS if a != aspect)
    if aspect == "graph":  # the segmented first stage splits on graph.query_degree: one logistic instead
        return dict(model=ShortlistRanker(first=LogisticRanker(non_negative=DOCUMENTED_REASONS)), aspects=aspects)
    return dict(model="shortlist", aspects=aspects)


CONFIGS = {"default (all groups)": dict(model="shortlist", aspects=ALL_ASPECTS)}
CONFIGS.update({f"without {a}": _without(a) for a in ALL_ASPECTS})
CONFIGS.update(
    {
        "stage two on uniform negatives": dict(model="two_stage", aspects=ALL_ASPECTS),
        "no priors": dict(model=ShortlistRanker(priors={}), aspects=ALL_ASPECTS),
        "no reason constraints": dict(
            model=ShortlistRanker(first=LogisticRanker(), second=LambdaRanker()), aspects=ALL_ASPECTS
        ),
        "one logistic first stage": dict(
            model=ShortlistRanker(first=LogisticRanker(non_negative=DOCUMENTED_REASONS)), aspects=ALL_ASPECTS
        ),
    }
)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partnerships", default="../shared/data/partnerships.csv")
    ap.add_argument("--max-queries", type=int, default=400, help="query towns per group (warm, cold)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--configs", default="|".join(CONFIGS), help="'|'-separated subset of: " + " | ".join(CONFIGS))
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    cities = load_cities()
    graph, report = load_partnerships(args.partnerships, cities, Resolver(cities))
    train, test = split_partnerships(graph, cities, seed=args.seed)
    print(f"{report.summary()}; train {len(train):,} pairs, test {len(test):,} pairs (seed {args.seed})", flush=True)
    results = {}
    for name in args.configs.split("|"):
        t = time.time()
        m = Matcher(cities=cities, random_state=args.seed, **CONFIGS[name]).fit(train)
        r = evaluate(m, test, max_queries=args.max_queries, seed=args.seed)
        results[name] = r
        print(
            f"  {name}: {time.time() - t:.0f}s; warm H@10 {r['warm']['hits@10']:.1%}, cold {r['cold']['hits@10']:.1%}",
            flush=True,
        )
        if args.json:
            with open(args.json, "w") as fh:
                json.dump(results, fh, indent=2)
    full = results.get("default (all groups)")
    heads = ("warm@10", "Δ", "warm@100", "cold@10", "Δ", "cold@100")
    header = f"{'configuration':<34}" + "".join(f"{h:>9}" for h in heads)
    print("\n" + header + "\n" + "-" * len(header))
    for name, r in results.items():
        cells = []
        for group in ("warm", "cold"):
            h10, h100 = r[group]["hits@10"], r[group]["hits@100"]
            delta = f"{100 * (h10 - full[group]['hits@10']):+.1f}" if full and r is not full else ""
            cells += [f"{h10:.1%}", delta, f"{h100:.1%}"]
        print(f"{name:<34}" + "".join(f"{c:>9}" for c in cells))


if __name__ == "__main__":
    main()
