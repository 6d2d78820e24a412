"""The feature mechanism: blocks of pair features computed for many (query, candidate) pairs at once.

A :class:`FeatureBlock` turns arrays of query positions and candidate rows into a
``(n_pairs, n_columns)`` float array. The same code serves one query against all
235,000 cities (recommendation) and thousands of queries against sampled candidates
(training), so what the model learns on is exactly what it ranks with.

Per-query work that several blocks need (the query's partners, its 2-hop
neighbourhood, its twinned neighbours) is done once per batch by :class:`QueryBatch`
and cached there.
"""

import functools

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from sistermatch.geo import chord_km
from sistermatch.kernels import LazyKernel

__all__ = [
    "FeatureContext",
    "FeatureState",
    "QueryBatch",
    "FeatureBlock",
    "LinearScore",
    "gather",
    "dense_line",
    "product",
    "rows_of",
    "times_dense",
    "scale_columns",
    "line",
    "line_values",
    "values_at",
    "typical_partner",
    "twinned_index",
    "lookup",
    "NEIGHBOURS_K",
    "NEIGHBOUR_SCALE_KM",
]

NEIGHBOURS_K = 10
NEIGHBOUR_SCALE_KM = 60.0


def line(matrix, major):
    """Row ``major`` of a CSR matrix (column of a CSC one) as ``(indices, data)`` views, without
    the cost of a sparse slice (one query's row is read many times per recommendation)."""
    start, end = matrix.indptr[major], matrix.indptr[major + 1]
    return matrix.indices[start:end], matrix.data[start:end]


def rows_of(matrix, rows):
    """``matrix[rows]`` of a CSR matrix, as CSR; one row without the cost of a sparse slice."""
    if len(rows) != 1:
        return matrix[rows]
    indices, data = line(matrix, int(rows[0]))
    return _one_row(indices.copy(), data.copy(), matrix.shape[1])


def product(left, right, dense=False):
    """``left @ right`` of two CSR matrices, as CSR (or a dense array, with ``dense``). A
    one-row ``left`` (one query's partners, say) is multiplied by gathering the rows of
    ``right`` it names and summing them per column: the same values as the sparse product
    (zeros dropped), without its set-up cost.
    """
    if left.shape[0] != 1:
        out = left @ right
        return out.toarray() if dense else out.tocsr()
    start, end = right.indptr[left.indices], right.indptr[left.indices + 1]
    lengths = end - start
    n = int(lengths.sum())
    if n == 0:
        return np.zeros((1, right.shape[1])) if dense else sp.csr_matrix((1, right.shape[1]))
    # Positions of the named rows' entries in right.indices, row after row.
    offsets = np.repeat(start - np.cumsum(lengths) + lengths, lengths) + np.arange(n)
    weights = right.data[offsets] * np.repeat(left.data, lengths)
    if dense:
        return np.bincount(right.indices[offsets], weights=weights, minlength=right.shape[1])[None, :]
    columns, which = np.unique(right.indices[offsets], return_inverse=True)
    values = np.bincount(which, weights=weights)
    keep = values != 0
    return _one_row(columns[keep], values[keep], right.shape[1])


def scale_columns(matrix, weights):
    """``matrix`` (CSR) with each entry multiplied by its column's weight, as CSR."""
    if matrix.shape[0] != 1:
        return matrix.multiply(weights[None, :]).tocsr()
    return _one_row(matrix.indices, matrix.data * weights[matrix.indices], matrix.shape[1])


def _one_row(indices, data, n_columns):
    return sp.csr_matrix((data, indices, np.array([0, len(indices)])), shape=(1, n_columns))


def times_dense(matrix, dense):
    """``matrix @ dense`` for a CSR ``matrix`` and a 2-d array in either memory order, reading
    only the rows of ``dense`` that ``matrix`` names, one per stored entry (scipy would first
    copy the whole of a column-ordered ``dense``, such as the cities' vectors); the same
    values, summed in the same order."""
    matrix = matrix.tocsr()
    entries = np.arange(len(matrix.indices))
    named = sp.csr_matrix((matrix.data, entries, matrix.indptr), shape=(matrix.shape[0], len(entries)))
    return np.asarray(named @ np.ascontiguousarray(dense[matrix.indices]))


