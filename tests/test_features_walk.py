"""The random-walk block (features/walk.py)."""

import numpy as np

from conftest import check_by_parts_and_in_batches, make_countries
from sistermatch.cities import CityTable
from sistermatch.features import FeatureContext, QueryBatch, WalkFeatures
from sistermatch.partnerships import PartnershipGraph


def _columns(ctx, block, q):
    n = len(ctx.cities)
    return block.compute(QueryBatch(ctx, [q]), np.zeros(n, dtype=np.int64), np.arange(n))


def test_linear_stage_equals_the_columns_and_batches_equal_single_queries(cities, graph):
    for columns in check_by_parts_and_in_batches(FeatureContext(cities, graph), WalkFeatures(), np.array([0.7, -1.3])):
        assert (columns >= 0).all() and columns.any()


def _chain():
    """Towns 0 - 1 - 2 - 3 - 4 twinned in a chain, town 5 twinned with 6 only, and town 7
    without partners a few kilometres from town 0."""
    codes = ["DE", "FR", "PL", "ES"]
    rows = [
        dict(
            geonameid=100 + i,
            name=f"Town{i}",
            country=codes[i % 4],
            admin1="01",
            latitude=50.0 + (0.01 if i == 7 else 3.0 * i),
            longitude=5.0,
            population=50_000,
        )
        for i in range(8)
    ]
    cities = CityTable.from_records(rows, make_countries())
    return cities, PartnershipGraph(len(cities), np.array([(0, 1), (1, 2), (2, 3), (3, 4), (5, 6)]))


def test_walks_reach_past_shared_partners_and_fade_with_the_steps():
    cities, graph = _chain()
    ctx = FeatureContext(cities, graph)
    walk, _ = _columns(ctx, WalkFeatures(steps=4), 0)
    # Town 3 shares no partner with town 0 (three steps away), yet a walk reaches it;
    # nearer towns score higher, and no walk reaches another component.
    assert walk[1] > walk[2] > walk[3] > walk[4] > 0
    assert walk[5] == walk[6] == walk[7] == 0
    assert _columns(ctx, WalkFeatures(steps=2), 0)[0][3] == 0  # two steps stop at town 2


def test_a_town_without_partners_walks_from_its_twinned_neighbours():
    cities, graph = _chain()
    ctx = FeatureContext(cities, graph)
    walk, near = _columns(ctx, WalkFeatures(), 7)
    assert not walk.any()  # no partner: no walk of its own
    # Mostly from town 0, its nearest twinned town; town 5, 1,700 km off, weighs next to nothing.
    assert near[1] > near[3] > 0 and near[5] < 1e-6


def test_a_hidden_pair_never_feeds_its_own_walk():
    # On a fold's graph without the pair (0, 1), the walk from 0 reaches 1 only through
    # other paths: here none.
    cities, graph = _chain()
    fold = PartnershipGraph(len(cities), np.array([(1, 2), (2, 3), (3, 4), (5, 6)]))
    walk, _ = _columns(FeatureContext(cities, fold), WalkFeatures(), 0)
    assert not walk.any()
    assert _columns(FeatureContext(cities, graph), WalkFeatures(), 0)[0][1] > 0
