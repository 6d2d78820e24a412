"""Tests of `TwoSidedFeatures` (features/two_sided.py): the candidate's side of the pair decides the order
on a tiny world built for it."""

import numpy as np

from conftest import make_countries
from sistermatch import Matcher, PartnershipGraph
from sistermatch.cities import CityTable
from sistermatch.models import HandWeightedRanker


def test_the_candidate_twinning_with_the_querys_country_comes_first():
    # Q (GB) asks; Lyonville and Toursville (FR) are alike in all but their partners:
    # Lyonville twins with three British towns, Toursville with three Polish ones.
    names = [
        ("Q", "GB", 0.0),
        ("Lyonville", "FR", 4.0),
        ("Toursville", "FR", 4.0001),
        ("B1", "GB", 1.0),
        ("B2", "GB", 1.5),
        ("B3", "GB", 2.0),
        ("P1", "PL", 20.0),
        ("P2", "PL", 20.5),
        ("P3", "PL", 21.0),
    ]
    recs = [
        dict(geonameid=i + 1, name=n, country=c, admin1="", latitude=50.0, longitude=lon, population=100000)
        for i, (n, c, lon) in enumerate(names)
    ]
    cities = CityTable.from_records(recs, make_countries())
    graph = PartnershipGraph(len(cities), [(1, 3), (1, 4), (1, 5), (2, 6), (2, 7), (2, 8)])
    weights = {"two_sided.cand_partners_in_query_country": 1.0}
    m = Matcher(cities=cities, model=HandWeightedRanker(weights), aspects=("two_sided",)).fit(graph)
    top = m.recommend("Q", k=2, countries="FR")
    assert [r.city.name for r in top] == ["Lyonville", "Toursville"]
    assert top[0].reasons[0].text == "Lyonville twins with 3 towns in United Kingdom"
    assert np.isclose(top[0].score, np.log1p(3)) and top[1].score == 0
