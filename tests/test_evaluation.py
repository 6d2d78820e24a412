"""Tests of `split_partnerships` and `evaluate` on the synthetic world."""

import numpy as np
import pytest

from conftest import make_cities
from sistermatch import Matcher
from sistermatch.evaluation import HITS_AT, evaluate, split_partnerships
from sistermatch.models import LogisticRanker

KEYS = {"queries", "pairs", "hits@10", "hits@50", "hits@100", "hits@300", "mrr", "median_rank"}


def pairs_set(edges):
    return {tuple(sorted(map(int, e))) for e in edges}


def test_split_is_seeded(cities, graph):
    a_train, a_test = split_partnerships(graph, cities, test_share=0.3, cold_share=0.2, seed=3)
    b_train, b_test = split_partnerships(graph, cities, test_share=0.3, cold_share=0.2, seed=3)
    assert np.array_equal(a_train.edges, b_train.edges) and np.array_equal(a_test, b_test)
    others = [split_partnerships(graph, cities, test_share=0.3, cold_share=0.2, seed=s)[1] for s in range(4, 9)]
    assert any(pairs_set(o) != pairs_set(a_test) for o in others)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_split_partitions_the_pairs(cities, graph, seed):
    train, test = split_partnerships(graph, cities, test_share=0.3, cold_share=0.2, seed=seed)
    held = pairs_set(test)
    assert pairs_set(train.edges) | held == pairs_set(graph.edges)
    assert not pairs_set(train.edges) & held
    assert train.n_cities == graph.n_cities


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cold_towns_have_no_training_partners(cities, graph, seed):
    train, test = split_partnerships(graph, cities, test_share=0.0, cold_share=0.25, seed=seed)
    towns = np.unique(graph.edges)
    # With no warm test share every test pair is asked from a cold town.
    cold = np.unique(test[:, 0])
    assert len(cold) == round(0.25 * len(towns))
    assert (train.degree[cold] == 0).all()
    # Each cold town's targets are exactly its partners in the full graph.
    for q in cold:
        assert sorted(test[test[:, 0] == q, 1].tolist()) == sorted(graph.partners(q).tolist())


def test_warm_test_pairs_go_both_ways(cities, graph):
    train, test = split_partnerships(graph, cities, test_share=0.5, cold_share=0.0, seed=0)
    assert len(test) > 0 and len(test) % 2 == 0
    directed = {tuple(map(int, p)) for p in test}
    assert all((b, a) in directed for a, b in directed)


def test_no_split_keeps_everything(cities, graph):
    train, test = split_partnerships(graph, cities, test_share=0.0, cold_share=0.0)
    assert len(test) == 0 and len(train) == len(graph)


@pytest.fixture(scope="module")
def fitted(graph):
    return Matcher(cities=make_cities(), model=LogisticRanker()).fit(graph)


def test_evaluate_ranks_an_easy_target_first(cities, fitted):
    # Coventry (no partners) and Caen (partner of its neighbour Leamington).
    row = cities.index.row
    out = evaluate(fitted, np.array([[row(1), row(9)]]))
    assert out["cold"] == {
        "queries": 1,
        "pairs": 1,
        "hits@10": 1.0,
        "hits@50": 1.0,
        "hits@100": 1.0,
        "hits@300": 1.0,
        "mrr": 1.0,
        "median_rank": 1.0,
    }
    # Caen has partners in the training graph: the pair counts among the twinned targets.
    assert out["target_twinned"]["pairs"] == 1 and out["target_untwinned"]["pairs"] == 0
    assert out["warm"] == {
        "queries": 0,
        "pairs": 0,
        "hits@10": None,
        "hits@50": None,
        "hits@100": None,
        "hits@300": None,
        "mrr": None,
        "median_rank": None,
    }
    assert out["all"]["median_rank"] == 1.0


def test_evaluate_on_a_split_ranks_each_target_where_recommend_puts_it(cities, graph):
    train, test = split_partnerships(graph, cities, test_share=0.3, cold_share=0.2, seed=0)
    matcher = Matcher(cities=make_cities(), model=LogisticRanker()).fit(train)
    out = evaluate(matcher, test)
    assert set(out) == {"warm", "cold", "all", "target_twinned", "target_untwinned"}
    assert out["target_twinned"]["pairs"] + out["target_untwinned"]["pairs"] == out["all"]["pairs"]
    for group in ("warm", "cold", "all"):
        assert set(out[group]) == KEYS
    assert out["all"]["pairs"] == out["warm"]["pairs"] + out["cold"]["pairs"]
    assert out["all"]["queries"] == out["warm"]["queries"] + out["cold"]["queries"]
    # Only pairs between countries are asked by default.
    abroad = cities.country[test[:, 0]] != cities.country[test[:, 1]]
    assert out["all"]["pairs"] == int(abroad.sum())
    # A target's rank is its place in the query town's full list of recommendations.
    ranks = {"warm": [], "cold": []}
    for q, t in test[abroad]:
        listed = [r.city.geonameid for r in matcher.recommend(int(cities.geonameid[q]), k=len(cities))]
        ranks["cold" if train.degree[q] == 0 else "warm"].append(listed.index(int(cities.geonameid[t])) + 1)
    ranks["all"] = ranks["warm"] + ranks["cold"]
    for group, r in ranks.items():
        r = np.array(r, dtype=float)
        assert out[group]["pairs"] == len(r)
        assert out[group]["mrr"] == pytest.approx(np.mean(1 / r), abs=1e-4)
        assert out[group]["median_rank"] == np.median(r)
        assert [out[group][f"hits@{k}"] for k in HITS_AT] == pytest.approx([np.mean(r <= k) for k in HITS_AT], abs=1e-4)
    # The order of the pairs in the test set does not matter.
    assert evaluate(matcher, test[::-1]) == out


def test_evaluate_max_queries_samples_per_group(cities, graph):
    train, test = split_partnerships(graph, cities, test_share=0.3, cold_share=0.3, seed=1)
    matcher = Matcher(cities=make_cities(), model=LogisticRanker()).fit(train)
    full = evaluate(matcher, test)
    assert full["warm"]["queries"] == full["cold"]["queries"] == 4
    out = evaluate(matcher, test, max_queries=1, seed=0)
    assert out["warm"]["queries"] == out["cold"]["queries"] == 1
    # The sample follows the seed: the same seed draws the same towns, another seed others.
    assert evaluate(matcher, test, max_queries=1, seed=0) == out
    assert any(evaluate(matcher, test, max_queries=1, seed=s) != out for s in (1, 2, 3))


def test_evaluate_include_domestic_counts_domestic_pairs(cities, fitted):
    row = cities.index.row
    pairs = np.array([[row(1), row(2)], [row(1), row(9)]])  # Coventry-London is domestic
    assert evaluate(fitted, pairs)["all"]["pairs"] == 1
    assert evaluate(fitted, pairs, include_domestic=True)["all"]["pairs"] == 2


def test_held_out_pairs_that_are_training_pairs_are_skipped(cities, graph, fitted):
    # Passing the training file as the test file must not crash: those pairs are no test.
    out = evaluate(fitted, np.concatenate([graph.edges, graph.edges[:, ::-1]]))
    assert out["all"]["pairs"] == 0
