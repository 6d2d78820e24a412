"""`ShortlistRanker`: what stage two learns from, the fixed priors, and the shortlist rule.

The shared contract (fit returns self, clone, pickle, contributions sum to the score,
twin beats stranger) runs for it in ``test_models_base.py``; these are its own rules.
"""

import numpy as np
import pytest

from conftest import NAMES, TRAIN, TWIN
from sistermatch.models import LambdaRanker, ShortlistRanker
from sistermatch.models.shortlist import DEFAULT_PRIORS, DOCUMENTED_REASONS


def small(**kw):
    return ShortlistRanker(second=LambdaRanker(n_estimators=20, min_child_samples=5), shortlist=5, **kw)


class RecordingRanker(LambdaRanker):
    """A LambdaRanker that notes the rows and groups it is fitted on."""

    fits = []

    def fit(self, X, y, group=None, sample_weight=None, feature_names=None):
        RecordingRanker.fits.append((len(X), list(group) if group is not None else None))
        return super().fit(X, y, group=group, sample_weight=sample_weight, feature_names=feature_names)


def test_stage_two_learns_from_what_mine_returns_while_only_stage_one_ranks():
    X, y = TRAIN
    seen = {}

    def mine(model):
        seen["stage"] = model.stage_
        seen["scores"] = model.decision_function(X[:8])  # stage one (and the priors) alone
        seen["first"] = model.first_scores(X[:8])
        return X[:200], y[:200], [20] * 10

    RecordingRanker.fits.clear()
    second = RecordingRanker(n_estimators=20, min_child_samples=5)
    model = ShortlistRanker(second=second, shortlist=5).fit(X, y, feature_names=NAMES, mine=mine)
    assert seen["stage"] == "first" and model.stage_ == "both"
    np.testing.assert_allclose(seen["scores"], seen["first"])
    assert RecordingRanker.fits == [(200, [20] * 10)]  # the mined rows, grouped by query
    # Without mine (tiny inputs), stage two learns from the training rows in blocks of 25.
    RecordingRanker.fits.clear()
    ShortlistRanker(second=second, shortlist=5).fit(X, y, feature_names=NAMES)
    assert RecordingRanker.fits == [(len(X), [25] * (len(X) // 25))]


def test_priors_add_a_fixed_weight_to_both_stages():
    X, y = TRAIN
    with_prior = small(priors={"name.same_name": 3.0}).fit(X, y, feature_names=NAMES)
    without = small(priors={}).fit(X, y, feature_names=NAMES)
    col = NAMES.index("name.same_name")
    # The same stage-one and stage-two models (same data, same seeds), so the scores differ
    # by exactly 3 per unit of the column, in both stages, and the contributions say so.
    np.testing.assert_allclose(with_prior.first_scores(X) - without.first_scores(X), 3.0 * X[:, col], atol=1e-9)
    np.testing.assert_allclose(with_prior.pair_scores(X) - without.pair_scores(X), 3.0 * X[:, col], atol=1e-9)
    gap = with_prior.pair_contributions(TWIN) - without.pair_contributions(TWIN)
    np.testing.assert_allclose(gap[:, col], 3.0 * TWIN[:, col], atol=1e-9)
    np.testing.assert_allclose(np.delete(gap, col, axis=1), 0.0, atol=1e-9)


def test_default_priors_apply_only_to_columns_the_schema_has():
    X, y = TRAIN
    model = small().fit(X, y, feature_names=NAMES)  # no name.same_name_rarity among NAMES
    assert "name.same_name_rarity" in DEFAULT_PRIORS
    assert not model.prior_.any()
    named = [n if n != "noise" else "name.same_name_rarity" for n in NAMES]
    model = small().fit(X, y, feature_names=named)
    assert model.prior_[named.index("name.same_name_rarity")] == DEFAULT_PRIORS["name.same_name_rarity"]


@pytest.mark.parametrize(
    "kw, message",
    [(dict(shortlist=0), "shortlist must be positive"), (dict(priors={"no.such": 1.0}), "unknown columns")],
)
def test_bad_settings_are_refused_at_fit(kw, message):
    X, y = TRAIN
    with pytest.raises(ValueError, match=message):
        ShortlistRanker(**kw).fit(X, y, feature_names=NAMES)


def test_everything_outside_the_shortlist_ranks_below_it():
    X, y = TRAIN
    model = small().fit(X, y, feature_names=NAMES)
    s1 = model.first_scores(X[:40])
    top = np.argsort(-s1)[:5]
    scores = model.decision_function(X[:40])
    rest = np.setdiff1d(np.arange(40), top)
    assert scores[top].min() > scores[rest].max()
    # The shortlist's scores are stage two's; the rest keep stage one's order.
    np.testing.assert_allclose(scores[top], model.pair_scores(X[:40][top]))
    assert (np.argsort(-scores[rest]) == np.argsort(-s1[rest])).all()


def test_documented_reasons_never_count_against_a_pair():
    X, y = TRAIN
    model = ShortlistRanker(shortlist=5, priors={}).fit(X, y, feature_names=NAMES)
    col = NAMES.index("name.same_name")
    assert "name.same_name" in DOCUMENTED_REASONS
    namesake, stranger = X[:50].copy(), X[:50].copy()
    namesake[:, col], stranger[:, col] = 1.0, 0.0
    # Monotone in stage two, non-negative in stage one: sharing the name never lowers a score.
    assert (model.pair_scores(namesake) >= model.pair_scores(stranger) - 1e-12).all()
    assert (model.first_scores(namesake) >= model.first_scores(stranger) - 1e-12).all()
