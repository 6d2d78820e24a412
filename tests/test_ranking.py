"""Tests of candidate filters (`CandidateFilter`), `top_k` and `check_k` on the synthetic world."""

import numpy as np
import pytest

from sistermatch.errors import InvalidInput
from sistermatch.ranking import MAX_K, CandidateFilter, check_k, top_k


def ids(cities, mask):
    return set(cities.geonameid[mask].tolist())


ALL = set(range(1, 24))
GB = {1, 2, 3}
US = {14, 15, 16, 17, 18, 19, 23}


def row(cities, gid):
    return cities.index.row(gid)


# -- make ------------------------------------------------------------------------------


def test_default_filter():
    f = CandidateFilter.make()
    assert f == CandidateFilter()
    assert not f.include_domestic and f.countries == () and f.min_population is None


def test_make_accepts_strings_and_lists():
    f = CandidateFilter.make(countries="fr, de,", exclude_countries=["us", " "], continents="eu")
    assert f.countries == ("FR", "DE")
    assert f.exclude_countries == ("US",)
    assert f.continents == ("EU",)


def test_make_converts_numbers():
    f = CandidateFilter.make(min_population="1000", max_population=5e5, max_distance_km=300)
    assert f.min_population == 1000.0 and f.max_population == 500000.0 and f.max_distance_km == 300.0


@pytest.mark.parametrize("key", ["min_population", "max_population", "max_distance_km"])
@pytest.mark.parametrize("value", ["many", [1], "nan", float("inf"), -1])
def test_make_rejects_bad_numbers_naming_them(key, value):
    with pytest.raises(InvalidInput) as err:
        CandidateFilter.make(**{key: value})
    assert key in str(err.value)


def test_make_rejects_min_above_max():
    with pytest.raises(InvalidInput, match="min_population"):
        CandidateFilter.make(min_population=1000, max_population=10)


def test_make_ignores_nothing_it_should_keep_and_is_frozen():
    f = CandidateFilter.make(include_domestic=1)
    assert f.include_domestic is True
    with pytest.raises(AttributeError):
        f.include_domestic = False


# -- mask ------------------------------------------------------------------------------


def test_domestic_and_self_excluded_by_default(cities):
    m = CandidateFilter().mask(cities, row(cities, 1))
    assert ids(cities, m) == ALL - GB


def test_include_domestic_still_excludes_the_query(cities):
    m = CandidateFilter(include_domestic=True).mask(cities, row(cities, 1))
    assert ids(cities, m) == ALL - {1}


def test_partners_are_excluded(cities, graph):
    q = row(cities, 8)  # Paris FR: partners Berlin, London, Madrid, Toledo ES, Washington
    m = CandidateFilter().mask(cities, q, graph.partners(q))
    assert ids(cities, m) == ALL - {8, 9, 20, 21} - {5, 2, 13, 12, 23}


def test_countries_include_and_exclude(cities):
    q = row(cities, 1)
    assert ids(cities, CandidateFilter.make(countries="FR,PL").mask(cities, q)) == {8, 9, 20, 21, 10, 11}
    assert ids(cities, CandidateFilter.make(countries=["France"]).mask(cities, q)) == {8, 9, 20, 21}
    assert ids(cities, CandidateFilter.make(exclude_countries="US,DE").mask(cities, q)) == ALL - GB - US - {
        4,
        5,
        6,
        7,
        22,
    }


def test_own_country_only_with_include_domestic(cities):
    q = row(cities, 1)
    assert ids(cities, CandidateFilter.make(countries="GB").mask(cities, q)) == set()
    assert ids(cities, CandidateFilter.make(countries="GB", include_domestic=True).mask(cities, q)) == {2, 3}


def test_continents_include_and_exclude(cities):
    q = row(cities, 1)
    assert ids(cities, CandidateFilter.make(continents="NA").mask(cities, q)) == US
    assert ids(cities, CandidateFilter.make(exclude_continents="NA").mask(cities, q)) == ALL - GB - US
    # Only continents present in the pool are known (the synthetic world has EU and NA).
    with pytest.raises(InvalidInput, match="AS"):
        CandidateFilter.make(continents="AS").mask(cities, q)


