"""Tests of `Resolver`: turning what a person types into one city of the synthetic world."""

import pytest

from sistermatch.errors import AmbiguousCity, CityNotFound, InvalidInput
from sistermatch.resolve import MAX_QUERY_LENGTH, Resolver


@pytest.fixture(scope="module")
def resolver(cities):
    return Resolver(cities)


def gid(cities, row):
    return int(cities.geonameid[row])


@pytest.mark.parametrize("typed, expected", [
    ("Coventry", 1),
    ("coventry", 1),
    ("  COVENTRY  ", 1),
    ("Köln", 7),
    ("Leamington", 3),
    ("Washington", 23),
])
def test_exact_names(cities, resolver, typed, expected):
    assert gid(cities, resolver.resolve(typed)) == expected


@pytest.mark.parametrize("typed, expected", [
    ("Cologne", 7), ("Koeln", 7), ("Colonia", 7), ("Warszawa", 10), ("Varsovie", 10),
    ("Cracow", 11), ("Londres", 2), ("Coventre", 1),
])
def test_alternate_names(cities, resolver, typed, expected):
    assert gid(cities, resolver.resolve(typed)) == expected


@pytest.mark.parametrize("typed, expected", [("Krakow", 11), ("Koln", 7), ("Berat", 21), ("KRAKÓW", 11)])
def test_accents_do_not_matter(cities, resolver, typed, expected):
    assert gid(cities, resolver.resolve(typed)) == expected


@pytest.mark.parametrize("typed, expected", [
    ("Toledo, ES", 12), ("Toledo, US", 14), ("toledo,es", 12), ("Toledo, Spain", 12),
    ("Springfield, US", None), ("Paris, US", 16),
])
def test_name_comma_country(cities, resolver, typed, expected):
    if expected is None:
        with pytest.raises(AmbiguousCity):
            resolver.resolve(typed)
    else:
        assert gid(cities, resolver.resolve(typed)) == expected


@pytest.mark.parametrize("country, expected", [("ES", 12), ("us", 14), ("Spain", 12), ("United States", 14)])
def test_country_argument(cities, resolver, country, expected):
    assert gid(cities, resolver.resolve("Toledo", country=country)) == expected


def test_blank_country_argument_is_ignored(cities, resolver):
    assert gid(cities, resolver.resolve("Coventry", country="  ")) == 1


def test_country_argument_with_no_such_town_there(resolver):
    with pytest.raises(CityNotFound):
        resolver.resolve("Coventry", country="DE")


def test_unknown_country_argument(resolver):
    with pytest.raises(InvalidInput, match="XX"):
        resolver.resolve("Coventry", country="XX")


def test_split_country_keeps_a_comma_that_names_no_country(resolver):
    assert resolver.split_country("Frankfurt, Oder") == ("Frankfurt, Oder", None)
    name, ci = resolver.split_country("Toledo, ES")
    assert name == "Toledo" and resolver.cities.countries.code_of(ci) == "ES"


@pytest.mark.parametrize("typed", ["7", 7, " 7 "])
def test_geonames_id(cities, resolver, typed):
    assert gid(cities, resolver.resolve(typed)) == 7


def test_geonames_id_with_matching_country(cities, resolver):
    assert gid(cities, resolver.resolve("7", country="DE")) == 7


def test_geonames_id_in_another_country(resolver):
    with pytest.raises(CityNotFound, match="7"):
        resolver.resolve("7", country="FR")


def test_unknown_geonames_id(resolver):
    with pytest.raises(CityNotFound, match="999"):
        resolver.resolve("999")


@pytest.mark.parametrize("typed", ["St. Petersburg", "St Petersburg", "Saint Petersburg", "Saint-Petersburg",
                                   "saint petersburg"])
def test_saint_abbreviations(cities, resolver, typed):
    assert gid(cities, resolver.resolve(typed)) == 17


def test_dominant_city_wins(cities, resolver):
    # Paris FR has 84 times the people of Paris, Texas: the largest by far is meant.
    assert gid(cities, resolver.resolve("Paris")) == 8


def test_dominance_threshold_is_respected(cities):
    strict = Resolver(cities, dominance=100.0)
    with pytest.raises(AmbiguousCity):
        strict.resolve("Paris")


def test_ambiguous_lists_every_choice(cities, resolver):
    with pytest.raises(AmbiguousCity) as err:
        resolver.resolve("Springfield")
    exc = err.value
    assert {c.geonameid for c in exc.choices} == {18, 19}
    # Most populous first: Springfield MA (155k) before Springfield IL (115k).
    assert [c.admin1 for c in exc.choices] == ["MA", "IL"]
    msg = str(exc)
    assert "Springfield (US, Illinois, pop. 115,000, id 18)" in msg
    assert "Springfield (US, Massachusetts, pop. 155,000, id 19)" in msg
    assert 'add the region ("Springfield, MA") or use the id' in msg
    assert "\n" not in msg
    assert isinstance(exc, LookupError)


