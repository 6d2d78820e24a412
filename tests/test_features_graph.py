"""Tests of `GraphFeatures` (features/graph.py): what the known partnerships say about a pair."""

import numpy as np
import pytest

from conftest import one_query, val
from sistermatch.features import FeatureContext, GraphFeatures


def test_common_partners_counts(ctx):
    g = GraphFeatures()
    # Köln (Warsaw, Kraków) and Chicago (Warsaw, Kraków, London) share two partners.
    assert val(ctx, g, 7, 15, "common_partners") == pytest.approx(np.log1p(2))
    # Berlin and London share Paris.
    assert val(ctx, g, 5, 2, "common_partners") == pytest.approx(np.log1p(1))
    assert val(ctx, g, 7, 1, "common_partners") == 0.0
    assert val(ctx, g, 7, 15, "adamic_adar") > val(ctx, g, 5, 2, "adamic_adar") > 0


def test_common_partners_matches_the_graph(cities, graph, ctx):
    for q in range(len(cities)):
        got = np.expm1(one_query(ctx, GraphFeatures(), q)["common_partners"])
        want = [len(np.intersect1d(graph.partners(q), graph.partners(c))) for c in range(len(cities))]
        assert np.allclose(got, want, atol=1e-4)


def test_neighbour_partner_for_a_cold_town(cities, ctx):
    # Coventry has no partners; its neighbour Leamington twins with Caen.
    out = one_query(ctx, GraphFeatures(), cities.index.row(1))
    caen = cities.index.row(9)
    assert out["neighbour_partner"][caen] > 0
    assert np.argmax(out["neighbour_partner"]) == caen
    assert out["query_degree"][caen] == 0
    assert out["common_partners"].max() == 0
    # Towns near Coventry twin with towns in France more than anywhere.
    assert cities.country_code(np.argmax(out["neighbour_country"])) == "FR"


def test_partners_in_country_and_degree(cities, graph, ctx):
    g = GraphFeatures()
    assert val(ctx, g, 7, 16, "partners_in_country") == 0.0  # Köln has no US partner
    assert val(ctx, g, 7, 10, "partners_in_country") == pytest.approx(np.log1p(2))  # Warsaw, Kraków in PL
    assert val(ctx, g, 7, 9, "candidate_degree") == pytest.approx(np.log1p(4))  # Caen
    assert val(ctx, g, 7, 9, "query_degree") == pytest.approx(np.log1p(2))


def test_partner_centroid_prefers_where_partners_are(cities, ctx):
    out = one_query(ctx, GraphFeatures(), cities.index.row(7))["partner_centroid"]  # Köln: partners in Poland
    row = cities.index.row
    assert out[row(10)] > out[row(8)] > out[row(15)]


def test_graph_features_use_only_the_graph_given(cities, graph):
    # Hide Köln-Warsaw: the features must not see it (a training fold's hidden pair).
    row = cities.index.row
    hidden = {row(7), row(10)}
    keep = np.array([set(e.tolist()) != hidden for e in graph.edges])
    sub = FeatureContext(cities, graph.subgraph(keep))
    assert val(sub, GraphFeatures(), 7, 15, "common_partners") == pytest.approx(np.log1p(1))
    assert val(sub, GraphFeatures(), 7, 10, "partners_in_country") == pytest.approx(np.log1p(1))


def test_gaps_to_the_query_s_typical_partner(cities, graph, ctx):
    logpop, logdeg = cities.log_population, np.log1p(graph.degree)
    for q in range(len(cities)):
        out = one_query(ctx, GraphFeatures(), q)
        partners = graph.partners(q)
        if not len(partners):  # no typical partner: nothing to measure against
            assert not out["partner_size_gap"].any() and not out["partner_degree_gap"].any()
            continue
        np.testing.assert_allclose(out["partner_size_gap"], np.abs(logpop - logpop[partners].mean()), atol=1e-6)
        np.testing.assert_allclose(out["partner_degree_gap"], np.abs(logdeg - logdeg[partners].mean()), atol=1e-6)


def test_a_town_the_size_of_the_query_s_partners_is_said_so(cities, ctx):
    from sistermatch.features import QueryBatch

    row = cities.index.row
    g, koln, coventry, caen = GraphFeatures(), row(7), row(1), row(9)
    said = g.describe("partner_size_gap", QueryBatch(ctx, [koln]), 0, caen, 0.1)
    assert said == "as large as Köln's partners typically are"
    assert g.describe("partner_degree_gap", QueryBatch(ctx, [koln]), 0, caen, 0.1) == (
        "twins about as much as Köln's partners do"
    )
    assert g.describe("partner_size_gap", QueryBatch(ctx, [koln]), 0, caen, 0.3) is None  # too far off
    assert g.describe("partner_size_gap", QueryBatch(ctx, [coventry]), 0, caen, 0.0) is None  # no partners
