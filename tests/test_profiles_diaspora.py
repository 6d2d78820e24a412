"""Tests of `DiasporaProvider` (profiles/diaspora.py): migrant corridors and community centres."""

import pandas as pd

from sistermatch.profiles import diaspora
from sistermatch.profiles.diaspora import DiasporaProvider


def test_corridors_between_the_pools_countries_with_their_figure_and_year(named_world):
    w = named_world
    facts = [f for f in DiasporaProvider().facts(w) if f.level == "country_pair"]
    codes = w.countries.codes
    pairs = {}
    for f in facts:
        pairs.setdefault((codes[f.key[0]], codes[f.key[1]]), []).append(f)
    assert all(o != d for o, d in pairs)  # never a country with itself
    # Poland to Germany has two rows: a migrant stock and an ancestry count, each with its year.
    assert {(f.value, f.text, f.source) for f in pairs[("PL", "DE")]} == {
        (
            "PL->DE",
            "about 1.7 million people from Poland live in Germany",
            "UN DESA International Migrant Stock 2020 (rounded)",
        ),
        (
            "PL->DE",
            "about 2.2 million people from Poland live in Germany",
            "Destatis Mikrozensus 2019 migration background (rounded) (ancestry)",
        ),
    }


def test_community_centres_keep_only_origins_in_the_pool(named_world):
    w = named_world
    facts = [f for f in DiasporaProvider().facts(w) if f.level == "city"]
    by_city = {}
    for f in facts:
        by_city.setdefault(int(w.geonameid[f.key]), set()).add(f.value)
    # Chicago's row lists PL;MX;IE;IT;GR;LT;PR; of those only Poland is in this world.
    assert by_city[4887398] == {"PL"}
    text = next(f.text for f in facts if f.key == w.index.row(4887398))
    assert text == "a community from Poland lives in Chicago"


def test_bad_rows_are_skipped_not_fatal(named_world, monkeypatch):
    corridors = pd.DataFrame(
        {
            "origin": ["PL", "PL", "XX", "DE"],
            "destination": ["GB", "PL", "GB", "FR"],
            "migrants": ["900000", "5", "10", "about a lot"],
            "year": ["2020", "2020", "2020", "ancestry"],
            "source": ["UN DESA 2020", "UN DESA 2020", "UN DESA 2020", "a census"],
        }
    )
    centres = pd.DataFrame(
        {"geonameid": ["2652221", "123"], "name": ["Coventry", "Gone"], "country": ["GB", "GB"],
         "origins": ["PL; de ;XX", "PL"], "source": ["a survey", "a survey"]}
    )  # fmt: skip
    tables = {"diaspora/corridors.csv": corridors, "diaspora/cities.csv": centres}
    monkeypatch.setattr(diaspora, "bundled_table", tables.get)
    facts = DiasporaProvider().facts(named_world)
    codes = named_world.countries.codes
    # Kept: the one well-formed corridor (its source already names its year), and Coventry's
    # two known origins, case folded. Dropped: a country with itself, an unknown country,
    # an amount that is not a number, a town outside the pool.
    assert [(codes[f.key[0]], codes[f.key[1]], f.amount, f.source) for f in facts if f.level == "country_pair"] == [
        ("PL", "GB", 900000.0, "UN DESA 2020")
    ]
    assert sorted(f.value for f in facts if f.level == "city") == ["DE", "PL"]
