"""Tests of `Matcher`: fitting on the synthetic world, recommending, filters, reasons and saved models."""

import dataclasses
import pickle
import warnings

import pytest

from conftest import make_cities
from sistermatch import Matcher, Recommendation
from sistermatch.errors import AmbiguousCity, CityNotFound, InvalidInput, NotFittedError, SchemaMismatch
from sistermatch.features import BASE_ASPECTS
from sistermatch.models import LogisticRanker
from sistermatch.results import Reason


@pytest.fixture(scope="module")
def matcher(graph):
    return Matcher(cities=make_cities(), model=LogisticRanker()).fit(graph)


def ids(recs):
    return [r.city.geonameid for r in recs]


QUERIES = [
    ("Coventry", None),
    ("Köln", None),
    ("Toledo", "ES"),
    ("Paris", "FR"),
    ("Chicago", None),
    ("Tinyville", None),
]


def test_recommend_returns_frozen_recommendations(matcher):
    recs = matcher.recommend("Coventry", k=5)
    assert len(recs) == 5 and recs.note is None and recs.query.geonameid == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        recs.note = "changed"
    for r in recs:
        assert isinstance(r, Recommendation)
        assert r.query.geonameid == 1
        with pytest.raises(dataclasses.FrozenInstanceError):
            r.rank = 99
        for reason in r.reasons:
            assert isinstance(reason, Reason)
            with pytest.raises(dataclasses.FrozenInstanceError):
                reason.text = "changed"


def test_cold_town_gets_its_neighbours_partner_first(matcher):
    # Coventry has no partners; its neighbour Leamington twins with Caen.
    best = matcher.recommend("Coventry", k=1)[0]
    assert best.city.geonameid == 9 and best.rank == 1
    assert any("Leamington" in r.text for r in best.reasons)


@pytest.mark.parametrize("query, country", QUERIES)
def test_ranks_ascend_and_scores_descend(matcher, query, country):
    recs = matcher.recommend(query, country=country, k=50)
    assert [r.rank for r in recs] == list(range(1, len(recs) + 1))
    scores = [r.score for r in recs]
    assert scores == sorted(scores, reverse=True)
    assert len(set(ids(recs))) == len(recs)


@pytest.mark.parametrize("query, country", QUERIES)
def test_never_domestic_never_a_partner_never_itself(matcher, graph, cities, query, country):
    recs = matcher.recommend(query, country=country, k=5000)
    q = recs[0].query
    partners = set(cities.index.ids(graph.partners(cities.index.row(q.geonameid))).tolist())
    assert all(r.city.country != q.country for r in recs)
    assert not set(ids(recs)) & partners
    assert q.geonameid not in ids(recs)
    # Every other foreign non-partner is a candidate.
    foreign = {int(g) for g, c in zip(cities.geonameid, cities.country) if cities.countries.code_of(c) != q.country}
    assert set(ids(recs)) == foreign - partners


def test_include_domestic_allows_home_towns(matcher):
    recs = matcher.recommend("Coventry", k=5000, include_domestic=True)
    assert {2, 3} <= set(ids(recs))  # London and Leamington
    assert 1 not in ids(recs)


def test_respects_k(matcher):
    for k in (1, 3, 7):
        assert len(matcher.recommend("Köln", k=k)) == k
    # A shorter list is the start of a longer one.
    assert ids(matcher.recommend("Köln", k=3)) == ids(matcher.recommend("Köln", k=7))[:3]
    # Fewer candidates than k: all of them.
    assert len(matcher.recommend("Köln", k=100, countries="FR")) == 4


@pytest.mark.parametrize("k", [0, -1, "lots", 10**6])
def test_bad_k(matcher, k):
    with pytest.raises(InvalidInput, match="k must"):
        matcher.recommend("Köln", k=k)


def test_filters(matcher, cities):
    recs = matcher.recommend("Coventry", k=50, countries="US")
    assert recs and all(r.city.country == "US" for r in recs)
    recs = matcher.recommend("Coventry", k=50, exclude_countries=["FR", "DE"], continents="EU")
    assert {r.city.country for r in recs} == {"PL", "ES"}
    recs = matcher.recommend("Coventry", k=50, max_distance_km=500)
    assert set(ids(recs)) == {8, 9, 20}  # Caen, Tinyville, Paris
    assert all(r.distance_km <= 500 for r in recs)
    recs = matcher.recommend("Coventry", k=50, min_population=1e6, max_population=2e6)
    assert recs and all(1e6 <= r.city.population <= 2e6 for r in recs)


