"""Real-data checks on the shared partnerships file and the full GeoNames pool."""

import os
import re
from pathlib import Path

import numpy as np
import pytest

from conftest import REAL_LEARNED, SHARED_PARTNERSHIPS, fit_real_learned, real_split
from sistermatch import Matcher
from sistermatch.evaluation import evaluate
from sistermatch.models import HandWeightedRanker

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not os.path.exists(SHARED_PARTNERSHIPS), reason="needs ../shared/data/partnerships.csv"),
]


@pytest.fixture(scope="module")
def cities(real_cities):
    return real_cities


@pytest.fixture(scope="module")
def split(cities):
    return real_split(cities)


def test_pool_is_every_geonames_city(cities):
    assert len(cities) == 234_908
    assert cities.city(cities.index.row(2652221)).name == "Coventry"


@pytest.fixture(scope="module")
def learned(cities, split):
    """The smaller default (:func:`conftest.fit_real_learned`) as the background builder
    saved it (so loading a saved engine is checked on the real pool too), or fitted here."""
    saved = Path(os.environ["SISTERMATCH_CACHE_DIR"]) / REAL_LEARNED
    if saved.exists():
        return Matcher.load(saved, cities=cities)
    return fit_real_learned(cities, split[0])


def test_learned_model_beats_population_baseline_on_held_out_pairs(cities, split, learned):
    train, test = split
    baseline = Matcher(cities=cities, model=HandWeightedRanker({"size.log_population": 1.0})).fit(train)
    r_learned = evaluate(learned, test, max_queries=30, seed=1)
    r_base = evaluate(baseline, test, max_queries=30, seed=1)
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


@pytest.fixture(scope="module")
def sample(cities, learned):
    rng = np.random.default_rng(3)
    rows = rng.choice(np.flatnonzero(cities.population >= 20_000), 40, replace=False)
    return [learned.recommend(int(cities.geonameid[r]), k=10) for r in rows]


def test_fast_path_equals_reference_on_real_towns(cities, learned, sample):
    learned._reference = True
    try:
        for fast in sample[:6]:
            ref = learned.recommend(fast.query.geonameid, k=10)
            assert [r.city.geonameid for r in fast] == [r.city.geonameid for r in ref]
            np.testing.assert_allclose([r.score for r in fast], [r.score for r in ref], rtol=1e-6, atol=1e-6)
            for a, b in zip(fast, ref):
                np.testing.assert_allclose(
                    [v for _, v in a.contributions], [v for _, v in b.contributions], rtol=1e-6, atol=1e-6
                )
    finally:
        learned._reference = False


POPULATION = re.compile(r"(\d+(?:\.\d+)?)([kM]?) vs (\d+(?:\.\d+)?)([kM]?)")


def _people(number, unit):
    return float(number) * {"": 1, "k": 1e3, "M": 1e6}[unit]


def test_reason_texts_are_true(sample):
    """Rules every rendered reason obeys, over 400 real recommendations."""
    texts = [reason.text for recs in sample for r in recs for reason in r.reasons]
    assert len(texts) > 400
    for text in texts:
        if text.startswith("similar size"):
            a, ua, b, ub = POPULATION.search(text).groups()
            small, large = sorted((_people(a, ua), _people(b, ub)))
            # Rounding in the printed figures ("1.6M") leaves a little slack around the ratio 2.
            assert large <= 2.0 * small * 1.1, text
        m = re.match(r"(\d+) partners? in common \((.*)\)$", text)
        if m:
            n, names = int(m.group(1)), m.group(2)
            shown = len(re.findall(r"\([A-Z]{2}\)", names))
            more = re.search(r"and (\d+) more$", names)
            assert shown + (int(more.group(1)) if more else 0) == n, text
        for count, noun in re.findall(
            r"\b(\d[\d,]*) (partner towns?|partners?|known partnerships?|towns?|"
            r"partnerships?)\b",
            text,
        ):
            plural = noun.endswith("s")
            assert plural == (count != "1"), text
        assert "similar names" not in text
        # A rate is stated, never called "often" whatever it is.
        assert not re.search(r"often.*\(\d+%\)", text), text
