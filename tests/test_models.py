"""Contract suite every ranking model in `sistermatch.models` must pass, on synthetic feature rows."""

import inspect
import pickle

import numpy as np
import pytest
from sklearn.base import clone

from sistermatch.errors import InvalidInput, NotFittedError
from sistermatch.models import (
    BoostedRanker,
    HandWeightedRanker,
    LambdaRanker,
    LogisticRanker,
    PairRanker,
    SegmentedRanker,
    ShortlistRanker,
    TwoStageRanker,
)

NAMES = (
    "name.same_name",
    "size.population_gap",
    "graph.neighbour_partner",
    "geography.log_distance",
    "graph.query_degree",
    "noise",
)
SHORTLIST = 5

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


@pytest.fixture(params=sorted(MODELS), scope="module")
def name(request):
    return request.param


@pytest.fixture(scope="module")
def fitted(name):
    X, y = TRAIN
    return MODELS[name]().fit(X, y, feature_names=NAMES)


def auc(scores, y):
    pos, neg = scores[y == 1], scores[y == 0]
    return float(np.mean(pos[:, None] > neg[None, :]) + 0.5 * np.mean(pos[:, None] == neg[None, :]))


def test_is_a_pair_ranker(name):
    assert isinstance(MODELS[name](), PairRanker)


def test_fit_returns_self(name):
    model = MODELS[name]()
    X, y = TRAIN
    assert model.fit(X, y, feature_names=NAMES) is model
    assert model.feature_names_ == NAMES
    assert np.isfinite(model.base_score_)


def test_positives_outrank_negatives(fitted):
    X, y = TEST
    s = fitted.decision_function(X)
    assert s.shape == (len(X),) and np.isfinite(s).all()
    assert auc(s, y) > 0.95


def test_twin_beats_stranger(fitted):
    s_twin = fitted.decision_function(np.vstack([TWIN, STRANGER]))
    assert s_twin[0] > s_twin[2] and s_twin[1] > s_twin[3]


def test_decision_function_is_deterministic(fitted):
    X, _ = TEST
    assert np.array_equal(fitted.decision_function(X), fitted.decision_function(X))


def test_fitting_twice_gives_the_same_scores(name):
    X, y = TRAIN
    a = MODELS[name]().fit(X, y, feature_names=NAMES).decision_function(TEST[0])
    b = MODELS[name]().fit(X, y, feature_names=NAMES).decision_function(TEST[0])
    assert np.allclose(a, b)


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


def test_segmented_needs_both_segments():
    X, y = TRAIN
    X = X.copy()
    X[:, 4] = 1.0  # every query warm: nothing to learn the cold model from
    with pytest.raises(ValueError, match="segment"):
        SegmentedRanker().fit(X, y, feature_names=NAMES)


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
    assert type(copy) is type(fitted)
    assert copy.get_params(deep=False).keys() == fitted.get_params(deep=False).keys()
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


def test_set_params_round_trip(name):
    model = MODELS[name]()
    params = model.get_params(deep=False)
    assert model.set_params(**params) is model
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


def test_hand_weights_score_is_the_weighted_sum():
    model = HandWeightedRanker({"name.same_name": 2.0, "size.population_gap": -1.0}).fit(
        np.zeros((2, 6)), None, feature_names=NAMES
    )
    X = np.array([[1.0, 0.5, 9, 9, 9, 9], [0.0, 2.0, 9, 9, 9, 9]])
    np.testing.assert_allclose(model.decision_function(X), [1.5, -2.0])
    assert model.base_score_ == 0.0
    assert not HandWeightedRanker().needs_training


def test_two_stage_keeps_the_shortlist_on_top():
    X, y = TRAIN
    model = MODELS["two_stage"]().fit(X, y, feature_names=NAMES)
    s = model.decision_function(TEST[0])
    in_list = model._shortlist_mask(model.first_.decision_function(TEST[0]))
    assert in_list.sum() == SHORTLIST
    assert s[in_list].min() > s[~in_list].max()
    # Outside the shortlist the first stage's order is kept.
    s1 = model.first_.decision_function(TEST[0])[~in_list]
    assert np.array_equal(np.argsort(s[~in_list], kind="stable"), np.argsort(s1, kind="stable"))


def test_logistic_non_negative_columns_never_count_against_a_pair():
    X, y = TRAIN
    X = X.copy()
    X[:, 5] = -y + np.random.default_rng(0).normal(scale=0.3, size=len(y))  # "noise" now speaks against partners
    free = LogisticRanker().fit(X, y, feature_names=NAMES)
    assert free.coef_[5] < 0
    bounded = LogisticRanker(non_negative=["noise"]).fit(X, y, feature_names=NAMES)
    assert bounded.coef_[5] == 0.0
    assert bounded.coef_[0] > 0  # the other weights are still learned
    assert auc(bounded.decision_function(TEST[0]), TEST[1]) > 0.9


def test_lambdarank_monotone_columns_only_raise_the_score():
    X, y = TRAIN
    X = X.copy()
    X[:, 5] = -y + np.random.default_rng(0).normal(scale=0.3, size=len(y))
    model = LambdaRanker(n_estimators=40, min_child_samples=5, monotone=["noise"]).fit(X, y, feature_names=NAMES)
    rows = np.repeat(TEST[0][:20], 5, axis=0)
    rows[:, 5] = np.tile(np.linspace(-2, 2, 5), 20)
    scores = model.decision_function(rows).reshape(20, 5)
    assert (np.diff(scores, axis=1) >= -1e-9).all()