def dense_line(matrix, major):
    """Row ``major`` of a CSR matrix as a dense float array (what ``matrix[major].toarray()``
    gives, without the sparse slice)."""
    indices, data = line(matrix, major)
    return np.bincount(indices, weights=data, minlength=matrix.shape[1]).astype(np.float64, copy=False)


def line_values(matrix, major, minor):
    """Values ``matrix[major, minor[i]]`` of a CSR matrix (``matrix[minor[i], major]`` of a CSC
    one): one row (column) read at the given positions, without densifying it."""
    if not matrix.has_sorted_indices:
        matrix.sort_indices()
    return values_at(*line(matrix, major), minor)


def values_at(indices, values, at):
    """``values`` given at the sorted ``indices`` (0 everywhere else), read at ``at``."""
    at = np.asarray(at, dtype=np.int64)
    out = np.zeros(at.shape, dtype=np.float64)
    if len(indices):
        pos = np.minimum(np.searchsorted(indices, at), len(indices) - 1)
        hit = indices[pos] == at
        out[hit] = values[pos[hit]]
    return out


def gather(matrix, qpos, cand):
    """Values ``matrix[qpos[i], cand[i]]`` of a sparse or dense matrix, vectorised."""
    qpos = np.asarray(qpos, dtype=np.int64)
    cand = np.asarray(cand, dtype=np.int64)
    if not sp.issparse(matrix):
        return np.asarray(matrix)[qpos, cand]
    m = matrix if matrix.format == "csr" else matrix.tocsr()
    if m.shape[0] == 1:
        return line_values(m, 0, cand)
    if len(qpos) and qpos[0] == qpos[-1] and (qpos == qpos[0]).all():
        return line_values(m, int(qpos[0]), cand)
    m.sum_duplicates()
    m.sort_indices()
    n_cols = m.shape[1]
    rows = np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr))
    keys = rows * n_cols + m.indices
    want = qpos * n_cols + cand
    pos = np.searchsorted(keys, want)
    pos = np.minimum(pos, max(len(keys) - 1, 0))
    out = np.zeros(len(want), dtype=np.float64)
    if len(keys):
        hit = keys[pos] == want
        out[hit] = m.data[pos[hit]]
    return out


def lookup(table, qkey, ckey, transform=None):
    """``transform(table[qkey, ckey])`` for a table keyed by something of the query's (its
    country, region or batch position) and something of the candidate's.

    With one query (``qkey`` a scalar) the query's row is transformed on its small domain
    (a few hundred countries) and then looked up per candidate, instead of looking up
    and transforming a value per candidate. ``table`` may be dense or sparse.
    """
    if np.isscalar(qkey):
        if sp.issparse(table) and table.format == "csr" and np.size(ckey) < table.shape[1] // 8:
            # A few candidates against a wide row (cities): read them, transform those.
            values = line_values(table, int(qkey), ckey)
            return values if transform is None else transform(values)
        if sp.issparse(table):
            row = dense_line(table, int(qkey)) if table.format == "csr" else table[qkey].toarray().ravel()
        else:
            row = np.asarray(table[qkey])
        return (row if transform is None else transform(row))[ckey]
    values = gather(table, qkey, ckey) if sp.issparse(table) else table[qkey, ckey]
    return values if transform is None else transform(values)


def twinned_index(ctx):
    """``(pos, adjacency)`` for the context's towns with partners: each city's position among
    them (-1 for a town without), and their adjacency among themselves (float, CSR). Built
    once per context, for the blocks that work on the twinned towns alone."""
    return ctx.derived("twinned_index", _twinned_index)


