"""Tests of loading partnerships files into a `PartnershipGraph`, and of the graph itself."""

import os

import numpy as np
import pytest

from conftest import EDGES
from sistermatch.errors import InvalidInput
from sistermatch.partnerships import LoadReport, PartnershipGraph, load_partnerships
from sistermatch.resolve import Resolver


@pytest.fixture(scope="module")
def resolver(cities):
    return Resolver(cities)


def id_pairs(cities, graph):
    """The graph's edges as a set of sorted GeoNames id pairs."""
    return {tuple(sorted(cities.index.ids(e).tolist())) for e in graph.edges}


EXPECTED = {tuple(sorted(e)) for e in EDGES}


def write(tmp_path, lines):
    path = tmp_path / "p.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_with_id_columns(cities, resolver, partnerships_csv):
    graph, report = load_partnerships(partnerships_csv, cities, resolver)
    assert id_pairs(cities, graph) == EXPECTED
    assert isinstance(report, LoadReport)
    assert report.n_rows == len(EDGES) and report.n_pairs == len(EDGES)
    assert report.skipped == ()
    assert report.path == str(partnerships_csv)
    assert f"{len(EDGES)} partnerships" in report.summary()


def test_load_with_only_the_two_id_columns(cities, resolver, tmp_path):
    path = write(tmp_path, ["geonameid_a,geonameid_b", "1,8", "7,11"])
    graph, report = load_partnerships(path, cities, resolver)
    assert id_pairs(cities, graph) == {(1, 8), (7, 11)}


def test_load_with_name_columns(cities, resolver, tmp_path):
    path = write(
        tmp_path,
        [
            "city_a,country_a,city_b,country_b",
            "Coventry,GB,Caen,FR",
            "Cologne,DE,Krakow,PL",  # alternate name and unaccented spelling
            "Toledo,Spain,Toledo,US",  # same names told apart by country
            "St. Petersburg,US,Paris,FR",
        ],
    )
    graph, report = load_partnerships(path, cities, resolver)
    assert id_pairs(cities, graph) == {(1, 9), (7, 11), (12, 14), (8, 17)}
    assert report.skipped == () and report.n_pairs == 4


def test_duplicate_and_self_pairs_are_dropped(cities, resolver, tmp_path):
    path = write(tmp_path, ["geonameid_a,geonameid_b", "1,9", "9,1", "1,9", "5,5", "4,10"])
    graph, report = load_partnerships(path, cities, resolver)
    assert id_pairs(cities, graph) == {(1, 9), (4, 10)}
    assert report.n_rows == 5 and report.n_pairs == 2


def test_unresolvable_id_rows_are_reported_not_fatal(cities, resolver, tmp_path):
    path = write(tmp_path, ["geonameid_a,geonameid_b", "1,9", "1,999", "abc,9", "4,10", "2.5,9"])
    graph, report = load_partnerships(path, cities, resolver)
    assert id_pairs(cities, graph) == {(1, 9), (4, 10)}
    assert len(report.skipped) == 3
    joined = " | ".join(report.skipped)
    assert "line 3" in joined and "not among the cities" in joined
    assert "line 4" in joined and "line 6" in joined and "whole numbers" in joined
    assert "3 of 5 rows skipped" in report.summary()


def test_unresolvable_name_rows_are_reported_not_fatal(cities, resolver, tmp_path):
    path = write(
        tmp_path,
        [
            "city_a,country_a,city_b,country_b",
            "Coventry,GB,Caen,FR",
            "Atlantis,GB,Caen,FR",  # no such town
            "Springfield,US,Kiel,DE",  # ambiguous
            "Kiel,XX,Caen,FR",  # unknown country
            "Kiel,DE,Warsaw,PL",
        ],
    )
    graph, report = load_partnerships(path, cities, resolver)
    assert id_pairs(cities, graph) == {(1, 9), (4, 10)}
    assert len(report.skipped) == 3
    assert report.skipped[0].startswith("line 3") and "Atlantis" in report.skipped[0]
    assert report.skipped[1].startswith("line 4") and "ambiguous" in report.skipped[1]
    assert report.skipped[2].startswith("line 5") and "XX" in report.skipped[2]


