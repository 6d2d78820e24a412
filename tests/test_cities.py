"""Tests of the candidate pool: CityIndex, CountryTable, CityTable and City on the synthetic world."""

import numpy as np
import pytest

from conftest import CITIES, make_countries, make_table
from sistermatch.cities import City, CityIndex, CityTable
from sistermatch.errors import CityNotFound, InvalidInput
from sistermatch.text import fold


def row_of(cities, name, country):
    rows = cities.rows_named(fold(name), country=cities.countries.index_of(country))
    assert len(rows) == 1
    return int(rows[0])


# -- CityIndex -----------------------------------------------------------------------


def test_index_round_trips_ids_and_rows():
    ids = [50, 10, 30, 20]
    idx = CityIndex(ids)
    assert len(idx) == 4
    for row, gid in enumerate(ids):
        assert idx.row(gid) == row
    assert list(idx.ids([0, 1, 2, 3])) == ids
    assert list(idx.rows_or_missing([30, 50, 10])) == [2, 0, 1]


@pytest.mark.parametrize("unknown", [0, 5, 25, 60, 10**12])
def test_index_unknown_ids_are_missing(unknown):
    idx = CityIndex([50, 10, 30, 20])
    assert idx.rows_or_missing([unknown, 10])[0] == -1
    assert idx.rows_or_missing([unknown, 10])[1] == 1
    assert unknown not in idx
    with pytest.raises(CityNotFound, match=str(unknown)):
        idx.row(unknown)


def test_index_contains_known_ids():
    idx = CityIndex([50, 10, 30])
    assert 30 in idx and 50 in idx


def test_city_not_found_is_a_lookup_error():
    with pytest.raises(LookupError):
        CityIndex([1]).row(2)


# -- CountryTable --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["DE", "de", " De ", "Germany", "germany", "GERMANY"])
def test_country_by_code_or_english_name(text):
    countries = make_countries()
    assert countries.code_of(countries.index_of(text)) == "DE"


def test_country_with_a_two_word_name():
    countries = make_countries()
    assert countries.code_of(countries.index_of("United Kingdom")) == "GB"
    assert countries.code_of(countries.index_of("united states")) == "US"


@pytest.mark.parametrize("text", ["XX", "Atlantis", "", "D"])
def test_unknown_country_is_invalid_input_naming_it(text):
    countries = make_countries()
    with pytest.raises(InvalidInput, match="unknown country") as err:
        countries.index_of(text)
    assert repr(text) in str(err.value)
    assert isinstance(err.value, ValueError)


def test_country_neighbours_are_symmetric():
    countries = make_countries()
    de, fr, pl, gb = (countries.index_of(c) for c in ("DE", "FR", "PL", "GB"))
    assert countries.neighbours[de, fr] and countries.neighbours[fr, de]
    assert countries.neighbours[pl, de]
    assert not countries.neighbours[gb].any()


def test_shared_language_matrix():
    countries = make_countries()
    shared = countries.shared_language_matrix()
    gb, us, es, de = (countries.index_of(c) for c in ("GB", "US", "ES", "DE"))
    assert shared[gb, us] and shared[us, es]
    assert not shared[gb, es] and not shared[de, gb]
    assert shared[de, de]


# -- CityTable -----------------------------------------------------------------------


def test_from_records_keeps_every_city_in_order(cities):
    assert len(cities) == len(CITIES)
    assert list(cities.geonameid) == [c[0] for c in CITIES]
    assert list(cities.name) == [c[1] for c in CITIES]
    assert [cities.country_code(r) for r in range(len(cities))] == [c[2] for c in CITIES]
    assert cities.population[cities.index.row(2)] == 8900000


def test_from_records_without_alternate_names_or_admin1():
    recs = [dict(geonameid=7, name="Lonely", country="GB", latitude=50.0, longitude=0.0, population=10)]
    table = CityTable.from_records(recs, make_countries())
    assert len(table) == 1
    assert table.admin1[0] == ""
    assert list(table.rows_named("lonely")) == [0]
    assert table.city(0).label() == "Lonely (GB)"


