"""Tests of `HistoryProvider` and `CountryGroupProvider` (profiles/history.py)."""

from sistermatch.profiles.history import CountryGroupProvider, HistoryProvider


def test_city_history_tags_come_from_the_table_by_id(named_world):
    w = named_world
    facts = HistoryProvider().facts(w)
    assert all(f.aspect == "history" and f.level == "city" and f.source.strip() for f in facts)
    tags = {}
    for f in facts:
        tags.setdefault(int(w.geonameid[f.key]), set()).add(f.value)
    assert "ww2_bombed" in tags[2652221] and "ww2_bombed" in tags[2935022]  # Coventry, Dresden
    assert tags[2891122] == {"ww2_bombed", "hanseatic"}  # Kiel: two tags from one cell
    assert 999000001 not in tags


def test_country_groups_keep_their_kind_and_only_the_pools_countries(named_world):
    w = named_world
    facts = CountryGroupProvider().facts(w)
    groups = {}
    for f in facts:
        assert f.aspect == "country_group" and f.level == "country" and f.source.strip()
        groups.setdefault(f.value, {})[w.countries.codes[f.key]] = f.kind
    assert groups["nato"] == {c: "alliance" for c in ("DE", "ES", "FR", "GB", "PL", "US")}
    assert groups["british_empire"] == {"GB": "colonial", "US": "colonial"}
    assert set(groups["eu"]) == {"DE", "ES", "FR", "PL"}
    # The table lists the Soviet Union's successors, none of which is in this world.
    assert "soviet_union" not in groups
