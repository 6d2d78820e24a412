"""The contract of `PairRanker` (models/base.py), which every ranking model in `sistermatch.models`
must pass, on synthetic feature rows whose right order is known by construction (conftest.py)."""

import inspect
import pickle

import numpy as np
import pytest
from sklearn.base import clone

from conftest import MODELS, NAMES, SHORTLIST, STRANGER, TEST, TRAIN, TWIN, auc
from sistermatch import models
from sistermatch.errors import InvalidInput, NotFittedError
from sistermatch.models import (
    BoostedRanker,
    HandWeightedRanker,
    LogisticRanker,
    PairRanker,
    SegmentedRanker,
    ShortlistRanker,
    TwoStageRanker,
)


@pytest.fixture(params=sorted(MODELS), scope="module")
def name(request):
    return request.param


@pytest.fixture(scope="module")
def fitted(name, fitted_model):
    return fitted_model(name)


def test_every_exported_model_is_in_the_contract_suite():
    exported = [getattr(models, n) for n in models.__all__]
    rankers = {obj for obj in exported if inspect.isclass(obj) and issubclass(obj, PairRanker)} - {PairRanker}
    assert {type(make()) for make in MODELS.values()} == rankers


def test_fit_returns_self_and_refitting_gives_the_same_scores(name, fitted):
    model = MODELS[name]()
    X, y = TRAIN
    assert model.fit(X, y, feature_names=NAMES) is model
    assert model.feature_names_ == NAMES
    assert np.isfinite(model.base_score_)
    # A second model fitted from scratch scores like the first: whatever is random is seeded.
    assert np.allclose(model.decision_function(TEST[0]), fitted.decision_function(TEST[0]))


def test_positives_outrank_negatives(fitted):
    X, y = TEST
    s = fitted.decision_function(X)
    assert s.shape == (len(X),) and np.isfinite(s).all()
    assert auc(s, y) > 0.95


def test_twin_beats_stranger(fitted):
    s_twin = fitted.decision_function(np.vstack([TWIN, STRANGER]))
    assert s_twin[0] > s_twin[2] and s_twin[1] > s_twin[3]


def test_scores_do_not_depend_on_the_order_of_the_rows(fitted):
    X, _ = TEST
    order = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_allclose(
        fitted.decision_function(X[order]), fitted.decision_function(X)[order], rtol=1e-9, atol=1e-9
    )


def shortlisted(model, X):
    """Rows whose score the contributions explain: all of them, except for a two-stage
    model, whose contributions explain the second stage's shortlist only."""
    if isinstance(model, TwoStageRanker):
        return model._shortlist_mask(model.first_.decision_function(X))
    if isinstance(model, ShortlistRanker):
        return model._shortlist_mask(model.first_scores(X))
    return np.ones(len(X), dtype=bool)


@pytest.mark.parametrize("rows", ["test", "twins", "cold_only", "warm_only"])
def test_contributions_add_up_to_the_score(fitted, rows):
    X = {
        "test": TEST[0],
        "twins": np.vstack([TWIN, STRANGER]),
        "cold_only": TEST[0][TEST[0][:, 4] == 0],
        "warm_only": TEST[0][TEST[0][:, 4] > 0],
    }[rows]
    c = fitted.contributions(X)
    assert c.shape == X.shape
    keep = shortlisted(fitted, X)
    assert keep.sum() >= min(len(X), SHORTLIST)
    np.testing.assert_allclose(
        c.sum(axis=1)[keep] + fitted.base_score_, fitted.decision_function(X)[keep], rtol=1e-6, atol=1e-6
    )


def test_contributions_of_a_short_list_explain_every_row(fitted):
    # The top of a ranking (at most `shortlist` rows) is always fully explained.
    X = TEST[0][:SHORTLIST]
    np.testing.assert_allclose(
        fitted.contributions(X).sum(axis=1) + fitted.base_score_, fitted.decision_function(X), rtol=1e-6, atol=1e-6
    )


def test_contributions_credit_the_right_feature(fitted):
    # A twin's lead over a stranger is carried by the features built to separate them, not noise.
    c = fitted.contributions(np.vstack([TWIN[:1], STRANGER[:1]]))
    lead = c[0] - c[1]
    assert lead[:4].sum() > 0
    assert abs(lead[5]) < lead[:4].sum()


@pytest.mark.parametrize("method", ["decision_function", "contributions"])
def test_unfitted_use_raises(name, method):
    with pytest.raises(NotFittedError, match="fit"):
        getattr(MODELS[name](), method)(TEST[0])


