"""Tests of the shipped curated tables in ``sistermatch.data``: facts users read must be right.

These read the real tables and the real GeoNames pool (``load_cities()``, cached), so a
curator's slip (a tag missing from ``tags.csv``, a geonameid of the wrong town, one
Wikipedia title cited for two different towns) fails here rather than in a user's report.
"""

import re
from collections import defaultdict

import pytest

from sistermatch.features.profile import HISTORY_PHRASES
from sistermatch.profiles import load_tag_vocabulary
from sistermatch.profiles.base import bundled_table, split_values

CITY_TABLES = [
    "industry/cities_africa_middle_east.csv",
    "industry/cities_americas_oceania.csv",
    "industry/cities_east_asia.csv",
    "industry/cities_eastern_europe.csv",
    "industry/cities_south_asia.csv",
    "industry/cities_western_europe.csv",
    "history/cities.csv",
    "diaspora/cities.csv",
]
TAG_TABLES = {
    "industry/regions.csv": "industry",
    "industry/countries.csv": "industry",
    "history/cities.csv": "history",
    **{t: "industry" for t in CITY_TABLES if t.startswith("industry/")},
}
COUNTRY_TABLES = {
    "history/country_groups.csv": ["country"],
    "industry/countries.csv": ["country"],
    "industry/regions.csv": ["country"],
    "diaspora/corridors.csv": ["origin", "destination"],
}
# Wikipedia articles about a topic rather than a town, which many towns rightly share.
TOPIC_ARTICLES = {"Silk Road"}
SECTION = re.compile(r" \((?:Economy|History|Demographics|Culture|Industry|Tourism)\)$")

GERMANY, GERNIKA, DURANGO = "DE", "3120989", "3123773"
KONTOR_TOWNS = {"2643743": "London", "3161732": "Bergen", "2800931": "Bruges", "519336": "Novgorod"}
AL_KHUMS = "2219905"
# Countries neutral in the Second World War (Turkey until February 1945).
NEUTRAL_IN_WW2 = {"ES", "PT", "SE", "CH", "IE", "TR"}


@pytest.fixture(scope="module")
def cities(real_cities):
    return real_cities


@pytest.fixture(scope="module")
def tables():
    paths = set(CITY_TABLES) | set(TAG_TABLES) | set(COUNTRY_TABLES)
    return {path: bundled_table(path) for path in paths}


@pytest.fixture(scope="module")
def groups(tables):
    members = defaultdict(set)
    for code, group in zip(
        tables["history/country_groups.csv"]["country"], tables["history/country_groups.csv"]["group"]
    ):
        members[group].add(code)
    return members


def history_tags(tables, geonameid):
    df = tables["history/cities.csv"]
    cells = df.loc[df["geonameid"] == geonameid, "tags"]
    return [t for cell in cells for t in split_values(cell)]


def wikipedia_articles(source):
    """Article titles a source cell cites, without the section.

    ``"Wikipedia: Toledo, Ohio (History); UNESCO World Heritage List"`` -> ``["Toledo, Ohio"]``.
    """
    return [
        SECTION.sub("", part[len("Wikipedia: ") :]) for part in source.split("; ") if part.startswith("Wikipedia: ")
    ]


def is_town_article(article):
    """False for lists and topic articles, which many towns (or one event) rightly cite."""
    return (not article.startswith(("List of ", "Bombing of "))) and article not in TOPIC_ARTICLES


def test_no_wikipedia_town_article_is_cited_for_two_towns(tables):
    towns_of = defaultdict(set)
    for path in CITY_TABLES:
        df = tables[path]
        rows = zip(df["geonameid"], df["name"], df["country"], df["source"])
        for gid, name, country, source in rows:
            for article in wikipedia_articles(source):
                if is_town_article(article):
                    towns_of[article].add(f"{name} ({country}, {gid})")
    shared = {a: sorted(t) for a, t in towns_of.items() if len(t) > 1}
    assert not shared, f"use the disambiguated Wikipedia title for: {shared}"


def test_each_town_cites_one_article_about_itself_across_tables(tables):
    articles_of = defaultdict(set)
    for path in CITY_TABLES:
        df = tables[path]
        for gid, source in zip(df["geonameid"], df["source"]):
            articles_of[gid] |= {a for a in wikipedia_articles(source) if is_town_article(a)}
    several = {gid: sorted(a) for gid, a in articles_of.items() if len(a) > 1}
    assert not several, f"one title per town: {several}"


def test_disambiguated_titles_name_the_right_town(tables):
    df = tables["history/cities.csv"]
    source = dict(zip(df["geonameid"], df["source"]))
    assert "Durango, Biscay" in wikipedia_articles(source[DURANGO])[0]
    sources = dict(
        zip(
            tables["industry/cities_americas_oceania.csv"]["geonameid"],
            tables["industry/cities_americas_oceania.csv"]["source"],
        )
    )
    assert wikipedia_articles(sources["5174035"]) == ["Toledo, Ohio"]


