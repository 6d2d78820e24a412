"""Tests of `sistermatch.regions`: region names shown to people, and only where they are right."""

import numpy as np
import pytest

from sistermatch.cities import City
from sistermatch.regions import RegionNames, _tidy_iso_name, region_names
from sistermatch.text import fold


def test_names_from_a_table():
    names = RegionNames({("US", "IL"): "Illinois", ("CH", "ZH"): "Zürich"})
    assert names.name("US", "IL") == "Illinois"
    assert names.name("US", "ZZ") == ""
    assert names.codes_named("ILLINOIS") == [("US", "IL")]
    assert names.codes_named("zurich") == [("CH", "ZH")]
    assert names.codes_named("Narnia") == []
    assert len(names) == 2


@pytest.mark.parametrize(
    "country, admin1, name",
    [
        ("US", "IL", "Illinois"),
        ("US", "MA", "Massachusetts"),
        ("US", "DC", "District of Columbia"),
        ("GB", "ENG", "England"),
        ("GB", "SCT", "Scotland"),
        ("GB", "WLS", "Wales"),
        ("GB", "NIR", "Northern Ireland"),
        ("CH", "ZH", "Zürich"),
        ("CH", "TI", "Ticino"),
        ("AT", "09", "Wien"),
        ("AT", "06", "Steiermark"),
        ("IE", "M", "Munster"),
        ("BE", "WAL", "Région wallonne"),
    ],
)
def test_shipped_names(country, admin1, name):
    assert region_names().name(country, admin1) == name


@pytest.mark.parametrize(
    "country, admin1",
    [
        ("GR", "ESYE23"),  # GeoNames' own Greek codes
        ("HR", "21"),  # Croatia: GeoNames numbers its counties in another order than ISO 3166-2
        ("JP", "40"),  # Japan: GeoNames 40 is Tokyo, ISO JP-40 is Fukuoka
        ("DE", "07"),
        ("PL", "86"),
        ("FR", "11"),
        ("US", "00"),
        ("GB", ""),
    ],
)
def test_no_name_where_the_codes_are_not_iso(country, admin1):
    assert region_names().name(country, admin1) == ""


def test_second_level_iso_units_are_not_taken_for_regions():
    # GB-BIR (Birmingham) is a second-level unit; GeoNames' GB admin1 are the four nations.
    assert region_names().name("GB", "BIR") == ""


@pytest.mark.parametrize(
    "raw, tidy",
    [
        ("Wales [Cymru GB-CYM]", "Wales"),
        ("wallonne, Région", "Région wallonne"),
        ("Bruxelles-Capitale, Région de", "Région de Bruxelles-Capitale"),
        ("Zürich", "Zürich"),
    ],
)
def test_iso_names_are_tidied(raw, tidy):
    assert _tidy_iso_name(raw) == tidy


@pytest.mark.parametrize(
    "admin1, label", [("IL", "Springfield (US, Illinois)"), ("ZZ", "Springfield (US)"), ("", "Springfield (US)")]
)
def test_label_shows_the_name_or_nothing(admin1, label):
    city = City(4250542, "Springfield", "US", admin1, 39.8, -89.6, 114394)
    assert city.label() == label
    assert city.to_dict()["admin1"] == admin1


@pytest.mark.realdata
def test_iso_names_agree_with_the_towns_in_each_region(real_cities):
    """Where a region is named like a town of its country (Zürich, Luzern, Salzburg, Vaduz),
    that town lies in the region so coded: the check that made these countries trusted."""
    cities = real_cities
    names = region_names()
    checked = 0
    # Cantons, Länder and communes are named after towns; the nations of GB, Ireland's
    # provinces and Belgium's regions are checked by the towns they hold, below.
    for country in ("CH", "AT", "LI", "LU"):
        ci = cities.countries.index_of(country)
        for (cc, code), name in names.names.items():
            if cc != country:
                continue
            key = fold(name)
            rows = cities.rows_named(key, country=ci)
            rows = rows[cities.folded_name[rows] == key]
            if not len(rows):
                continue
            largest = rows[np.argmax(cities.population[rows])]
            assert cities.admin1[largest] == code, (country, code, name)
            checked += 1
    assert checked >= 15
    for name, country, region in (
        ("London", "GB", "England"),
        ("Glasgow", "GB", "Scotland"),
        ("Cardiff", "GB", "Wales"),
        ("Belfast", "GB", "Northern Ireland"),
        ("Dublin", "IE", "Leinster"),
        ("Cork", "IE", "Munster"),
        ("Galway", "IE", "Connaught"),
        ("Antwerpen", "BE", "Vlaams Gewest"),
        ("Charleroi", "BE", "Région wallonne"),
        ("Graz", "AT", "Steiermark"),
        ("Lugano", "CH", "Ticino"),
    ):
        rows = cities.rows_named(fold(name), country=cities.countries.index_of(country))
        largest = rows[np.argmax(cities.population[rows])]
        assert cities.city(largest).region_name == region, name