def test_exclude_ids(matcher):
    recs = matcher.recommend("Coventry", k=50, exclude=[9, 8, 12345])
    assert not {8, 9} & set(ids(recs))


def test_unknown_filter_and_bad_values(matcher):
    with pytest.raises(InvalidInput, match="'colour'"):
        matcher.recommend("Coventry", colour="red")
    with pytest.raises(InvalidInput, match="XX"):
        matcher.recommend("Coventry", countries="XX")
    with pytest.raises(InvalidInput, match="max_distance_km"):
        matcher.recommend("Coventry", max_distance_km=-5)


def test_city_can_be_a_name_an_id_or_a_city(matcher):
    by_name = ids(matcher.recommend("Cologne", k=5))
    assert ids(matcher.recommend(7, k=5)) == by_name
    assert ids(matcher.recommend("7", k=5)) == by_name
    assert ids(matcher.recommend(matcher.resolve("Köln"), k=5)) == by_name


def test_lookup_errors_reach_the_caller(matcher):
    with pytest.raises(AmbiguousCity):
        matcher.recommend("Springfield")
    with pytest.raises(CityNotFound):
        matcher.recommend("Atlantis")
    with pytest.raises(AmbiguousCity):
        matcher.recommend("Springfield", country="US")


def test_same_named_towns_told_apart_by_country(matcher):
    assert matcher.recommend("Toledo", country="ES", k=1)[0].query.geonameid == 12
    assert matcher.recommend("Toledo, US", k=1)[0].query.geonameid == 14


def test_reasons_are_non_empty_strings(matcher):
    for query, country in QUERIES:
        recs = matcher.recommend(query, country=country, k=5)
        assert recs[0].reasons, query
        for r in recs:
            assert len(r.reasons) <= 4
            for reason in r.reasons:
                assert isinstance(reason.text, str) and reason.text.strip()
                assert reason.contribution > 0
                assert reason.feature in matcher.feature_set_.columns
            contribs = [x.contribution for x in r.reasons]
            assert contribs == sorted(contribs, reverse=True)
            assert r.reasons_text == "; ".join(x.text for x in r.reasons)


def test_contributions_add_up_to_the_score(matcher):
    for r in matcher.recommend("Coventry", k=10):
        assert [name for name, _ in r.contributions] == list(matcher.feature_set_.columns)
        total = sum(v for _, v in r.contributions) + matcher.model_.base_score_
        assert total == pytest.approx(r.score, abs=1e-4)


def test_to_dict_and_to_row(matcher):
    r = matcher.recommend("Coventry", k=1)[0]
    d = r.to_dict(with_contributions=True)
    assert d["rank"] == 1 and d["geonameid"] == 9 and d["name"] == "Caen" and d["reasons"]
    assert set(d["contributions"]) == set(matcher.feature_set_.columns)
    row = r.to_row()
    assert row["query_name"] == "Coventry" and row["name"] == "Caen" and row["reasons"] == r.reasons_text


def test_fit_from_a_csv_gives_the_same_ranking(matcher, partnerships_csv):
    m = Matcher(cities=make_cities(), model=LogisticRanker()).fit(partnerships_csv)
    assert m.load_report_.n_pairs == len(matcher.graph_)
    for query in ("Coventry", "Köln", "Chicago"):
        assert ids(m.recommend(query, k=10)) == ids(matcher.recommend(query, k=10))


def test_unfitted_matcher(cities):
    with pytest.raises(NotFittedError, match="fit"):
        Matcher(cities=make_cities()).recommend("Coventry")


@pytest.mark.parametrize("model", ["magic", 42, None])
def test_bad_model_argument(model):
    with pytest.raises(InvalidInput, match="model must be"):
        Matcher(cities=make_cities(), model=model).fit(None)


def test_hand_model_without_partnerships_warns_and_ranks_from_profiles():
    with pytest.warns(UserWarning, match="no partnerships"):
        m = Matcher(cities=make_cities(), model="hand").fit(None)
    recs = m.recommend("Toledo", country="ES", k=5)
    assert len(recs) == 5
    assert recs[0].city.geonameid == 14  # Toledo, Ohio: the same name
    assert any("Toledo" in reason.text for reason in recs[0].reasons)


def test_learned_model_without_partnerships_falls_back_with_a_warning():
    with pytest.warns(UserWarning, match="no partnerships"):
        m = Matcher(cities=make_cities(), model=LogisticRanker()).fit(None)
    assert type(m.model_).__name__ == "HandWeightedRanker"
    assert m.recommend("Toledo", country="ES", k=1)[0].city.geonameid == 14


