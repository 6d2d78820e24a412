"""Tests of `NameFeatures` (features/name.py): same and near names, and how rare a shared name is."""

import pytest

from conftest import make_countries, one_query, val
from sistermatch.cities import CityTable
from sistermatch.features import FeatureContext, NameFeatures
from sistermatch.partnerships import PartnershipGraph


def test_same_name_only_for_the_namesake(cities, ctx):
    row = cities.index.row
    same = one_query(ctx, NameFeatures(), row(12))["same_name"]
    namesakes = set(cities.geonameid[same == 1].tolist())
    assert namesakes == {12, 14}  # Toledo ES matches itself and Toledo US, nothing else
    assert val(ctx, NameFeatures(), 14, 12, "same_name") == 1.0
    assert val(ctx, NameFeatures(), 8, 16, "same_name") == 1.0  # Paris and Paris
    assert val(ctx, NameFeatures(), 1, 9, "same_name") == 0.0


def _name_world(names):
    recs = [
        dict(geonameid=i, name=n, country=c, admin1="", latitude=0.0, longitude=float(i), population=1000)
        for i, (n, c) in enumerate(names)
    ]
    table = CityTable.from_records(recs, make_countries())
    return FeatureContext(table, PartnershipGraph(len(table)))


def test_near_name_needs_close_spellings_not_a_shared_prefix():
    c = _name_world(
        [
            ("Berat", "FR"),
            ("Beratzhausen", "DE"),
            ("Berlin", "DE"),
            ("Bérat", "DE"),
            ("Ulm", "DE"),
            ("Ulmen", "FR"),
            ("Sankt Gallen", "FR"),
            ("Sankt Pölten", "DE"),
            ("Gniezno", "FR"),
            ("Gnieznow", "DE"),
        ]
    )
    out = one_query(c, NameFeatures(), 0)
    assert out["same_name"].tolist() == [1, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    # Beratzhausen shares Berat's first five letters but is not a near name.
    assert out["near_name"].tolist() == [0] * 10
    # A shared "Sankt" (folded "saint") is not enough either.
    assert one_query(c, NameFeatures(), 6)["near_name"].tolist() == [0] * 10
    # One letter apart is.
    assert one_query(c, NameFeatures(), 8)["near_name"].tolist() == [0] * 9 + [1]


def test_same_name_rarity_spreads_over_namesakes_abroad():
    c = _name_world(
        [
            ("Toledo", "ES"),
            ("Toledo", "US"),
            ("Paris", "FR"),
            ("Paris", "US"),
            ("Paris", "DE"),
            ("Paris", "GB"),
            ("Paris", "FR"),
        ]
    )
    toledo = one_query(c, NameFeatures(), 0)["same_name_rarity"]
    assert toledo.tolist()[:2] == [1.0, 1.0]  # one Toledo abroad: the full weight
    paris = one_query(c, NameFeatures(), 2)["same_name_rarity"]
    # Three Parises abroad (the other French one is domestic): a third each.
    assert paris[3:6] == pytest.approx([1 / 3] * 3)
    assert paris[0] == 0 and paris[1] == 0
