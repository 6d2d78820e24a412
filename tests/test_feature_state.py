"""Blocks own their precomputation: ``fit(context)`` state, kept per context."""

import numpy as np

from sistermatch.features import (
    CountryFeatures,
    FeatureContext,
    GraphFeatures,
    NameFeatures,
    ProfileFeatures,
    QueryBatch,
    default_feature_set,
)
from sistermatch.partnerships import PartnershipGraph
from sistermatch.profiles import ProfileStore


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
