"""Tests of `TwoStageRanker` (models/two_stage.py) beyond the contract."""

import numpy as np

from conftest import SHORTLIST, TEST


def test_two_stage_keeps_the_shortlist_on_top(fitted_model):
    model = fitted_model("two_stage")
    s = model.decision_function(TEST[0])
    in_list = model._shortlist_mask(model.first_.decision_function(TEST[0]))
    assert in_list.sum() == SHORTLIST
    assert s[in_list].min() > s[~in_list].max()
    # Outside the shortlist the first stage's order is kept.
    s1 = model.first_.decision_function(TEST[0])[~in_list]
    assert np.array_equal(np.argsort(s[~in_list], kind="stable"), np.argsort(s1, kind="stable"))
