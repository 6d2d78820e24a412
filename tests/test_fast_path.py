"""The fast ranking path gives exactly the reference path's rankings and contributions.

The fast path scores every city with the linear stage by parts (each feature block's
``add_linear``) and builds feature rows only for the candidates the second stage
re-ranks; the reference path builds every candidate's row and calls the model.
"""

import numpy as np
import pytest

from conftest import make_cities
from sistermatch import Matcher
from sistermatch.features import FeatureContext, QueryBatch, default_feature_set
from sistermatch.features import base as base_module
from sistermatch.features.base import LinearScore
from sistermatch.features.profile import MODES
from sistermatch.kernels import LazyKernel
from sistermatch.models import (
    BoostedRanker,
    LambdaRanker,
    LogisticRanker,
    SegmentedRanker,
    ShortlistRanker,
    TwoStageRanker,
)


@pytest.fixture(params=["numpy", "compiled"])
def summing(request, monkeypatch):
    """Sum the linear score's dense terms one numpy pass per term, or in the compiled pass."""
    pays_after = 0 if request.param == "compiled" else np.iinfo(np.int64).max
    monkeypatch.setattr(base_module, "TOTAL_KERNEL", LazyKernel(base_module._compile_total, pays_after))
    return request.param


@pytest.mark.parametrize("mode", MODES)
def test_each_block_adds_exactly_its_weighted_columns(cities, graph, profile_store, mode, summing):
    ctx = FeatureContext(cities, graph, profile_store)
    fs = default_feature_set(industry_mode=mode, history_mode=mode)
    rng = np.random.default_rng(0)
    n = len(cities)
    for row in range(n):
        batch = QueryBatch(ctx, [row])
        for block in fs.blocks:
            w = rng.normal(size=len(block.columns))
            cols = block.compute(batch, np.zeros(n, dtype=np.int64), np.arange(n))
            want = sum(wj * np.broadcast_to(np.asarray(col, dtype=np.float64), (n,)) for wj, col in zip(w, cols))
            got = default_feature_set(industry_mode=mode, history_mode=mode).linear_score(
                batch,
                np.r_[
                    [0.0] * fs.columns.index(f"{block.name}.{block.columns[0]}"),
                    w,
                    [0.0] * (len(fs.columns) - fs.columns.index(f"{block.name}.{block.columns[0]}") - len(w)),
                ],
            )
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9, err_msg=f"{block.name} for row {row}")
    assert base_module.TOTAL_KERNEL.loaded == (summing == "compiled")


