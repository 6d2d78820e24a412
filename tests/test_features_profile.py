"""Tests of `ProfileFeatures` (features/profile.py): industry, history, country groups and diaspora."""

import pytest

from conftest import one_query, val
from sistermatch.features import FeatureContext, ProfileFeatures


def test_profile_features(cities, ctx):
    p = ProfileFeatures()
    assert val(ctx, p, 1, 7, "industry_overlap") > 0  # both automotive
    assert val(ctx, p, 1, 7, "industry_known") == 1.0
    assert val(ctx, p, 1, 9, "industry_known") == 0.0
    assert val(ctx, p, 1, 6, "history_overlap") > 0  # both ww2_bombed
    assert val(ctx, p, 1, 12, "history_overlap") == 0.0
    assert val(ctx, p, 5, 10, "historic_country_tie") > 0  # DE and PL in "hre"
    assert val(ctx, p, 1, 14, "alliance_tie") > 0  # GB and US in "nato"
    assert val(ctx, p, 1, 14, "historic_country_tie") == 0.0
    assert val(ctx, p, 1, 10, "diaspora_in_query") > 0  # Poles in the UK
    assert val(ctx, p, 1, 10, "diaspora_in_candidate") == 0.0
    assert val(ctx, p, 10, 1, "diaspora_in_candidate") > 0
    assert val(ctx, p, 15, 10, "diaspora_city") == 1.0  # Chicago's Polish community
    assert val(ctx, p, 10, 15, "diaspora_city") == 1.0  # seen from Warsaw too
    assert val(ctx, p, 15, 9, "diaspora_city") == 0.0


def test_profile_features_without_profiles_are_zero(cities, graph):
    c = FeatureContext(cities, graph, None)
    out = one_query(c, ProfileFeatures(), cities.index.row(1))
    assert all((v == 0).all() for v in out.values())


def test_profile_mode_is_checked(ctx):
    with pytest.raises(ValueError, match="sideways"):
        one_query(ctx, ProfileFeatures(industry_mode="sideways"), 0)
