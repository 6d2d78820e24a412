"""Tests of `UserProfileProvider` (profiles/user_csv.py): a user's CSV of profiles, good and bad."""

import pytest

from conftest import Listed, overlap, weighted
from sistermatch.errors import InvalidInput
from sistermatch.profiles import Fact, ProfileStore, UserProfileProvider
from sistermatch.resolve import Resolver


def shipped(c):
    r = c.index.row
    return [
        Fact("industry", "city", r(1), "automotive", "shipped"),
        Fact("history", "city", r(1), "ww2_bombed", "shipped"),
        Fact("industry", "city", r(9), "port", "shipped"),
        Fact("diaspora", "city", r(9), "GB", "shipped"),
    ]


@pytest.fixture(scope="module")
def resolver(cities):
    return Resolver(cities)


def user_file(tmp_path, text):
    path = tmp_path / "profiles.csv"
    path.write_text(text, encoding="utf-8")
    return path


def build(cities, resolver, path):
    return ProfileStore.build(cities, [Listed(shipped), UserProfileProvider(path, resolver)])


def test_user_profiles_override_by_geonameid(cities, resolver, tmp_path):
    path = user_file(tmp_path, "geonameid,industries,history\n1,motorsport; aerospace,\n22,wine,roman_foundation\n")
    store = build(cities, resolver, path)
    row = cities.index.row
    p = store.profile(row(1))
    assert p.values("industry") == ["aerospace", "motorsport"]  # replaced, not added
    assert p.values("history") == ["ww2_bombed"]  # empty cell keeps the shipped facts
    assert {f.source for f in p.facts if f.aspect == "industry"} == {f"user profiles file {path}"}
    assert store.profile(row(22)).values("industry") == ["wine"]
    assert weighted(store).industry_known_[row(22)]
    # Towns the file does not name keep their shipped profile.
    assert store.profile(row(9)).values("industry") == ["port"]


def test_user_profiles_by_name_and_country(cities, resolver, tmp_path):
    path = user_file(
        tmp_path, "city,country,industries,diaspora\nCaen,FR,,PL; de\nToledo,ES,tourism,\nCologne,Germany,automotive,\n"
    )
    store = build(cities, resolver, path)
    row = cities.index.row
    assert store.profile(row(9)).values("industry") == ["port"]  # empty industries cell
    assert store.profile(row(9)).values("diaspora") == ["DE", "PL"]  # replaces the shipped GB
    assert store.profile(row(12)).values("industry") == ["tourism"]
    assert store.profile(row(7)).values("industry") == ["automotive"]
    assert overlap(store, 1, 7) > 0


@pytest.mark.parametrize(
    "text, message",
    [
        ("geonameid,industries\n1,automotive\n9,rocketry\n", "line 3: unknown tag 'rocketry'"),
        ("geonameid,history\n1,ww9_battle\n", "line 2: unknown tag 'ww9_battle'"),
        ("city,country,industries\nCoventry,GB,port\nAtlantis,GB,port\n", "line 3: no city matches 'Atlantis'"),
        ("city,country,industries\nSpringfield,US,port\n", "line 2: 'Springfield' is ambiguous"),
        ("city,country,industries\nCoventry,XX,port\n", "line 2: unknown country 'XX'"),
        ("geonameid,industries\n999,port\n", "line 2"),
        ("geonameid,diaspora\n1,PL\n9,XX\n", "line 3: unknown diaspora origin country 'XX'"),
        ("town,industries\nCoventry,port\n", "needs columns (geonameid) or (city,country)"),
        ("city,industries\nCoventry,port\n", "needs columns"),
        ("geonameid,notes\n1,lovely\n", "needs at least one of the columns industries, history, diaspora"),
        ("geonameid,industries\n", "header but no rows"),
    ],
)
def test_bad_user_profiles_are_rejected_whole(cities, resolver, tmp_path, text, message):
    path = user_file(tmp_path, text)
    provider = UserProfileProvider(path, resolver)
    with pytest.raises(InvalidInput) as err:
        provider.facts(cities)
    assert message in str(err.value)
    # Nothing is applied: building a store with the bad file fails as a whole.
    with pytest.raises(InvalidInput):
        build(cities, resolver, path)


def test_user_profiles_missing_file(cities, resolver, tmp_path):
    with pytest.raises(InvalidInput, match="profiles file not found"):
        UserProfileProvider(tmp_path / "none.csv", resolver).facts(cities)
