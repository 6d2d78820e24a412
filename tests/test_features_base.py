"""Tests of the feature machinery (features/base.py, and `default_feature_set` in features/__init__.py):
the set of blocks, one computation for training and serving, and `gather`."""

import numpy as np
import pytest
import scipy.sparse as sp

from sistermatch.features import (
    ALL_ASPECTS,
    FeatureSet,
    NameFeatures,
    QueryBatch,
    default_feature_set,
    gather,
)


def test_default_feature_set_schema():
    fs = default_feature_set()
    assert [b.name for b in fs.blocks] == list(ALL_ASPECTS)
    assert len(set(fs.columns)) == len(fs.columns)
    assert "name.same_name" in fs.columns and "graph.neighbour_partner" in fs.columns
    assert [b.name for b in default_feature_set(("graph", "size")).blocks] == ["size", "graph"]


def test_default_feature_set_rejects_unknown_aspects():
    with pytest.raises(ValueError, match="weather"):
        default_feature_set(("size", "weather"))


def test_feature_set_checks_block_width(ctx):
    class Broken(NameFeatures):
        def compute(self, batch, qpos, cand):
            return (cand,)

    with pytest.raises(RuntimeError, match="name"):
        FeatureSet([Broken()]).compute(QueryBatch(ctx, [0]), [0], [1])


def test_one_query_equals_the_same_pairs_in_a_multi_query_batch(cities, ctx):
    """No train/serve skew: recommendation (one query, all candidates) and training
    (many queries, mixed candidates) compute identical feature values."""
    fs = default_feature_set()
    n = len(cities)
    queries = np.array([cities.index.row(g) for g in (1, 7, 12, 5, 15, 20)])
    rng = np.random.default_rng(0)
    qpos = np.repeat(np.arange(len(queries)), n)
    cand = np.tile(np.arange(n), len(queries))
    shuffle = rng.permutation(len(cand))
    qpos, cand = qpos[shuffle], cand[shuffle]
    multi = fs.compute(QueryBatch(ctx, queries), qpos, cand)
    assert np.isfinite(multi).all()
    for i, q in enumerate(queries):
        single = fs.compute(QueryBatch(ctx, [q]), np.zeros(n, dtype=np.int64), np.arange(n))
        sel = qpos == i
        order = np.argsort(cand[sel])
        got = multi[sel][order]
        for j, col in enumerate(fs.columns):
            # atol covers arccos rounding at distance zero (the query against itself).
            assert np.allclose(single[:, j], got[:, j], rtol=1e-5, atol=1e-4), (cities.name[q], col)


def test_batch_order_does_not_matter(cities, ctx):
    fs = default_feature_set()
    a = np.array([cities.index.row(1), cities.index.row(7)])
    cand = np.arange(len(cities))
    fwd = fs.compute(QueryBatch(ctx, a), np.zeros(len(cand), dtype=np.int64), cand)
    rev = fs.compute(QueryBatch(ctx, a[::-1]), np.ones(len(cand), dtype=np.int64), cand)
    assert np.allclose(fwd, rev, atol=1e-5)


def test_gather_sparse_and_dense():
    dense = np.arange(12.0).reshape(3, 4)
    m = sp.csr_matrix(dense)
    q, c = np.array([0, 2, 1, 2]), np.array([3, 0, 1, 3])
    assert gather(dense, q, c).tolist() == [3.0, 8.0, 5.0, 11.0]
    assert gather(m, q, c).tolist() == [3.0, 8.0, 5.0, 11.0]
    assert gather(m, [1, 1], [0, 2]).tolist() == [4.0, 6.0]
    assert gather(sp.csr_matrix((3, 4)), q, c).tolist() == [0.0] * 4