def _twinned_index(ctx):
    tw = ctx.twinned
    pos = np.full(len(ctx.cities), -1, dtype=np.int64)
    pos[tw] = np.arange(len(tw))
    return pos, ctx.graph.adjacency[tw][:, tw].astype(np.float64)


def typical_partner(ctx, values):
    """Each town's typical partner by ``values`` (one per city): their mean over the town's
    partners in the context's graph, 0 for a town without partners."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.asarray(ctx.graph.adjacency @ values).ravel() / ctx.degree
    return np.where(ctx.degree > 0, mean, 0.0)


class FeatureState:
    """A block's fitted state: attributes set by keyword (names end in an underscore)."""

    def __init__(self, **attrs):
        self.__dict__.update(attrs)


class FeatureContext:
    """What features read: the cities, the partnership graph and the city profiles.

    The context holds what several blocks and :class:`QueryBatch` share (the graph's
    degrees, the twinned towns' spatial index, one-hot maps of countries and regions).
    Each block's own precomputed state comes from its :meth:`FeatureBlock.fit` and is
    kept here, per context: built from the graph given, so a training fold's context
    never sees the fold's hidden pairs. State that depends on the cities and profiles
    alone (``uses_graph = False``) lives in ``shared``, one dict handed to every context
    over the same cities and profiles (the folds of one training run), so it is built once.

    Parameters
    ----------
    cities : CityTable
    graph : PartnershipGraph
    profiles : ProfileStore or None
    shared : dict, optional
        Graph-independent state of another context over the same cities and profiles.
    """

    def __init__(self, cities, graph, profiles=None, shared=None):
        self.cities = cities
        self.graph = graph
        self.profiles = profiles
        self.shared = {} if shared is None else shared
        n, n_c = len(cities), len(cities.countries)
        self.country_onehot = sp.csr_matrix((np.ones(n), (np.arange(n), cities.country)), shape=(n, n_c))
        self.region_onehot = sp.csr_matrix((np.ones(n), (np.arange(n), cities.region)), shape=(n, cities.n_regions))
        self.degree = graph.degree
        self.log_degree = np.log1p(self.degree)
        self.twinned = np.flatnonzero(self.degree > 0)
        self._tree = cKDTree(cities.xyz[self.twinned]) if len(self.twinned) else None
        self._derived = {}

    def with_graph(self, graph):
        """A context over another graph (a training fold's), sharing the graph-independent state."""
        return FeatureContext(self.cities, graph, self.profiles, shared=self.shared)

    def derived(self, name, build, uses_graph=True):
        """A quantity derived from this context, built on first use by ``build(self)`` and kept
        (in ``shared`` when it does not depend on the graph)."""
        cache = self._derived if uses_graph else self.shared
        if name not in cache:
            cache[name] = build(self)
        return cache[name]


