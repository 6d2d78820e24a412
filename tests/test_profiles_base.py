"""Tests of `ProfileStore` (profiles/base.py): merging providers' facts into city, region and country profiles."""

import numpy as np
import pytest

from conftest import Listed, overlap, weighted
from sistermatch.profiles import CityProfile, Fact, ProfileStore


def city(aspect, gid, value, source="shipped"):
    return lambda c: [Fact(aspect, "city", c.index.row(gid), value, source)]


def facts_of(*makers):
    return Listed(lambda c: [f for m in makers for f in m(c)])


def tags(store, gid):
    eff = weighted(store).industry_effective_[store.cities.index.row(gid)]
    return {store.industry_tags[j] for j in np.flatnonzero(eff > 0)}


def test_city_tags(cities):
    store = ProfileStore.build(
        cities,
        [
            facts_of(
                city("industry", 1, "automotive"), city("industry", 1, "aerospace"), city("industry", 7, "automotive")
            )
        ],
    )
    assert tags(store, 1) == {"automotive", "aerospace"}
    assert weighted(store).industry_known_[cities.index.row(1)]
    assert overlap(store, 1, 7) > 0
    assert overlap(store, 1, 7, "industry_known") == 1.0
    assert np.linalg.norm(weighted(store).industry_effective_[cities.index.row(1)]) == pytest.approx(1.0, abs=1e-6)


def test_duplicate_facts_count_once(cities):
    once = ProfileStore.build(cities, [facts_of(city("industry", 1, "port"), city("industry", 9, "port"))])
    twice = ProfileStore.build(
        cities, [facts_of(city("industry", 1, "port"), city("industry", 1, "port"), city("industry", 9, "port"))]
    )
    assert np.allclose(weighted(once).industry_effective_, weighted(twice).industry_effective_)


def region_and_country(c):
    caen_region = int(c.region[c.index.row(9)])
    return [
        # Tags also carried by some town, so they have a rarity weight.
        Fact("industry", "city", c.index.row(14), "agriculture", "s"),
        Fact("industry", "city", c.index.row(15), "steel", "s"),
        Fact("industry", "city", c.index.row(9), "port", "s"),
        Fact("industry", "region", caen_region, "agriculture", "s"),
        Fact("industry", "country", c.countries.index_of("PL"), "steel", "s"),
        Fact("industry", "country", c.countries.index_of("FR"), "fashion", "s"),
        Fact("industry", "city", c.index.row(2), "fashion", "s"),
    ]


def test_region_and_country_fallback(cities):
    store = ProfileStore.build(cities, [Listed(region_and_country)])
    row = cities.index.row
    # Tinyville has no row of its own: it takes its region's profile (Caen keeps its own).
    assert tags(store, 20) == {"agriculture"}
    assert tags(store, 9) == {"port"}
    assert not weighted(store).industry_known_[row(20)]
    # Kraków and Warsaw take Poland's; Bérat (another French region) takes France's.
    assert tags(store, 11) == tags(store, 10) == {"steel"}
    assert tags(store, 21) == {"fashion"}
    # Fallback profiles count, but a fallback pair is not "known" at city level.
    assert overlap(store, 20, 14) > 0 and overlap(store, 20, 14, "industry_known") == 0.0
    assert overlap(store, 11, 15) > 0
    # Nothing known for the UK's towns (no city, region or country row) except London.
    assert tags(store, 1) == set()


def test_fallback_profiles_weigh_less_than_a_towns_own(cities):
    # The same single tag, known for the town itself, for its region only, or for its country only.
    def make(c):
        r = c.index.row
        return [
            Fact("industry", "city", r(14), "agriculture", "s"),
            Fact("industry", "city", r(16), "agriculture", "s"),
            Fact("industry", "city", r(15), "port", "s"),
            Fact("industry", "region", int(c.region[r(20)]), "agriculture", "s"),
            Fact("industry", "country", c.countries.index_of("PL"), "agriculture", "s"),
        ]

    store = ProfileStore.build(cities, [Listed(make)])
    own = overlap(store, 16, 14)  # Paris TX and Toledo OH: both curated
    region = overlap(store, 20, 14)  # Tinyville: only its region's profile
    country = overlap(store, 11, 14)  # Kraków: only Poland's profile
    assert own > region > country > 0


