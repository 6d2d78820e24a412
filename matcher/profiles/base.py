"""City profiles: facts from several providers, merged into matrices the features read.

A provider is one source of facts (the shipped industry table, the history table,
the migrant-stock corridors, a user's own CSV). Each yields :class:`Fact` values,
each with its ``source``. :class:`ProfileStore` merges them: per city, per region
and per country, so that a town without a curated row falls back to its region's and
its country's profile, and a missing fact stays *unknown* rather than *no*.
"""

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import InvalidInput

__all__ = [
    "Fact",
    "CityProfile",
    "ProfileProvider",
    "ProfileStore",
    "ASPECTS",
    "load_tag_vocabulary",
    "bundled_table",
    "bundled_tables",
    "tag_facts",
    "city_rows",
    "country_index",
    "country_indices",
]

ASPECTS = ("industry", "history", "diaspora", "country_group")
LEVELS = ("city", "region", "country", "country_pair")


@dataclass(frozen=True)
class Fact:
    """One fact about a city, a region, a country or a pair of countries.

    Attributes
    ----------
    aspect : {"industry", "history", "diaspora", "country_group"}
    level : {"city", "region", "country", "country_pair"}
    key : int or tuple
        City row, region id, country index, or ``(origin, destination)`` country indices.
    value : str
        A tag (``"motorsport"``), a group (``"soviet_union"``) or an origin country code.
    source : str
        Where the fact comes from (``"Wikipedia: Monza (Economy)"``).
    amount : float
        A size where it has one (migrants in a corridor); 1 otherwise.
    kind : str
        A sub-kind where it has one (``"former_state"`` for a group).
    text : str
        The fact as a person reads it, where the value alone is a code
        (``"about 230,000 people from Germany live in Austria"``).
    """

    aspect: str
    level: str
    key: object
    value: str
    source: str
    amount: float = 1.0
    kind: str = ""
    text: str = ""

    def to_dict(self, countries=None):
        d = {"aspect": self.aspect, "level": self.level, "value": self.value, "source": self.source}
        if self.text:
            d["text"] = self.text
        if self.kind:
            d["kind"] = self.kind
        if self.aspect == "diaspora" and self.level == "country_pair":
            d["amount"] = self.amount
        return d


@dataclass(frozen=True)
class CityProfile:
    """Everything known about one city, each fact with its source; see :meth:`ProfileStore.profile`."""

    city: object
    facts: tuple

    def values(self, aspect, level=None):
        return sorted({f.value for f in self.facts if f.aspect == aspect and (level is None or f.level == level)})

    def to_dict(self):
        return {"city": self.city.to_dict(), "facts": [f.to_dict() for f in self.facts]}


class ProfileProvider:
    """Base class of a source of profile facts.

    Subclasses set ``name`` and implement :meth:`facts`. A provider with
    ``overrides = True`` replaces, for each (city, aspect) it speaks of, the city-level
    facts of the providers before it (a user's own table over the shipped ones).
    """

    name = "provider"
    overrides = False

    def facts(self, cities):
        """Return a list of :class:`Fact` for the given :class:`CityTable`."""
        raise NotImplementedError


def bundled_table(relpath):
    """A CSV shipped in ``sistermatch.data`` (all columns as strings), as a new frame; None if
    absent. Each table is parsed once a process: every engine a process builds (a test
    suite builds hundreds) reads the same shipped files."""
    df = _parsed_table(relpath)
    return None if df is None else df.copy()


@functools.cache
def _parsed_table(relpath):
    ref = resources.files("sistermatch.data").joinpath(relpath)
    if not ref.is_file():
        return None
    with ref.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def bundled_tables(folder, prefix):
    """All shipped CSVs ``folder/prefix*.csv``, concatenated, in name order."""
    root = resources.files("sistermatch.data").joinpath(folder)
    if not root.is_dir():
        return None
    frames = [
        bundled_table(f"{folder}/{p.name}")
        for p in sorted(root.iterdir(), key=lambda p: p.name)
        if p.name.startswith(prefix) and p.name.endswith(".csv")
    ]
    return pd.concat(frames, ignore_index=True) if frames else None


