"""Real-data checks on the shared partnerships file and the full GeoNames pool."""

import os

import numpy as np
import pytest

from conftest import SHARED_PARTNERSHIPS
from sistermatch import Matcher, load_cities
from sistermatch.evaluation import evaluate, split_partnerships
from sistermatch.models import HandWeightedRanker
from sistermatch.partnerships import load_partnerships
from sistermatch.resolve import Resolver

pytestmark = [pytest.mark.realdata,
              pytest.mark.skipif(not os.path.exists(SHARED_PARTNERSHIPS), reason="needs ../shared/data/partnerships.csv")]


@pytest.fixture(scope="module")
def cities():
    return load_cities()


@pytest.fixture(scope="module")
def split(cities):
    graph, report = load_partnerships(SHARED_PARTNERSHIPS, cities, Resolver(cities))
    assert len(graph) > 15_000 and not report.skipped
    return split_partnerships(graph, cities, seed=0)


def test_pool_is_every_geonames_city(cities):
    assert len(cities) == 234_908
    assert cities.city(cities.index.row(2652221)).name == "Coventry"


def test_learned_model_beats_population_baseline_on_held_out_pairs(cities, split):
    train, test = split
    learned = Matcher(cities=cities).fit(train)
    baseline = Matcher(cities=cities, model=HandWeightedRanker({"size.log_population": 1.0})).fit(train)
    r_learned = evaluate(learned, test, max_queries=60, seed=1)
    r_base = evaluate(baseline, test, max_queries=60, seed=1)
    for group in ("warm", "cold"):
        assert r_learned[group]["pairs"] > 30
        assert r_learned[group]["hits@100"] > r_base[group]["hits@100"]
        assert r_learned[group]["median_rank"] < r_base[group]["median_rank"]
    # The reasons are built from the model's own contributions.
    rec = learned.recommend("Coventry", country="GB", k=10)
    assert len(rec) == 10 and all(r.city.country != "GB" for r in rec)
    assert all(r.reasons for r in rec)
    total = sum(v for _, v in rec[0].contributions) + learned.model_.base_score_
    assert np.isclose(total, rec[0].score, atol=1e-6)