class QueryBatch:
    """Per-query quantities for a batch of query rows, computed on first use and cached.

    Parameters
    ----------
    ctx : FeatureContext
    rows : int array
        The query cities' rows; features address them by position ``0 .. m-1``.
    """

    def __init__(self, ctx, rows):
        self.ctx = ctx
        self.rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        self._cache = {}

    def __len__(self):
        return len(self.rows)

    def query(self, qpos):
        """The query row(s) of the pairs: a scalar when the batch holds one query, so
        per-query values broadcast instead of being copied once per candidate."""
        if len(self.rows) == 1:
            return int(self.rows[0])
        return self.rows[np.asarray(qpos, dtype=np.int64)]

    def rowdot(self, matrix, qpos, cand):
        """Row-wise dot products ``matrix[query] . matrix[cand]`` of a dense (n, d) matrix."""
        q = self.query(qpos)
        if np.isscalar(q):
            if np.size(cand) < len(matrix) // 8:  # a shortlist: only its rows
                return matrix[cand] @ matrix[q]
            return (matrix @ matrix[q])[cand]
        return np.einsum("ij,ij->i", matrix[q], matrix[cand])

    def cached(self, name, build):
        if name not in self._cache:
            self._cache[name] = build()
        return self._cache[name]

    @property
    def partners(self):
        """(m, n) sparse: the queries' partners."""
        return self.cached("partners", lambda: rows_of(self.ctx.graph.adjacency, self.rows))

    @property
    def two_hop(self):
        """(m, n) sparse: number of 2-step paths from each query (common neighbours)."""
        return self.cached("two_hop", lambda: product(self.partners, self.ctx.graph.adjacency))

    @property
    def neighbours(self):
        """(m, n) sparse weights of the twinned towns nearest each query (itself excluded).

        Weight ``exp(-distance / 60 km)``: a town's neighbours' partners are good guesses,
        the closer the neighbour the better.
        """
        return self.cached("neighbours", self._neighbours)

    def _neighbours(self):
        ctx = self.ctx
        m, n = len(self.rows), len(ctx.cities)
        if ctx._tree is None:
            return sp.csr_matrix((m, n))
        k = min(NEIGHBOURS_K + 1, len(ctx.twinned))
        chord, idx = ctx._tree.query(ctx.cities.xyz[self.rows], k=k)
        chord, idx = chord.reshape(m, k), idx.reshape(m, k)
        cols = ctx.twinned[idx]
        km = chord_km(chord)
        w = np.exp(-km / NEIGHBOUR_SCALE_KM)
        w[cols == self.rows[:, None]] = 0.0
        if m == 1:  # the k nearest are distinct towns
            order = np.argsort(cols[0])
            return _one_row(cols[0][order], w[0][order], n)
        return sp.csr_matrix((w.ravel(), (np.repeat(np.arange(m), k), cols.ravel())), shape=(m, n))

    @property
    def twinned_neighbours(self):
        """(m, t) sparse: :attr:`neighbours`, its columns numbered among the context's t
        twinned towns (:func:`twinned_index`; a neighbour always has partners)."""

        def build():
            nb = self.neighbours.tocsr()
            pos = twinned_index(self.ctx)[0]
            return sp.csr_matrix((nb.data, pos[nb.indices], nb.indptr), shape=(len(self.rows), len(self.ctx.twinned)))

        return self.cached("twinned_neighbours", build)

    @property
    def neighbour_partners(self):
        """(m, n) sparse: partners of the query's twinned neighbours, weighted."""
        return self.cached("neighbour_partners", lambda: product(self.neighbours, self.ctx.graph.adjacency))


