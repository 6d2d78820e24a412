"""Tests of `GeographyFeatures` (features/geography.py): distance, continent, latitude, hemisphere."""

import numpy as np
import pytest

from conftest import one_query, val
from sistermatch.features import GeographyFeatures


def test_distance_for_two_known_points(ctx):
    # Paris to London is about 343 km.
    km = 10 ** val(ctx, GeographyFeatures(), 8, 2, "log_distance") - 1
    assert km == pytest.approx(343, abs=5)
    assert val(ctx, GeographyFeatures(), 8, 8, "log_distance") == pytest.approx(0.0, abs=1e-3)


def test_distance_matches_the_city_table(cities, ctx):
    row = cities.index.row(15)
    logd = one_query(ctx, GeographyFeatures(), row)["log_distance"]
    assert np.allclose(10 ** logd.astype(np.float64) - 1, cities.distance_km(row), rtol=1e-3, atol=1.0)


def test_continent_latitude_and_hemisphere(ctx):
    g = GeographyFeatures()
    assert val(ctx, g, 1, 9, "same_continent") == 1.0
    assert val(ctx, g, 1, 14, "same_continent") == 0.0
    assert val(ctx, g, 1, 14, "latitude_gap") == pytest.approx(abs(52.41 - 41.66) / 90, abs=1e-5)
    assert val(ctx, g, 1, 14, "same_hemisphere") == 1.0
