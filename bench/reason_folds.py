"""Can documented reasons win? Hide every pair that shares a reason, train on the rest, rank them.

    python bench/reason_folds.py [--reasons same_name,history,industry] [--max-queries 300]

A 10% split holds almost no warm same-name pairs, so it cannot show how the model treats
them. Here all pairs of the partnerships file that share a reason are held out together
(both directions, warm and cold as they fall), the model is trained on the remaining
pairs, and the held-out partner is ranked among all cities abroad, as in
``bench/evaluate.py``. Reasons:

- ``same_name``: the two towns share a folded name (Toledo and Toledo);
- ``history``: both carry a city-level history tag in common (e.g. both bombed in WWII);
- ``industry``: both carry a city-level industry tag in common (own rows, not fallbacks).

Prints Hits@10/50/100 per reason and model, with the population-only baseline's ratio.
"""

import argparse
import time
import warnings

import numpy as np

from sistermatch import Matcher, load_cities
from sistermatch.evaluation import evaluate
from sistermatch.models import ShortlistRanker
from sistermatch.partnerships import PartnershipGraph, load_partnerships
from sistermatch.profiles import ProfileStore, default_providers
from sistermatch.resolve import Resolver


def reason_mask(reason, cities, edges, profiles):
    a, b = edges[:, 0], edges[:, 1]
    abroad = cities.country[a] != cities.country[b]
    if reason == "same_name":
        return abroad & (cities.folded_name[a] == cities.folded_name[b])
    m = profiles.history_city if reason == "history" else profiles.industry_city
    shared = np.asarray(m[a].multiply(m[b]).sum(axis=1)).ravel() > 0
    return abroad & shared


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partnerships", default="../shared/data/partnerships.csv")
    ap.add_argument("--reasons", default="same_name,history,industry")
    ap.add_argument("--models", default="shortlist,no priors,two_stage")
    ap.add_argument("--max-queries", type=int, default=300, help="query towns per group (warm, cold)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    cities = load_cities()
    graph, report = load_partnerships(args.partnerships, cities, Resolver(cities))
    profiles = ProfileStore.build(cities, default_providers())
    models = {"shortlist": "shortlist", "no priors": ShortlistRanker(priors={}), "two_stage": "two_stage"}
    print(report.summary())
    rows = []
    for reason in args.reasons.split(","):
        hide = reason_mask(reason, cities, graph.edges, profiles)
        train = PartnershipGraph(graph.n_cities, graph.edges[~hide])
        hidden = graph.edges[hide]
        test = np.concatenate([hidden, hidden[:, ::-1]])
        print(f"{reason}: {hide.sum():,} pairs hidden ({len(test):,} directed), trained on {len(train):,}", flush=True)
        for name in args.models.split(","):
            t = time.time()
            m = Matcher(cities=cities, model=models[name], random_state=args.seed, n_jobs=-1).fit(train)
            r = evaluate(m, test, max_queries=args.max_queries, seed=args.seed)
            print(f"  {name}: {time.time() - t:.0f}s", flush=True)
            rows.append((reason, name, r))
    print(f"\n{'reason':<10}{'model':<12}{'group':<6}{'pairs':>6}{'H@10':>8}{'H@50':>8}{'H@100':>8}{'median':>8}")
    for reason, name, r in rows:
        for g in ("warm", "cold", "all"):
            d = r[g]
            if not d["pairs"]:
                continue
            print(
                f"{reason:<10}{name:<12}{g:<6}{d['pairs']:>6}{d['hits@10']:>8.1%}{d['hits@50']:>8.1%}"
                f"{d['hits@100']:>8.1%}{d['median_rank']:>8.0f}"
            )


if __name__ == "__main__":
    main()