def test_one_feature_set_scores_every_query_by_parts(cities, graph, profile_store, summing):
    # The candidate-only part is summed once per context and weights, then reused.
    ctx = FeatureContext(cities, graph, profile_store)
    fs = default_feature_set()
    w = np.random.default_rng(1).normal(size=len(fs.columns))
    n = len(cities)
    for row in range(n):
        batch = QueryBatch(ctx, [row])
        X = fs.compute(batch, np.zeros(n, dtype=np.int64), np.arange(n)).astype(np.float64)
        np.testing.assert_allclose(fs.linear_score(batch, w), X @ w, rtol=1e-6, atol=1e-6, err_msg=f"row {row}")
        rows = np.array([n - 1, 0, n // 2])  # some cities, in any order, and an offset
        np.testing.assert_allclose(fs.linear_score(batch, w, rows, 2.5), X[rows] @ w + 2.5, rtol=1e-6, atol=1e-6)
    assert len(ctx.derived("linear_static", dict)) == 1
    for seed in range(10):  # other weights: a few sums are kept, not one per call
        fs.linear_score(QueryBatch(ctx, [0]), np.random.default_rng(seed).normal(size=len(fs.columns)))
    assert len(ctx.derived("linear_static", dict)) == fs.STATIC_KEPT
    assert base_module.TOTAL_KERNEL.loaded == (summing == "compiled")


MODELS = {
    "shortlist": lambda: ShortlistRanker(
        second=LambdaRanker(n_estimators=20, min_child_samples=3), shortlist=6, priors={"name.same_name_rarity": 2.0}
    ),
    "two_stage": lambda: TwoStageRanker(second=BoostedRanker(max_iter=20, min_samples_leaf=3), shortlist=6),
    "logistic": lambda: LogisticRanker(),
    # The first stage's weights depend on the query (warm or cold): still by parts.
    "segmented": lambda: ShortlistRanker(
        first=SegmentedRanker(), second=LambdaRanker(n_estimators=20, min_child_samples=3), shortlist=6
    ),
}


@pytest.mark.parametrize("model", sorted(MODELS))
def test_recommend_fast_equals_reference(graph, model):
    m = Matcher(cities=make_cities(), model=MODELS[model](), mining_queries=50).fit(graph)
    for query in ("Coventry", "Köln", "Chicago", "Tinyville", "Toledo, ES"):
        for kw in ({}, {"include_domestic": True}, {"countries": "US,FR"}):
            fast = m.recommend(query, k=8, **kw)
            m._reference = True
            ref = m.recommend(query, k=8, **kw)
            m._reference = False
            assert [r.city.geonameid for r in fast] == [r.city.geonameid for r in ref]
            np.testing.assert_allclose([r.score for r in fast], [r.score for r in ref], rtol=1e-6, atol=1e-6)
            for a, b in zip(fast, ref):
                np.testing.assert_allclose(
                    [v for _, v in a.contributions], [v for _, v in b.contributions], rtol=1e-6, atol=1e-6
                )
                assert a.reasons_text == b.reasons_text


def _random_score(cities, graph, seed, constant):
    """A linear score with random per-city, per-country and per-region parts, and its generator."""
    rng = np.random.default_rng(seed)
    score = LinearScore(FeatureContext(cities, graph), rng.normal(size=len(cities)))
    score.country += rng.normal(size=len(score.country))
    score.region += rng.normal(size=len(score.region))
    score.constant = constant
    return score, rng


@pytest.mark.parametrize("terms", [1, 2, 6])
def test_a_score_sums_every_dense_term(cities, graph, summing, terms):
    # Up to the fused pass's slots, and beyond (one with weight 0: left out), the same sum.
    score, rng = _random_score(cities, graph, seed=0, constant=0.5)
    n = len(cities)
    want = score.city + score.country[cities.country] + score.region[cities.region] + 0.5
    for t in range(terms):
        values, table, keys = rng.normal(size=n), rng.normal(size=5), rng.integers(0, 5, n)
        score.add_gap(values, 0.3, t + 1.0)
        score.add_column(values, -t)
        score.add_lookup(table, keys, 2.0)
        want += (t + 1.0) * np.abs(values - 0.3) - t * values + 2.0 * table[keys]
    assert len(score._gaps) == terms and len(score._columns) == terms - 1
    np.testing.assert_allclose(score.total(), want, rtol=1e-12, atol=1e-12)
    rows = np.array([3, 0, n - 1])
    np.testing.assert_allclose(score.total(rows, 1.5), want[rows] + 1.5, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(score.total(rows, -0.5), want[rows] - 0.5, rtol=1e-12, atol=1e-12)
    assert base_module.TOTAL_KERNEL.loaded == (summing == "compiled")


@pytest.mark.parametrize("terms", [0, 1, 2, 3])
def test_compiled_and_numpy_sums_give_the_same_bits(cities, graph, monkeypatch, terms):
    # Fused (up to two gaps and columns, one lookup; empty slots padded) or one pass per term.
    score, rng = _random_score(cities, graph, seed=2, constant=0.25)
    n = len(cities)
    for _ in range(terms):
        score.add_gap(rng.normal(size=n), -0.7, 1.3)
        score.add_column(rng.normal(size=n), 0.9)
    if terms:
        score.add_lookup(rng.normal(size=4), rng.integers(0, 4, n), -1.1)
    got = {}
    for kind, pays_after in (("numpy", np.iinfo(np.int64).max), ("compiled", 0)):
        monkeypatch.setattr(base_module, "TOTAL_KERNEL", LazyKernel(base_module._compile_total, pays_after))
        got[kind] = (score.total(), score.total(np.array([2, 1]), 3.0))
    for a, b in zip(got["numpy"], got["compiled"]):
        assert np.array_equal(a, b)