def test_file_without_a_usable_row(cities, resolver, tmp_path):
    path = write(tmp_path, ["geonameid_a,geonameid_b", "998,999", "1,1"])
    with pytest.raises(InvalidInput, match="no usable partnership") as err:
        load_partnerships(path, cities, resolver)
    assert "not among the cities" in str(err.value)


def test_name_file_without_a_usable_row(cities, resolver, tmp_path):
    path = write(tmp_path, ["city_a,country_a,city_b,country_b", "Atlantis,GB,Mu,FR"])
    with pytest.raises(InvalidInput, match="no usable partnership"):
        load_partnerships(path, cities, resolver)


def test_wrong_columns(cities, resolver, tmp_path):
    path = write(tmp_path, ["town_a,town_b", "Kiel,Caen"])
    with pytest.raises(InvalidInput) as err:
        load_partnerships(path, cities, resolver)
    msg = str(err.value)
    assert "partnerships file" in msg and "geonameid_a" in msg and "city_a" in msg and "town_a,town_b" in msg


def test_missing_file(cities, resolver, tmp_path):
    with pytest.raises(InvalidInput, match="partnerships file not found"):
        load_partnerships(tmp_path / "missing.csv", cities, resolver)


# -- PartnershipGraph ------------------------------------------------------------------


def test_graph_degree_and_partners(cities, graph):
    row = cities.index.row
    assert len(graph) == len(EDGES)
    assert graph.degree[row(1)] == 0  # Coventry is cold
    assert graph.degree[row(9)] == 4  # Caen: Leamington, Kiel, Dresden, Kraków
    assert sorted(cities.index.ids(graph.partners(row(9))).tolist()) == [3, 4, 6, 11]
    assert sorted(cities.index.ids(graph.partners(row(8))).tolist()) == [2, 5, 12, 13, 23]
    assert len(graph.partners(row(1))) == 0


def test_graph_degree_matches_edges(cities, graph):
    counts = np.bincount(graph.edges.ravel(), minlength=len(cities))
    assert np.array_equal(graph.degree, counts)
    assert graph.adjacency.shape == (len(cities), len(cities))
    assert (graph.adjacency != graph.adjacency.T).nnz == 0


def test_graph_partners_are_symmetric(graph):
    for a, b in graph.edges:
        assert b in graph.partners(a) and a in graph.partners(b)


def test_graph_drops_self_and_duplicate_pairs():
    g = PartnershipGraph(5, [[0, 1], [1, 0], [2, 2], [0, 1], [3, 4]])
    assert len(g) == 2
    assert g.edges.tolist() == [[0, 1], [3, 4]]
    assert g.degree.tolist() == [1, 1, 0, 1, 1]


def test_empty_graph():
    g = PartnershipGraph(4)
    assert g.is_empty and len(g) == 0
    assert g.degree.tolist() == [0, 0, 0, 0]
    assert len(g.partners(2)) == 0


def test_subgraph_keeps_only_masked_edges(graph):
    keep = np.zeros(len(graph), dtype=bool)
    keep[:3] = True
    sub = graph.subgraph(keep)
    assert sub.n_cities == graph.n_cities
    assert sub.edges.tolist() == graph.edges[:3].tolist()
    assert sub.degree.sum() == 6
    # The original graph is untouched.
    assert len(graph) == len(EDGES)


def test_bundled_partnerships_are_the_default_and_an_unchanged_copy(real_cities):  # the pool's cache, built once a run
    import gzip

    from conftest import SHARED_PARTNERSHIPS
    from sistermatch import Matcher
    from sistermatch.partnerships import bundled_partnerships_path, partnerships_source

    path = bundled_partnerships_path()
    assert partnerships_source() == path and path.exists()
    assert partnerships_source("none") is None and partnerships_source(None) is None
    if os.path.exists(SHARED_PARTNERSHIPS):
        with gzip.open(path, "rb") as fh, open(SHARED_PARTNERSHIPS, "rb") as shared:
            assert fh.read() == shared.read()
    # fit() with no file ranks from the bundled graph (hand weights: nothing to train).
    m = Matcher(model="hand").fit()
    assert m.provenance_["partnerships"] == "bundled"
    assert m.provenance_["partnerships_pairs"] > 15_000
    assert m.load_report_.is_bundled and "bundled" in m.load_report_.summary()