def test_ambiguous_across_countries(resolver):
    # Toledo OH has only about 3x the people of Toledo ES: not dominant.
    with pytest.raises(AmbiguousCity) as err:
        resolver.resolve("Toledo")
    assert {c.country for c in err.value.choices} == {"ES", "US"}


@pytest.mark.parametrize("typed, expected", [("Chicgo", 15), ("Coventy", 1), ("Dresdn", 6)])
def test_fuzzy_typo_above_cutoff_is_accepted(cities, resolver, typed, expected):
    assert gid(cities, resolver.resolve(typed)) == expected


def test_fuzzy_typo_below_cutoff_is_not_accepted_but_suggested(cities):
    # "Kolne" is about 89 similar to "koln": rejected under a cutoff of 95, suggested instead.
    with pytest.raises(CityNotFound) as err:
        Resolver(cities, fuzzy_cutoff=95).resolve("Kolne")
    assert err.value.suggestions and err.value.suggestions[0] == "Köln (DE)"
    assert "did you mean" in str(err.value)


def test_fuzzy_cutoff_is_configurable(cities):
    assert gid(cities, Resolver(cities, fuzzy_cutoff=80).resolve("Kolne")) == 7
    with pytest.raises(CityNotFound):
        Resolver(cities, fuzzy_cutoff=99).resolve("Chicgo")


def test_fuzzy_respects_the_country(resolver):
    with pytest.raises(CityNotFound):
        resolver.resolve("Chicgo", country="FR")


def test_fuzzy_ambiguity_is_still_reported(resolver):
    with pytest.raises(AmbiguousCity):
        resolver.resolve("Springfeld")


def test_nonsense_is_never_fuzzily_accepted(resolver):
    with pytest.raises(CityNotFound):
        resolver.resolve("Qwertyuiop")


def test_not_found_with_suggestions(cities):
    with pytest.raises(CityNotFound) as err:
        Resolver(cities, fuzzy_cutoff=95).resolve("Bera")
    assert "Bérat (FR)" in err.value.suggestions
    assert err.value.query == "Bera"


def test_not_found_without_suggestions(resolver):
    with pytest.raises(CityNotFound) as err:
        resolver.resolve("Xyzzy")
    assert err.value.suggestions == ()
    assert "Xyzzy" in str(err.value)


def test_suggest_returns_labels(resolver):
    labels = resolver.suggest("Coventy")
    assert labels[0] == "Coventry (GB, England)"
    assert len(labels) <= 5


@pytest.mark.parametrize("typed", ["", "   ", "\t"])
def test_empty_input(resolver, typed):
    with pytest.raises(InvalidInput, match="empty"):
        resolver.resolve(typed)


def test_too_long_input(resolver):
    with pytest.raises(InvalidInput, match=str(MAX_QUERY_LENGTH)):
        resolver.resolve("x" * (MAX_QUERY_LENGTH + 1))


def test_longest_allowed_input_is_looked_up(resolver):
    with pytest.raises(CityNotFound):
        resolver.resolve("x" * MAX_QUERY_LENGTH)


def names(cities, rows):
    return [(str(cities.name[r]), cities.country_code(r)) for r in rows]


def test_complete_prefix(cities, resolver):
    assert names(cities, resolver.complete("Spr")) == [("Springfield", "US"), ("Springfield", "US")]
    assert names(cities, resolver.complete("pa")) == [("Paris", "FR"), ("Paris", "US")]  # most populous first


def test_complete_folds_accents_and_case(cities, resolver):
    assert names(cities, resolver.complete("KRA")) == [("Kraków", "PL")]
    assert names(cities, resolver.complete("béra")) == [("Bérat", "FR")]
    assert names(cities, resolver.complete("Ber")) == [("Berlin", "DE"), ("Bérat", "FR")]


def test_complete_includes_alternate_name_matches(cities, resolver):
    assert names(cities, resolver.complete("Cologne")) == [("Köln", "DE")]


def test_complete_with_country_and_limit(cities, resolver):
    assert names(cities, resolver.complete("Paris", country="US")) == [("Paris", "US")]
    assert names(cities, resolver.complete("Paris, FR")) == [("Paris", "FR")]
    assert names(cities, resolver.complete("c", limit=2)) == [("Chicago", "US"), ("Coventry", "GB")]


def test_complete_nothing(resolver):
    assert len(resolver.complete("zzz")) == 0


def test_complete_empty_prefix_is_invalid(resolver):
    with pytest.raises(InvalidInput):
        resolver.complete("")
