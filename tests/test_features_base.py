"""Tests of the feature machinery (features/base.py, and `default_feature_set` in features/__init__.py):
the set of blocks, one computation for training and serving, `gather`, and the blocks'
``fit(context)`` state, kept per context."""

import numpy as np
import pytest
import scipy.sparse as sp

from sistermatch.features import (
    ALL_ASPECTS,
    CountryFeatures,
    FeatureContext,
    FeatureSet,
    GraphFeatures,
    NameFeatures,
    ProfileFeatures,
    QueryBatch,
    default_feature_set,
    gather,
)
from sistermatch.features.base import product, rows_of, scale_columns, times_dense
from sistermatch.partnerships import PartnershipGraph
from sistermatch.profiles import ProfileStore


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


def test_state_is_fitted_once_per_context(cities, graph):
    calls = []

    class Counting(CountryFeatures):
        def fit(self, ctx):
            calls.append(ctx)
            return super().fit(ctx)

    block = Counting()
    ctx = FeatureContext(cities, graph)
    first = block.state(ctx)
    assert block.state(ctx) is first and calls == [ctx]
    other = FeatureContext(cities, graph)
    assert block.state(other) is not first and calls == [ctx, other]


def test_a_fold_context_sees_only_its_graph(cities, graph):
    ci, row = cities.countries.index_of, cities.index.row
    full = FeatureContext(cities, graph)
    keep = np.ones(len(graph.edges), dtype=bool)
    hidden = [i for i, (a, b) in enumerate(graph.edges) if {a, b} == {row(3), row(9)}]  # Leamington-Caen
    keep[hidden] = False
    fold = full.with_graph(graph.subgraph(keep))
    block = CountryFeatures()
    assert block.state(full).country_pairs_[ci("GB"), ci("FR")] == 2
    assert block.state(fold).country_pairs_[ci("GB"), ci("FR")] == 1  # London-Paris only
    # Graph-dependent state is the fold's own; graph-independent state is built once.
    assert GraphFeatures().state(fold) is not GraphFeatures().state(full)
    assert NameFeatures().state(fold) is NameFeatures().state(full)


def test_name_keys_group_folded_names(cities, graph):
    st = NameFeatures().state(FeatureContext(cities, graph))
    row = cities.index.row
    assert st.name_key_[row(12)] == st.name_key_[row(14)]  # Toledo (ES) and Toledo (US)
    assert st.name_key_[row(8)] == st.name_key_[row(16)]  # Paris and Paris (TX)
    assert st.name_key_[row(12)] != st.name_key_[row(13)]
    assert st.namesakes_abroad_[row(12)] == 1 and st.namesakes_abroad_[row(18)] == 0  # the two Springfields: US
    # "Villageton" and "Tinyville" start differently; short names only match themselves.
    assert st.prefix_key_[row(20)] != st.prefix_key_[row(22)]
    assert len(set(st.prefix_key_[[row(4), row(9)]])) == 2  # Kiel, Caen: under five letters


def test_profile_state_comes_from_the_facts_alone(cities, graph):
    store = ProfileStore.empty(cities)
    a = FeatureContext(cities, graph, store)
    b = a.with_graph(PartnershipGraph(len(cities)))
    assert ProfileFeatures().state(a) is ProfileFeatures().state(b)


def test_features_are_the_same_whether_state_is_shared_or_not(cities, graph):
    fs = default_feature_set()
    fresh = FeatureContext(cities, graph)
    empty = FeatureContext(cities, PartnershipGraph(len(cities)))
    default_feature_set().compute(QueryBatch(empty, [0]), np.zeros(3, dtype=np.int64), np.arange(3))
    shared = empty.with_graph(graph)
    n = len(cities)
    for q in range(n):  # the shared context first fitted its graph-independent state on an empty graph
        xa = fs.compute(QueryBatch(fresh, [q]), np.zeros(n, dtype=np.int64), np.arange(n))
        xb = fs.compute(QueryBatch(shared, [q]), np.zeros(n, dtype=np.int64), np.arange(n))
        np.testing.assert_array_equal(xa, xb)


@pytest.mark.parametrize("seed", range(4))
def test_one_row_product_equals_the_sparse_product(seed):
    rng = np.random.default_rng(seed)
    right = sp.random(40, 30, density=0.15, random_state=seed, format="csr")
    right.data = np.round(right.data * 4) - 1  # integers, some -1 and some explicit zeros
    for density in (0.0, 0.05, 0.3):
        left = sp.random(1, 40, density=density, random_state=rng.integers(1 << 30), format="csr")
        left.data[::3] = 0.0  # an explicit zero weight (a query's own row among its neighbours)
        got, want = product(left, right), (left @ right).tocsr()
        want.eliminate_zeros()
        assert got.shape == want.shape == (1, 30) and got.nnz == want.nnz
        np.testing.assert_allclose(got.toarray(), want.toarray(), atol=1e-12)
        np.testing.assert_allclose(product(left, right, dense=True), want.toarray(), atol=1e-12)
        weights = rng.normal(size=40)
        np.testing.assert_allclose(scale_columns(left, weights).toarray(), left.toarray() * weights)
        rows = np.array([int(rng.integers(40))])
        np.testing.assert_array_equal(rows_of(right, rows).toarray(), right[rows].toarray())
    many = sp.random(3, 40, density=0.2, random_state=seed, format="csr")  # more rows: the sparse product
    np.testing.assert_allclose(product(many, right).toarray(), (many @ right).toarray())
    np.testing.assert_allclose(product(many, right, dense=True), (many @ right).toarray())
    np.testing.assert_allclose(scale_columns(many, np.arange(40.0)).toarray(), many.toarray() * np.arange(40.0))


@pytest.mark.parametrize("seed", range(3))
def test_sparse_times_dense_reads_either_memory_order_to_the_same_bits(seed):
    rng = np.random.default_rng(seed)
    dense = rng.normal(size=(50, 3))
    for rows, density in ((1, 0.0), (1, 0.1), (7, 0.2)):
        matrix = sp.random(rows, 50, density=density, random_state=seed, format="csr")
        want = matrix @ dense
        for layout in (np.ascontiguousarray(dense), np.asfortranarray(dense)):
            got = times_dense(matrix, layout)
            assert got.shape == (rows, 3)
            np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(times_dense(matrix.tocsc(), dense), want)  # any sparse format