@pytest.mark.parametrize("path", sorted(TAG_TABLES))
def test_every_tag_is_in_the_vocabulary_of_its_aspect(tables, path):
    vocab = set(load_tag_vocabulary()[TAG_TABLES[path]])
    unknown = sorted({t for cell in tables[path]["tags"] for t in split_values(cell)} - vocab)
    assert not unknown, f"{path}: tags missing from tags.csv: {unknown}"


def test_every_history_tag_has_a_phrase_for_explanations():
    assert set(load_tag_vocabulary()["history"]) <= set(HISTORY_PHRASES)


def test_group_kinds_are_known(tables):
    kinds = {"former_state", "colonial", "alliance", "community"}
    assert set(tables["history/country_groups.csv"]["kind"]) <= kinds


@pytest.mark.parametrize("path", CITY_TABLES)
def test_city_rows_are_geonames_towns_of_the_stated_country(cities, tables, path):
    df = tables[path]
    ids = df["geonameid"].astype("int64").to_numpy()
    rows = cities.index.rows_or_missing(ids)
    assert not (rows < 0).any(), f"{path}: unknown geonameids {ids[rows < 0].tolist()}"
    actual = [cities.countries.code_of(cities.country[r]) for r in rows]
    wrong = [(g, c, a) for g, c, a in zip(df["geonameid"], df["country"], actual) if c != a]
    assert not wrong, f"{path}: (geonameid, stated country, GeoNames country): {wrong}"
    assert not df["geonameid"].duplicated().any(), f"{path}: a town listed twice"


@pytest.mark.parametrize("path", sorted(COUNTRY_TABLES))
def test_country_codes_exist(cities, tables, path):
    known = set(cities.countries.codes)
    df = tables[path]
    unknown = sorted({c for col in COUNTRY_TABLES[path] for c in df[col]} - known)
    assert not unknown, f"{path}: unknown country codes {unknown}"


def test_diaspora_origins_are_country_codes(cities, tables):
    known = set(cities.countries.codes)
    origins = {o for cell in tables["diaspora/cities.csv"]["origins"] for o in split_values(cell)}
    assert origins <= known, sorted(origins - known)


def test_regions_are_geonames_admin1_regions(cities, tables):
    known = {(cities.countries.code_of(c), a) for c, a in zip(cities.country, cities.admin1)}
    df = tables["industry/regions.csv"]
    missing = sorted(set(zip(df["country"], df["admin1"])) - known)
    assert not missing, missing


# Regression checks for the review of issue 9.


def test_uk_is_not_in_the_eu(groups):
    assert "GB" not in groups["eu"]
    assert len(groups["eu"]) == 27


def test_warsaw_pact_and_comecon_are_country_level_member_states(tables, groups):
    other_soviet_republics = groups["soviet_union"] - {"RU"}
    assert groups["warsaw_pact"] == {"RU", "PL", "CZ", "SK", "HU", "RO", "BG", "AL", GERMANY}
    for group in ("warsaw_pact", "comecon"):
        assert GERMANY in groups[group]
        assert not groups[group] & other_soviet_republics, group
    df = tables["history/country_groups.csv"]
    gdr = df[(df["country"] == GERMANY) & df["group"].isin(["warsaw_pact", "comecon"])]
    assert gdr["source"].str.contains("German Democratic Republic").all()


def test_spanish_civil_war_bombings_are_not_ww2(tables):
    for town in (DURANGO, GERNIKA):
        tags = history_tags(tables, town)
        assert "civil_war_bombed" in tags and "ww2_bombed" not in tags


def test_no_second_world_war_tag_in_neutral_countries(tables):
    df = tables["history/cities.csv"]
    wrong = [
        (n, c, t)
        for n, c, t in zip(df["name"], df["country"], df["tags"])
        if c in NEUTRAL_IN_WW2 and {"ww2_bombed", "ww2_battle"} & set(split_values(t))
    ]
    assert not wrong


def test_kontor_towns_are_not_league_members(tables):
    for gid, town in KONTOR_TOWNS.items():
        tags = history_tags(tables, gid)
        assert "hanseatic_kontor" in tags and "hanseatic" not in tags, town
    df = tables["history/cities.csv"]
    both = [n for n, t in zip(df["name"], df["tags"]) if {"hanseatic", "hanseatic_kontor"} <= set(split_values(t))]
    assert not both


def test_al_khums_is_not_a_roman_foundation(tables):
    tags = history_tags(tables, AL_KHUMS)
    assert tags and "roman_foundation" not in tags
