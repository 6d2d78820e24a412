"""Tests of `default_providers` (profiles/defaults.py): the shipped tables, merged in order."""

from sistermatch.profiles import ProfileStore
from sistermatch.profiles.defaults import default_providers


def test_shipped_providers_in_merge_order():
    assert [p.name for p in default_providers()] == ["industry", "history", "country_groups", "diaspora"]


def test_the_shipped_tables_merge_into_one_store(named_world):
    w = named_world
    store = ProfileStore.build(w, default_providers())
    coventry, dresden, nowhere = (w.index.row(g) for g in (2652221, 2935022, 999000001))
    history = store.history_city.toarray()  # (cities, history tags), sparse in the store
    bombed = store.history_tags.index("ww2_bombed")
    assert history[coventry, bombed] and history[dresden, bombed]
    assert not history[nowhere].any()  # in no table
    industry = store.industry_city.toarray()
    assert industry[coventry, store.industry_tags.index("automotive")]
    assert not industry[nowhere].any()