def load_tag_vocabulary():
    """``{aspect: (tag, ...)}`` from the shipped ``tags.csv``."""
    df = bundled_table("tags.csv")
    return {a: tuple(g["tag"]) for a, g in df.groupby("aspect", sort=False)}


class ProfileStore:
    """The merged facts about cities, regions and countries, also as incidence matrices.

    Build with :meth:`build`. The matrices (what the profile features derive their
    weighted forms from, see :class:`~sistermatch.features.profile.ProfileFeatures`):

    industry_city (n, T), industry_region (R, T), industry_country (C, T)
        binary tag matrices per level, ``industry_tags`` names the columns;
    history_city (n, H): binary, ``history_tags`` names the columns;
    group_member (C, G): countries in groups (``group_names``, ``group_kinds``);
    diaspora_corridor (C, C): people born in the row country living in the column
    country; diaspora_city (n, C): the city is a known centre of that country's community.
    """

    def __init__(self, cities, facts):
        self.cities = cities
        self.facts = tuple(facts)
        vocab = load_tag_vocabulary()
        self.industry_tags = vocab.get("industry", ())
        self.history_tags = vocab.get("history", ())
        self._by_city = {}
        self._by_region = {}
        self._by_country = {}
        for f in self.facts:
            if f.level == "city":
                self._by_city.setdefault(f.key, []).append(f)
            elif f.level == "region":
                self._by_region.setdefault(f.key, []).append(f)
            elif f.level == "country":
                self._by_country.setdefault(f.key, []).append(f)
            else:
                for k in f.key:
                    self._by_country.setdefault(k, []).append(f)
        self._build_matrices()

    @classmethod
    def build(cls, cities, providers):
        """Merge the facts of ``providers`` (in order) for ``cities``."""
        facts = []
        for p in providers:
            new = p.facts(cities)
            if p.overrides:
                spoken = {(f.key, f.aspect) for f in new if f.level == "city"}
                facts = [f for f in facts if not (f.level == "city" and (f.key, f.aspect) in spoken)]
            facts.extend(new)
        return cls(cities, facts)

    @classmethod
    def empty(cls, cities):
        return cls(cities, ())

    def _tag_matrix(self, aspect, level, n_rows, tags):
        pos = {t: j for j, t in enumerate(tags)}
        rows, cols = [], []
        for f in self.facts:
            if f.aspect == aspect and f.level == level and f.value in pos:
                rows.append(f.key)
                cols.append(pos[f.value])
        m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_rows, len(tags)))
        m.data[:] = 1.0
        return m

    def _build_matrices(self):
        """The facts as incidence matrices (1 where a city, region or country carries a tag,
        a group or a community); what features derive from them is the features' business."""
        c = self.cities
        n, n_c, n_r = len(c), len(c.countries), c.n_regions
        T = self.industry_tags
        self.industry_city = self._tag_matrix("industry", "city", n, T)
        self.industry_region = self._tag_matrix("industry", "region", n_r, T)
        self.industry_country = self._tag_matrix("industry", "country", n_c, T)
        self.history_city = self._tag_matrix("history", "city", n, self.history_tags)

        groups = sorted({(f.value, f.kind) for f in self.facts if f.aspect == "country_group"})
        gpos = {g: j for j, (g, _) in enumerate(groups)}
        rows = [f.key for f in self.facts if f.aspect == "country_group"]
        cols = [gpos[f.value] for f in self.facts if f.aspect == "country_group"]
        member = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_c, len(groups)))
        member.data[:] = 1.0
        self.group_names = [g for g, _ in groups]
        self.group_kinds = [k for _, k in groups]
        self.group_member = member

        self.diaspora_corridor = np.zeros((n_c, n_c), dtype=np.float64)
        rows, cols = [], []
        for f in self.facts:
            if f.aspect == "diaspora" and f.level == "country_pair":
                o, d = f.key
                self.diaspora_corridor[o, d] = max(self.diaspora_corridor[o, d], f.amount)
            elif f.aspect == "diaspora" and f.level == "city":
                rows.append(f.key)
                cols.append(c.countries.index_of(f.value))
        self.diaspora_city = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n_c))
        self.diaspora_city.data[:] = 1.0

    def profile(self, row):
        """The :class:`CityProfile` of one city: its own facts, then its region's and country's."""
        c = self.cities
        facts = list(self._by_city.get(int(row), ()))
        facts += self._by_region.get(int(c.region[row]), [])
        facts += self._by_country.get(int(c.country[row]), [])
        return CityProfile(c.city(row), tuple(facts))

    def coverage(self):
        """Counts of cities (and countries) carrying each aspect, for ``data-stats``."""
        c = self.cities
        own = self.industry_city.getnnz(axis=1) > 0
        fallback = (self.industry_region.getnnz(axis=1)[c.region] > 0) | (
            self.industry_country.getnnz(axis=1)[c.country] > 0
        )
        return {
            "cities": len(c),
            "industry_city_level": int(own.sum()),
            "industry_with_region_or_country_fallback": int((own | fallback).sum()),
            "industry_regions": int((self.industry_region.getnnz(axis=1) > 0).sum()),
            "industry_countries": int((self.industry_country.getnnz(axis=1) > 0).sum()),
            "history_city_level": int((self.history_city.getnnz(axis=1) > 0).sum()),
            "country_groups": len(self.group_names),
            "countries_in_groups": int((self.group_member.getnnz(axis=1) > 0).sum()),
            "diaspora_corridors": int((self.diaspora_corridor > 0).sum()),
            "diaspora_cities": int((self.diaspora_city.getnnz(axis=1) > 0).sum()),
            "facts": len(self.facts),
        }

    def tag_counts(self):
        """Cities per tag at city level, for ``data-stats``."""
        out = {}
        for aspect, m, tags in (
            ("industry", self.industry_city, self.industry_tags),
            ("history", self.history_city, self.history_tags),
        ):
            counts = np.asarray(m.sum(axis=0)).ravel()
            out[aspect] = {t: int(k) for t, k in zip(tags, counts)}
        return out


