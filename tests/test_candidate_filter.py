"""One candidate rule (CandidateFilter) for ranking, evaluation and training's negatives."""

import numpy as np

from sistermatch.ranking import CandidateFilter


def test_pairs_pass_the_rule_exactly_when_the_per_query_mask_says_so(cities, graph):
    rng = np.random.default_rng(0)
    n = len(cities)
    flt = CandidateFilter(min_population=1000, exclude_countries=("ES",), max_distance_km=8000)
    q = rng.integers(n, size=2000)
    c = rng.integers(n, size=2000)
    is_partner = np.asarray(graph.adjacency[q, c]).ravel() != 0
    pairs = flt.mask(cities, q, cand=c, is_partner=is_partner)
    per_query = np.array([flt.mask(cities, a, graph.partners(a))[b] for a, b in zip(q, c)])
    np.testing.assert_array_equal(pairs, per_query)
    assert pairs.any() and not pairs.all()


def test_the_default_rule_is_abroad_not_itself_not_a_partner(cities, graph):
    row = cities.index.row
    q = row(3)  # Leamington, twinned with Caen
    m = CandidateFilter().mask(cities, q, graph.partners(q))
    assert not m[q] and not m[row(9)] and not m[row(1)]  # itself, its partner, Coventry (GB)
    assert m[row(8)]  # Paris
