"""The low-rank graph embedding block (features/embedding.py)."""

import numpy as np

from conftest import check_by_parts_and_in_batches, make_countries
from sistermatch.cities import CityTable
from sistermatch.features import EmbeddingFeatures, FeatureContext, QueryBatch
from sistermatch.partnerships import PartnershipGraph


def _columns(ctx, block, q):
    n = len(ctx.cities)
    return block.compute(QueryBatch(ctx, [q]), np.zeros(n, dtype=np.int64), np.arange(n))


def test_linear_stage_equals_the_columns_and_batches_equal_single_queries(cities, graph):
    check_by_parts_and_in_batches(FeatureContext(cities, graph), EmbeddingFeatures(rank=4), np.array([0.7, -1.3]))


def _two_communities():
    """Two cliques of four towns in four countries, joined by nothing."""
    codes = ["DE", "FR", "PL", "ES"]
    rows = []
    for i in range(8):
        lat, lon = (50.0 + 0.5 * i, 5.0 + 0.5 * i) if i < 4 else (20.0 + 0.5 * i, -80.0 + 0.5 * i)
        rows.append(
            dict(
                geonameid=100 + i,
                name=f"Town{i}",
                country=codes[i % 4],
                admin1="01",
                latitude=lat,
                longitude=lon,
                population=50_000,
            )
        )
    cities = CityTable.from_records(rows, make_countries())
    edges = [(a, b) for block in (range(4), range(4, 8)) for a in block for b in block if a < b]
    edges.remove((0, 1))  # the pair to predict: same community, no shared partner missing
    return cities, PartnershipGraph(len(cities), np.array(edges))


def test_a_town_of_the_same_community_scores_above_one_of_another():
    cities, graph = _two_communities()
    ctx = FeatureContext(cities, graph)
    link, _ = _columns(ctx, EmbeddingFeatures(rank=2), 0)  # two communities: two dimensions
    assert link[1] > 0 and link[1] > link[5]


def test_a_town_without_partners_is_embedded_from_its_neighbours():
    cities, graph = _two_communities()
    keep = np.array([0 not in e for e in graph.edges])  # town 0 loses its partners: cold
    ctx = FeatureContext(cities, graph.subgraph(keep))
    link, near = _columns(ctx, EmbeddingFeatures(rank=4), 0)
    assert np.all(link == 0)  # no row of its own
    assert near[2] > near[6]  # its nearest twinned towns are in its old community


def test_too_small_a_graph_gives_zeros():
    cities, _ = _two_communities()
    ctx = FeatureContext(cities, PartnershipGraph(len(cities), np.array([(2, 3)])))
    link, near = _columns(ctx, EmbeddingFeatures(), 2)
    assert np.all(link == 0) and np.all(near == 0)


def test_blocks_of_another_rank_keep_their_own_state(cities, graph):
    ctx = FeatureContext(cities, graph)
    two, four = EmbeddingFeatures(rank=2).state(ctx), EmbeddingFeatures(rank=4).state(ctx)
    assert two.vectors_.shape[1] == 2 and four.vectors_.shape[1] == 4
    assert EmbeddingFeatures(rank=2).state(ctx) is two