def test_unknown_country(cities):
    with pytest.raises(InvalidInput, match="XX"):
        CandidateFilter.make(countries="XX").mask(cities, 0)
    with pytest.raises(InvalidInput, match="Atlantis|ATLANTIS"):
        CandidateFilter.make(exclude_countries="Atlantis").mask(cities, 0)


def test_unknown_continent(cities):
    with pytest.raises(InvalidInput, match="unknown continent 'XY'") as err:
        CandidateFilter.make(continents="XY").mask(cities, 0)
    assert "EU" in str(err.value) and "NA" in str(err.value)
    with pytest.raises(InvalidInput, match="ZZ"):
        CandidateFilter.make(exclude_continents="zz").mask(cities, 0)


def test_population_bounds(cities):
    q = row(cities, 1)
    m = CandidateFilter.make(min_population=1e6).mask(cities, q)
    assert ids(cities, m) == {5, 7, 8, 10, 13, 15}
    m = CandidateFilter.make(max_population=1000).mask(cities, q)
    assert ids(cities, m) == {20, 21, 22}
    m = CandidateFilter.make(min_population=85000, max_population=115000).mask(cities, q)
    assert ids(cities, m) == {9, 12, 18}  # bounds are inclusive


def test_distance_bound(cities):
    q = row(cities, 1)  # Coventry
    m = CandidateFilter.make(max_distance_km=500).mask(cities, q)
    assert ids(cities, m) == {8, 9, 20}  # Caen 368, Tinyville 405, Paris 479 km; Köln is 606 km away
    assert (cities.distance_km(q)[m] <= 500).all()
    assert ids(cities, CandidateFilter.make(max_distance_km=0).mask(cities, q)) == set()


def test_filters_combine(cities, graph):
    q = row(cities, 1)
    f = CandidateFilter.make(continents="EU", exclude_countries="PL", min_population=100000, max_distance_km=1400)
    # Madrid is 1,344 km from Coventry, Toledo ES 1,409 km and too small, Kraków in Poland.
    assert ids(cities, f.mask(cities, q)) == {4, 5, 6, 7, 8, 9, 13}


# -- top_k and check_k -----------------------------------------------------------------


def test_top_k_order():
    scores = np.array([0.1, 0.9, 0.5, 0.7, -1.0])
    assert top_k(scores, 3, np.zeros(5)).tolist() == [1, 3, 2]
    assert top_k(scores, 5, np.zeros(5)).tolist() == [1, 3, 2, 0, 4]


def test_top_k_more_than_available():
    assert top_k(np.array([1.0, 2.0]), 10, np.zeros(2)).tolist() == [1, 0]
    assert top_k(np.array([]), 3, np.array([])).tolist() == []


def test_top_k_breaks_ties_by_tiebreak():
    scores = np.array([1.0, 2.0, 2.0, 2.0, 0.0])
    pop = np.array([10.0, 5.0, 50.0, 20.0, 99.0])
    assert top_k(scores, 3, pop).tolist() == [2, 3, 1]
    assert top_k(scores, 2, pop).tolist() == [2, 3]


def test_top_k_tie_at_the_cut_keeps_the_better_tiebreak():
    # The best k of tied scores are the k with the highest tiebreak, whatever k is:
    # a shorter list is always the start of a longer one.
    scores = np.ones(100)
    pop = np.arange(100.0)
    assert top_k(scores, 3, pop).tolist() == [99, 98, 97]


@pytest.mark.parametrize("k, expected", [(1, 1), ("7", 7), (MAX_K, MAX_K), (3.0, 3)])
def test_check_k_accepts(k, expected):
    assert check_k(k) == expected


@pytest.mark.parametrize(
    "k, message",
    [
        (0, "at least 1"),
        (-3, "at least 1"),
        (MAX_K + 1, f"at most {MAX_K}"),
        ("ten", "whole number"),
        (None, "whole number"),
    ],
)
def test_check_k_rejects(k, message):
    with pytest.raises(InvalidInput, match=message) as err:
        check_k(k)
    assert str(k) in str(err.value)


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