def split_values(cell):
    """``"a; b;c"`` -> ``["a", "b", "c"]``."""
    return [v.strip() for v in str(cell).split(";") if v.strip()]


def check_tags(values, vocab, where):
    bad = [v for v in values if v not in vocab]
    if bad:
        raise InvalidInput(f"{where}: unknown tag {bad[0]!r}; known tags: {', '.join(vocab)}")


def city_rows(cities, df):
    """Rows of a curated city table's geonameids (-1 where the city is not in the pool)."""
    return cities.index.rows_or_missing(df["geonameid"].astype(np.int64).to_numpy())


def country_index(cities, code):
    """Index of a country code in a curated table, or None where the pool has no such country."""
    try:
        return cities.countries.index_of(code)
    except InvalidInput:
        return None


def country_indices(cities, codes):
    """:func:`country_index` of each code of a table's column, each distinct code looked up once."""
    index = {c: country_index(cities, c) for c in set(codes)}
    return [index[c] for c in codes]


def tag_facts(cities, df, aspect, level):
    facts = []
    if df is None:
        return facts
    if level == "city":
        keys = city_rows(cities, df)
    else:
        # Plain lists: iterating a pandas string column value by value is ten times slower.
        keys = country_indices(cities, df["country"].tolist())
        if level == "region":
            _, first = np.unique(cities.region, return_index=True)
            region_of = {(int(cities.country[r]), cities.admin1[r]): int(cities.region[r]) for r in first}
            keys = [region_of.get((ci, a), -1) for ci, a in zip(keys, df["admin1"].tolist())]
    for key, tags, source in zip(keys, df["tags"].tolist(), df["source"].tolist()):
        if key is None or key < 0:
            continue
        facts.extend(Fact(aspect, level, int(key), t, source) for t in split_values(tags))
    return facts