class LinearScore:
    """A weighted sum of feature columns for one query against every city, built by parts.

    Blocks add what depends on the candidate city itself into ``city`` (length n), what
    depends only on the candidate's country or region into ``country`` / ``region``
    (a few hundred values, spread to the cities once at the end), and query-only terms
    into ``constant``; sparse columns add only at their non-zero rows. Dense terms (a
    column over every city, a gap ``|values - centre|``, a value looked up by a key of
    the city's) are named with :meth:`add_column`, :meth:`add_gap` and :meth:`add_lookup`
    and summed in :meth:`total`, compiled once that pays (:data:`TOTAL_KERNEL`: one pass
    over the cities for the default model's terms, else one per term), else one numpy pass
    per term. So one query's linear score costs about one pass over the cities instead of
    several per column.
    """

    def __init__(self, ctx, city=None):
        c = ctx.cities
        self.ctx = ctx
        self.city = np.zeros(len(c)) if city is None else city
        self.country = np.zeros(len(c.countries))
        self.region = np.zeros(c.n_regions)
        self.constant = 0.0
        self._gaps, self._columns, self._lookups = [], [], []

    def add_column(self, values, weight):
        """Add ``weight * values`` (one float per city)."""
        if weight:
            self._columns.append((_float_column(values), float(weight)))

    def add_gap(self, values, centre, weight):
        """Add ``weight * |values - centre|`` (``values`` one float per city, ``centre`` a number)."""
        if weight:
            self._gaps.append((_float_column(values), float(centre), float(weight)))

    def add_lookup(self, table, keys, weight):
        """Add ``weight * table[keys]`` (``keys`` one integer per city into a short ``table``)."""
        if weight:
            keys = np.ascontiguousarray(keys, dtype=np.int64)
            self._lookups.append((np.ascontiguousarray(table, dtype=np.float64), keys, float(weight)))

    def total(self, rows=None, offset=0.0):
        """The score of every city (or of the cities ``rows``, in that order), plus ``offset``."""
        n = len(self.city) if rows is None else len(rows)
        if TOTAL_KERNEL.pays(n) and self._fits_kernel():
            return self._compiled(rows, offset)
        c = self.ctx.cities
        out = np.take(self.country, c.country)
        out += self.city
        if self.region.any():
            out += np.take(self.region, c.region)
        for values, centre, weight in self._gaps:
            gap = values - centre
            np.abs(gap, out=gap)
            gap *= weight
            out += gap
        for values, weight in self._columns:
            out += weight * values
        for table, keys, weight in self._lookups:
            out += np.take(weight * table, keys)
        if rows is not None:
            out = out[rows]
        if self.constant + offset:
            out += self.constant + offset
        return out

    def _fits_kernel(self):
        c = self.ctx.cities
        return (
            c.country.dtype == c.region.dtype == np.int32
            and self.city.dtype == np.float64
            and self.city.flags.c_contiguous
        )

    def _compiled(self, rows, offset):
        """:meth:`total` compiled, in the numpy way's order (so the same bits). A score with
        at most :data:`FUSED_SLOTS` terms of each kind (the default model's) is summed in one
        pass with no branch, its empty slots reading zeros with weight 0; any other, in one
        pass per term. Both are loops the compiler vectorises; the earlier single pass, which
        tested each term's weight per city, took about 1.4 times as long."""
        c = self.ctx.cities
        k = TOTAL_KERNEL.get()
        n = len(self.city)
        out = np.empty(n)
        gaps, columns, lookups = self._gaps, self._columns, self._lookups
        slots_gap, slots_column, slots_lookup = FUSED_SLOTS
        if len(gaps) <= slots_gap and len(columns) <= slots_column and len(lookups) <= slots_lookup:
            pad = _padding(n)
            (g0, c0, w0), (g1, c1, w1) = gaps + [(pad.floats, 0.0, 0.0)] * (slots_gap - len(gaps))
            (v0, u0), (v1, u1) = columns + [(pad.floats, 0.0)] * (slots_column - len(columns))
            ((table, keys, weight),) = lookups or [(pad.table, pad.keys, 0.0)]
            k.fused(
                self.city, self.country, c.country, self.region, c.region,
                g0, c0, w0, g1, c1, w1, v0, u0, v1, u1, weight * table, keys, out,
            )  # fmt: skip
        else:
            k.base(self.city, self.country, c.country, self.region, c.region, out)
            for values, centre, weight in gaps:
                k.gap(values, centre, weight, out)
            for values, weight in columns:
                k.column(values, weight, out)
            for table, keys, weight in lookups:
                k.lookup(weight * table, keys, out)
        constant = self.constant + offset
        if rows is None:
            if constant:
                out += constant  # the numpy way's own step: the same bits
            return out
        picked = np.empty(len(rows))
        k.pick(out, np.ascontiguousarray(rows, dtype=np.int64), constant, picked)
        return picked


FUSED_SLOTS = (2, 2, 1)
"""Gaps, columns and lookups the one-pass compiled sum takes (a score with more is summed
one pass per term)."""


class _Padding:
    def __init__(self, n):
        self.floats = np.zeros(n)
        self.keys = np.zeros(n, dtype=np.int64)
        self.table = np.zeros(1)


@functools.lru_cache(maxsize=4)
def _padding(n):
    """Zero-weight stand-ins for the fused pass's empty slots, for ``n`` cities."""
    return _Padding(n)


def _float_column(values):
    return np.ascontiguousarray(values, dtype=np.float64)


