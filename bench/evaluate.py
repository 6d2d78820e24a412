"""Ranking quality on a seeded split of a partnerships file, against simple baselines.

    python bench/evaluate.py [--partnerships ../shared/data/partnerships.csv] [--max-queries 1500]

Splits the file (pairs for warm queries, whole towns for cold ones), trains each model
on the rest, and prints Hits@10/50/100, MRR and median rank, warm and cold apart, with
each model's Hits@10 as a ratio of the population-only baseline.
"""

import argparse
import json
import time
import warnings

from sistermatch import Matcher, load_cities
from sistermatch.evaluation import evaluate, split_partnerships
from sistermatch.features import ALL_ASPECTS, BASE_ASPECTS
from sistermatch.models import HandWeightedRanker, LogisticRanker, ShortlistRanker
from sistermatch.partnerships import load_partnerships
from sistermatch.resolve import Resolver

MODELS = {
    "population only": dict(model=HandWeightedRanker({"size.log_population": 1.0}), aspects=BASE_ASPECTS),
    "distance only": dict(model=HandWeightedRanker({"geography.log_distance": -1.0}), aspects=BASE_ASPECTS),
    "hand weights": dict(model="hand", aspects=ALL_ASPECTS),
    "logistic": dict(model=LogisticRanker(), aspects=ALL_ASPECTS),
    "two-stage (earlier default)": dict(model="two_stage", aspects=ALL_ASPECTS),
    "shortlist 300, one logistic": dict(
        model=ShortlistRanker(first=LogisticRanker(), shortlist=300, mined_negatives=None), aspects=ALL_ASPECTS
    ),
    "shortlist, no priors": dict(model=ShortlistRanker(priors={}), aspects=ALL_ASPECTS),
    "shortlist (default)": dict(model="shortlist", aspects=ALL_ASPECTS),
    "shortlist + walks (opt-in)": dict(model="shortlist", aspects=ALL_ASPECTS + ("walk",)),
}


def seeded_split(path, seed):
    """The cities, the partnerships file's load report, and its seeded (train, test) split."""
    cities = load_cities()
    graph, report = load_partnerships(path, cities, Resolver(cities))
    train, test = split_partnerships(graph, cities, seed=seed)
    return cities, report, train, test


def run_configs(configs, names, path, max_queries, seed, json_path=None):
    """Fit each named :class:`Matcher` configuration (keyword arguments) on the seeded
    split's training pairs, evaluate it on the held-out pairs, print a line as each one
    ends (and rewrite ``json_path``), and return ``{name: result}``."""
    cities, report, train, test = seeded_split(path, seed)
    print(f"{report.summary()}; train {len(train):,} pairs, test {len(test):,} pairs (seed {seed})", flush=True)
    results = {}
    for name in names:
        t = time.time()
        m = Matcher(cities=cities, random_state=seed, n_jobs=-1, **configs[name]).fit(train)
        fit_s = time.time() - t
        t = time.time()
        r = evaluate(m, test, max_queries=max_queries, seed=seed)
        r["fit_seconds"] = round(fit_s, 1)
        r["eval_ms_per_query"] = round(1000 * (time.time() - t) / max(r["all"]["queries"], 1), 1)
        results[name] = r
        print(
            f"  {name}: fit {fit_s:.1f}s, eval {r['eval_ms_per_query']} ms/query; "
            f"warm H@10 {r['warm']['hits@10']:.1%}, cold {r['cold']['hits@10']:.1%}",
            flush=True,
        )
        if json_path:
            with open(json_path, "w") as fh:
                json.dump(results, fh, indent=2)
    return results


def run_from_command_line(doc, configs, max_queries, option="--models"):
    """Parse the options evaluate.py and ablation.py share (the partnerships file, query
    towns per group, seed, which ``configs`` to run, a JSON copy), run them with
    :func:`run_configs` and return its results."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--partnerships", default="../shared/data/partnerships.csv")
    ap.add_argument("--max-queries", type=int, default=max_queries, help="query towns per group (warm, cold)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        option, dest="names", default="|".join(configs), help="'|'-separated subset of: " + " | ".join(configs)
    )
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    return run_configs(configs, args.names.split("|"), args.partnerships, args.max_queries, args.seed, args.json)


def main():
    results = run_from_command_line(__doc__, MODELS, 1500, "--models")
    base = results.get("population only")
    header = (
        f"{'model':<26}{'group':<6}{'pairs':>7}{'H@10':>8}{'H@50':>8}{'H@100':>8}{'MRR':>8}{'median':>9}"
        f"{'H@10 ratio':>12}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for name, r in results.items():
        for group in ("warm", "cold"):
            g = r[group]
            ratio = ""
            if base and base[group].get("hits@10"):
                ratio = f"{g['hits@10'] / base[group]['hits@10']:.1f}x"
            print(
                f"{name:<26}{group:<6}{g['pairs']:>7}{g['hits@10']:>8.1%}{g['hits@50']:>8.1%}{g['hits@100']:>8.1%}"
                f"{g['mrr']:>8.3f}{g['median_rank']:>9.0f}{ratio:>12}"
            )


if __name__ == "__main__":
    main()
