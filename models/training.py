"""Training pairs without label leakage.

A training pair's own link must not be counted in its graph features, or the model
learns that artefact. So pairs are made on folds: a fold of partnerships (warm
queries) or of whole towns (cold queries, whose every pair is hidden) is hidden, the
features come from the remaining graph, and the hidden pairs are the positives.

Negatives are drawn per positive uniformly from the candidates a query really faces
(every city abroad that is not already its partner), so the rows stand for the
ranking task without re-weighting. (Negatives drawn from the plausible part of the
pool, well-twinned towns and the query's 2-hop neighbourhood, were tried: without
importance weights they teach the models that graph closeness is a bad sign; on the
seeded split the boosted stage fell from 14.6% to 4.6% warm Hits@10.)
"""

from dataclasses import dataclass

import numpy as np

from sistermatch.features.base import FeatureContext, QueryBatch
from sistermatch.parallel import forked_imap
from sistermatch.ranking import CandidateFilter

__all__ = ["TrainingSet", "make_training_set", "mine_shortlists"]

QUERY_CHUNK = 1500
ABROAD = CandidateFilter()
"""What a training query may be paired with: the default candidates (abroad, not itself,
not a partner), the same rule ranking and evaluation apply."""


@dataclass
class TrainingSet:
    """Feature rows with labels; ``query`` groups rows by (fold, query); ``cold`` marks
    rows whose query had no partner left in its fold."""

    X: np.ndarray
    y: np.ndarray
    query: np.ndarray
    cold: np.ndarray


def _fold_pairs(graph, n_folds, rng):
    """Yield (kept-edge mask, directed hidden pairs) for pair folds then town folds."""
    edges = graph.edges
    fold = rng.integers(n_folds, size=len(edges))
    for f in range(n_folds):
        hidden = edges[fold == f]
        yield fold != f, np.concatenate([hidden, hidden[:, ::-1]])
    towns = np.unique(edges)
    town_fold = rng.integers(n_folds, size=len(towns))
    fold_of = np.full(graph.n_cities, -1)
    fold_of[towns] = town_fold
    for f in range(n_folds):
        touched = (fold_of[edges[:, 0]] == f) | (fold_of[edges[:, 1]] == f)
        hidden = edges[touched]
        directed = np.concatenate([hidden, hidden[:, ::-1]])
        yield ~touched, directed[fold_of[directed[:, 0]] == f]


def _fold_splits(cities, graph, n_folds, rng, max_queries=None):
    """Per fold: its kept-edge mask, its hidden pairs abroad and their query towns (a
    seeded sample of at most ``max_queries``, the pairs kept to those)."""
    for keep, pairs in _fold_pairs(graph, n_folds, rng):
        pairs = pairs[cities.country[pairs[:, 0]] != cities.country[pairs[:, 1]]]
        if not len(pairs):
            continue
        queries = np.unique(pairs[:, 0])
        if max_queries and len(queries) > max_queries:
            queries = np.sort(rng.choice(queries, max_queries, replace=False))
            pairs = pairs[np.isin(pairs[:, 0], queries)]
        yield keep, pairs, queries


def _fold_queries(cities, graph, profiles, n_folds, rng, max_queries=None, shared=None):
    """Per fold: the fold's graph, its feature context, its hidden pairs abroad and their
    query towns (see :func:`_fold_splits`). The folds' contexts share ``shared``, the
    feature blocks' graph-independent state."""
    shared = {} if shared is None else shared
    for keep, pairs, queries in _fold_splits(cities, graph, n_folds, rng, max_queries):
        sub = graph.subgraph(keep)
        yield sub, FeatureContext(cities, sub, profiles, shared=shared), pairs, queries


def make_training_set(
    cities, graph, profiles, feature_set, n_folds=5, negatives=24, seed=0, max_queries_per_fold=None, shared=None
):
    """Build leak-free training rows from the partnership graph.

    Parameters
    ----------
    cities : CityTable
    graph : PartnershipGraph
        All known partnerships (the user's input).
    profiles : ProfileStore or None
    feature_set : FeatureSet
    n_folds : int
        Pair folds and as many town folds (cold queries).
    negatives : int
        Negatives per positive.
    seed : int
    max_queries_per_fold : int, optional
        Subsample of query towns per fold, to bound time on large inputs.
    shared : dict, optional
        Graph-independent feature state to share with other contexts over the same cities
        and profiles (e.g. :attr:`FeatureContext.shared` of the serving context).

    Returns
    -------
    TrainingSet
    """
    if n_folds < 2:
        raise ValueError(f"n_folds must be at least 2, got {n_folds}")
    rng = np.random.default_rng(seed)
    full = graph.adjacency
    n = len(cities)
    parts = []
    qid_offset = 0
    for sub, ctx, pairs, queries in _fold_queries(cities, graph, profiles, n_folds, rng, max_queries_per_fold, shared):
        for start in range(0, len(queries), QUERY_CHUNK):
            chunk = queries[start : start + QUERY_CHUNK]
            batch = QueryBatch(ctx, chunk)
            sel = pairs[np.isin(pairs[:, 0], chunk)]
            qpos = np.searchsorted(chunk, sel[:, 0])
            m = len(sel)
            neg_q = np.repeat(qpos, negatives)
            neg_c = rng.integers(n, size=m * negatives)
            q_rows = chunk[neg_q]
            # The one candidate rule (abroad, not itself, not a partner in the whole graph).
            ok = ABROAD.mask(cities, q_rows, cand=neg_c, is_partner=np.asarray(full[q_rows, neg_c]).ravel() != 0)
            all_q = np.concatenate([qpos, neg_q[ok]])
            all_c = np.concatenate([sel[:, 1], neg_c[ok]])
            X = feature_set.compute(batch, all_q, all_c)
            y = np.r_[np.ones(m, np.int8), np.zeros(int(ok.sum()), np.int8)]
            cold = sub.degree[chunk[all_q]] == 0
            parts.append(TrainingSet(X, y, qid_offset + chunk[all_q], cold))
        qid_offset += n
    return TrainingSet(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("X", "y", "query", "cold")))


