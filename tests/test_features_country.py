"""Tests of `CountryFeatures` (features/country.py): shared language, neighbours, and the partnerships
between two countries and regions."""

import numpy as np
import pytest

from conftest import val
from sistermatch.features import CountryFeatures


def test_country_pair_counts(cities, ctx):
    ci = cities.countries.index_of
    pairs = CountryFeatures().fit(ctx).country_pairs_
    assert pairs[ci("GB"), ci("FR")] == 2  # Leamington-Caen, London-Paris
    assert pairs[ci("DE"), ci("PL")] == 5  # Dresden-Kraków, Berlin-Warsaw, Köln-Warsaw, Köln-Kraków, Kiel-Warsaw
    assert np.array_equal(pairs, pairs.T)
    assert pairs[ci("GB"), ci("GB")] == 0
    assert pairs[ci("DE"), ci("DE")] == 2  # Dresden-Kiel counted from both ends


def test_country_features(ctx):
    f = CountryFeatures()
    assert val(ctx, f, 1, 14, "same_language") == 1.0  # GB and US share English
    assert val(ctx, f, 1, 9, "same_language") == 0.0
    assert val(ctx, f, 5, 8, "neighbour_countries") == 1.0  # DE and FR
    assert val(ctx, f, 1, 8, "neighbour_countries") == 0.0
    assert val(ctx, f, 1, 9, "country_pair_log") == pytest.approx(np.log1p(2))
    assert val(ctx, f, 1, 11, "country_pair_log") == 0.0  # no GB-PL partnership
    # GB has 4 partnerships abroad, 2 of them to France: share 2 / (4 + 10).
    assert val(ctx, f, 1, 9, "country_pair_share") == pytest.approx(2 / 14, abs=1e-6)
    # Coventry's region (ENG) twins with Berlin's region once, via London.
    assert val(ctx, f, 1, 5, "region_pair") == pytest.approx(np.log1p(1))
    assert val(ctx, f, 1, 6, "region_pair") == 0.0
    assert val(ctx, f, 1, 9, "region_to_country") == pytest.approx(np.log1p(2))