def test_save_and_load_model_round_trip(matcher, graph, tmp_path):
    path = tmp_path / "model.pkl"
    matcher.save_model(path)
    assert path.exists() and [p.name for p in tmp_path.iterdir()] == ["model.pkl"]
    other = Matcher(cities=make_cities(), model="hand").fit(graph)
    assert other.load_model(path) is other
    for query in ("Coventry", "Köln", "Tinyville"):
        a, b = matcher.recommend(query, k=10), other.recommend(query, k=10)
        assert ids(a) == ids(b)
        assert [r.score for r in a] == pytest.approx([r.score for r in b])


def test_load_model_for_another_schema(matcher, graph, tmp_path):
    path = tmp_path / "model.pkl"
    matcher.save_model(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        narrow = Matcher(cities=make_cities(), model="hand", aspects=BASE_ASPECTS).fit(graph)
    before = ids(narrow.recommend("Coventry", k=5))
    with pytest.raises(SchemaMismatch, match="schema"):
        narrow.load_model(path)
    assert ids(narrow.recommend("Coventry", k=5)) == before  # the old model stays in use


def test_load_model_from_another_version_or_not_a_model(matcher, tmp_path):
    path = tmp_path / "model.pkl"
    matcher.save_model(path)
    payload = pickle.loads(path.read_bytes())
    payload["version"] = "0.0.0-old"
    old = tmp_path / "old.pkl"
    old.write_bytes(pickle.dumps(payload))
    with pytest.raises(SchemaMismatch, match="0.0.0-old"):
        matcher.load_model(old)
    junk = tmp_path / "junk.pkl"
    junk.write_bytes(pickle.dumps({"hello": "world"}))
    with pytest.raises(SchemaMismatch, match="not a sistermatch model"):
        matcher.load_model(junk)
    garbage = tmp_path / "garbage.pkl"
    garbage.write_bytes(b"\x00not a pickle")
    with pytest.raises(InvalidInput, match="cannot read model file"):
        matcher.load_model(garbage)


def test_save_model_before_fit(tmp_path):
    with pytest.raises(NotFittedError):
        Matcher(cities=make_cities()).save_model(tmp_path / "m.pkl")


def test_recommendations_are_deterministic(matcher, graph):
    # A second matcher fitted from scratch, after the other tests used the first, ranks alike.
    a = matcher.recommend("Tinyville", k=10)
    b = Matcher(cities=make_cities(), model=LogisticRanker()).fit(graph).recommend("Tinyville", k=10)
    assert ids(a) == ids(b) and [r.score for r in a] == [r.score for r in b]


def test_mutual_ranks_by_both_sides_and_the_candidates_side_can_flip_the_order(matcher):
    one_sided = matcher.recommend("Köln", k=20)
    mutual = matcher.recommend("Köln", k=20, mutual=True)
    assert mutual.mutual and not one_sided.mutual
    ids_mutual = ids(mutual)
    q = matcher.row("Köln")
    rows = [matcher.row(i) for i in ids_mutual]
    both = matcher.mutual_scores([q], rows)[0]
    # Best first by the mutual fit, which the scores carry.
    assert [r.score for r in mutual] == pytest.approx(list(both))
    assert list(both) == sorted(both, reverse=True)
    # The candidate's side changes the order: some pair is ranked the other way round.
    forward = {r.city.geonameid: r.rank for r in one_sided}
    flips = [
        (a, b)
        for a in ids_mutual
        for b in ids_mutual
        if ids_mutual.index(a) < ids_mutual.index(b) and forward[a] > forward[b]
    ]
    assert flips
    # Reasons from the candidate's side say so.
    sides = {reason.side for r in mutual for reason in r.reasons}
    assert "candidate" in sides
    for r in mutual:
        for reason in r.reasons:
            assert (reason.side == "candidate") == reason.text.startswith(f"from {r.city.name}'s side")


def test_warm_up_builds_the_lazy_state_and_changes_no_answer(graph, cities):
    m = Matcher(cities=cities, model=LogisticRanker()).fit(graph)
    before = m.recommend(1, k=5)  # Coventry: cold
    fresh = Matcher(cities=cities, model=LogisticRanker()).fit(graph)
    assert fresh.warm_up() is fresh
    built = set(fresh.context_.shared) | set(fresh.context_._derived)
    assert any(key[0] == "state" for key in built if isinstance(key, tuple))
    assert len(fresh.context_.derived("linear_static", dict)) == 1  # one linear model: one sum
    assert [r.city.geonameid for r in fresh.recommend(1, k=5)] == [r.city.geonameid for r in before]
