"""Tests of `IndustryProvider` (profiles/industry.py): the shipped sector tables as facts."""

from collections import defaultdict

from sistermatch.profiles.base import bundled_table
from sistermatch.profiles.industry import IndustryProvider


def by_level(facts):
    out = defaultdict(set)
    for f in facts:
        assert f.aspect == "industry" and f.source.strip()  # every fact names its source
        out[(f.level, f.key)].add((f.value, f.source))
    return out


def test_cities_regions_and_countries_get_their_rows_tags_with_sources(named_world):
    w = named_world
    facts = by_level(IndustryProvider().facts(w))
    coventry = w.index.row(2652221)
    assert facts[("city", coventry)] == {
        ("automotive", "Wikipedia: Coventry (Economy)"),
        ("machinery", "Wikipedia: Coventry (Economy)"),
        ("university", "Wikipedia: Coventry (Economy)"),
    }
    # The two Toledos are told apart by their ids, not their names.
    assert {v for v, _ in facts[("city", w.index.row(5174035))]} == {"glass_ceramics", "automotive"}
    assert {v for v, _ in facts[("city", w.index.row(2510409))]} == {"tourism", "government"}
    # A region's facts go to the region's id (Saxony, where Dresden is).
    saxony = int(w.region[w.index.row(2935022)])
    assert {v for v, _ in facts[("region", saxony)]} == {"automotive", "electronics", "machinery"}
    de = w.countries.index_of("DE")
    assert ("steel", "CIA World Factbook: Germany (Economy)") in facts[("country", de)]


def test_rows_for_places_outside_the_pool_are_dropped(named_world):
    w = named_world
    facts = IndustryProvider().facts(w)
    nowhere = w.index.row(999000001)
    assert not [f for f in facts if f.level == "city" and f.key == nowhere]
    # Only the six countries of this world, out of every country the table lists.
    listed = set(bundled_table("industry/countries.csv")["country"])
    assert len(listed) > 100
    assert {w.countries.codes[f.key] for f in facts if f.level == "country"} == {"DE", "ES", "FR", "GB", "PL", "US"}
    regions = {f.key for f in facts if f.level == "region"}
    assert regions <= set(w.region.tolist())