def test_wrong_number_of_columns(fitted):
    with pytest.raises(InvalidInput, match="6 feature columns"):
        fitted.decision_function(TEST[0][:, :4])
    with pytest.raises(InvalidInput, match=r"\(3, 4\)"):
        fitted.contributions(TEST[0][:3, :4])


def test_feature_names_of_the_wrong_length(name):
    X, y = TRAIN
    with pytest.raises(ValueError, match="5 feature names for 6 columns"):
        MODELS[name]().fit(X, y, feature_names=NAMES[:5])


@pytest.mark.parametrize("name", [n for n in sorted(MODELS) if MODELS[n]().needs_training])
def test_labels_must_be_zero_or_one(name):
    X, y = TRAIN
    with pytest.raises(ValueError, match="0 .* 1"):
        MODELS[name]().fit(X, y * 2, feature_names=NAMES)
    with pytest.raises(ValueError, match="both"):
        MODELS[name]().fit(X, np.zeros(len(X), dtype=int), feature_names=NAMES)
    with pytest.raises(ValueError, match=f"{len(X)} rows but y has {len(X) - 1}"):
        MODELS[name]().fit(X, y[:-1], feature_names=NAMES)


@pytest.mark.parametrize(
    "model, value",
    [
        (lambda: HandWeightedRanker({"nope.feature": 1.0}), "nope.feature"),
        (lambda: LogisticRanker(C=0), "0"),
        (lambda: LogisticRanker(C=-2.5), "-2.5"),
        (lambda: BoostedRanker(max_iter=0), "0"),
        (lambda: BoostedRanker(learning_rate=-1.0), "-1"),
        (lambda: SegmentedRanker(column="graph.missing"), "graph.missing"),
        (lambda: TwoStageRanker(shortlist=0), "0"),
    ],
    ids=[
        "hand-weights",
        "logistic-C0",
        "logistic-Cneg",
        "boosted-iter",
        "boosted-lr",
        "segmented-column",
        "two-stage-shortlist",
    ],
)
def test_bad_arguments_raise_naming_the_value(model, value):
    X, y = TRAIN
    with pytest.raises(ValueError) as err:
        model().fit(X, y, feature_names=NAMES)
    assert value in str(err.value)


def test_get_params_returns_the_constructor_args_unchanged():
    second = BoostedRanker(max_iter=30, min_samples_leaf=5)
    base = LogisticRanker(C=0.5)
    weights = {"name.same_name": 3.0}
    cases = [
        (HandWeightedRanker, {"weights": weights}),
        (LogisticRanker, {"C": 2.0, "max_iter": 50}),
        (BoostedRanker, {"max_iter": 30, "min_samples_leaf": 5, "learning_rate": 0.2}),
        (SegmentedRanker, {"base": base}),
        (TwoStageRanker, {"second": second, "shortlist": 5}),
    ]
    X, y = TRAIN
    for cls, given in cases:
        defaults = {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items() if k != "self"}
        expected = {**defaults, **given}
        model = cls(**given)
        params = model.get_params(deep=False)
        assert params == expected
        assert all(params[k] is v for k, v in given.items())  # the very objects passed, not copies
        model.fit(X, y, feature_names=NAMES)
        assert model.get_params(deep=False) == expected  # fit does not touch the arguments
        assert all(model.get_params(deep=False)[k] is v for k, v in given.items())
    assert weights == {"name.same_name": 3.0}
    assert not hasattr(second, "feature_names_") and not hasattr(base, "feature_names_")


def test_clone_gives_an_unfitted_copy_with_the_same_params(fitted, name):
    copy = clone(fitted)
    assert repr(copy.get_params()) == repr(fitted.get_params())
    assert not hasattr(copy, "feature_names_")
    with pytest.raises(NotFittedError):
        copy.decision_function(TEST[0])
    X, y = TRAIN
    np.testing.assert_allclose(
        copy.fit(X, y, feature_names=NAMES).decision_function(TEST[0]),
        fitted.decision_function(TEST[0]),
        rtol=1e-9,
        atol=1e-9,
    )


def test_set_params_configures_a_default_model_like_the_constructor(name):
    params = MODELS[name]().get_params(deep=False)
    model = type(MODELS[name]())()
    model.set_params(**params)
    assert model.get_params(deep=False) == params


def test_pickle_round_trip(fitted):
    back = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(back.decision_function(TEST[0]), fitted.decision_function(TEST[0]))
    np.testing.assert_array_equal(back.contributions(TEST[0][:3]), fitted.contributions(TEST[0][:3]))


def test_float32_rows_give_the_same_order(fitted):
    X = TEST[0]
    a = fitted.decision_function(X)
    b = fitted.decision_function(X.astype(np.float32))
    assert np.corrcoef(a, b)[0, 1] > 0.999