def _compile_total():
    import types

    import numba

    jit = numba.njit(cache=True, nogil=True)

    @jit
    def fused(city, country, city_country, region, city_region,
              gap0, centre0, weight0, gap1, centre1, weight1, column0, cweight0, column1, cweight1,
              weighted_table, keys, out):  # fmt: skip
        for i in range(out.shape[0]):
            s = country[city_country[i]] + city[i] + region[city_region[i]]
            s += weight0 * abs(gap0[i] - centre0)
            s += weight1 * abs(gap1[i] - centre1)
            s += cweight0 * column0[i]
            s += cweight1 * column1[i]
            s += weighted_table[keys[i]]
            out[i] = s

    @jit
    def base(city, country, city_country, region, city_region, out):
        for i in range(out.shape[0]):
            out[i] = country[city_country[i]] + city[i] + region[city_region[i]]

    @jit
    def gap(values, centre, weight, out):
        for i in range(out.shape[0]):
            out[i] += weight * abs(values[i] - centre)

    @jit
    def column(values, weight, out):
        for i in range(out.shape[0]):
            out[i] += weight * values[i]

    @jit
    def lookup(weighted_table, keys, out):
        for i in range(out.shape[0]):
            out[i] += weighted_table[keys[i]]

    @jit
    def pick(values, rows, constant, out):
        for j in range(rows.shape[0]):
            out[j] = values[rows[j]] + constant

    return types.SimpleNamespace(fused=fused, base=base, gap=gap, column=column, lookup=lookup, pick=pick)


TOTAL_KERNEL = LazyKernel(_compile_total, pays_after=20_000_000)
"""The compiled :meth:`LinearScore.total`: loaded after some 85 one-query scores over every
city the numpy way (about 3 ms each more than the kernels: 0.25 s, about what loading them
costs), or by ``warm_up``."""


class FeatureBlock:
    """One aspect of a pair (size, geography, name...): a few named columns.

    Subclasses set ``name`` and ``columns`` and implement :meth:`compute`; they may
    implement :meth:`describe` to turn a column's value for one pair into a reason a
    person can read, and :meth:`add_linear` to add a weighted sum of their columns for one
    query against every city faster than computing the columns one by one.
    """

    name = "base"
    columns = ()

    def compute(self, batch, qpos, cand):
        """Return one column per name in ``columns`` (an array of ``len(cand)`` values or a
        scalar) for the pairs ``(batch.rows[qpos[i]], cand[i])``."""
        raise NotImplementedError

    def add_static(self, ctx, weights, city):
        """Add to ``city`` (length n) the part of ``sum_j weights[j] * column_j`` that depends
        on the candidate alone, never on the query; :meth:`add_linear` then adds the rest.
        :meth:`FeatureSet.linear_score` keeps the sum of these parts per context and
        weights, so it costs nothing per query. This default adds nothing."""

    def add_linear(self, batch, weights, score):
        """Add ``sum_j weights[j] * column_j`` for the batch's one query against every city to
        ``score`` (a :class:`LinearScore`), less what :meth:`add_static` adds. This default
        computes the columns; blocks override it with the same sum computed by parts."""
        n = len(batch.ctx.cities)
        cols = self.compute(batch, np.zeros(n, dtype=np.int64), np.arange(n))
        for w, col in zip(weights, cols):
            if w:
                score.city += w * np.asarray(col, dtype=np.float64)

    def describe(self, column, batch, qpos, cand, value):
        """A short reason for one pair whose ``column`` speaks for it, or None."""
        return None

    #: Whether :meth:`fit`'s state depends on the partnership graph (else it is built once
    #: for all contexts over the same cities and profiles).
    uses_graph = True

    def fit(self, ctx):
        """Precompute what this block reads from a context; returns the block's state (a
        :class:`FeatureState`, attributes ending in an underscore), or None. Called once per
        context through :meth:`state`: one block serves many contexts (every training fold,
        then the full graph), so its state is kept with the context, not on the block."""
        return None

    #: Parameters that change what :meth:`fit` builds (blocks of one class that differ in
    #: them keep separate states in one context; other parameters share one).
    state_params = ()

    def state(self, ctx):
        """This block's state for ``ctx``, fitted on first use."""
        key = ("state", type(self).__name__) + tuple(getattr(self, p) for p in self.state_params)
        return ctx.derived(key, self.fit, uses_graph=self.uses_graph)

    @staticmethod
    def stack(*cols):
        """Columns (arrays, or scalars to broadcast) as one tuple; :class:`FeatureSet` lays them out."""
        return cols


