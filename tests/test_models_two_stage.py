"""Tests of `TwoStageRanker` (models/two_stage.py) beyond the contract."""

import numpy as np
import pytest

from conftest import SHORTLIST, TEST
from sistermatch.models.two_stage import best_of


def test_two_stage_keeps_the_shortlist_on_top(fitted_model):
    model = fitted_model("two_stage")
    s = model.decision_function(TEST[0])
    in_list = model._shortlist_mask(model.first_.decision_function(TEST[0]))
    assert in_list.sum() == SHORTLIST
    assert s[in_list].min() > s[~in_list].max()
    # Outside the shortlist the first stage's order is kept.
    s1 = model.first_.decision_function(TEST[0])[~in_list]
    assert np.array_equal(np.argsort(s[~in_list], kind="stable"), np.argsort(s1, kind="stable"))


@pytest.mark.parametrize("seed", range(6))
def test_best_of_picks_the_highest_scores_and_the_best_left_out(seed):
    # Long lists (the sampled threshold), short ones (a plain selection), many ties, and a
    # list ordered so that the evenly spaced sample sees only low scores.
    rng = np.random.default_rng(seed)
    for n_scores, n in ((50_000, 300), (50_000, 1), (900, 10), (12, 12), (12, 0)):
        scores = np.round(rng.normal(size=n_scores), 1 if seed % 2 else 6)
        if seed == 5:
            scores = np.sort(scores)
        best, rest = best_of(scores, n)
        assert len(best) == min(n, n_scores) and len(np.unique(best)) == len(best)
        ordered = np.sort(scores)[::-1]
        np.testing.assert_array_equal(np.sort(scores[best])[::-1], ordered[: len(best)])
        assert rest == (ordered[n] if n < n_scores else -np.inf)
