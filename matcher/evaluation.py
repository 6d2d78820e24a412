"""Ranking quality on held-out partnerships: Hits@k, MRR and median rank, warm and cold apart."""

import numpy as np

from .partnerships import PartnershipGraph
from .ranking import CandidateFilter

__all__ = ["split_partnerships", "evaluate", "HITS_AT"]

HITS_AT = (10, 50, 100, 300)


def split_partnerships(graph, cities, test_share=0.1, cold_share=0.1, seed=0):
    """Split a graph into training pairs and held-out (query, target) pairs, seeded.

    Cold: a random ``cold_share`` of the towns lose every pair; each becomes a query
    whose targets are its partners. Warm: a random ``test_share`` of the remaining
    pairs is held out, in both directions. Pairs between a cold town and another town
    are only asked from the cold side, as the cold town is the one without partners.

    Returns
    -------
    train : PartnershipGraph
    test : (m, 2) int array of (query row, target row)
    """
    rng = np.random.default_rng(seed)
    edges = graph.edges
    towns = np.unique(edges)
    cold = np.zeros(graph.n_cities, dtype=bool)
    cold[rng.choice(towns, int(round(cold_share * len(towns))), replace=False)] = True
    to_cold = cold[edges[:, 0]] | cold[edges[:, 1]]
    warm_test = (~to_cold) & (rng.random(len(edges)) < test_share)
    directed_cold = np.concatenate([edges[to_cold], edges[to_cold][:, ::-1]])
    directed_cold = directed_cold[cold[directed_cold[:, 0]]]
    test = np.concatenate([edges[warm_test], edges[warm_test][:, ::-1], directed_cold])
    return PartnershipGraph(graph.n_cities, edges[~(to_cold | warm_test)]), test


def evaluate(matcher, test_pairs, include_domestic=False, max_queries=None, seed=0):
    """Rank each held-out pair's target among all cities abroad.

    Candidates are every city (abroad unless ``include_domestic``) except the query
    itself and its partners in the matcher's training graph. The rank of a target is
    1 + the number of candidates scored higher (ties count half).

    Parameters
    ----------
    matcher : Matcher
        Fitted on the training graph.
    test_pairs : (m, 2) int array of (query row, target row), as from :func:`split_partnerships`
    max_queries : int, optional
        Evaluate a seeded sample of at most this many query towns per group (warm, cold).

    Returns
    -------
    dict
        ``{"warm": {...}, "cold": {...}, "all": {...}, "target_twinned": {...},
        "target_untwinned": {...}}`` each with ``queries``, ``pairs``, ``hits@10``,
        ``hits@50``, ``hits@100``, ``hits@300``, ``mrr`` and ``median_rank``. The last two
        split all pairs by whether the target has a partner in the training graph (a town
        with none can only be found from its profile, size, role and place).
    """
    cities = matcher.cities_
    graph = matcher.graph_
    directed = np.asarray(test_pairs, dtype=np.int64).reshape(-1, 2)
    if not include_domestic:
        directed = directed[cities.country[directed[:, 0]] != cities.country[directed[:, 1]]]
    queries = np.unique(directed[:, 0])
    is_cold = graph.degree[queries] == 0
    rng = np.random.default_rng(seed)
    chosen = []
    for group in (~is_cold, is_cold):
        q = queries[group]
        if max_queries is not None and len(q) > max_queries:
            q = np.sort(rng.choice(q, max_queries, replace=False))
        chosen.append(q)
    ranks = {"warm": [], "cold": []}
    target_twinned = []
    for name, qs in zip(("warm", "cold"), chosen):
        for q in qs:
            mask = CandidateFilter(include_domestic=include_domestic).mask(cities, q, graph.partners(q))
            cand = np.flatnonzero(mask)
            # A held-out pair that is also a training pair is no test: its target is no candidate.
            targets = directed[directed[:, 0] == q, 1]
            targets = targets[mask[targets]]
            if not len(targets):
                continue
            scores = matcher.score_rows(q, cand)
            pos = np.searchsorted(cand, targets)
            for t in scores[pos]:
                ranks[name].append(1.0 + np.sum(scores > t) + 0.5 * (np.sum(scores == t) - 1))
            target_twinned.extend(graph.degree[targets] > 0)
    out = {name: _summary(np.asarray(r), len(qs)) for (name, r), qs in zip(ranks.items(), chosen)}
    every = np.asarray(ranks["warm"] + ranks["cold"])
    n_queries = sum(len(q) for q in chosen)
    out["all"] = _summary(every, n_queries)
    twinned = np.asarray(target_twinned, dtype=bool)
    out["target_twinned"] = _summary(every[twinned], n_queries)
    out["target_untwinned"] = _summary(every[~twinned], n_queries)
    return out


def _summary(ranks, n_queries):
    d = {"queries": int(n_queries), "pairs": int(len(ranks))}
    if len(ranks) == 0:
        d.update({f"hits@{k}": None for k in HITS_AT}, mrr=None, median_rank=None)
        return d
    for k in HITS_AT:
        d[f"hits@{k}"] = round(float(np.mean(ranks <= k)), 4)
    d["mrr"] = round(float(np.mean(1.0 / ranks)), 4)
    d["median_rank"] = float(np.median(ranks))
    return d