class FeatureSet:
    """An ordered set of blocks: the feature schema a model is trained on.

    Parameters
    ----------
    blocks : sequence of FeatureBlock
    """

    def __init__(self, blocks):
        self.blocks = tuple(blocks)
        self.columns = tuple(f"{b.name}.{c}" for b in self.blocks for c in b.columns)
        # What the blocks are and how they are set (e.g. the profile modes): a key for sums
        # kept on a context that any feature set of the same blocks may share.
        self._identity = tuple((type(b).__name__, tuple(sorted(vars(b).items()))) for b in self.blocks)
        self._owner = [(b, c) for b in self.blocks for c in b.columns]

    @property
    def schema(self):
        """Column names; a saved model must match them to be loaded."""
        return self.columns

    def compute(self, batch, qpos, cand, only=None):
        """``(n_pairs, n_columns)`` float32 matrix for the pairs.

        With ``only`` (column names), just the blocks owning those columns are computed and
        the other columns are NaN.
        """
        qpos = np.asarray(qpos, dtype=np.int64)
        cand = np.asarray(cand, dtype=np.int64)
        # Column-major, one column written at a time: no per-block temporaries to stack.
        out = np.empty((len(cand), len(self.columns)), dtype=np.float32, order="F")
        wanted = None if only is None else {name.split(".", 1)[0] for name in only}
        j = 0
        for b in self.blocks:
            if wanted is not None and b.name not in wanted:
                out[:, j : j + len(b.columns)] = np.nan
                j += len(b.columns)
                continue
            cols = b.compute(batch, qpos, cand)
            if len(cols) != len(b.columns):
                raise RuntimeError(f"feature block {b.name!r} returned {len(cols)} columns, not {len(b.columns)}")
            for col in cols:
                out[:, j] = col
                j += 1
        return out

    def describe(self, j, batch, qpos, cand, value):
        block, column = self._owner[j]
        return block.describe(column, batch, int(qpos), int(cand), float(value))

    def linear_score(self, batch, weights, rows=None, offset=0.0):
        """``X @ weights + offset`` for the batch's one query against every city (all n rows,
        or the cities ``rows``), without building ``X``: each block adds its part
        (:meth:`FeatureBlock.add_linear`)."""
        if len(batch) != 1:
            raise ValueError("linear_score takes a batch of one query")
        weights = np.asarray(weights, dtype=np.float64)
        static = self._static(batch.ctx, weights)
        score = LinearScore(batch.ctx, static.copy())
        for b, w in self._split(weights):
            if w.any():
                b.add_linear(batch, w, score)
        return score.total(rows, offset)

    def _split(self, weights):
        j = 0
        for b in self.blocks:
            yield b, weights[j : j + len(b.columns)]
            j += len(b.columns)

    STATIC_KEPT = 4
    """Candidate-only sums kept per context (one per weight vector: a segmented model has two)."""

    def _static(self, ctx, weights):
        kept = ctx.derived("linear_static", lambda c: {})
        key = (self._identity, weights.tobytes())
        if key not in kept:
            city = np.zeros(len(ctx.cities))
            for b, w in self._split(weights):
                if w.any():
                    b.add_static(ctx, w, city)
            while len(kept) >= self.STATIC_KEPT:
                kept.pop(next(iter(kept)))
            kept[key] = city
        return kept[key]
