"""Direct tests of `sistermatch.models.training`: leak-free rows and mined shortlists."""

import numpy as np
import pytest

from sistermatch.features import default_feature_set
from sistermatch.models import LogisticRanker, training
from sistermatch.models.training import make_training_set, mine_shortlists


@pytest.fixture(scope="module")
def stage_one(cities, graph):
    fs = default_feature_set()
    ts = make_training_set(cities, graph, None, fs, n_folds=2, negatives=6, seed=0)
    return fs, LogisticRanker().fit(ts.X, ts.y, feature_names=fs.columns)


def test_cold_training_rows_have_no_graph_closeness(cities, graph):
    fs = default_feature_set()
    ts = make_training_set(cities, graph, None, fs, n_folds=2, negatives=6, seed=0)
    assert ts.y.sum() > 0 and len(np.unique(ts.query)) > 1
    # Cold rows: the query had no partner left in its fold, so no graph closeness at all.
    assert ts.cold.any()
    for column in ("graph.query_degree", "graph.common_partners", "graph.partners_in_country"):
        assert (ts.X[ts.cold, fs.columns.index(column)] == 0).all()


def test_mining_uses_only_each_folds_graph(cities, graph, stage_one, monkeypatch):
    fs, first = stage_one
    full = {frozenset(e) for e in graph.edges.tolist()}
    seen = []
    compute = fs.compute

    def spy(batch, qpos, cand):
        fold = {frozenset(e) for e in batch.ctx.graph.edges.tolist()}
        for q, c in zip(batch.rows[np.asarray(qpos)], np.asarray(cand)):
            pair = frozenset((int(q), int(c)))
            if pair in full:
                # A known pair among the scored rows is a hidden one: its fold's graph lacks it.
                assert pair not in fold
                seen.append(pair)
        return compute(batch, qpos, cand)

    monkeypatch.setattr(fs, "compute", spy)
    X, y, group = mine_shortlists(cities, graph, None, fs, first, shortlist=8, n_folds=2, queries_per_fold=50, seed=0)
    assert seen and y.sum() > 0
    assert len(X) == len(y) == group.sum()


def test_mined_shortlists_are_grouped_and_labelled(cities, graph, stage_one):
    fs, first = stage_one
    X, y, group = mine_shortlists(cities, graph, None, fs, first, shortlist=8, n_folds=2, queries_per_fold=50, seed=0)
    starts = np.r_[0, np.cumsum(group)[:-1]]
    # Every kept query has a positive in its shortlist; no group is longer than the shortlist.
    assert all(y[s : s + g].any() for s, g in zip(starts, group))
    assert group.max() <= 8
    # Negatives sampled per query keep the positives.
    X2, y2, group2 = mine_shortlists(
        cities, graph, None, fs, first, shortlist=8, n_folds=2, queries_per_fold=50, seed=0, negatives=2
    )
    assert y2.sum() == y.sum() and group2.max() <= 2 + y.max() * 8


def test_mining_in_worker_processes_gives_the_same_rows(cities, graph, stage_one):
    fs, first = stage_one
    kw = dict(shortlist=8, n_folds=2, queries_per_fold=50, seed=0, negatives=3)
    X1, y1, g1 = mine_shortlists(cities, graph, None, fs, first, **kw)
    X2, y2, g2 = mine_shortlists(cities, graph, None, fs, first, n_jobs=2, **kw)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(g1, g2)
    # Another seed draws other negatives: the seed, not the process, decides the rows.
    X3, _, _ = mine_shortlists(cities, graph, None, fs, first, **{**kw, "seed": 1})
    assert X3.shape != X1.shape or not np.array_equal(X3, X1)


def test_folds_hide_pairs_and_whole_towns(graph):
    rng = np.random.default_rng(0)
    folds = list(training._fold_pairs(graph, 3, rng))
    assert len(folds) == 6
    for keep, hidden in folds:
        kept = {frozenset(e) for e in graph.edges[keep].tolist()}
        assert not kept & {frozenset(e) for e in hidden.tolist()}


def test_folds_share_the_graph_independent_state_and_build_their_own_graph_state(cities, graph, monkeypatch):
    from sistermatch.features import CountryFeatures, NameFeatures

    fits = {"name": 0, "country": 0}
    name_fit, country_fit = NameFeatures.fit, CountryFeatures.fit

    def count(kind, fit):
        def wrapped(self, ctx):
            fits[kind] += 1
            return fit(self, ctx)

        return wrapped

    monkeypatch.setattr(NameFeatures, "fit", count("name", name_fit))
    monkeypatch.setattr(CountryFeatures, "fit", count("country", country_fit))
    shared = {}
    make_training_set(cities, graph, None, default_feature_set(), n_folds=3, negatives=2, shared=shared)
    assert fits["name"] == 1  # names depend on the cities alone: once for all folds
    assert fits["country"] >= 3  # partnership counts: each fold's own graph
    assert any(key[:2] == ("state", "NameFeatures") for key in shared)