def test_a_tag_known_only_for_a_region_still_counts(cities):
    # No town carries "wine" at city level; two regions do. Their towns share it.
    def make(c):
        return [
            Fact("industry", "region", int(c.region[c.index.row(20)]), "wine", "s"),
            Fact("industry", "region", int(c.region[c.index.row(18)]), "wine", "s"),
            Fact("industry", "city", c.index.row(1), "port", "s"),
        ]

    store = ProfileStore.build(cities, [Listed(make)])
    assert tags(store, 20) == {"wine"}
    assert overlap(store, 20, 18) > 0


def test_idf_makes_a_rare_shared_tag_count_more(cities):
    def make(c):
        r = c.index.row
        out = [
            Fact("industry", "city", r(1), "motorsport", "s"),
            Fact("industry", "city", r(1), "port", "s"),
            Fact("industry", "city", r(7), "motorsport", "s"),
            Fact("industry", "city", r(7), "fishing", "s"),
            Fact("industry", "city", r(4), "tourism", "s"),
            Fact("industry", "city", r(4), "wine", "s"),
            Fact("industry", "city", r(14), "tourism", "s"),
            Fact("industry", "city", r(14), "brewing", "s"),
        ]
        out += [Fact("industry", "city", r(g), "tourism", "s") for g in (2, 5, 8, 10, 13, 15)]
        return out

    store = ProfileStore.build(cities, [Listed(make)])
    j = store.industry_tags.index
    assert weighted(store).industry_idf_[j("motorsport")] > weighted(store).industry_idf_[j("tourism")] > 0
    assert weighted(store).industry_idf_[j("automotive")] == 0  # nobody has it
    # Coventry-Köln share rare motorsport; Kiel-Toledo share common tourism; each has one other tag.
    assert overlap(store, 1, 7) > overlap(store, 4, 14) > 0


def test_unknown_stays_unknown(cities):
    store = ProfileStore.build(cities, [facts_of(city("industry", 1, "automotive"), city("history", 1, "ww2_bombed"))])
    # Villageton has no facts at any level: no overlap with anyone, and not "known".
    row = cities.index.row
    assert not weighted(store).industry_known_[row(22)] and not store.history_city[row(22)].nnz > 0
    assert np.linalg.norm(weighted(store).industry_effective_[row(22)]) == 0
    for other in (1, 7, 22):
        assert overlap(store, 22, other) == 0.0
        assert overlap(store, 22, other, "industry_known") == 0.0
        assert overlap(store, 22, other, "history_overlap") == 0.0


def test_empty_store(cities):
    store = ProfileStore.empty(cities)
    assert store.facts == ()
    assert not weighted(store).industry_known_.any()
    assert overlap(store, 1, 9) == 0.0
    assert store.coverage()["facts"] == 0


def test_history_overlap(cities):
    store = ProfileStore.build(
        cities,
        [
            facts_of(
                city("history", 1, "ww2_bombed"),
                city("history", 6, "ww2_bombed"),
                city("history", 6, "hanseatic"),
                city("history", 4, "hanseatic"),
            )
        ],
    )
    assert overlap(store, 1, 6, "history_overlap") > 0
    assert overlap(store, 1, 4, "history_overlap") == 0.0
    assert store.history_city[cities.index.row(6)].nnz > 0


