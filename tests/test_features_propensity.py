"""Twinning propensity on a tiny world whose rates can be counted by hand.

Great Britain: four villages in England (1,000 people; two twinned) and two cities of
200,000 (one twinned). Germany: two villages and two cities in Bavaria (one of each
twinned). The partnerships: two village-village pairs and one city-city pair, so towns
of one size twin with towns of the same size and never across.
"""

import numpy as np
import pytest

from conftest import make_table
from sistermatch.features import FeatureContext, PropensityFeatures, QueryBatch
from sistermatch.features.propensity import Propensity
from sistermatch.partnerships import PartnershipGraph

TOWNS = [
    # geonameid, name, country, admin1, population
    (1, "Vale", "GB", "ENG", 1_000),
    (2, "Wold", "GB", "ENG", 1_000),
    (3, "Holt", "GB", "ENG", 1_000),
    (4, "Moor", "GB", "ENG", 1_000),
    (5, "Castra", "GB", "ENG", 200_000),
    (6, "Burgh", "GB", "ENG", 200_000),
    (7, "Dorf", "DE", "BY", 1_000),
    (8, "Weiler", "DE", "BY", 1_000),
    (9, "Stadt", "DE", "BY", 200_000),
    (10, "Burg", "DE", "BY", 200_000),
]
PAIRS = [(1, 7), (2, 8), (5, 9)]  # Vale-Dorf, Wold-Weiler (villages), Castra-Stadt (cities)
S = Propensity.SMOOTHING


@pytest.fixture(scope="module")
def world():
    cities = make_table([(g, n, c, a, 50.0 + g / 10, g / 10, p) for g, n, c, a, p in TOWNS])
    graph = PartnershipGraph(len(cities), cities.index.rows_or_missing(np.array(PAIRS).ravel()).reshape(-1, 2))
    return cities, graph


def row(cities, geonameid):
    return int(cities.index.row(geonameid))


def columns(ctx, query, cands):
    block = PropensityFeatures()
    batch = QueryBatch(ctx, [row(ctx.cities, query)])
    cand = np.array([row(ctx.cities, c) for c in cands])
    parts = block.compute(batch, np.zeros(len(cand), dtype=np.int64), cand)  # one array (or scalar) a column
    cols = {name: np.broadcast_to(np.asarray(v, dtype=np.float64), len(cand)) for name, v in zip(block.columns, parts)}
    return cols, block, batch, cand


def test_rates_leave_the_candidate_out(world):
    cities, graph = world
    overall = 6 / 10  # six of the ten towns have a partner
    cols, *_ = columns(FeatureContext(cities, graph), 9, [1, 3])
    # England's villages: Vale is twinned, Holt is not; each is rated on the three others.
    vale, holt = cols["country_size_rate"]
    assert vale == pytest.approx((1 + S * overall) / (3 + S))  # Wold only
    assert holt == pytest.approx((2 + S * overall) / (3 + S))  # Vale and Wold
    assert holt > vale  # a town's own partner never raises its own rate
    # The region (England) holds all six British towns: three twinned.
    assert cols["region_rate"][0] == pytest.approx((2 + S * overall) / (5 + S))
    assert cols["region_rate"][1] == pytest.approx((3 + S * overall) / (5 + S))


def test_sizes_that_pair_up_score_above_sizes_that_never_do(world):
    cities, graph = world
    cols, *_ = columns(FeatureContext(cities, graph), 3, [8, 10])  # a village asks: a village, a city
    village, city = cols["size_class_affinity"]
    assert village > 0 > city


def test_rates_come_from_the_contexts_graph(world):
    cities, graph = world
    # Without the Castra-Stadt pair, no British city is twinned: Burgh's rate falls.
    fold = PartnershipGraph(len(cities), graph.edges[:2])
    full, *_ = columns(FeatureContext(cities, graph), 9, [6])
    part, *_ = columns(FeatureContext(cities, fold), 9, [6])
    assert part["country_size_rate"][0] < full["country_size_rate"][0]


def test_reasons_state_the_rate_and_the_kind_of_town(world):
    cities, graph = world
    cols, block, batch, cand = columns(FeatureContext(cities, graph), 9, [3, 10])
    text = block.describe("country_size_rate", batch, 0, cand[0], cols["country_size_rate"][0])
    # Holt: (2 twinned of the 3 other English villages + 20 × 0.6) / (3 + 20) = 14 / 23.
    assert text == "61% of villages under 3,000 people in United Kingdom have a partner town"
    # The query is a city: cities twin with cities here, never with villages.
    village, city = cols["size_class_affinity"]
    assert block.describe("size_class_affinity", batch, 0, cand[0], village) is None
    assert block.describe("size_class_affinity", batch, 1, cand[1], city) == "towns of these two sizes often twin"
    # Bavaria's largest town (Stadt and Burg tie at 200,000: one of them) is its centre; a village is not.
    assert cols["candidate_region_centre"][0] == 0.0
    assert block.describe("candidate_region_centre", batch, 0, cand[0], 0.0) is None
    centre = int(np.flatnonzero(cities.is_region_centre & (cities.region == cities.region[cand[1]]))[0])
    assert block.describe("candidate_region_centre", batch, 0, centre, 1.0) == (
        f"{cities.name[centre]} is the main town of its region"
    )