def mine_shortlists(
    cities,
    graph,
    profiles,
    feature_set,
    model,
    shortlist=300,
    n_folds=5,
    queries_per_fold=300,
    seed=0,
    negatives=None,
    shared=None,
    n_jobs=None,
):
    """Stage-two training rows: each fold-built query's shortlist as ``model`` ranks it.

    The folds are :func:`make_training_set`'s (hidden pairs for warm queries, hidden
    towns for cold ones), so a query's features never see its hidden partners. For a
    seeded sample of queries per fold, every candidate abroad that is not already a
    partner in the fold's graph is scored with ``model.decision_function``; the best
    ``shortlist`` become rows, labelled 1 for the query's hidden partners. Queries whose
    hidden partners all fall outside the shortlist are left out: they teach stage one,
    not stage two. With ``negatives``, each query keeps its positives and a seeded sample
    of that many of its shortlist's negatives, in shortlist order (long shortlists then
    cost no more rows to learn from than short ones).

    Each fold draws from its own seeded generator, so ``n_jobs`` worker processes (forked,
    sharing the cities, profiles and model; ``-1`` for every core; None or 1 for none)
    give exactly the rows one process gives.

    Returns
    -------
    X : (rows, columns) float32
    y : (rows,) int8
    group : (queries,) int, rows per query, in order
    """
    rng = np.random.default_rng(seed)
    splits = list(_fold_splits(cities, graph, n_folds, rng, queries_per_fold))
    seeds = np.random.SeedSequence(seed).spawn(len(splits))
    shared = {} if shared is None else shared  # one for all folds (a worker's additions stay its own)
    job = _MiningJob(cities, graph, profiles, feature_set, model, shortlist, negatives, shared, splits, seeds)
    parts = list(forked_imap(job, range(len(splits)), n_jobs))
    Xs, ys, groups = ([item for part in parts for item in part[i]] for i in range(3))
    if not groups:
        raise ValueError("no training query has a hidden partner in its shortlist; too few partnerships to learn from")
    return np.concatenate(Xs), np.concatenate(ys), np.asarray(groups)


@dataclass
class _MiningJob:
    """What mining one fold needs; called with a fold's number, in this process or in a
    forked worker that inherited it."""

    cities: object
    graph: object
    profiles: object
    feature_set: object
    model: object
    shortlist: int
    negatives: object
    shared: dict
    splits: list
    seeds: list

    def __call__(self, i):
        keep, pairs, queries = self.splits[i]
        rng = np.random.default_rng(self.seeds[i])
        sub = self.graph.subgraph(keep)
        ctx = FeatureContext(self.cities, sub, self.profiles, shared=self.shared)
        fs, cities, shortlist, negatives = self.feature_set, self.cities, self.shortlist, self.negatives
        Xs, ys, groups = [], [], []
        for q in queries:
            cand = np.flatnonzero(ABROAD.mask(cities, q, sub.partners(q)))
            batch = QueryBatch(ctx, [q])
            linear = linear_stage_for(self.model, fs, batch)
            if linear is not None:  # score every city by parts; feature rows for the shortlist only
                s = fs.linear_score(batch, linear[0], cand, linear[1])
            else:
                X = fs.compute(batch, np.zeros(len(cand), dtype=np.int64), cand)
                s = self.model.decision_function(X)
            top = np.argpartition(-s, shortlist - 1)[:shortlist] if len(s) > shortlist else np.arange(len(s))
            top = top[np.argsort(-s[top], kind="stable")]
            y = np.isin(cand[top], pairs[pairs[:, 0] == q, 1]).astype(np.int8)
            if not y.any():
                continue
            if negatives is not None and (y == 0).sum() > negatives:
                # A seeded sample of the shortlist's negatives, in shortlist order: the same
                # kind of list, fewer rows to learn from.
                keep_rows = np.flatnonzero(y == 1)
                keep_rows = np.sort(np.r_[keep_rows, rng.choice(np.flatnonzero(y == 0), negatives, replace=False)])
                top, y = top[keep_rows], y[keep_rows]
            rows = fs.compute(batch, np.zeros(len(top), dtype=np.int64), cand[top]) if linear is not None else X[top]
            Xs.append(rows)
            ys.append(y)
            groups.append(len(top))
        return Xs, ys, groups


def linear_stage_for(model, feature_set, batch):
    """The model's linear stage ``(weights, intercept)`` for the batch's one query, or None.

    A model whose weights depend on the query gets the query's row against itself, with
    only the columns it reads (:attr:`~PairRanker.query_columns`) computed.
    """
    if not model.query_columns:
        return model.linear_stage()
    row = int(batch.rows[0])
    return model.linear_stage(
        feature_set.compute(batch, np.zeros(1, dtype=np.int64), np.array([row]), only=model.query_columns)[0]
    )