def test_from_records_finds_every_town_by_each_of_its_names_once():
    table = make_table(
        [
            (1, "Saint-Malo", "FR", "", 48.6, -2.0, 46000, ["St. Malo", "Sant-Maloù", "--"]),
            (2, "Malo", "ES", "", 43.0, -3.0, 900, ["St. Malo"]),  # a name two towns share
            (3, "St Malo", "GB", "", 50.0, -1.0, 600),
        ]
    )
    assert list(table.folded_name) == ["saint malo", "malo", "saint malo"]
    assert list(table.rows_named("saint malo")) == [0, 1, 2]
    assert list(table.rows_named(fold("Sant-Maloù"))) == [0]
    assert list(table.rows_named("malo")) == [1]
    assert list(table.rows_named("")) == []  # "--" folds to nothing: no key
    # One (name, town) pair per town, though two of Saint-Malo's names fold alike.
    assert np.count_nonzero(table.alias_row == 0) == 2


def test_from_records_rejects_an_unknown_country():
    recs = [dict(geonameid=7, name="Nowhere", country="XX", admin1="", latitude=0, longitude=0, population=1)]
    with pytest.raises(InvalidInput, match="XX"):
        CityTable.from_records(recs, make_countries())


def test_city_returns_plain_python_values(cities):
    c = cities.city(cities.index.row(1))
    assert c == City(1, "Coventry", "GB", "ENG", 52.41, -1.51, 345000)
    assert type(c.geonameid) is int and type(c.population) is int and type(c.latitude) is float
    with pytest.raises(AttributeError):
        c.name = "Other"  # frozen


def test_city_to_dict(cities):
    d = cities.city(cities.index.row(8)).to_dict()
    assert d == {
        "geonameid": 8,
        "name": "Paris",
        "country": "FR",
        "admin1": "11",
        "region_name": "",
        "region": None,
        "label": "Paris (FR)",
        "latitude": 48.86,
        "longitude": 2.35,
        "population": 2100000,
    }
    springfield = cities.city(cities.index.row(18)).to_dict()
    assert springfield["region_name"] == springfield["region"] == "Illinois"
    assert springfield["label"] == "Springfield (US, Illinois)"


@pytest.mark.parametrize(
    "key, country, expected",
    [
        ("koln", None, [7]),
        ("cologne", None, [7]),
        ("koeln", "DE", [7]),
        ("krakow", None, [11]),
        ("cracow", None, [11]),
        ("paris", None, [8, 16]),
        ("paris", "FR", [8]),
        ("paris", "US", [16]),
        ("springfield", None, [18, 19]),
        ("saint petersburg", None, [17]),
        ("berat", None, [21]),
        ("londres", None, [2]),
    ],
)
def test_rows_named_primary_and_alternate_names(cities, key, country, expected):
    ci = None if country is None else cities.countries.index_of(country)
    rows = cities.rows_named(key, country=ci)
    assert sorted(cities.index.ids(rows).tolist()) == expected


@pytest.mark.parametrize("key", ["atlantis", "", "par", "kolnx"])
def test_rows_named_unknown_is_empty(cities, key):
    assert len(cities.rows_named(key)) == 0


def test_rows_named_wrong_country_is_empty(cities):
    assert len(cities.rows_named("koln", country=cities.countries.index_of("FR"))) == 0


def test_distance_between_known_points(cities):
    paris = cities.index.row(8)
    london = cities.index.row(2)
    # Paris to London is about 343 km as the crow flies.
    assert cities.distance_km(paris, [london])[0] == pytest.approx(343, abs=5)
    # Berlin to Warsaw is about 517 km.
    assert cities.distance_km(cities.index.row(5), [cities.index.row(10)])[0] == pytest.approx(517, abs=6)


def haversine_km(lat1, lon1, lat2, lon2):
    """The great-circle distance by the haversine formula, written out independently of the package."""
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(h))


