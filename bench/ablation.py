"""Ablation: what each feature group and each part of the default ranker is worth.

    python bench/ablation.py [--partnerships ../shared/data/partnerships.csv] [--max-queries 400]

Trains the default ranker on the seeded split's training pairs once with every feature
group, then once without each group in turn, and once without each part of the ranker
(stage two trained on mined shortlists, the documented priors, the reason constraints,
the warm/cold segmented first stage), and prints Hits@10/100 warm and cold with the
change against the full default. Same split and queries for every row (seed 0).
"""

from evaluate import run_from_command_line  # bench/evaluate.py, beside this script

from sistermatch.features import ALL_ASPECTS
from sistermatch.models import LambdaRanker, LogisticRanker, ShortlistRanker
from sistermatch.models.shortlist import DOCUMENTED_REASONS


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
    results = run_from_command_line(__doc__, CONFIGS, 400, "--configs")
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
