"""The engine: one object that fits on partnerships and recommends partners for a town.

Every interface (Python, CLI, batch report, HTTP service) goes through
:meth:`Matcher.recommend`, so all of them show the same ranking and the same reasons.
"""

import hashlib
import os
import pickle
import tempfile
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone

from sistermatch.features import ALL_ASPECTS, FeatureContext, QueryBatch, default_feature_set
from sistermatch.features.profile import MODES
from sistermatch.models import HandWeightedRanker, PairRanker, TwoStageRanker
from sistermatch.models.training import make_training_set

from ._version import __version__
from .cities import City, cache_dir, load_cities
from .errors import InvalidInput, MatcherError, NotFittedError, SchemaMismatch
from .partnerships import PartnershipGraph, load_partnerships
from .profiles import ProfileStore, UserProfileProvider, default_providers
from .ranking import CandidateFilter, check_k, top_k
from .resolve import Resolver
from .results import Reason, Recommendation

__all__ = ["Matcher"]

MAX_REASONS = 4
MIN_REASON_CONTRIBUTION = 0.05
MODEL_FORMAT = 1


class Matcher:
    """Recommend sister-city partners.

    Parameters
    ----------
    model : PairRanker, "two_stage" or "hand", default "two_stage"
        The ranking model; ``"two_stage"`` is a logistic regression over every city with
        boosted trees re-ranking its shortlist, learned from the partnerships;
        ``"hand"`` is the transparent hand-weighted baseline. Without partnerships the
        hand-weighted model is used, as there is nothing to learn from.
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
    cache : bool, default False
        Keep the fitted model in the user cache, keyed by the partnerships file's
        checksum and the settings, so the next start with the same input skips training.

    Examples
    --------
    >>> m = Matcher().fit("partnerships.csv")                      # doctest: +SKIP
    >>> [r.city.name for r in m.recommend("Coventry", country="GB", k=3)]  # doctest: +SKIP
    """

    def __init__(self, model="two_stage", aspects=ALL_ASPECTS, profiles=None, industry_mode="alike",
                 history_mode="alike", cities=None, n_folds=5, negatives=24, random_state=0, cache=False):
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

    # -- fitting -------------------------------------------------------------------

    def _prepare(self):
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

    def fit(self, partnerships=None):
        """Learn from known partnerships.

        Parameters
        ----------
        partnerships : str, Path, PartnershipGraph or None
            A CSV path (``geonameid_a,geonameid_b`` or ``city_a,country_a,city_b,country_b``),
            a graph over this matcher's cities, or None to work from profiles alone.

        Returns
        -------
        self
        """
        if not isinstance(self.model, PairRanker) and self.model not in ("two_stage", "hand"):
            raise InvalidInput(f"model must be 'two_stage', 'hand' or a PairRanker, got {self.model!r}")
        self._prepare()
        self.load_report_ = None
        self.partnerships_checksum_ = None
        if partnerships is None:
            graph = PartnershipGraph(len(self.cities_))
        elif isinstance(partnerships, PartnershipGraph):
            if partnerships.n_cities != len(self.cities_):
                raise InvalidInput(f"the partnership graph spans {partnerships.n_cities:,} cities, "
                                   f"the candidate pool {len(self.cities_):,}")
            graph = partnerships
        else:
            graph, self.load_report_ = load_partnerships(partnerships, self.cities_, self.resolver_)
            self.partnerships_checksum_ = _checksum(partnerships)
        self.graph_ = graph
        self.context_ = FeatureContext(self.cities_, graph, self.profiles_)
        cached = self._cache_path()
        if cached is not None and cached.exists():
            try:
                self._set_model(self._read_model(cached))
                return self
            except MatcherError:  # a stale or foreign cache is rebuilt
                pass
        self._set_model(self._train(graph))
        if cached is not None:
            self._write_model(cached)
        return self

    def _train(self, graph):
        names = self.feature_set_.columns
        if isinstance(self.model, PairRanker) and not self.model.needs_training:
            return clone(self.model).fit(np.zeros((2, len(names))), [0, 1], feature_names=names)
        if graph.is_empty or self.model == "hand":
            if graph.is_empty:
                warnings.warn("no partnerships given: ranking from profiles alone with hand-set weights",
                              stacklevel=3)
            return HandWeightedRanker().fit(np.zeros((2, len(names))), [0, 1], feature_names=names)
        # Learn on the "alike" features whatever the modes: the weights say how much
        # each aspect matters; a "complement" mode then feeds the complement score into
        # the same column at ranking time, so the weight promotes complementary towns.
        ts = make_training_set(self.cities_, graph, self.profiles_, default_feature_set(self.aspects),
                               n_folds=self.n_folds, negatives=self.negatives, seed=self.random_state)
        model = TwoStageRanker(random_state=self.random_state) if self.model == "two_stage" else clone(self.model)
        return model.fit(ts.X, ts.y, feature_names=names)

    def _set_model(self, model):
        if tuple(model.feature_names_) != tuple(self.feature_set_.columns):
            raise SchemaMismatch("model was trained on other features: "
                                 f"{len(model.feature_names_)} columns vs {len(self.feature_set_.columns)}")
        self.model_ = model

    # -- persistence ---------------------------------------------------------------

    def _settings_key(self):
        defaults = sorted(TwoStageRanker().get_params(deep=True).items(), key=lambda kv: kv[0])
        parts = [__version__, self.partnerships_checksum_, repr(self.model), repr(defaults), self.aspects, self.n_folds,
                 self.negatives, self.random_state,
                 _checksum(self.profiles) if self.profiles else None, len(self.cities_),
                 len(self.profiles_.facts) if self.profiles_ is not None else 0]
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]

    def _cache_path(self):
        if not self.cache or self.partnerships_checksum_ is None or not isinstance(self.model, str):
            return None
        return cache_dir() / "models" / f"model-{self._settings_key()}.pkl"

    def _payload(self):
        return {"format": MODEL_FORMAT, "version": __version__, "schema": tuple(self.feature_set_.columns),
                "model": self.model_}

    def _write_model(self, path):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(self._payload(), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    def _read_model(self, path):
        try:
            with open(path, "rb") as fh:
                payload = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            raise InvalidInput(f"cannot read model file {path}: {exc}") from None
        if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
            raise SchemaMismatch(f"{path} is not a sistermatch model file")
        if payload["version"] != __version__:
            raise SchemaMismatch(f"{path} was saved by sistermatch {payload['version']}, this is {__version__}")
        if tuple(payload["schema"]) != tuple(self.feature_set_.columns):
            raise SchemaMismatch(f"{path} was trained on another feature schema; fit the model again")
        return payload["model"]

    def save_model(self, path):
        """Save the fitted model with the package version and feature schema."""
        self._check_fitted()
        self._write_model(path)

    def load_model(self, path):
        """Use a model saved by :meth:`save_model`; the feature schema must match."""
        self._check_fitted()
        self._set_model(self._read_model(path))
        return self

    # -- queries -------------------------------------------------------------------

    def _check_fitted(self):
        if not hasattr(self, "model_"):
            raise NotFittedError("Matcher is not fitted; call fit() first")

    def resolve(self, city, country=None):
        """The :class:`City` meant by a name, ``"name, CC"`` or a GeoNames id."""
        if not hasattr(self, "resolver_"):
            self._prepare()
        return self.cities_.city(self._row(city, country))

    def _row(self, city, country=None):
        if isinstance(city, City):
            return self.cities_.index.row(city.geonameid)
        if isinstance(city, (int, np.integer)):
            return self.cities_.index.row(int(city))
        return self.resolver_.resolve(city, country)

    def profile(self, city, country=None):
        """The :class:`CityProfile` of a city: its facts, each with its source."""
        if not hasattr(self, "resolver_"):
            self._prepare()
        store = self.profiles_
        if store is None:  # profiles left out of the ranking are still there to show, built once
            if not hasattr(self, "profiles_display_"):
                self.profiles_display_ = ProfileStore.build(self.cities_, default_providers())
            store = self.profiles_display_
        return store.profile(self._row(city, country))

    def recommend(self, city, country=None, k=10, exclude=(), **filters):
        """Rank candidate partners for one city.

        Parameters
        ----------
        city : str, int or City
            A name (``"Köln"``, ``"coventry, GB"``), a GeoNames id, or a City.
        country : str, optional
            ISO code (or English name) to pick among same-named towns.
        k : int, default 10
        exclude : sequence of int
            GeoNames ids never to recommend.
        **filters
            ``include_domestic``, ``countries``, ``exclude_countries``, ``continents``,
            ``exclude_continents``, ``min_population``, ``max_population``,
            ``max_distance_km`` (see :class:`CandidateFilter`).

        Returns
        -------
        tuple of Recommendation
            Best first; at most ``k``.

        Raises
        ------
        CityNotFound, AmbiguousCity, InvalidInput
        """
        self._check_fitted()
        k = check_k(k)
        unknown = set(filters) - set(CandidateFilter.__dataclass_fields__)
        if unknown:
            raise InvalidInput(f"unknown filter {sorted(unknown)[0]!r}")
        flt = CandidateFilter.make(**filters)
        row = self._row(city, country)
        return self._recommend_row(row, k, flt, exclude)

    def _recommend_row(self, row, k, flt, exclude=()):
        mask = flt.mask(self.cities_, row, self.graph_.partners(row))
        if len(exclude):
            ex = self.cities_.index.rows_or_missing(exclude)
            mask[ex[ex >= 0]] = False
        cand = np.flatnonzero(mask)
        batch = QueryBatch(self.context_, [row])
        X = self.feature_set_.compute(batch, np.zeros(len(cand), dtype=np.int64), cand)
        scores = self.model_.decision_function(X)
        best = top_k(scores, k, self.cities_.population[cand])
        contrib = self.model_.contributions(X[best]) if len(best) else np.zeros((0, X.shape[1]))
        query = self.cities_.city(row)
        dist = self.cities_.distance_km(row, cand[best])
        out = []
        for rank, (pos, c) in enumerate(zip(best, contrib), start=1):
            out.append(Recommendation(
                query=query,
                city=self.cities_.city(cand[pos]),
                rank=rank,
                score=float(scores[pos]),
                distance_km=float(dist[rank - 1]),
                reasons=self._reasons(batch, cand[pos], X[pos], c),
                contributions=tuple(zip(self.feature_set_.columns, map(float, c))),
            ))
        return tuple(out)

    def _reasons(self, batch, cand, x, contrib):
        reasons = []
        for j in np.argsort(-contrib, kind="stable"):
            if contrib[j] < MIN_REASON_CONTRIBUTION or len(reasons) >= MAX_REASONS:
                break
            text = self.feature_set_.describe(j, batch, 0, cand, x[j])
            if text and all(text != r.text for r in reasons):
                reasons.append(Reason(self.feature_set_.columns[j], float(contrib[j]), text))
        return tuple(reasons)

    def score_rows(self, row, cand):
        """Scores of candidate rows for one query row (used by evaluation)."""
        batch = QueryBatch(self.context_, [row])
        X = self.feature_set_.compute(batch, np.zeros(len(cand), dtype=np.int64), cand)
        return self.model_.decision_function(X)


def _checksum(path):
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