def test_country_groups(cities):
    def make(c):
        ci = c.countries.index_of
        return [
            Fact("country_group", "country", ci("DE"), "holy_roman_empire", "s", kind="former_state"),
            Fact("country_group", "country", ci("PL"), "holy_roman_empire", "s", kind="former_state"),
            Fact("country_group", "country", ci("GB"), "nato", "s", kind="alliance"),
            Fact("country_group", "country", ci("US"), "nato", "s", kind="alliance"),
            Fact("country_group", "country", ci("DE"), "nato", "s", kind="alliance"),
        ]

    store = ProfileStore.build(cities, [Listed(make)])
    ci = cities.countries.index_of
    shared = weighted(store).group_shared_
    assert shared[ci("DE"), ci("PL"), 0] > 0 and shared[ci("DE"), ci("PL"), 1] == 0
    assert shared[ci("GB"), ci("US"), 1] > 0 and shared[ci("GB"), ci("US"), 0] == 0
    assert shared[ci("GB"), ci("FR")].sum() == 0
    # A smaller group is a stronger tie (IDF over countries).
    assert shared[ci("DE"), ci("PL"), 0] > shared[ci("GB"), ci("US"), 1]
    assert np.allclose(shared, shared.transpose(1, 0, 2))
    assert overlap(store, 5, 10, "historic_country_tie") > 0
    assert overlap(store, 1, 15, "alliance_tie") > 0


def test_diaspora_corridor_and_city_facts(cities):
    def make(c):
        ci = c.countries.index_of
        return [
            Fact("diaspora", "country_pair", (ci("PL"), ci("GB")), "PL", "s", amount=900000),
            Fact("diaspora", "country_pair", (ci("PL"), ci("GB")), "PL", "s", amount=800000),
            Fact("diaspora", "city", c.index.row(15), "PL", "s"),
        ]

    store = ProfileStore.build(cities, [Listed(make)])
    ci = cities.countries.index_of
    assert store.diaspora_corridor[ci("PL"), ci("GB")] == 900000  # the largest figure is kept
    assert store.diaspora_corridor[ci("GB"), ci("PL")] == 0
    assert store.diaspora_city[cities.index.row(15), ci("PL")] == 1
    assert overlap(store, 1, 10, "diaspora_in_query") == pytest.approx(np.log1p(900000) / 10, rel=1e-5)
    assert overlap(store, 15, 11, "diaspora_city") == 1.0
    assert overlap(store, 15, 9, "diaspora_city") == 0.0


def test_profile_lists_city_region_and_country_facts_with_sources(cities):
    store = ProfileStore.build(cities, [Listed(region_and_country), facts_of(city("history", 20, "ww1_front", "book"))])
    p = store.profile(cities.index.row(20))
    assert isinstance(p, CityProfile) and p.city.geonameid == 20
    assert p.values("industry") == ["agriculture", "fashion"]
    assert p.values("industry", level="region") == ["agriculture"]
    assert p.values("history") == ["ww1_front"]
    assert {f.source for f in p.facts if f.aspect == "history"} == {"book"}
    d = p.to_dict()
    assert d["city"]["name"] == "Tinyville" and len(d["facts"]) == len(p.facts)


def test_later_providers_add_unless_they_override(cities):
    a = facts_of(city("industry", 1, "automotive"))
    b = facts_of(city("industry", 1, "aerospace"))
    assert tags(ProfileStore.build(cities, [a, b]), 1) == {"automotive", "aerospace"}

    class Override(Listed):
        overrides = True

    over = Override(lambda c: [Fact("industry", "city", c.index.row(1), "aerospace", "user")])
    assert tags(ProfileStore.build(cities, [a, over]), 1) == {"aerospace"}


def test_a_shipped_table_is_parsed_once_and_each_caller_gets_its_own_frame():
    from sistermatch.profiles.base import bundled_table

    first = bundled_table("tags.csv")
    tag = first.loc[0, "tag"]
    first.loc[0, "tag"] = "changed by a caller"
    again = bundled_table("tags.csv")
    assert again.loc[0, "tag"] == tag and again is not first
    assert bundled_table("no/such.csv") is None
