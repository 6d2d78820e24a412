"""Tests of the pair feature blocks in `sistermatch.features` on the synthetic world."""

import numpy as np
import pytest
import scipy.sparse as sp

from conftest import make_countries
from sistermatch.cities import CityTable
from sistermatch.features import (
    ALL_ASPECTS,
    CountryFeatures,
    FeatureContext,
    FeatureSet,
    GeographyFeatures,
    GraphFeatures,
    NameFeatures,
    ProfileFeatures,
    QueryBatch,
    SizeFeatures,
    default_feature_set,
    gather,
)
from sistermatch.partnerships import PartnershipGraph
from sistermatch.profiles import Fact, ProfileStore


@pytest.fixture(scope="module")
def profiles(cities):
    row, ci = cities.index.row, cities.countries.index_of
    facts = [
        Fact("industry", "city", row(1), "automotive", "test"),
        Fact("industry", "city", row(7), "automotive", "test"),
        Fact("industry", "city", row(7), "film", "test"),
        Fact("industry", "city", row(14), "glass_ceramics", "test"),
        Fact("industry", "city", row(12), "tourism", "test"),
        Fact("industry", "region", int(cities.region[row(20)]), "agriculture", "test"),
        Fact("industry", "country", ci("PL"), "steel", "test"),
        Fact("history", "city", row(1), "ww2_bombed", "test"),
        Fact("history", "city", row(6), "ww2_bombed", "test"),
        Fact("history", "city", row(12), "unesco_heritage", "test"),
        Fact("country_group", "country", ci("GB"), "nato", "test", kind="alliance"),
        Fact("country_group", "country", ci("US"), "nato", "test", kind="alliance"),
        Fact("country_group", "country", ci("DE"), "hre", "test", kind="former_state"),
        Fact("country_group", "country", ci("PL"), "hre", "test", kind="former_state"),
        Fact("diaspora", "country_pair", (ci("PL"), ci("GB")), "PL", "test", amount=900000),
        Fact("diaspora", "city", row(15), "PL", "test"),
    ]
    return ProfileStore(cities, facts)


@pytest.fixture(scope="module")
def ctx(cities, graph, profiles):
    return FeatureContext(cities, graph, profiles)


def one_query(ctx, block, row, cand=None):
    """Columns of one block for query ``row`` against ``cand`` (all cities by default), as a dict."""
    cand = np.arange(len(ctx.cities)) if cand is None else np.asarray(cand)
    fs = FeatureSet([block])
    X = fs.compute(QueryBatch(ctx, [row]), np.zeros(len(cand), dtype=np.int64), cand)
    return {c: X[:, j] for j, c in enumerate(block.columns)}


def val(ctx, block, q_id, c_id, column):
    row = ctx.cities.index.row
    return float(one_query(ctx, block, row(q_id), [row(c_id)])[column][0])


# -- name ------------------------------------------------------------------------------


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


# -- geography -------------------------------------------------------------------------


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


# -- size ------------------------------------------------------------------------------


def test_size_features(ctx):
    s = SizeFeatures()
    assert val(ctx, s, 1, 9, "log_population") == pytest.approx(np.log10(105000), abs=1e-5)
    assert val(ctx, s, 1, 9, "population_gap") == pytest.approx(abs(np.log10(345000) - np.log10(105000)), abs=1e-5)
    assert val(ctx, s, 2, 8, "both_capitals") == 1.0  # London and Paris
    assert val(ctx, s, 2, 16, "both_capitals") == 0.0  # London and Paris, Texas
    assert val(ctx, s, 1, 8, "both_capitals") == 0.0
    assert val(ctx, s, 1, 8, "candidate_capital") == 1.0
    assert val(ctx, s, 15, 6, "both_region_centres") == 1.0  # Chicago and Dresden
    assert val(ctx, s, 1, 6, "both_region_centres") == 0.0  # Coventry is not its region's largest


# -- country ---------------------------------------------------------------------------


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


# -- graph -----------------------------------------------------------------------------


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


# -- profile ---------------------------------------------------------------------------


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


# -- the whole set ---------------------------------------------------------------------


def test_default_feature_set_schema():
    fs = default_feature_set()
    assert [b.name for b in fs.blocks] == list(ALL_ASPECTS)
    assert fs.schema == fs.columns and len(set(fs.columns)) == len(fs.columns)
    assert "name.same_name" in fs.columns and "graph.neighbour_partner" in fs.columns
    assert [b.name for b in default_feature_set(("graph", "size")).blocks] == ["size", "graph"]


def test_default_feature_set_rejects_unknown_aspects():
    with pytest.raises(ValueError, match="weather"):
        default_feature_set(("size", "weather"))


def test_feature_set_checks_block_width(ctx):
    class Broken(NameFeatures):
        def compute(self, batch, qpos, cand):
            return (cand,)

    with pytest.raises(RuntimeError, match="name"):
        FeatureSet([Broken()]).compute(QueryBatch(ctx, [0]), [0], [1])


def test_one_query_equals_the_same_pairs_in_a_multi_query_batch(cities, ctx):
    """No train/serve skew: recommendation (one query, all candidates) and training
    (many queries, mixed candidates) compute identical feature values."""
    fs = default_feature_set()
    n = len(cities)
    queries = np.array([cities.index.row(g) for g in (1, 7, 12, 5, 15, 20)])
    rng = np.random.default_rng(0)
    qpos = np.repeat(np.arange(len(queries)), n)
    cand = np.tile(np.arange(n), len(queries))
    shuffle = rng.permutation(len(cand))
    qpos, cand = qpos[shuffle], cand[shuffle]
    multi = fs.compute(QueryBatch(ctx, queries), qpos, cand)
    assert np.isfinite(multi).all()
    for i, q in enumerate(queries):
        single = fs.compute(QueryBatch(ctx, [q]), np.zeros(n, dtype=np.int64), np.arange(n))
        sel = qpos == i
        order = np.argsort(cand[sel])
        got = multi[sel][order]
        for j, col in enumerate(fs.columns):
            # atol covers arccos rounding at distance zero (the query against itself).
            assert np.allclose(single[:, j], got[:, j], rtol=1e-5, atol=1e-4), (cities.name[q], col)


def test_batch_order_does_not_matter(cities, ctx):
    fs = default_feature_set()
    a = np.array([cities.index.row(1), cities.index.row(7)])
    cand = np.arange(len(cities))
    fwd = fs.compute(QueryBatch(ctx, a), np.zeros(len(cand), dtype=np.int64), cand)
    rev = fs.compute(QueryBatch(ctx, a[::-1]), np.ones(len(cand), dtype=np.int64), cand)
    assert np.allclose(fwd, rev, atol=1e-5)


def test_gather_sparse_and_dense():
    dense = np.arange(12.0).reshape(3, 4)
    m = sp.csr_matrix(dense)
    q, c = np.array([0, 2, 1, 2]), np.array([3, 0, 1, 3])
    assert gather(dense, q, c).tolist() == [3.0, 8.0, 5.0, 11.0]
    assert gather(m, q, c).tolist() == [3.0, 8.0, 5.0, 11.0]
    assert gather(m, [1, 1], [0, 2]).tolist() == [4.0, 6.0]
    assert gather(sp.csr_matrix((3, 4)), q, c).tolist() == [0.0] * 4
