"""Tune the re-ranker on a validation split carved from the training pairs (never the test split).

    python bench/tune.py [--partnerships ../shared/data/partnerships.csv] [--max-queries 400]

The seeded test split of ``bench/evaluate.py`` (seed 0) is set aside untouched. Its
training pairs are split again (seed 1) into a smaller training graph and validation
pairs. The default matcher is fitted on the smaller graph once; its mined shortlists are
then reused to fit stage two with each LightGBM setting, and each is ranked on the
validation pairs. Prints Hits@10/100 warm and cold and the cost of scoring 1,000 rows.
"""

import argparse
import time
import warnings

import numpy as np
from evaluate import seeded_split  # bench/evaluate.py, beside this script

from sistermatch import Matcher
from sistermatch.evaluation import evaluate, split_partnerships
from sistermatch.models import LambdaRanker
from sistermatch.models.shortlist import DOCUMENTED_REASONS

SETTINGS = {
    "default: 300 trees, 15 leaves, lr 0.05": {},
    "150 trees, lr 0.1": dict(n_estimators=150, learning_rate=0.1),
    "100 trees, lr 0.15": dict(n_estimators=100, learning_rate=0.15),
    "300 trees, 7 leaves": dict(num_leaves=7),
    "300 trees, 31 leaves": dict(num_leaves=31),
    "600 trees, lr 0.025": dict(n_estimators=600, learning_rate=0.025),
    "min_child_samples 30": dict(min_child_samples=30),
    "min_child_samples 300": dict(min_child_samples=300),
    "truncation level 10": dict(truncation_level=10),
    "truncation level 100": dict(truncation_level=100),
    "truncation level 1000": dict(truncation_level=1000),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--partnerships", default="../shared/data/partnerships.csv")
    ap.add_argument("--max-queries", type=int, default=400, help="validation query towns per group")
    ap.add_argument("--settings", default="|".join(SETTINGS), help="'|'-separated subset of: " + " | ".join(SETTINGS))
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    cities, _, train, _test = seeded_split(args.partnerships, seed=0)  # the test split stays unseen
    inner, valid = split_partnerships(train, cities, seed=1)
    print(f"training pairs {len(train):,} -> inner {len(inner):,}, validation pairs {len(valid):,}", flush=True)
    t = time.time()
    m = Matcher(cities=cities, random_state=0, n_jobs=-1).fit(inner)
    model = m.model_
    print(f"default fitted on the inner graph in {time.time() - t:.0f}s", flush=True)
    model.stage_ = "first"  # mine with stage one and the priors, as fitting does
    X2, y2, group = m._mine(inner, model)
    model.stage_ = "both"
    print(f"mined {len(group)} shortlists, {len(y2):,} rows", flush=True)
    names = m.feature_set_.columns
    rows = np.asarray(X2[:1000])
    print(f"\n{'setting':<40}{'warm@10':>9}{'warm@100':>10}{'cold@10':>9}{'cold@100':>10}{'ms/1000 rows':>14}")
    for name in args.settings.split("|"):
        second = LambdaRanker(monotone=DOCUMENTED_REASONS, **SETTINGS[name])
        second.fit(X2, y2, group=group, feature_names=names)
        model.second_, model.base_score_ = second, second.base_score_
        r = evaluate(m, valid, max_queries=args.max_queries, seed=0)
        t = time.perf_counter()
        for _ in range(20):
            second.decision_function(rows)
        ms = (time.perf_counter() - t) / 20 * 1000
        w, c = r["warm"], r["cold"]
        print(
            f"{name:<40}{w['hits@10']:>9.1%}{w['hits@100']:>10.1%}{c['hits@10']:>9.1%}{c['hits@100']:>10.1%}{ms:>14.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