def test_distance_to_all_rows(cities):
    row = cities.index.row(1)
    d = cities.distance_km(row)
    assert d.shape == (len(cities),)
    assert d[row] == pytest.approx(0.0, abs=1e-3)
    lat, lon = np.array([c[4] for c in CITIES]), np.array([c[5] for c in CITIES])
    assert d == pytest.approx(haversine_km(lat[row], lon[row], lat, lon), rel=1e-3, abs=0.5)
    # Symmetric, and the nearest other town to Coventry is Leamington (about 14 km).
    assert cities.distance_km(cities.index.row(3), [row])[0] == pytest.approx(d[cities.index.row(3)])
    others = np.delete(np.arange(len(cities)), row)
    assert cities.geonameid[others[np.argmin(d[others])]] == 3
    assert d[cities.index.row(3)] == pytest.approx(14, abs=2)


def test_distance_antipodes_is_half_the_circumference():
    recs = [
        dict(geonameid=1, name="A", country="GB", admin1="", latitude=0.0, longitude=0.0, population=1),
        dict(geonameid=2, name="B", country="GB", admin1="", latitude=0.0, longitude=180.0, population=1),
    ]
    table = CityTable.from_records(recs, make_countries())
    assert table.distance_km(0, [1])[0] == pytest.approx(np.pi * 6371.0, rel=1e-3)


def test_capitals_are_the_largest_city_named_after_the_capital(cities):
    capitals = sorted(cities.geonameid[cities.is_capital].tolist())
    assert capitals == [2, 5, 8, 10, 13, 23]  # London, Berlin, Paris FR, Warsaw, Madrid, Washington
    assert not cities.is_capital[cities.index.row(16)]  # Paris, Texas is not a capital


def test_region_centres_are_the_largest_city_of_their_region(cities):
    centre = {int(g): bool(f) for g, f in zip(cities.geonameid, cities.is_region_centre)}
    assert centre[2] and not centre[1] and not centre[3]  # London over Coventry and Leamington
    assert centre[15] and not centre[18]  # Chicago over Springfield IL
    assert centre[19]  # Springfield MA is alone in its region
    assert centre[9] and not centre[20]  # Caen over Tinyville
    assert centre[6] and not centre[22]  # Dresden over Villageton
    # Exactly one centre per region.
    assert np.bincount(cities.region[cities.is_region_centre]).max() == 1
    assert cities.is_region_centre.sum() == cities.n_regions


def test_regions_group_country_and_admin1(cities):
    r = {int(g): int(x) for g, x in zip(cities.geonameid, cities.region)}
    assert r[1] == r[2] == r[3]
    assert r[9] == r[20]
    assert r[18] != r[19]


def test_label():
    c = City(1, "Coventry", "GB", "ENG", 52.41, -1.51, 345000)
    assert c.label() == "Coventry (GB, England)"
    assert c.label(with_population=True) == "Coventry (GB, England, pop. 345,000)"
    assert c.label(with_population=True, with_id=True) == "Coventry (GB, England, pop. 345,000, id 1)"


def test_label_leaves_out_a_region_code_without_a_name():
    # GeoNames' Greek admin1 codes ("ESYE23") have no name in any shipped package.
    c = City(255683, "Pátra", "GR", "ESYE23", 38.24, 21.73, 168034)
    assert c.label() == "Pátra (GR)"
    assert c.admin1 == "ESYE23" and c.to_dict()["admin1"] == "ESYE23"


@pytest.mark.parametrize("admin1", ["", "00"])
def test_label_without_a_region(admin1):
    c = City(9, "Vaduz", "LI", admin1, 47.1, 9.5, 5000)
    assert c.label() == "Vaduz (LI)"
    assert c.label(with_population=True) == "Vaduz (LI, pop. 5,000)"


def test_ids_beyond_64_bits_are_simply_unknown(cities):
    huge = 10**30
    assert huge not in cities.index
    assert cities.index.rows_or_missing([1, huge, 2]).tolist()[1] == -1
    with pytest.raises(CityNotFound):
        cities.index.row(huge)
