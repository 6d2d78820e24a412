"""Known partnerships: the user's CSV read into a graph over the city rows."""

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import AmbiguousCity, CityNotFound, InvalidInput
from .io import read_csv, require_columns

__all__ = [
    "PartnershipGraph",
    "LoadReport",
    "load_partnerships",
    "partnerships_path_from_env",
    "BUNDLED",
    "bundled_partnerships_path",
    "partnerships_source",
]

ENV_VAR = "SISTERMATCH_PARTNERSHIPS"
BUNDLED = "bundled"
"""The default partnerships: the unchanged copy of the shared file shipped in ``sistermatch.data``."""
NONE_WORDS = ("none", "")
ID_COLUMNS = ("geonameid_a", "geonameid_b")
NAME_COLUMNS = ("city_a", "country_a", "city_b", "country_b")


class PartnershipGraph:
    """Undirected partnership graph over the rows of a :class:`CityTable`.

    Parameters
    ----------
    n_cities : int
    edges : (m, 2) int array of row pairs; duplicates and self-pairs are dropped.
    """

    def __init__(self, n_cities, edges=None):
        edges = np.zeros((0, 2), dtype=np.int64) if edges is None else np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        edges = np.sort(edges, axis=1)
        edges = edges[edges[:, 0] != edges[:, 1]]
        self.edges = np.unique(edges, axis=0) if len(edges) else edges
        self.n_cities = int(n_cities)
        a, b = self.edges[:, 0], self.edges[:, 1]
        data = np.ones(2 * len(a), dtype=np.float64)
        import scipy.sparse as sp  # here, so the command line's usage errors start fast

        self.adjacency = sp.csr_matrix(
            (data, (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(self.n_cities, self.n_cities)
        )
        self.degree = np.asarray(self.adjacency.sum(axis=1)).ravel()

    def __len__(self):
        return len(self.edges)

    @property
    def is_empty(self):
        return len(self.edges) == 0

    def partners(self, row):
        """Rows partnered with ``row``."""
        a = self.adjacency
        return a.indices[a.indptr[row] : a.indptr[row + 1]]

    def subgraph(self, keep):
        """The graph with only the edges where the boolean mask ``keep`` is true."""
        return PartnershipGraph(self.n_cities, self.edges[np.asarray(keep, dtype=bool)])


@dataclass(frozen=True)
class LoadReport:
    """What loading a partnerships file did: rows kept and rows that could not be used."""

    path: str
    n_rows: int
    n_pairs: int
    skipped: tuple = field(default_factory=tuple)

    @property
    def is_bundled(self):
        return Path(self.path) == bundled_partnerships_path()

    def summary(self):
        where = "the bundled partnerships (Wikipedia via twincities)" if self.is_bundled else self.path
        s = f"{self.n_pairs:,} partnerships from {where}"
        if self.skipped:
            s += f" ({len(self.skipped):,} of {self.n_rows:,} rows skipped, e.g. {self.skipped[0]})"
        return s


def partnerships_path_from_env():
    """The partnerships path named by ``$SISTERMATCH_PARTNERSHIPS``, or None."""
    value = os.environ.get(ENV_VAR, "").strip()
    return value or None


def bundled_partnerships_path():
    """Path of the bundled partnerships file (``data/partnerships/partnerships.csv.gz``)."""
    from importlib import resources

    return Path(str(resources.files("sistermatch.data").joinpath("partnerships", "partnerships.csv.gz")))


def partnerships_source(value=BUNDLED):
    """What a partnerships argument means: a file path, or None for "profiles alone".

    ``"bundled"`` (the default) is the shipped copy of the shared file; ``None``,
    ``"none"`` or ``""`` mean no partnerships; anything else is a path that must exist.
    """
    if value is None or (isinstance(value, str) and value.strip().lower() in NONE_WORDS):
        return None
    if isinstance(value, str) and value.strip().lower() == BUNDLED:
        return bundled_partnerships_path()
    path = Path(value)
    if not path.exists():
        raise InvalidInput(f"partnerships file not found: {path}")
    return path


def load_partnerships(path, cities, resolver):
    """Read a partnerships CSV into a :class:`PartnershipGraph`.

    Accepted columns: ``geonameid_a,geonameid_b`` (as in the shared file), or
    ``city_a,country_a,city_b,country_b`` resolved by name. Rows that cannot be
    resolved are skipped and listed in the report, never fatal.

    Returns
    -------
    graph : PartnershipGraph
    report : LoadReport
    """
    what = "partnerships file"
    df = read_csv(path, what)
    cols = require_columns(df, [ID_COLUMNS, NAME_COLUMNS], what)
    skipped = []
    if cols == ID_COLUMNS:
        ids = df[list(ID_COLUMNS)].apply(lambda s: s.str.extract(r"^(\d+)$", expand=False))
        bad = ids.isna().any(axis=1).to_numpy()
        for i in np.flatnonzero(bad)[:1000]:
            skipped.append(f"line {i + 2}: GeoNames ids must be whole numbers")
        ok = ~bad
        a = cities.index.rows_or_missing(ids.loc[ok, "geonameid_a"].astype(np.int64))
        b = cities.index.rows_or_missing(ids.loc[ok, "geonameid_b"].astype(np.int64))
        lines = np.flatnonzero(ok) + 2
        missing = (a < 0) | (b < 0)
        for line in lines[missing][:1000]:
            skipped.append(f"line {line}: GeoNames id not among the cities")
        n_skipped = int(bad.sum() + missing.sum())
        edges = np.column_stack([a[~missing], b[~missing]])
    else:
        edges, n_skipped = [], 0
        for i, r in enumerate(df[list(NAME_COLUMNS)].itertuples(index=False), start=2):
            try:
                edges.append((resolver.resolve(r.city_a, r.country_a), resolver.resolve(r.city_b, r.country_b)))
            except (CityNotFound, AmbiguousCity, InvalidInput) as exc:
                n_skipped += 1
                if len(skipped) < 1000:
                    skipped.append(f"line {i}: {exc}")
        edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    graph = PartnershipGraph(len(cities), edges)
    if graph.is_empty:
        raise InvalidInput(f"{what} {path} has no usable partnership: {skipped[0] if skipped else 'no rows'}")
    report = LoadReport(str(path), len(df), len(graph), tuple(skipped) if n_skipped else ())
    return graph, report
